"""One fuzz run against one webhook of the running app (used by the e2e test and the bench)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings

from tests.attack_harness import Webhooks
from tests.malformed import bodies


@dataclass
class Counts:
    """What came of the run: HTTP answers, crashes, what the pipeline did with what it stored."""

    webhook: str
    sent: int = 0
    ok: int = 0  # 2xx
    refused: int = 0  # 4xx
    errors: int = 0  # 5xx
    crashes: int = 0  # ERROR log records and unexpected exceptions in the event loop
    stored: dict[str, int] = field(default_factory=dict)  # inbound updates by status
    answered_after: bool = False  # an ordinary message got its answer after the run
    seconds: float = 0.0
    bad: list[tuple[int, bytes]] = field(default_factory=list)  # the first 5xx bodies
    crash_texts: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"{self.webhook:9} sent {self.sent:6}  2xx {self.ok:6}  4xx {self.refused:6}  5xx {self.errors:3}  "
            f"crashes {self.crashes:3}  set aside {self.stored.get('set_aside', 0):5}  "
            f"handled {self.stored.get('handled', 0):5}  failed {self.stored.get('failed', 0):3}  "
            f"unhandled {self.stored.get('received', 0):3}  answers after: {'yes' if self.answered_after else 'NO'}  "
            f"{self.seconds:6.1f} s"
        )


def fuzz(database_url: str, webhook: str, examples: int) -> Counts:
    """Start the app, post `examples` generated malformed bodies to one webhook, then check it."""
    counts = Counts(webhook)
    with asyncio.Runner() as runner:
        hooks = Webhooks(database_url)
        runner.run(hooks.__aenter__())
        started = time.monotonic()
        try:

            @settings(
                max_examples=examples,
                deadline=None,
                database=None,  # no .hypothesis/ directory in the worktree
                suppress_health_check=list(HealthCheck),
            )
            @given(body=bodies(webhook))
            def one(body: tuple[bytes, str | None]) -> None:
                raw, content_type = body
                status = runner.run(hooks.post(webhook, raw, content_type))
                counts.sent += 1
                if status >= 500:
                    counts.errors += 1
                    if len(counts.bad) < 5:
                        counts.bad.append((status, raw[:300]))
                elif status >= 400:
                    counts.refused += 1
                else:
                    counts.ok += 1

            one()
            runner.run(hooks.settle())
            counts.seconds = time.monotonic() - started
            counts.stored = runner.run(hooks.statuses())
            text = runner.run(hooks.answers_normally(webhook))
            counts.answered_after = "14 giờ 00" in text
            runner.run(hooks.settle())
        finally:
            counts.crashes = len(hooks.crashes.seen)
            counts.crash_texts = hooks.crashes.seen[:5]
            runner.run(hooks.__aexit__())
    return counts
