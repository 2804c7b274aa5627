"""Unit-test fixtures: the in-memory store handlers run on when persistence is not what is tested."""

from __future__ import annotations

import pytest

from tests.fakes.memory import MemoryStore


@pytest.fixture
def memory() -> MemoryStore:
    """An empty in-memory store (`tests.handler_calls.seeded` loads the mini commune into it)."""
    return MemoryStore()
