"""Petitions, their filers (kept apart) and their audit trail."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.petition_actions import Change
from domain.petitions import OPEN
from storage.models import Petition, PetitionEvent, PetitionParty


class PetitionRepo:
    """One aggregate: a petition with its party and events."""

    def __init__(self, session: AsyncSession, commune_id: int) -> None:
        self._s = session
        self._c = commune_id

    async def add(self, petition: Petition, party: PetitionParty) -> Petition:
        """Store a new petition and its filer; the id is known on return."""
        petition.commune_id = self._c
        self._s.add(petition)
        await self._s.flush()
        assert petition.id is not None
        party.petition_id, party.commune_id = petition.id, self._c
        self._s.add(party)
        return petition

    async def code_exists(self, code: str) -> bool:
        """Whether any commune's petition has this code (codes are unique across communes)."""
        return (await self._s.exec(select(Petition.id).where(Petition.code == code))).first() is not None

    async def by_code(self, code: str) -> Petition | None:
        return (
            await self._s.exec(
                select(Petition).where(Petition.commune_id == self._c, Petition.code == code.upper())
            )
        ).first()

    async def party(self, petition_id: int) -> PetitionParty | None:
        party = await self._s.get(PetitionParty, petition_id)
        return party if party is not None and party.commune_id == self._c else None

    async def for_user(self, channel: str, user_id: str) -> list[Petition]:
        """The petitions filed from this messenger account, newest first."""
        query = (
            select(Petition)
            .join(PetitionParty, col(PetitionParty.petition_id) == col(Petition.id))
            .where(PetitionParty.channel == channel, PetitionParty.user_id == user_id)
            .where(Petition.commune_id == self._c)
            .order_by(col(Petition.id).desc())
        )
        return list((await self._s.exec(query)).all())

    async def parties_of(self, channel: str, user_id: str) -> list[PetitionParty]:
        query = select(PetitionParty).where(
            PetitionParty.commune_id == self._c,
            PetitionParty.channel == channel,
            PetitionParty.user_id == user_id,
        )
        return list((await self._s.exec(query)).all())

    async def log(
        self,
        petition_id: int,
        at: datetime,
        actor: str,
        action: str,
        detail: str | None = None,
        *,
        internal: bool = False,
    ) -> None:
        """Append to the audit trail (every change, every view of a denouncer's identity)."""
        self._s.add(
            PetitionEvent(
                commune_id=self._c,
                petition_id=petition_id,
                at=at,
                actor=actor,
                action=action,
                detail=detail,
                internal=internal,
            )
        )

    async def apply(self, petition: Petition, change: Change, at: datetime) -> None:
        """Store what domain.petition_actions decided: the new state and its audit entry."""
        assert petition.id is not None
        if change.status is not None:
            petition.status = change.status
        for name in ("assignee", "accepted_at", "resolved_at", "resolve_due", "answer", "rating"):
            value = getattr(change, name)
            if value is not None:
                setattr(petition, name, value)
        self._s.add(petition)
        await self.log(petition.id, at, change.actor, change.action, change.detail, internal=change.internal)

    async def names(self, petition_ids: list[int]) -> dict[int, str]:
        """The filers' names (only to hide them from what is shown to others)."""
        if not petition_ids:
            return {}
        query = select(PetitionParty.petition_id, PetitionParty.name).where(
            PetitionParty.commune_id == self._c,
            col(PetitionParty.petition_id).in_(petition_ids),
            col(PetitionParty.name).is_not(None),
        )
        return {pid: name for pid, name in (await self._s.exec(query)).all() if name}

    async def events(self, petition_id: int, *, include_internal: bool) -> list[PetitionEvent]:
        query = select(PetitionEvent).where(
            PetitionEvent.commune_id == self._c, PetitionEvent.petition_id == petition_id
        )
        if not include_internal:
            query = query.where(col(PetitionEvent.internal).is_(False))
        return list((await self._s.exec(query.order_by(col(PetitionEvent.id)))).all())

    async def open(self) -> list[Petition]:
        """Petitions still being worked (deadline reminders look at these)."""
        query = (
            select(Petition)
            .where(Petition.commune_id == self._c, col(Petition.status).in_(sorted(OPEN)))
            .order_by(col(Petition.id))
        )
        return list((await self._s.exec(query)).all())

    async def all(self, limit: int = 10_000) -> list[Petition]:
        query = select(Petition).where(Petition.commune_id == self._c).order_by(col(Petition.id)).limit(limit)
        return list((await self._s.exec(query)).all())

    def save(self, petition: Petition) -> None:
        petition.commune_id = self._c
        self._s.add(petition)

    def save_party(self, party: PetitionParty) -> None:
        party.commune_id = self._c
        self._s.add(party)
