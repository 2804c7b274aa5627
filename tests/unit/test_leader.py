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


async def test_each_commune_has_its_own_scheduler_leader(database_url: str) -> None:
    """Two communes on one PostgreSQL: each commune's processes elect their own leader."""
    first, second, third = Store(database_url), Store(database_url), Store(database_url)
    try:
        if first.dialect != "postgresql":
            return
        tan_lap, dong_tien = Leadership(first.engine, "tan-lap"), Leadership(second.engine, "dong-tien")
        tan_lap_again = Leadership(third.engine, "tan-lap")
        assert await tan_lap.held() is True
        assert await dong_tien.held() is True  # not held back by the other commune's leader
        assert await tan_lap_again.held() is False
        await tan_lap.release()
        assert await tan_lap_again.held() is True
        await tan_lap_again.release()
        await dong_tien.release()
    finally:
        for store in (first, second, third):
            await store.close()


def test_each_named_commune_keeps_its_jobs_in_a_table_of_its_own() -> None:
    from scheduled.job_store import JOB_TABLE, job_table

    assert job_table("") == JOB_TABLE  # a one-commune deployment keeps today's table
    assert job_table("tan-lap") == "apscheduler_jobs_tan_lap"
    assert job_table("tan-lap") != job_table("dong-tien")
