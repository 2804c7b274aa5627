"""One scheduler per deployment: the PostgreSQL advisory lock picks exactly one process."""

from __future__ import annotations

from storage.leader import Leadership
from storage.store import Store


async def test_exactly_one_of_two_processes_runs_the_scheduler(database_url: str) -> None:
    first, second = Store(database_url), Store(database_url)
    try:
        a, b = Leadership(first.engine), Leadership(second.engine)
        if first.dialect != "postgresql":
            assert await a.held() and await b.held()  # SQLite serves one process
            return
        assert await a.held() is True
        assert await b.held() is False
        assert await a.held() is True  # keeps it
        await a.release()  # the leader stops (or dies): the other takes over
        assert await b.held() is True
        assert await a.held() is False
        await b.release()
    finally:
        await first.close()
        await second.close()
