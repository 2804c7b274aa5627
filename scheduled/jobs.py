"""Job bodies: plain coroutines of (services, now), safe to run twice."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain.deadlines import DeadlinePolicy, WorkCalendar
from domain.messages import Reply
from domain.petition_texts import KIND_LABELS
from domain.petitions import Role, due_now
from domain.reach import Reach
from domain.vnformat import vn_date
from scheduled.recipients import posted_button
from storage.store import Store

log = logging.getLogger(__name__)

DRAFT_LIFETIME = timedelta(hours=24)


async def release_stale_leases(store: Store, now: datetime) -> int:
    """Outbox messages leased by a worker that died go back to the queue."""
    async with store.uow() as uow:
        count = await uow.outbox.release_expired(now)
        await uow.commit()
    if count:
        log.info("outbox: %d stale leases released", count)
    return count


async def expire_conversations(store: Store, now: datetime) -> int:
    """Forget half-finished flows untouched for 24 hours."""
    async with store.uow() as uow:
        count = await uow.conversations.expire(now - DRAFT_LIFETIME)
        await uow.commit()
    return count


async def petition_deadlines(
    store: Store, now: datetime, tz: ZoneInfo, policy: DeadlinePolicy, calendar: WorkCalendar, reach: Reach
) -> int:
    """Remind assignees two working days before a deadline; alert admins once one has passed.

    Safe to run twice: each message has a dedupe key (petition, deadline, kind), so it is queued once.
    """
    today = now.astimezone(tz).date()
    queued = 0
    async with store.uow() as uow:
        officials = {o.id: o for o in await uow.officials.all()}
        admins = [
            (o, to) for o in officials.values() if o.role == Role.ADMIN and (to := reach.account(o.accounts))
        ]
        for petition in await uow.petitions.open():
            due = due_now(petition)
            if due is None:
                continue
            left = calendar.workdays_until(today, due)
            what = f"{KIND_LABELS[petition.kind]} {petition.code}, hạn {vn_date(due)}"
            assignee = officials.get(petition.assignee or "")
            to_assignee = reach.account(assignee.accounts) if assignee else None
            if 0 <= left <= policy.remind_workdays_before and to_assignee:
                queued += await uow.outbox.put(
                    *to_assignee,
                    {"text": f"⏰ Nhắc hạn: {what} (còn {left} ngày làm việc)."},
                    now,
                    dedupe_key=f"remind:{petition.code}:{due.isoformat()}",
                )
            if due < today:
                who = assignee.name if assignee else "chưa giao"
                for admin, to_admin in admins:
                    queued += await uow.outbox.put(
                        *to_admin,
                        {"text": f"⚠️ Quá hạn: {what}. Người xử lý: {who}."},
                        now,
                        dedupe_key=f"overdue:{petition.code}:{due.isoformat()}:{admin.id}",
                    )
        await uow.commit()
    return queued


RELAY_REMIND_AFTER = timedelta(hours=3)


async def remind_relays(store: Store, now: datetime, after: timedelta = RELAY_REMIND_AFTER) -> int:
    """Remind a group's admin, once, of a post they have not said is posted after `after`."""
    queued = 0
    async with store.uow() as uow:
        for relay in await uow.relays.to_remind(now - after):
            group = await uow.groups.get(relay.group_id)
            name = group.name if group else relay.group_id
            text = (
                f"🔔 Nhắc nhẹ: tin «{relay.summary[:80]}…» chưa được đăng vào nhóm «{name}». "
                "Đăng xong, anh/chị bấm «Đã đăng» (hoặc nhắn «đã đăng») nhé."
            )
            payload = Reply(text, buttons=posted_button(relay.id or 0)).payload()
            queued += await uow.outbox.put(
                relay.channel, relay.chat_id, payload, now, dedupe_key=f"{relay.dedupe_key}:remind"
            )
            await uow.relays.mark_reminded(relay.id or 0, now)
        await uow.commit()
    return queued
