"""Handlers and the search index depend on handlers/ports.py, not on the SQL unit of work: of storage
they may use only the row classes (plain data), so they run on the in-memory fakes as they do on a database."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAY_USE = {"storage.models"}


def _storage_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "storage":
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "storage"}
    return found


def test_handlers_and_the_index_use_storage_only_through_the_ports() -> None:
    paths = [*(ROOT / "handlers").glob("*.py"), *(ROOT / "qa").glob("*.py")]
    wrong = {str(p.relative_to(ROOT)): sorted(_storage_imports(p) - MAY_USE) for p in paths}
    assert {k: v for k, v in wrong.items() if v} == {}
