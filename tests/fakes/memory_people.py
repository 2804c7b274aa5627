"""In-memory repositories of what people do: flows, updates, outbox, questions, petitions, subscriptions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.petition_actions import Change
from domain.petitions import OPEN
from storage.models import (
    Conversation,
    InboundUpdate,
    OutboxMessage,
    Petition,
    PetitionEvent,
    PetitionParty,
    Subscription,
    UnansweredQuestion,
)
from storage.repositories.outbox import FAILED, PENDING, POST, SENT
from storage.uow import FIRST_COMMUNE
from tests.fakes.memory_tables import Tables, by_key


class MemoryConversations:
    def __init__(self, t: Tables) -> None:
        self._t = t

    async def get(self, channel: str, chat_id: str, user_id: str) -> Conversation | None:
        return self._t.conversations.get((channel, chat_id, user_id))

    async def save(
        self,
        channel: str,
        chat_id: str,
        user_id: str,
        *,
        flow: str,
        step: str,
        data: dict[str, Any],
        now: datetime,
    ) -> None:
        key = (channel, chat_id, user_id)
        conv = self._t.conversations.get(key) or Conversation(
            commune_id=FIRST_COMMUNE, channel=channel, chat_id=chat_id, user_id=user_id, flow=flow, step=step
        )
        conv.flow, conv.step, conv.data, conv.updated_at = flow, step, dict(data), now
        self._t.conversations[key] = conv

    async def clear(self, channel: str, chat_id: str, user_id: str) -> bool:
        return self._t.conversations.pop((channel, chat_id, user_id), None) is not None

    async def expire(self, older_than: datetime) -> int:
        old = [k for k, c in self._t.conversations.items() if c.updated_at and c.updated_at < older_than]
        for key in old:
            del self._t.conversations[key]
        return len(old)


class MemoryInbound:
    def __init__(self, t: Tables) -> None:
        self._t = t

    async def add_if_new(
        self, channel: str, update_key: str, payload: dict[str, Any], now: datetime, sender: str | None = None
    ) -> int | None:
        if any(u.channel == channel and u.update_key == update_key for u in self._t.inbound.values()):
            return None
        uid = self._t.next_id("inbound")
        self._t.inbound[uid] = InboundUpdate(
            commune_id=FIRST_COMMUNE,
            id=uid,
            channel=channel,
            update_key=update_key,
            payload=payload,
            sender=sender,
            received_at=now,
        )
        return uid

    async def get(self, update_id: int) -> InboundUpdate | None:
        return self._t.inbound.get(update_id)

    async def mark(self, update_id: int, status: str, now: datetime, error: str | None = None) -> bool:
        row = self._t.inbound.get(update_id)
        if row is None or row.status != "received":
            return False
        row.status, row.handled_at, row.error, row.attempts = status, now, error, row.attempts + 1
        return True

    async def forget_sender(self, channel: str, sender: str) -> None:
        for row in self._t.inbound.values():
            if row.channel == channel and row.sender == sender and row.status != "received":
                row.payload, row.sender = {}, None

    async def last_from(self, channel: str, sender: str) -> datetime | None:
        times = [
            r.received_at for r in self._t.inbound.values() if r.channel == channel and r.sender == sender
        ]
        return max((t for t in times if t is not None), default=None)


class MemoryOutbox:
    def __init__(self, t: Tables) -> None:
        self._t = t

    async def put(
        self,
        channel: str,
        chat_id: str,
        payload: dict[str, Any],
        now: datetime,
        *,
        dedupe_key: str | None = None,
        not_before: datetime | None = None,
        priority: int = POST,
    ) -> bool:
        if dedupe_key is not None and any(m.dedupe_key == dedupe_key for m in self._t.outbox.values()):
            return False
        oid = self._t.next_id("outbox")
        self._t.outbox[oid] = OutboxMessage(
            id=oid,
            commune_id=FIRST_COMMUNE,
            channel=channel,
            chat_id=chat_id,
            payload=payload,
            status=PENDING,
            next_attempt_at=not_before or now,
            created_at=now,
            dedupe_key=dedupe_key,
            priority=priority,
        )
        return True

    async def mark_sent(self, results: list[tuple[int, str | None, datetime]]) -> None:
        for oid, external_id, at in results:
            if (m := self._t.outbox.get(oid)) is not None:
                m.status, m.sent_at, m.external_id, m.lease_until = SENT, at, external_id, None
                m.attempts += 1

    async def for_chat(
        self, channel: str, chat_id: str, after_id: int = 0, limit: int = 100
    ) -> list[OutboxMessage]:
        rows = by_key(self._t.outbox)
        return [m for m in rows if m.channel == channel and m.chat_id == chat_id and (m.id or 0) > after_id][
            :limit
        ]

    async def by_external(self, channel: str, chat_id: str, external_id: str) -> OutboxMessage | None:
        rows = await self.for_chat(channel, chat_id, limit=len(self._t.outbox))
        return next((m for m in rows if m.external_id == external_id), None)

    async def forget_chat(self, channel: str, chat_id: str) -> int:
        rows = await self.for_chat(channel, chat_id, limit=len(self._t.outbox))
        gone = [m.id for m in rows if m.id is not None and m.status in (SENT, FAILED)]
        for oid in gone:
            del self._t.outbox[oid]
        return len(gone)


class MemoryUnanswered:
    def __init__(self, t: Tables) -> None:
        self._t = t

    async def add(self, channel: str, chat_id: str, question: str, now: datetime) -> None:
        qid = self._t.next_id("unanswered")
        self._t.unanswered[qid] = UnansweredQuestion(
            id=qid,
            commune_id=FIRST_COMMUNE,
            channel=channel,
            chat_id=chat_id,
            question=question,
            asked_at=now,
        )

    async def forget_chat(self, channel: str, chat_id: str) -> None:
        gone = [k for k, q in self._t.unanswered.items() if (q.channel, q.chat_id) == (channel, chat_id)]
        for qid in gone:
            del self._t.unanswered[qid]

    async def recent(self, limit: int = 50) -> list[UnansweredQuestion]:
        return by_key(self._t.unanswered)[::-1][:limit]

    async def for_chat(self, channel: str, chat_id: str) -> list[UnansweredQuestion]:
        return [q for q in by_key(self._t.unanswered) if (q.channel, q.chat_id) == (channel, chat_id)]

    async def all(self, limit: int = 100_000) -> list[UnansweredQuestion]:
        return by_key(self._t.unanswered)[:limit]


class MemoryPetitions:
    def __init__(self, t: Tables) -> None:
        self._t = t

    async def add(self, petition: Petition, party: PetitionParty) -> Petition:
        if await self.code_exists(petition.code):
            raise ValueError(f"petition code {petition.code} exists (unique constraint)")
        petition.id, petition.commune_id = self._t.next_id("petition"), FIRST_COMMUNE
        self._t.petitions[petition.id] = petition
        party.petition_id, party.commune_id = petition.id, FIRST_COMMUNE
        self._t.parties[petition.id] = party
        return petition

    async def code_exists(self, code: str) -> bool:
        return any(p.code == code for p in self._t.petitions.values())

    async def by_code(self, code: str) -> Petition | None:
        return next((p for p in by_key(self._t.petitions) if p.code == code.upper()), None)

    async def party(self, petition_id: int) -> PetitionParty | None:
        return self._t.parties.get(petition_id)

    async def for_user(self, channel: str, user_id: str) -> list[Petition]:
        ids = [p.petition_id for p in await self.parties_of(channel, user_id)]
        return [self._t.petitions[i] for i in sorted(ids, reverse=True)]

    async def parties_of(self, channel: str, user_id: str) -> list[PetitionParty]:
        return [p for p in by_key(self._t.parties) if p.channel == channel and p.user_id == user_id]

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
        eid = self._t.next_id("petition_event")
        self._t.petition_events[eid] = PetitionEvent(
            id=eid,
            commune_id=FIRST_COMMUNE,
            petition_id=petition_id,
            at=at,
            actor=actor,
            action=action,
            detail=detail,
            internal=internal,
        )

    async def events(self, petition_id: int, *, include_internal: bool) -> list[PetitionEvent]:
        rows = [e for e in by_key(self._t.petition_events) if e.petition_id == petition_id]
        return [e for e in rows if include_internal or not e.internal]

    async def apply(self, petition: Petition, change: Change, at: datetime) -> None:
        assert petition.id is not None
        if change.status is not None:
            petition.status = change.status
        for name in ("assignee", "accepted_at", "resolved_at", "resolve_due", "answer", "rating"):
            value = getattr(change, name)
            if value is not None:
                setattr(petition, name, value)
        self._t.petitions[petition.id] = petition
        await self.log(petition.id, at, change.actor, change.action, change.detail, internal=change.internal)

    async def names(self, petition_ids: list[int]) -> dict[int, str]:
        return {pid: party.name for pid in petition_ids if (party := self._t.parties.get(pid)) and party.name}

    async def open(self) -> list[Petition]:
        return [p for p in by_key(self._t.petitions) if p.status in OPEN]

    async def all(self, limit: int = 10_000) -> list[Petition]:
        return by_key(self._t.petitions)[:limit]

    def save(self, petition: Petition) -> None:
        petition.commune_id = FIRST_COMMUNE
        if petition.id is None:
            petition.id = self._t.next_id("petition")
        self._t.petitions[petition.id] = petition

    def save_party(self, party: PetitionParty) -> None:
        party.commune_id = FIRST_COMMUNE
        self._t.parties[party.petition_id] = party


class MemorySubscriptions:
    def __init__(self, t: Tables) -> None:
        self._t = t

    async def get(self, channel: str, chat_id: str) -> Subscription | None:
        return self._t.subscriptions.get((channel, chat_id))

    async def save(
        self, channel: str, chat_id: str, user_id: str, village: str | None, topics: list[str], now: datetime
    ) -> None:
        sub = self._t.subscriptions.get((channel, chat_id)) or Subscription(
            commune_id=FIRST_COMMUNE, channel=channel, chat_id=chat_id, user_id=user_id
        )
        sub.village, sub.topics, sub.created_at = village, list(topics), sub.created_at or now
        self._t.subscriptions[(channel, chat_id)] = sub

    async def remove(self, channel: str, chat_id: str) -> bool:
        return self._t.subscriptions.pop((channel, chat_id), None) is not None

    async def for_topic(self, topic: str, villages: list[str]) -> list[Subscription]:
        rows = list(self._t.subscriptions.values())
        return [
            s
            for s in rows
            if topic in s.topics and (not villages or s.village is None or s.village in villages)
        ]
