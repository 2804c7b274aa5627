"""Reads for the public notice board: disclosures as lists (without their bodies) and petition facts
for statistics (no content, no filer)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import defer, load_only
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.petitions import STEPS, Action, first_step_at
from storage.models import Disclosure, Petition, PetitionEvent

_FACT_COLUMNS = (
    "id",
    "kind",
    "status",
    "village",
    "received_at",
    "first_due",
    "resolve_due",
    "resolved_at",
    "rating",
)


@dataclass(frozen=True)
class DisclosureItem:
    """A disclosure as a list shows it (no body)."""

    id: str
    title: str
    category: str
    villages: list[str]
    published_at: date
    posted_until: date | None
    source: str | None
    updated_at: datetime | None
    decided_at: date | None = None  # the date of the decision disclosed, when the data gives it


@dataclass(frozen=True)
class PetitionFact:
    """What public statistics read of a petition: never its content, code or filer."""

    kind: str
    status: str
    village: str | None
    received_at: datetime
    first_due: date | None
    resolve_due: date | None
    resolved_at: datetime | None
    first_step_at: datetime | None  # when its first step was met (domain.petitions.first_step_at)
    rating: int | None
    replied_at: datetime | None = None  # the commune's first reply to the resident


class PublicRepo:
    """Read-only queries of the public pages."""

    def __init__(self, session: AsyncSession, commune_id: int) -> None:
        self._s = session
        self._c = commune_id

    async def disclosures(
        self,
        *,
        category: str | None = None,
        village: str | None = None,
        published_from: date | None = None,
        published_before: date | None = None,
    ) -> list[DisclosureItem]:
        """Newest first; `village` keeps that village's disclosures and the commune-wide ones."""
        query = select(Disclosure).options(defer(Disclosure.body))  # type: ignore[arg-type]
        query = query.where(Disclosure.commune_id == self._c)
        if category is not None:
            query = query.where(Disclosure.category == category)
        if published_from is not None:
            query = query.where(col(Disclosure.published_at) >= published_from)
        if published_before is not None:
            query = query.where(col(Disclosure.published_at) < published_before)
        query = query.order_by(col(Disclosure.published_at).desc(), col(Disclosure.id))
        items = [
            DisclosureItem(
                d.id,
                d.title,
                d.category,
                d.villages,
                d.published_at,
                d.posted_until,
                d.source,
                d.updated_at,
                d.decided_at,
            )
            for d in (await self._s.exec(query)).all()
        ]
        if village is None:
            return items
        wanted = village.casefold()
        return [d for d in items if not d.villages or any(v.casefold() == wanted for v in d.villages)]

    async def category_counts(self) -> dict[str, int]:
        query = (
            select(Disclosure.category, sa.func.count())
            .where(Disclosure.commune_id == self._c)
            .group_by(col(Disclosure.category))
        )
        return {category: count for category, count in (await self._s.exec(query)).all()}

    async def published_dates(self) -> list[date]:
        """Every distinct publication date (for the quarters that have disclosures)."""
        result = await self._s.exec(
            select(col(Disclosure.published_at)).where(Disclosure.commune_id == self._c).distinct()
        )
        return sorted(result.all())

    async def petition_facts(self, received_from: datetime, received_before: datetime) -> list[PetitionFact]:
        """Petitions received in [from, before), with when their first step was met and their first reply."""
        action = col(PetitionEvent.action)
        at = col(PetitionEvent.at)
        first = (
            select(
                PetitionEvent.petition_id,
                sa.func.min(sa.case((action.in_([str(a) for a in STEPS]), at))).label("stepped_at"),
                sa.func.min(sa.case((action == Action.ANSWERED, at))).label("replied_at"),
            )
            .where(action.in_([str(a) for a in (*STEPS, Action.ANSWERED)]))
            .where(col(PetitionEvent.internal).is_(False), PetitionEvent.commune_id == self._c)
            .group_by(col(PetitionEvent.petition_id))
            .subquery()
        )
        query = (
            select(Petition, first.c.stepped_at, first.c.replied_at)
            .options(load_only(*(getattr(Petition, name) for name in _FACT_COLUMNS)))
            .outerjoin(first, first.c.petition_id == col(Petition.id))
            .where(col(Petition.received_at) >= received_from, col(Petition.received_at) < received_before)
            .where(Petition.commune_id == self._c)
            .order_by(col(Petition.id))
        )
        rows = (await self._s.exec(query)).all()
        return [
            PetitionFact(
                p.kind,
                p.status,
                p.village,
                p.received_at or received_from,
                p.first_due,
                p.resolve_due,
                p.resolved_at,
                first_step_at(p.kind, stepped_at, replied_at),
                p.rating,
                replied_at,
            )
            for p, stepped_at, replied_at in rows
        ]

    async def newest(self, limit: int) -> list[Disclosure]:
        """The most recently published disclosures, whole (the Atom feed)."""
        query = (
            select(Disclosure)
            .where(Disclosure.commune_id == self._c)
            .order_by(col(Disclosure.published_at).desc(), col(Disclosure.id))
            .limit(limit)
        )
        return list((await self._s.exec(query)).all())
