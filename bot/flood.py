"""One person sending far more than people do (500 messages in 10 s) slows nobody else.

Every update is kept and handled, in order; but once a person has more than `limit` updates
waiting, theirs are handled after everyone else's (one flooding update at a time across the bot,
at least one a second so a busy bot cannot starve them), and they are told once, politely.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

Person = tuple[str, str, str]  # channel, chat, user

NOTICE = (
    "Bà con gửi nhiều tin liền quá. Bot vẫn nhận đủ và sẽ trả lời lần lượt; "
    "xin bà con chờ một chút rồi hãy gửi tiếp nhé."
)


class FloodGate:
    def __init__(self, limit: int = 10, starve_after: float = 1.0) -> None:
        self._limit = limit
        self._starve_after = starve_after
        self._backlog: dict[Person, int] = {}
        self._flooding: set[Person] = set()
        self._others = 0  # updates of people not flooding, waiting or being handled
        self._others_done = asyncio.Event()
        self._others_done.set()
        self._lane = asyncio.Semaphore(1)

    def arrive(self, person: Person) -> bool:
        """Count an update in; True the moment this person starts flooding (tell them once)."""
        waiting = self._backlog.get(person, 0) + 1
        self._backlog[person] = waiting
        if waiting > self._limit and person not in self._flooding:
            self._flooding.add(person)
            return True
        return False

    def depart(self, person: Person) -> None:
        waiting = self._backlog.get(person, 1) - 1
        if waiting > 0:
            self._backlog[person] = waiting
            return
        self._backlog.pop(person, None)
        self._flooding.discard(person)  # caught up: a later burst is told again

    @contextlib.asynccontextmanager
    async def turn(self, person: Person) -> AsyncIterator[None]:
        """Hold a flooding person's update until others are served; others pass at once."""
        if person not in self._flooding:
            self._others += 1
            self._others_done.clear()
            try:
                yield
            finally:
                self._others -= 1
                if self._others == 0:
                    self._others_done.set()
            return
        async with self._lane:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._others_done.wait(), self._starve_after)
            yield
