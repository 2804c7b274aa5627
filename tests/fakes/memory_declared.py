"""In-memory repositories of what the operator declares (storage/repositories/commune_data.py), and relays."""

from __future__ import annotations

from datetime import datetime

from storage.models import Commune, Disclosure, Event, Group, Official, RelayPost
from storage.uow import FIRST_COMMUNE
from tests.fakes.memory_tables import Tables, by_key


class MemoryCommune:
    def __init__(self, t: Tables) -> None:
        self._t = t

    async def get(self) -> Commune | None:
        return self._t.commune

    async def data_version(self) -> int:
        return self._t.commune.data_version if self._t.commune else 0

    async def villages(self) -> list[str]:
        return list(self._t.villages)


class MemoryDisclosures:
    def __init__(self, t: Tables) -> None:
        self._t = t

    async def get(self, disclosure_id: str) -> Disclosure | None:
        return self._t.disclosures.get(disclosure_id)

    async def all(self) -> list[Disclosure]:
        return by_key(self._t.disclosures)

    async def by_category(self, category: str, limit: int = 10) -> list[Disclosure]:
        rows = [d for d in by_key(self._t.disclosures) if d.category == category]
        return sorted(rows, key=lambda d: d.published_at, reverse=True)[:limit]  # stable: ids ascend

    async def categories(self) -> list[str]:
        return sorted({d.category for d in self._t.disclosures.values()})


class MemoryEvents:
    def __init__(self, t: Tables) -> None:
        self._t = t

    async def get(self, event_id: str) -> Event | None:
        return self._t.events.get(event_id)

    async def all(self) -> list[Event]:
        return by_key(self._t.events)


class MemoryGroups:
    def __init__(self, t: Tables) -> None:
        self._t = t

    async def get(self, group_id: str) -> Group | None:
        return self._t.groups.get(group_id)

    async def all(self) -> list[Group]:
        return by_key(self._t.groups)

    async def officials_groups(self) -> list[Group]:
        return [g for g in by_key(self._t.groups) if g.officials]


class MemoryOfficials:
    def __init__(self, t: Tables) -> None:
        self._t = t

    async def all(self) -> list[Official]:
        return by_key(self._t.officials)

    async def by_account(self, channel: str, user_id: str) -> Official | None:
        if not user_id:
            return None
        return next((o for o in by_key(self._t.officials) if o.accounts.get(channel) == user_id), None)


class MemoryRelays:
    """Posts handed to a group's admin (storage/repositories/relays.py)."""

    def __init__(self, t: Tables) -> None:
        self._t = t

    async def add_if_new(
        self,
        key: str,
        group_id: str,
        official_id: str,
        channel: str,
        chat_id: str,
        summary: str,
        at: datetime,
    ) -> int | None:
        if any(r.dedupe_key == key for r in self._t.relays.values()):
            return None
        rid = self._t.next_id("relay")
        self._t.relays[rid] = RelayPost(
            id=rid,
            commune_id=FIRST_COMMUNE,
            dedupe_key=key,
            group_id=group_id,
            official_id=official_id,
            channel=channel,
            chat_id=chat_id,
            summary=summary[:300],
            created_at=at,
        )
        return rid

    async def get(self, relay_id: int) -> RelayPost | None:
        return self._t.relays.get(relay_id)

    async def pending_for(self, official_id: str, now: datetime) -> list[RelayPost]:
        rows = by_key(self._t.relays)[::-1]
        return [
            r
            for r in rows
            if r.official_id == official_id
            and r.confirmed_at is None
            and r.created_at
            and r.created_at <= now
        ]

    async def confirm(self, relay_id: int, now: datetime) -> None:
        relay = self._t.relays.get(relay_id)
        if relay is not None and relay.confirmed_at is None:
            relay.confirmed_at = now

    async def recent(self, limit: int = 20) -> list[RelayPost]:
        return by_key(self._t.relays)[::-1][:limit]
