"""A province on one machine for the fault tests: `python -m bot run` worker processes per commune,
and a small front (what Caddy is in deploy/province/) sending /<commune>/... to that commune's
workers in turn, trying the next when one does not answer (killed, restarting)."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from aiohttp import web

from bot.config import Settings
from tests.e2e.conftest import free_port

REPO = Path(__file__).resolve().parents[2]
HOP_HEADERS = {"host", "content-length", "transfer-encoding", "connection"}


@dataclass
class Worker:
    """One `python -m bot run` process of a commune; `kill()` is SIGKILL, `start()` runs it again."""

    commune: str
    env: dict[str, str]
    log: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**self.env, "WEB_PORT": str(self.port)}
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"], cwd=self.log.parent, env=env, stdout=out, stderr=out
            )

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def terminate(self) -> None:
        """SIGTERM: the process stops as it does under `docker compose stop` (see stop())."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    async def healthy(self, http: aiohttp.ClientSession) -> bool:
        try:
            async with http.get(f"http://127.0.0.1:{self.port}/healthz") as response:
                return response.status == 200
        except aiohttp.ClientError:
            return False


def worker_env(**settings: str) -> dict[str, str]:
    """The parent's environment without any bot setting, plus these (no .env is read: cwd is a
    temporary folder)."""
    env = {k: v for k, v in os.environ.items() if k not in Settings.model_fields}
    env.update({"PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1", "LOG_LEVEL": "WARNING"})
    env.update(settings)
    return env


class Front:
    """`/<commune>/...` to the commune's workers, round robin; a worker that cannot be reached (or
    fails mid-request) is skipped for the next; 502 when none answers. `base` is its address."""

    def __init__(self, workers: dict[str, list[Worker]]) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self._workers = workers
        self._turns = itertools.count()
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None
        self.failovers = 0  # requests a worker did not answer, passed to the next

    async def __aenter__(self) -> Front:
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_route("*", "/{commune}/{tail:.*}", self._forward)
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._http is not None:
            await self._http.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _forward(self, request: web.Request) -> web.Response:
        commune = request.match_info["commune"]
        workers = self._workers.get(commune)
        if not workers or self._http is None:
            return web.Response(status=404)
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
        for _ in range(len(workers)):
            worker = workers[next(self._turns) % len(workers)]
            url = f"http://127.0.0.1:{worker.port}{request.path_qs}"
            try:
                async with self._http.request(request.method, url, data=body, headers=headers) as answer:
                    return web.Response(status=answer.status, body=await answer.read())
            except (TimeoutError, aiohttp.ClientError):
                self.failovers += 1
        return web.Response(status=502, text="no worker answered")
