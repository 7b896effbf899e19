"""The engine must stay importable without Odoo."""

import ast
import pathlib

from conftest import ENGINE_DIR


def test_no_module_of_the_engine_imports_odoo():
    offenders = []
    for path in ENGINE_DIR.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            offenders += [f"{path.name}: {name}" for name in names if name.split(".")[0] == "odoo"]
    assert offenders == []


def test_engine_has_modules():
    assert any(pathlib.Path(ENGINE_DIR).glob("*.py"))
