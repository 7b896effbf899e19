"""Check a translation of customer_relations against the template.

Usage: python tools/check_po.py customer_relations/i18n/zh_CN.po [the .pot]

Reports, and exits non-zero on:
- a msgid of the template missing from the translation, untranslated or fuzzy;
- a msgstr whose placeholders differ from its msgid: python-format (``%(name)s``, ``%s``,
  ``%(x).0f``, ``%%``), inline templates (``{{ ... }}``), QWeb/HTML markup (tags and their
  attributes, in order) and line breaks.
Needs ``polib`` (installed with Odoo).
"""

import re
import sys
from pathlib import Path

import polib

PY_FORMAT = re.compile(r"%(?:\([a-z_]+\))?[-#0 +]*\d*(?:\.\d+)?[sdfr%]")
INLINE = re.compile(r"\{\{.*?\}\}", re.S)
TAG = re.compile(r"<[^>]+>")
TITLE = re.compile(r'\s(title|alt|placeholder|aria-label)="[^"]*"')


def placeholders(text):
    """The parts of a message a translation must keep as they are."""
    tags = [TITLE.sub("", t) for t in TAG.findall(text)]
    return {
        "python-format": sorted(PY_FORMAT.findall(text)),
        "inline template": sorted(INLINE.findall(text)),
        "markup": tags,
        "line break": bool("\n" in text.strip()),
    }


def check(po_path, pot_path):
    pot = polib.pofile(str(pot_path))
    po = polib.pofile(str(po_path))
    translated = {entry.msgid: entry for entry in po}
    problems = []
    for entry in pot:
        if not entry.msgid:
            continue
        found = translated.get(entry.msgid)
        label = entry.msgid[:60].replace("\n", " ")
        if found is None:
            problems.append(f"missing: {label}")
            continue
        if not found.msgstr.strip():
            problems.append(f"untranslated: {label}")
            continue
        if found.fuzzy:
            problems.append(f"fuzzy: {label}")
        expected, got = placeholders(entry.msgid), placeholders(found.msgstr)
        for kind in expected:
            if kind == "line break" and not expected[kind]:
                continue
            if expected[kind] != got[kind]:
                problems.append(f"{kind} differs: {label} -> {found.msgstr[:60]}")
    return problems


def main(argv):
    po_path = Path(argv[1])
    pot_path = Path(argv[2]) if len(argv) > 2 else po_path.with_name("customer_relations.pot")
    problems = check(po_path, pot_path)
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
