"""The layer contracts hold, and they would catch the imports they exist to forbid.

``lint-imports`` checks pyproject.toml's [tool.importlinter] contracts on the real tree (as .ci/run
does), then on copies with one forbidden import planted each: the service from the library, one
backend from another, an upper layer from a lower one. No module is part of an import cycle.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}  # the copy shadows the installed packages
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for package in ("summarizer", "summarizer_service"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _plant(tree: Path, module: str, line: str) -> None:
    path = tree / (module.replace(".", "/") + ".py")
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def test_the_contracts_hold(tree: Path) -> None:
    result = _lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("summarizer.text.segment", "import summarizer_service.app", "never imports the HTTP service"),
        ("summarizer.api", "from summarizer_service import errors", "never imports the HTTP service"),
        ("summarizer.backends.extractive", "import summarizer.backends.abstractive", "no backend imports another"),
        ("summarizer.text.segment", "import summarizer.selection.ranking", "Library layers"),
        ("summarizer.components.prepare", "from summarizer import api", "Library layers"),
        ("summarizer_service.jobs", "import summarizer_service.app", "Service layers"),
    ],
)
def test_a_forbidden_import_breaks_its_contract(tree: Path, module: str, line: str, contract: str) -> None:
    _plant(tree, module, line)
    result = _lint(tree)
    assert result.returncode != 0
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken, result.stdout


_FIND_CYCLE = """
import sys, grimp
graph = grimp.build_graph("summarizer", "summarizer_service")
state = {}
def visit(module, path):
    state[module] = 1
    for imported in sorted(graph.find_modules_directly_imported_by(module)):
        if state.get(imported) == 1:
            print(" -> ".join([*path[path.index(imported):], imported])); sys.exit(1)
        if imported not in state:
            visit(imported, [*path, imported])
    state[module] = 2
for module in sorted(graph.modules):
    if module not in state:
        visit(module, [module])
"""


def _find_cycle(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [sys.executable, "-c", _FIND_CYCLE], cwd=tree, env=env, capture_output=True, text=True, timeout=120
    )


def test_no_import_cycles(tree: Path) -> None:
    found = _find_cycle(tree)
    assert found.returncode == 0, "import cycle: " + found.stdout
    _plant(tree, "summarizer.selection.significance", "import summarizer.selection.ranking")  # ranking imports it
    planted = _find_cycle(tree)
    assert planted.returncode == 1 and "summarizer.selection.significance" in planted.stdout
