"""The UI's shape: a short page over the ui package, imports one way (app -> ui -> backprop)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UI_FILES = sorted((ROOT / "ui").glob("*.py"))
BACKPROP_FILES = sorted((ROOT / "backprop").glob("*.py"))
PAGE_LINES = 60  # "about 50 lines"
MODULE_LINES = 300


def _top_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


def test_the_page_is_short_and_imports_only_the_ui():
    app = ROOT / "app.py"
    lines = len(app.read_text(encoding="utf-8").splitlines())
    assert lines <= PAGE_LINES, f"app.py has {lines} lines; move code into ui/"
    assert "backprop" not in _top_modules(app), "app.py reaches past ui/ into backprop"


@pytest.mark.parametrize("path", UI_FILES, ids=lambda p: p.name)
def test_ui_modules_never_import_the_page_and_stay_small(path):
    assert "app" not in _top_modules(path), f"ui/{path.name} imports app.py: imports go one way"
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MODULE_LINES, f"ui/{path.name} has {lines} lines (limit {MODULE_LINES})"


@pytest.mark.parametrize("path", BACKPROP_FILES, ids=lambda p: p.name)
def test_backprop_never_imports_the_ui(path):
    assert not {"ui", "app"} & _top_modules(path), f"backprop/{path.name} imports the UI"
