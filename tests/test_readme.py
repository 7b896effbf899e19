"""The documents a reader opens on the repository page render: no malformed reStructuredText."""

from pathlib import Path

import docutils.core
import docutils.nodes
import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [
    "README.rst",
    "CHANGELOG.rst",
    "customer_relations/README.rst",
    "customer_relations_demo_company/README.rst",
]


def problems(text):
    tree = docutils.core.publish_doctree(text, settings_overrides={"report_level": 5, "halt_level": 5})
    return [
        f"line {node.get('line')}: {node.astext()[:200]}"
        for node in tree.findall(docutils.nodes.system_message)
        if node["level"] >= 2
    ]


@pytest.mark.parametrize("name", DOCUMENTS)
def test_document_renders_without_warnings(name):
    path = ROOT / name
    if not path.exists():
        pytest.skip(f"{name} does not exist")
    assert problems(path.read_text(encoding="utf-8")) == []


def test_a_malformed_table_is_reported():
    table = "=====  =====\nA      B\n=====  =====\nshort  ok\nmisaligned row\n=====  =====\n"
    assert problems(table)
