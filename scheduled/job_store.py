"""APScheduler on the app's own database: jobs survive restarts, and only the leader runs them.

Two small adaptations of AsyncIOScheduler:

- The job store is blocking SQLAlchemy. Its passes (`_process_jobs`) run in a worker thread, so a
  store write waiting for SQLite's lock never stalls the event loop whose transaction holds it.
- Jobs are stored as a reference to a module-level coroutine plus plain arguments. The executor
  passes the running app's context as the `ctx` keyword, so no job needs global state. (A job
  function declares `ctx=None`: APScheduler checks stored arguments against the signature.)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from apscheduler.executors.base import BaseExecutor, run_coroutine_job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import STATE_STOPPED

from storage.db import make_sync_engine

log = logging.getLogger(__name__)

JOB_TABLE = "apscheduler_jobs"  # created by migration 0004


def job_table(scope: str) -> str:
    """The table of a commune's jobs: today's for a one-commune deployment, one more per named
    commune (APScheduler creates it on start), so no scheduler ever runs another commune's jobs."""
    if not scope:
        return JOB_TABLE
    return f"{JOB_TABLE}_" + "".join(c if c.isalnum() else "_" for c in scope.lower())[:40]


RETRY_AFTER_STORE_ERROR = 5.0


class _WithContext:
    """A job as `run_coroutine_job` sees it, with the context added to its keyword arguments."""

    def __init__(self, job: Any, context: object) -> None:
        self._job = job
        self.kwargs = {**job.kwargs, "ctx": context}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._job, name)

    def __str__(self) -> str:
        return str(self._job)


class ContextExecutor(BaseExecutor):  # type: ignore[misc]
    """Runs coroutine jobs on the event loop as `func(*args, ctx=context)`; submit from any thread."""

    def __init__(self, context: object) -> None:
        super().__init__()
        self._context = context
        self._loop: asyncio.AbstractEventLoop | None = None
        self.running: set[asyncio.Task[Any]] = set()

    def start(self, scheduler: Any, alias: str) -> None:
        super().start(scheduler, alias)
        self._loop = asyncio.get_running_loop()

    def _do_submit_job(self, job: Any, run_times: list[Any]) -> None:
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._launch, job, run_times)

    def _launch(self, job: Any, run_times: list[Any]) -> None:
        assert self._loop is not None
        bound = _WithContext(job, self._context)
        task = self._loop.create_task(
            run_coroutine_job(bound, job._jobstore_alias, run_times, self._logger.name)
        )
        self.running.add(task)
        task.add_done_callback(partial(self._finished, job.id))

    def _finished(self, job_id: str, task: asyncio.Task[Any]) -> None:
        self.running.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            self._run_job_error(job_id, error, error.__traceback__)
        else:
            self._run_job_success(job_id, task.result())


class StoreScheduler(AsyncIOScheduler):  # type: ignore[misc]
    """AsyncIOScheduler whose job-store passes run off the event loop (see the module docstring)."""

    def __init__(self, database_url: str, context: object, scope: str = "", **options: Any) -> None:
        self.engine = make_sync_engine(database_url)
        super().__init__(
            jobstores={"default": SQLAlchemyJobStore(engine=self.engine, tablename=job_table(scope))},
            executors={"default": ContextExecutor(context)},
            timezone="UTC",
            **options,
        )
        self._busy = False
        self._again = False

    def wakeup(self) -> None:
        """Process due jobs soon; safe to call from any thread."""
        loop = self._eventloop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake)

    def _wake(self) -> None:
        if self.state == STATE_STOPPED or self._eventloop is None:
            return
        self._stop_timer()
        if self._busy:
            self._again = True
            return
        self._busy = True
        done = self._eventloop.run_in_executor(None, self._process_jobs)
        done.add_done_callback(self._processed)

    def _processed(self, done: asyncio.Future[float | None]) -> None:
        self._busy = False
        if self.state == STATE_STOPPED or self._eventloop is None:
            return
        if self._again:
            self._again = False
            self._wake()
            return
        wait: float | None
        if done.cancelled() or done.exception() is not None:
            log.error("job store pass failed", exc_info=None if done.cancelled() else done.exception())
            wait = RETRY_AFTER_STORE_ERROR
        else:
            wait = done.result()
        self._start_timer(wait)

    async def call(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run a blocking scheduler method (add_job, get_jobs, remove_job) off the event loop."""
        return await asyncio.to_thread(method, *args, **kwargs)

    async def close(self) -> None:
        """Stop taking jobs, let running ones finish, release the store's connections."""
        if self.state != STATE_STOPPED:
            for _ in range(500):  # a pass in flight holds the store lock: let it end first
                if not self._busy:
                    break
                await asyncio.sleep(0.01)
            self._stop_timer()
            await asyncio.to_thread(super(AsyncIOScheduler, self).shutdown, False)
        running = self._executors["default"].running if "default" in self._executors else set()
        if running:
            await asyncio.wait(running, timeout=10)
        await asyncio.to_thread(self.engine.dispose)
