"""The layering of ARCHITECTURE.md, checked: which package may import which, and where channels are named."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# package -> first-party packages it must not import (ARCHITECTURE.md, "what each package may import")
FORBIDDEN = {
    "domain": {"bot", "channels", "handlers", "qa", "scheduled", "storage", "web", "telegram", "aiohttp"},
    "qa": {"bot", "channels", "handlers", "scheduled", "web", "telegram", "aiohttp"},
    "storage": {"bot", "channels", "handlers", "qa", "scheduled", "web", "telegram"},
    "handlers": {"bot", "channels", "scheduled", "web", "telegram", "aiohttp", "sqlalchemy", "sqlmodel"},
    "scheduled": {"bot", "channels", "handlers", "web", "telegram"},
    "channels": {"handlers", "scheduled", "web", "qa"},
    "web": {"handlers", "scheduled", "telegram"},
}
# Pure helpers a layer may use although their package is otherwise out of its reach.
ALLOWED_MODULES = {"domain": {"qa.vntext"}}
# Where a messenger may be named: its own adapter, the settings, the registry, the importer's mapping.
CHANNEL_NAMES = re.compile(r"""["'](telegram|zalo)["']""")
MAY_NAME_CHANNELS = {"bot/config.py", "bot/cli.py", "bot/registry.py", "storage/validation.py"}


def _modules(package: str) -> list[Path]:
    return [p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts]


def _imports(path: Path, allowed: set[str]) -> set[str]:
    """Top-level packages a module imports (leaving out the allowed modules)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return {m.split(".")[0] for m in modules - allowed}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_packages_import_only_what_their_layer_may(package: str) -> None:
    wrong = {
        str(path.relative_to(ROOT)): sorted(
            _imports(path, ALLOWED_MODULES.get(package, set())) & FORBIDDEN[package]
        )
        for path in _modules(package)
    }
    assert {k: v for k, v in wrong.items() if v} == {}


def test_no_channel_is_named_outside_its_adapter() -> None:
    named = []
    for package in ("bot", "domain", "handlers", "qa", "scheduled", "storage", "web"):
        for path in _modules(package):
            rel = str(path.relative_to(ROOT))
            if rel not in MAY_NAME_CHANNELS and CHANNEL_NAMES.search(path.read_text(encoding="utf-8")):
                named.append(rel)
    assert named == []
