"""What handlers are given: the unit of work, the clock, settings and the search index."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from domain.deadlines import DeadlinePolicy, WorkCalendar
from domain.reach import Reach
from handlers.ports import Transaction, Work

if TYPE_CHECKING:
    from domain.messages import Incoming, Reply
    from qa.entries import SearchHit


class Clock(Protocol):
    def __call__(self) -> datetime: ...


class Searcher(Protocol):
    """The question-answering index (kept fresh by data_version).

    `search` must not hold the event loop: it ranks in a worker thread, and searches only the
    first characters of a very long text (qa/searcher.py QUESTION_MAX).
    """

    async def search(
        self,
        uow: Work,
        query: str,
        limit: int = 5,
        village: str | None = None,
        today: date | None = None,
    ) -> list[SearchHit]: ...


@dataclass(frozen=True)
class Services:
    """Built once in bot/app.py and passed to every handler."""

    uow: Callable[[], Transaction]
    clock: Clock
    tz: ZoneInfo
    search: Searcher
    policy: DeadlinePolicy = field(default_factory=DeadlinePolicy)
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    max_photo_bytes: int = 10 * 1024 * 1024
    reach: Reach = field(default_factory=Reach)  # which channels reach officials and groups
    public_base_url: str = ""  # where residents reach the pages and feeds (links in answers); "": no links


@dataclass(frozen=True)
class Via:
    """What the messenger a person writes from can do and is called (from its `Capabilities`)."""

    label: str = ""  # how people name it ("Zalo"); "" for a channel that gives none
    takes_photos: bool = True  # the person can send the bot a photo
    takes_location: bool = True  # ... and share a location
    secret_ids: bool = False  # the person's id opens the chat (a browser session): never shown


@dataclass(frozen=True)
class Ctx:
    """One handling: the open unit of work (committed by the pipeline) and the services."""

    uow: Work
    svc: Services
    now: datetime
    via: Via = field(default_factory=Via)  # what the person's messenger can do

    async def own_names(self) -> list[str]:
        """The commune's own name and province: any of its documents may leave them out, so a
        question naming them does not ask about another place."""
        commune = await self.uow.commune.get()
        return [commune.name, commune.province or ""] if commune is not None else []


Handler = Callable[["Incoming", Ctx], Awaitable[list["Reply"]]]
