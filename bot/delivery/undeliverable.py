"""A message that can never be sent: given up after a few crashes, and the people who must know are told.

A channel's own refusals (a blocked bot, a chat that is gone) come back as `Failed` at once; a
network or server fault is retried without end (an outage must lose nothing). What crashes the
sender itself (text that cannot be encoded, a payload the adapter cannot read) would crash it
again on every attempt and hold the chat's later messages behind it for good: after
`CRASHES_ALLOWED` attempts it fails, and the chat's next messages go.
"""

from __future__ import annotations

import logging
from datetime import datetime

from domain.petitions import Role
from domain.reach import Reach
from storage.models import OutboxMessage
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

CRASHES_ALLOWED = 3
REPORTED = "undeliverable"  # meta key of the report itself (never reported in turn)


def gives_up(message: OutboxMessage) -> bool:
    """Whether this crash is the last one allowed (attempts counts the earlier failures)."""
    return message.attempts + 1 >= CRASHES_ALLOWED


async def report(uow: UnitOfWork, message: OutboxMessage, error: str, reach: Reach, now: datetime) -> int:
    """Tell a petition's assignee (else the admins) that a message to the resident never left."""
    meta = message.payload.get("meta") or {}
    code = meta.get("petition")
    if not code or meta.get(REPORTED):
        log.warning("outbox %s to %s given up for good: %s", message.id, message.channel, error)
        return 0
    petition = await uow.petitions.by_code(str(code))
    officials = await uow.officials.all()
    assignee = next((o for o in officials if petition and o.id == petition.assignee), None)
    targets = [assignee] if assignee else [o for o in officials if o.role == Role.ADMIN]
    text = (
        f"⚠️ Tin nhắn của hồ sơ {code} không gửi được tới bà con sau nhiều lần thử "
        f"({error[:80]}). Anh/chị vui lòng liên hệ trực tiếp với người gửi."
    )
    queued = 0
    for official in targets:
        to = reach.account(official.accounts)
        if to is not None:
            queued += await uow.outbox.put(
                *to,
                {"text": text, "meta": {REPORTED: True}},
                now,
                dedupe_key=f"{REPORTED}:{message.id}:{official.id}",
            )
    return queued
