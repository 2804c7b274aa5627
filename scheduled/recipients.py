"""Who a post goes to and how: the groups the bot posts in, admins who relay it, subscribers.

A group's `reach` (data file) says how posts get there: "group" the bot posts in it (where its
channel allows, see domain.reach); "relay" the official who runs it gets the post privately, ready
to forward, with a button to say it is posted; "fanout" and "oa_group" get no group post here
(the village's subscribers get theirs one to one; the OA posts once it runs).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.messages import Button, Reply
from domain.reach import RELAY_DONE, VIA_GROUP, Reach
from storage.models import Group, Official
from storage.uow import UnitOfWork

DIRECT, RELAY, OA_GROUP, FANOUT = "group", "relay", "oa_group", "fanout"


@dataclass(frozen=True)
class Recipient:
    """A chat a post is queued to; `relay` names the group when the chat is its admin's."""

    channel: str
    chat_id: str
    suffix: str  # of the dedupe key: the same post goes to a recipient once
    relay: Group | None = None
    official_id: str | None = None


def concerned(groups: list[Group], villages: list[str], notify: list[str] | None = None) -> list[Group]:
    """The community groups a post for these villages (or these named groups) is meant for."""
    community = [g for g in groups if not g.officials]
    if notify:
        return [g for g in community if g.id in notify]
    if not villages:
        return community
    return [g for g in community if not g.villages or set(g.villages) & set(villages)]


class Way(StrEnum):
    """How posts reach a community group here and now."""

    DIRECT = DIRECT  # the bot posts in the group
    RELAY = RELAY  # the group's admin gets each post privately, to forward
    OA_GROUP = OA_GROUP  # the commune's Official Account posts in the group it created
    FANOUT = FANOUT  # no group post: the village's subscribers get theirs one to one
    NONE = "none"  # not at all yet (the channel cannot post in groups, no OA, no admin's account)


@dataclass(frozen=True)
class Route:
    """The way a group is reached and the chat its posts are queued to (None: no group post)."""

    way: Way
    recipient: Recipient | None = None


def route(group: Group, reach: Reach, officials: Mapping[str, Official]) -> Route:
    """How posts reach this group: the one decision the scheduler queues by and the preview shows."""
    if group.reach == DIRECT and reach.can_post(group.channel):
        return Route(Way.DIRECT, Recipient(group.channel, group.chat_id, group.id))
    if group.reach == OA_GROUP and (oa := reach.via.get(OA_GROUP)):
        return Route(Way.OA_GROUP, Recipient(oa, VIA_GROUP + group.chat_id, group.id))
    if group.reach == RELAY:
        admin = officials.get(group.relay_by or "")
        account = admin.accounts.get(group.channel) if admin is not None else None
        if admin is not None and account:
            return Route(Way.RELAY, Recipient(group.channel, account, f"relay:{group.id}", group, admin.id))
    if group.reach == FANOUT:
        return Route(Way.FANOUT)
    return Route(Way.NONE)


def group_recipients(groups: list[Group], officials: list[Official], reach: Reach) -> list[Recipient]:
    """Each group's chat, or its admin's private chat when the group is relayed."""
    by_id = {o.id: o for o in officials}
    return [r for group in groups if (r := route(group, reach, by_id).recipient) is not None]


async def recipients_for(
    uow: UnitOfWork,
    groups: list[Group],
    topic: str,
    villages: list[str],
    notify: list[str] | None,
    reach: Reach,
) -> list[Recipient]:
    """The subscribers and groups (or their admins) a post is for."""
    subscribers = await uow.subscriptions.for_topic(topic, villages)
    chosen = concerned(groups, villages, notify)
    return [Recipient(s.channel, s.chat_id, f"sub:{s.channel}:{s.chat_id}") for s in subscribers] + (
        group_recipients(chosen, await uow.officials.all(), reach) if chosen else []
    )


def after_quiet_hours(moment: datetime, quiet: tuple[time, time] | None, tz: ZoneInfo) -> datetime:
    """The moment itself, or the end of the quiet window it falls in (delayed, never dropped)."""
    if quiet is None:
        return moment
    start, end = quiet
    local = moment.astimezone(tz)
    now_t = local.time()
    inside = (start <= now_t or now_t < end) if start > end else (start <= now_t < end)
    if not inside:
        return moment
    end_day = local.date() if now_t < end else local.date() + timedelta(days=1)
    return datetime.combine(end_day, end, tzinfo=tz)


def posted_button(relay_id: int) -> tuple[tuple[Button, ...], ...]:
    """The "Đã đăng" button under a relay request and its reminder (handlers/relay.py answers it)."""
    return ((Button("Đã đăng", f"{RELAY_DONE}{relay_id}"),),)


def relay_request(group: Group, relay_id: int) -> Reply:
    """What the group's admin reads under the post: forward it, then say so."""
    return Reply(
        f"📣 Nhờ anh/chị chuyển tiếp tin trên vào nhóm «{group.name}». "
        "Đăng xong, bấm «Đã đăng» (hoặc nhắn «đã đăng») để xã biết.",
        buttons=posted_button(relay_id),
    )


async def queue_post(
    uow: UnitOfWork,
    recipients: list[Recipient],
    text: str,
    key: str,
    now: datetime,
    tz: ZoneInfo,
    quiet: tuple[time, time] | None,
) -> int:
    """Queue one text to each recipient once (`key:suffix`), after the quiet hours; how many are new.

    A relayed group's admin gets the text alone (to forward as it is), then the request to post it.
    """
    queued = 0
    when = after_quiet_hours(now, quiet, tz)
    for r in recipients:
        dedupe = f"{key}:{r.suffix}"
        is_new = await uow.outbox.put(
            r.channel, r.chat_id, {"text": text}, now, dedupe_key=dedupe, not_before=when
        )
        queued += is_new
        if is_new and r.relay is not None and r.official_id is not None:
            relay_id = await uow.relays.add_if_new(
                dedupe, r.relay.id, r.official_id, r.channel, r.chat_id, text, when
            )
            if relay_id is not None:
                ask = relay_request(r.relay, relay_id).payload()
                await uow.outbox.put(
                    r.channel, r.chat_id, ask, now, dedupe_key=f"{dedupe}:ask", not_before=when
                )
    return queued
