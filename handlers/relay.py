"""Village groups reached through their admin: 'đã đăng' confirms a relayed post; /baidang shows which did.

The scheduler hands each post for a relayed group to the official who runs it (scheduled/recipients.py),
with a button to say it is posted; they may also just type "đã đăng".
"""

from __future__ import annotations

from domain.messages import Incoming, Reply
from domain.reach import RELAY_DONE
from domain.vnformat import vn_datetime
from handlers.services import Ctx
from qa.vntext import fold

PREFIX = RELAY_DONE
POSTED_WORDS = frozenset({"da dang", "da dang roi", "dang roi", "xong", "da dang xong", "da chuyen"})
NOT_YOURS = "Tin này không giao cho anh/chị chuyển tiếp, hoặc đã được ghi nhận rồi."


def says_posted(msg: Incoming) -> bool:
    """A private message like 'đã đăng' / 'da dang roi' (what an admin types after forwarding)."""
    # short first: folding a pasted megabyte on the event loop stalled every chat for seconds
    return msg.chat_type == "private" and len(msg.text) <= 40 and fold(msg.text).strip(" .!") in POSTED_WORDS


async def _confirm(ctx: Ctx, relay_id: int, official_id: str) -> list[Reply]:
    relay = await ctx.uow.relays.get(relay_id)
    if relay is None or relay.official_id != official_id or relay.confirmed_at is not None:
        return [Reply(NOT_YOURS)]
    await ctx.uow.relays.confirm(relay_id, ctx.now)
    group = await ctx.uow.groups.get(relay.group_id)
    name = group.name if group else relay.group_id
    return [Reply(f"Cảm ơn anh/chị! Xã đã ghi nhận tin được đăng vào nhóm «{name}».")]


async def pressed(msg: Incoming, ctx: Ctx) -> list[Reply]:
    """The 'Đã đăng' button (or its number, typed on Zalo)."""
    official = await ctx.uow.officials.by_account(msg.channel, msg.user_id)
    raw = (msg.button or "").removeprefix(PREFIX)
    if official is None or not raw.isdigit():
        return [Reply(NOT_YOURS)]
    return await _confirm(ctx, int(raw), official.id)


async def typed(msg: Incoming, ctx: Ctx) -> list[Reply] | None:
    """'đã đăng' typed by an official with a post waiting: confirm the latest; None when it is not that."""
    official = await ctx.uow.officials.by_account(msg.channel, msg.user_id)
    if official is None:
        return None
    pending = await ctx.uow.relays.pending_for(official.id, ctx.now)
    if not pending or pending[0].id is None:
        return None
    return await _confirm(ctx, pending[0].id, official.id)


async def status(msg: Incoming, ctx: Ctx) -> list[Reply]:
    """/baidang (officials): the latest relayed posts and whether each village group has posted."""
    if await ctx.uow.officials.by_account(msg.channel, msg.user_id) is None:
        return [Reply("Xin lỗi, chỉ cán bộ xã xem được tình hình đăng tin ở các nhóm.")]
    relays = await ctx.uow.relays.recent(20)
    if not relays:
        return [Reply("Chưa có tin nào cần nhờ quản trị nhóm chuyển tiếp.")]
    groups = {g.id: g.name for g in await ctx.uow.groups.all()}
    lines = ["Tình hình đăng tin ở các nhóm (mới nhất trước):"]
    for r in relays:
        asked = vn_datetime(r.created_at.astimezone(ctx.svc.tz)) if r.created_at else ""
        state = (
            f"✅ đã đăng ({vn_datetime(r.confirmed_at.astimezone(ctx.svc.tz))})"
            if r.confirmed_at
            else "⏳ chưa đăng" + (" — đã nhắc" if r.reminded_at else "")
        )
        lines.append(f"• {groups.get(r.group_id, r.group_id)}: {state}\n  {r.summary[:60]}… (gửi {asked})")
    return [Reply("\n".join(lines))]
