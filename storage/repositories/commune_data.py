"""Read access to what the operator declared: commune, villages, disclosures, events, groups, officials.

Every repository here serves one commune (`commune_id`): each read is filtered by it.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Commune, Disclosure, Event, Group, Official, Village


class CommuneRepo:
    """The commune row and its villages."""

    def __init__(self, session: AsyncSession, commune_id: int) -> None:
        self._s = session
        self._c = commune_id

    async def get(self) -> Commune | None:
        return await self._s.get(Commune, self._c)

    async def data_version(self) -> int:
        """Bumped by every import or publish that changes data (search index freshness)."""
        result = await self._s.exec(select(Commune.data_version).where(Commune.id == self._c))
        return result.first() or 0

    async def villages(self) -> list[str]:
        query = select(Village.name).where(Village.commune_id == self._c).order_by(col(Village.position))
        return list((await self._s.exec(query)).all())


class DisclosureRepo:
    """Published disclosures."""

    def __init__(self, session: AsyncSession, commune_id: int) -> None:
        self._s = session
        self._c = commune_id

    async def get(self, disclosure_id: str) -> Disclosure | None:
        return await self._s.get(Disclosure, (self._c, disclosure_id))

    async def all(self) -> list[Disclosure]:
        query = select(Disclosure).where(Disclosure.commune_id == self._c).order_by(col(Disclosure.id))
        return list((await self._s.exec(query)).all())

    async def unannounced(self, published_since: date) -> list[Disclosure]:
        """Disclosures published since a day and never announced (the notices still to post)."""
        query = (
            select(Disclosure)
            .where(Disclosure.commune_id == self._c, col(Disclosure.announced_at).is_(None))
            .where(Disclosure.published_at >= published_since)
            .order_by(col(Disclosure.id))
        )
        return list((await self._s.exec(query)).all())

    async def by_category(self, category: str, limit: int = 10) -> list[Disclosure]:
        query = (
            select(Disclosure)
            .where(Disclosure.commune_id == self._c, Disclosure.category == category)
            .order_by(col(Disclosure.published_at).desc(), col(Disclosure.id))
            .limit(limit)
        )
        return list((await self._s.exec(query)).all())

    async def categories(self) -> list[str]:
        """Categories that have at least one disclosure."""
        query = select(Disclosure.category).where(Disclosure.commune_id == self._c).distinct()
        return sorted((await self._s.exec(query)).all())


class EventRepo:
    """Scheduled events."""

    def __init__(self, session: AsyncSession, commune_id: int) -> None:
        self._s = session
        self._c = commune_id

    async def get(self, event_id: str) -> Event | None:
        return await self._s.get(Event, (self._c, event_id))

    async def all(self) -> list[Event]:
        query = select(Event).where(Event.commune_id == self._c).order_by(col(Event.id))
        return list((await self._s.exec(query)).all())


class GroupRepo:
    """Group chats the bot posts to."""

    def __init__(self, session: AsyncSession, commune_id: int) -> None:
        self._s = session
        self._c = commune_id

    async def get(self, group_id: str) -> Group | None:
        return await self._s.get(Group, (self._c, group_id))

    async def all(self) -> list[Group]:
        query = select(Group).where(Group.commune_id == self._c).order_by(col(Group.id))
        return list((await self._s.exec(query)).all())

    async def officials_groups(self) -> list[Group]:
        query = (
            select(Group)
            .where(Group.commune_id == self._c, col(Group.officials).is_(True))
            .order_by(col(Group.id))
        )
        return list((await self._s.exec(query)).all())


class OfficialRepo:
    """Officials, looked up by their messenger account."""

    def __init__(self, session: AsyncSession, commune_id: int) -> None:
        self._s = session
        self._c = commune_id

    async def all(self) -> list[Official]:
        query = select(Official).where(Official.commune_id == self._c).order_by(col(Official.id))
        return list((await self._s.exec(query)).all())

    async def by_account(self, channel: str, user_id: str) -> Official | None:
        """The official behind a messenger account, if any (officials are tens, not thousands)."""
        if not user_id:
            return None
        return next((o for o in await self.all() if o.accounts.get(channel) == user_id), None)
