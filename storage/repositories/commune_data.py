"""Read access to what the operator declared: commune, villages, disclosures, events, groups, officials."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Commune, Disclosure, Event, Group, Official, Village


class CommuneRepo:
    """The commune row and its villages."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def get(self) -> Commune | None:
        return await self._s.get(Commune, 1)

    async def data_version(self) -> int:
        """Bumped by every import or publish that changes data (search index freshness)."""
        result = await self._s.exec(select(Commune.data_version).where(Commune.id == 1))
        return result.first() or 0

    async def villages(self) -> list[str]:
        result = await self._s.exec(select(Village.name).order_by(col(Village.position)))
        return list(result.all())


class DisclosureRepo:
    """Published disclosures."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def get(self, disclosure_id: str) -> Disclosure | None:
        return await self._s.get(Disclosure, disclosure_id)

    async def all(self) -> list[Disclosure]:
        result = await self._s.exec(select(Disclosure).order_by(col(Disclosure.id)))
        return list(result.all())

    async def by_category(self, category: str, limit: int = 10) -> list[Disclosure]:
        query = (
            select(Disclosure)
            .where(Disclosure.category == category)
            .order_by(col(Disclosure.published_at).desc(), col(Disclosure.id))
            .limit(limit)
        )
        return list((await self._s.exec(query)).all())

    async def categories(self) -> list[str]:
        """Categories that have at least one disclosure."""
        result = await self._s.exec(select(Disclosure.category).distinct())
        return sorted(result.all())


class EventRepo:
    """Scheduled events."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def get(self, event_id: str) -> Event | None:
        return await self._s.get(Event, event_id)

    async def all(self) -> list[Event]:
        return list((await self._s.exec(select(Event).order_by(col(Event.id)))).all())


class GroupRepo:
    """Group chats the bot posts to."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def get(self, group_id: str) -> Group | None:
        return await self._s.get(Group, group_id)

    async def all(self) -> list[Group]:
        return list((await self._s.exec(select(Group).order_by(col(Group.id)))).all())

    async def officials_groups(self) -> list[Group]:
        query = select(Group).where(col(Group.officials).is_(True)).order_by(col(Group.id))
        return list((await self._s.exec(query)).all())


class OfficialRepo:
    """Officials, looked up by their messenger account."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def all(self) -> list[Official]:
        return list((await self._s.exec(select(Official).order_by(col(Official.id)))).all())

    async def by_account(self, channel: str, user_id: str) -> Official | None:
        """The official behind a messenger account, if any (officials are tens, not thousands)."""
        if not user_id:
            return None
        return next((o for o in await self.all() if o.accounts.get(channel) == user_id), None)
