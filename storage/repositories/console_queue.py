"""The officials' console's petition queue: one commune's petitions, filtered, counted and paged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.petitions import OPEN, REPLY_MEETS_FIRST_STEP, Status
from storage.models import Petition


@dataclass(frozen=True)
class QueueFilter:
    """What the queue shows: None means any."""

    status: str | None = None
    kind: str | None = None
    village: str | None = None
    overdue_on: date | None = None  # only open petitions whose current deadline passed before this day


class QueueReads:
    _s: AsyncSession
    _c: int

    def _where(self, query: Any, wanted: QueueFilter) -> Any:
        query = query.where(col(Petition.commune_id) == self._c)
        if wanted.status:
            query = query.where(col(Petition.status) == wanted.status)
        if wanted.kind:
            query = query.where(col(Petition.kind) == wanted.kind)
        if wanted.village:
            query = query.where(col(Petition.village) == wanted.village)
        if wanted.overdue_on is not None:
            day = wanted.overdue_on
            # the deadline that matters now (domain.petitions.current_due): the first step's until it
            # is met (an explicit step; a reply where the type's first step is a status answer)
            received = col(Petition.status) == Status.RECEIVED
            replied = and_(
                col(Petition.answer).is_not(None), col(Petition.kind).in_(sorted(REPLY_MEETS_FIRST_STEP))
            )
            query = query.where(
                or_(
                    and_(received, ~replied, col(Petition.first_due) < day),
                    and_(
                        col(Petition.status).in_([s.value for s in OPEN if s is not Status.RECEIVED]),
                        col(Petition.resolve_due) < day,
                    ),
                    and_(received, replied, col(Petition.resolve_due) < day),
                )
            )
        return query

    async def queue(self, wanted: QueueFilter, offset: int, limit: int) -> tuple[list[Petition], int]:
        """A page of the petitions asked for (oldest deadline first, open ones before closed) and how
        many there are in all."""
        total = (await self._s.exec(self._where(select(func.count()).select_from(Petition), wanted))).one()
        closed_last = col(Petition.status).in_([s.value for s in OPEN]).desc()
        query = (
            self._where(select(Petition), wanted)
            .order_by(closed_last, col(Petition.received_at), col(Petition.id))
            .offset(offset)
            .limit(limit)
        )
        return list((await self._s.exec(query)).all()), int(total)

    async def status_counts(self) -> dict[str, int]:
        """How many of the commune's petitions are in each status."""
        query = (
            select(Petition.status, func.count())
            .where(col(Petition.commune_id) == self._c)
            .group_by(col(Petition.status))
        )
        return {status: int(n) for status, n in (await self._s.exec(query)).all()}

    async def villages_in_use(self) -> list[str]:
        query = (
            select(Petition.village)
            .where(col(Petition.commune_id) == self._c, col(Petition.village).is_not(None))
            .distinct()
        )
        return sorted(v for v in (await self._s.exec(query)).all() if v)
