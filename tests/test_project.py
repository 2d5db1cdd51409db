"""Project hygiene: the README's commands are the ones CI runs, pins, and boundaries."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BACKPROP_FILES = sorted((ROOT / "backprop").glob("*.py"))


def _setup_commands() -> list[str]:
    """The command lines of the README's first fenced bash block, under the first heading."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first_section = re.split(r"^## ", text, flags=re.MULTILINE)[1]
    heading = first_section.splitlines()[0]
    assert re.search(r"set ?up|install|quick ?start", heading, re.IGNORECASE), (
        f"README's first section should be the set-up, got '## {heading}'")
    block = re.search(r"^```(?:bash|sh|shell)\n(.*?)^```", first_section, re.S | re.M)
    assert block, f"no ```bash block in README's '## {heading}' section"
    return [line.strip() for line in block.group(1).splitlines()
            if line.strip() and not line.strip().startswith("#")]


def test_readme_setup_is_two_commands():
    commands = _setup_commands()
    assert len(commands) == 2, f"expected a run command and a test command, got {commands}"
    run, test = commands
    assert "pip install -r requirements.txt" in run and "streamlit run app.py" in run, run
    assert "-r requirements-dev.txt" in test and "pytest" in test, test


def test_ci_runs_the_readme_test_command():
    test = _setup_commands()[-1]
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()
                if not line.lstrip().startswith("#")]
    assert test in ci_lines, f"README's test command is not a line of .ci/run:\n  {test}"


@pytest.mark.parametrize("name", ["requirements.txt", "requirements-dev.txt"])
def test_requirements_are_pinned(name):
    lines = [line.split("#")[0].strip() for line in (ROOT / name).read_text().splitlines()]
    unpinned = [line for line in lines
                if line and not line.startswith("-r ")
                and not re.fullmatch(r"[A-Za-z0-9._\[\],-]+==[A-Za-z0-9.+!-]+( *;.+)?", line)]
    assert unpinned == [], f"{name}: pin these with ==: {unpinned}"


def test_dev_requirements_include_runtime():
    lines = [line.strip() for line in (ROOT / "requirements-dev.txt").read_text().splitlines()]
    assert "-r requirements.txt" in lines, (
        "requirements-dev.txt must start from the runtime: add '-r requirements.txt'")


def _imported_modules(tree: ast.AST) -> set[str]:
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.add(node.module)
    return modules


def test_backprop_files_found():
    assert len(BACKPROP_FILES) > 1, "the glob below found no backprop/*.py"


@pytest.mark.parametrize("path", BACKPROP_FILES, ids=lambda p: p.name)
def test_backprop_never_imports_streamlit(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    ui = sorted(m for m in _imported_modules(tree) if m.split(".")[0] == "streamlit")
    assert ui == [], f"backprop/{path.name} imports {ui}; the library must not know the UI"
