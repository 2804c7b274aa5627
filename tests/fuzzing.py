"""One fuzz run against one webhook of the running app (used by the e2e test and the bench)."""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass, field

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as seed_of

from tests.attack_harness import Webhooks
from tests.malformed import bodies

BATCH = 16  # bodies posted side by side


@dataclass
class Counts:
    """What came of the run: HTTP answers, crashes, what the pipeline did with what it stored."""

    webhook: str
    seed: int = 0  # hypothesis's: the same seed posts the same bodies
    sent: int = 0
    ok: int = 0  # 2xx
    refused: int = 0  # 4xx
    errors: int = 0  # 5xx
    crashes: int = 0  # ERROR log records and unexpected exceptions in the event loop
    stored: dict[str, int] = field(default_factory=dict)  # inbound updates by status
    answered_after: bool = False  # an ordinary message got its answer after the run
    seconds: float = 0.0  # wall clock, from the first body to the last update handled
    cpu: float = 0.0  # this process's CPU meanwhile (the app, its fakes, the client, hypothesis)
    generating: float = 0.0  # of which hypothesis's, between posts
    bad: list[tuple[int, bytes]] = field(default_factory=list)  # the first 5xx bodies
    crash_texts: list[str] = field(default_factory=list)

    def count(self, status: int, raw: bytes) -> None:
        """One body's HTTP answer."""
        self.sent += 1
        if status >= 500:
            self.errors += 1
            if len(self.bad) < 5:
                self.bad.append((status, raw[:300]))
        elif status >= 400:
            self.refused += 1
        else:
            self.ok += 1

    def line(self) -> str:
        return (
            f"{self.webhook:9} sent {self.sent:6}  2xx {self.ok:6}  4xx {self.refused:6}  5xx {self.errors:3}  "
            f"crashes {self.crashes:3}  set aside {self.stored.get('set_aside', 0):5}  "
            f"handled {self.stored.get('handled', 0):5}  failed {self.stored.get('failed', 0):3}  "
            f"unhandled {self.stored.get('received', 0):3}  answers after: {'yes' if self.answered_after else 'NO'}  "
            f"{self.seconds:6.1f} s  cpu {self.cpu:6.1f} s (hypothesis {self.generating:5.1f} s)  seed {self.seed}"
        )


def fuzz(database_url: str, webhook: str, examples: int, seed: int | None = None) -> Counts:
    """Start the app, post `examples` generated malformed bodies to one webhook, then check it.

    Hypothesis generates the bodies (its generate phase only: no test here ever fails, so there is
    nothing to shrink, replay or explain); they are posted BATCH at a time, side by side, as a
    messenger delivers under load (their updates share the pipeline's group commits). The same
    `seed` gives the same bodies.
    """
    counts = Counts(webhook, seed=secrets.randbits(32) if seed is None else seed)
    with asyncio.Runner() as runner:
        hooks = Webhooks(database_url)
        runner.run(hooks.__aenter__())
        started, cpu = time.monotonic(), time.process_time()
        waiting: list[tuple[bytes, str | None]] = []
        posting = [0.0]  # CPU spent posting (and handling what the app stored meanwhile)

        def post_all() -> None:
            batch, waiting[:] = list(waiting), []
            before = time.process_time()
            statuses = runner.run(_post(hooks, webhook, batch))
            posting[0] += time.process_time() - before
            for (raw, _), status in zip(batch, statuses, strict=True):
                counts.count(status, raw)

        try:

            @seed_of(counts.seed)
            @settings(
                max_examples=examples,
                deadline=None,
                database=None,  # no .hypothesis/ directory in the worktree
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(body=bodies(webhook))
            def one(body: tuple[bytes, str | None]) -> None:
                waiting.append(body)
                if len(waiting) >= BATCH:
                    post_all()

            one()
            post_all()
            counts.generating = time.process_time() - cpu - posting[0]
            runner.run(hooks.settle())
            counts.seconds, counts.cpu = time.monotonic() - started, time.process_time() - cpu
            counts.stored = runner.run(hooks.statuses())
            text = runner.run(hooks.answers_normally(webhook))
            counts.answered_after = "14 giờ 00" in text
            runner.run(hooks.settle())
        finally:
            counts.crashes = len(hooks.crashes.seen)
            counts.crash_texts = hooks.crashes.seen[:5]
            runner.run(hooks.__aexit__())
    return counts


async def _post(hooks: Webhooks, webhook: str, batch: list[tuple[bytes, str | None]]) -> list[int]:
    return list(await asyncio.gather(*(hooks.post(webhook, raw, ct) for raw, ct in batch)))
