"""The generated spreadsheet dashboard (tools/dashboard_json.py): the committed files are its
output, and every formula points at a data source the file defines."""

import importlib.util
import json
import pathlib
import re

import pytest

TOOL = pathlib.Path(__file__).resolve().parent.parent / "tools" / "dashboard_json.py"


@pytest.fixture(scope="module")
def tool():
    spec = importlib.util.spec_from_file_location("dashboard_json", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_files_are_the_generators_output(tool):
    assert tool.main(["--check"]) == 0, "run python3 tools/dashboard_json.py and commit the result"


def test_every_formula_names_a_defined_pivot_or_list(tool):
    live = json.loads(tool.LIVE_PATH.read_text(encoding="utf-8"))
    contents = [cell["content"] for sheet in live["sheets"] for cell in sheet["cells"].values()]
    pivot_refs = {m for content in contents for m in re.findall(r"PIVOT\.(?:VALUE|HEADER)\((\d+)", content)}
    list_refs = {m for content in contents for m in re.findall(r"ODOO\.LIST\((\d+)", content)}
    assert pivot_refs == set(live["pivots"]), "each pivot is shown, and only defined pivots are used"
    assert list_refs == set(live["lists"])
    for content in contents:
        for pivot_id, measure in re.findall(r'PIVOT\.VALUE\((\d+),"([^"]+)"', content):
            assert measure in {m["id"] for m in live["pivots"][pivot_id]["measures"]}, content
        for list_id, field in re.findall(r'ODOO\.LIST\((\d+),\d+,"([^"]+)"', content):
            assert field in live["lists"][list_id]["columns"], content


def test_sample_has_the_same_texts_and_no_query(tool):
    """Odoo shows the sample where there is nothing to show yet: same headings, no data source."""
    live = json.loads(tool.LIVE_PATH.read_text(encoding="utf-8"))
    sample = json.loads(tool.SAMPLE_PATH.read_text(encoding="utf-8"))
    assert not sample["pivots"] and not sample["lists"]
    assert not any("PIVOT" in c["content"] or "ODOO." in c["content"] for c in sample["sheets"][0]["cells"].values())
    assert all(not f["data"]["type"].startswith("odoo_") for s in sample["sheets"] for f in s["figures"])

    def headings(spreadsheet):
        return {
            c["content"]
            for c in spreadsheet["sheets"][0]["cells"].values()
            if c["content"].startswith("[") or c["content"].startswith('=_t("')
        }

    assert headings(live) <= headings(sample)
    assert [f["data"]["title"]["text"] for f in live["sheets"][0]["figures"]] == [
        f["data"]["title"]["text"] for f in sample["sheets"][0]["figures"]
    ]
