"""/healthz tells the truth about the database: reachable, and taking writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import event

from storage.store import Store
from web.server import make_web_app


async def _get_health(store: Store) -> tuple[int, dict[str, Any]]:
    async with TestClient(TestServer(make_web_app(store, []))) as client:
        response = await client.get("/healthz")
        return response.status, await response.json()


async def test_healthz_is_ok_when_the_database_takes_writes(store: Store) -> None:
    assert await _get_health(store) == (200, {"ok": True})


async def test_healthz_fails_when_the_database_refuses_writes(migrated_sqlite: Path) -> None:
    """Reads still work but every write fails (a read-only file or volume): the check says so (503)."""
    store = Store(f"sqlite:///{migrated_sqlite}")
    try:
        await store.migrate()

        @event.listens_for(store.probe_engine, "connect")
        def _read_only(dbapi_connection: Any, record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA query_only = ON")
            cursor.close()

        status, body = await _get_health(store)
    finally:
        await store.close()
    assert status == 503
    assert body["database"] is True and body["writable"] is False and body["ok"] is False
    assert "readonly" in body["error"]
