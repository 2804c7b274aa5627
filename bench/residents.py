"""Simulated residents under load: how long each step waited, who re-sent, who gave up, and where
the bot's time went (bench/petition_crash.py)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.bot_process import percentile as pct
from tests.fakes.telegram import FakeTelegram, NothingSent


@dataclass
class People:
    """How residents fared: waits per step (a give-up counts as its full wait), re-sends, give-ups."""

    patience: float
    give_up: float
    waits: dict[str, list[float]] = field(default_factory=dict)
    resent: int = 0
    gave_up: int = 0

    async def step(
        self, fake: FakeTelegram, chat: int, label: str, push: Callable[[], Coroutine[Any, Any, Any]],
        answered: Callable[[dict[str, Any]], bool] = lambda _: True,
    ) -> bool:  # fmt: skip
        """Do one step; wait for the answer, re-send once after `patience`, give up at `give_up`."""
        while True:  # what came late for an earlier step is not this step's answer
            try:
                await fake.next_sent(chat, timeout=0, method="sendMessage")
            except NothingSent:
                break
        started = time.perf_counter()
        await push()
        deadline, resent = started + self.give_up, False
        while (left := deadline - time.perf_counter()) > 0:
            wait = min(left, self.patience - (time.perf_counter() - started)) if not resent else left
            try:
                message = await fake.next_sent(chat, timeout=max(0.0, wait), method="sendMessage")
            except NothingSent:
                if not resent and time.perf_counter() - started >= self.patience:
                    resent = True
                    self.resent += 1
                    await push()
                continue
            if answered(message):
                self.waits.setdefault(label, []).append(time.perf_counter() - started)
                return True
        self.waits.setdefault(label, []).append(self.give_up)
        self.gave_up += 1
        return False

    def report(self) -> None:
        for label, waits in self.waits.items():
            print(
                f"  {label:<22} n={len(waits):<4} p50 {pct(waits, 0.5):5.1f} s   p95 {pct(waits, 0.95):5.1f} s"
            )
        print(
            f"  re-sent a step after {self.patience:.0f} s of silence: {self.resent}; gave up: {self.gave_up}"
        )


WARM_CHAT = 29_999  # the chat that warms the bot up (petition_crash.FIRST_CHAT - 1)


def breakdown(db: Path) -> str:
    """Where private replies spent their time: waiting to be handled, handling plus the outbox (the
    reply row is stamped when handling starts), and how many group posts left meanwhile."""
    chat = "coalesce(json_extract(payload, '$.message.chat.id'),"
    chat += " json_extract(payload, '$.callback_query.message.chat.id'))"
    with sqlite3.connect(db) as conn:
        handling = [float(x) for (x,) in conn.execute(
            "select (julianday(handled_at) - julianday(received_at)) * 86400 from inboundupdate"
            f" where handled_at is not null and {chat} > 0 and {chat} != {WARM_CHAT}")]  # fmt: skip
        queued = [float(x) for (x,) in conn.execute(
            "select (julianday(sent_at) - julianday(created_at)) * 86400 from outboxmessage"
            f" where sent_at is not null and chat_id not like '-%' and chat_id != '{WARM_CHAT}'")]  # fmt: skip
        window = conn.execute(
            "select min(created_at), max(sent_at) from outboxmessage where chat_id not like '-%' and chat_id != ?",
            (str(WARM_CHAT),),
        ).fetchone()
        posts = conn.execute(
            "select count(*) from outboxmessage where chat_id like '-%' and sent_at between ? and ?", window
        ).fetchone()[0]
    return (
        f"  private updates received -> handling starts p50 {pct(handling, 0.5):.1f} s p95 {pct(handling, 0.95):.1f} s;"
        f" handling starts -> reply sent p50 {pct(queued, 0.5):.1f} s p95 {pct(queued, 0.95):.1f} s;"
        f" group posts sent meanwhile: {posts}"
    )
