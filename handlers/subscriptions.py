"""/dangky and /huydangky: a resident picks a village and topics and gets posts one to one.

Also the fallback where group posting is unavailable (Zalo).
"""

from __future__ import annotations

from domain.messages import Button, Incoming, Reply
from handlers.services import Ctx

TOPICS = {"notices": "Thông báo công khai mới", "events": "Nhắc lịch tiếp dân, họp, đối thoại"}
PREFIX = "sub:"


async def start(msg: Incoming, ctx: Ctx) -> list[Reply]:
    """/dangky: choose a village (or the whole commune)."""
    if msg.chat_type != "private":
        return [Reply("Bà con nhắn riêng cho tôi rồi gõ /dangky để nhận tin nhé.")]
    villages = await ctx.uow.commune.villages()
    rows = tuple((Button(v, f"{PREFIX}v:{i}"),) for i, v in enumerate(villages))
    rows += ((Button("Cả xã", f"{PREFIX}v:all"),),)
    return [Reply("Bà con muốn nhận tin của thôn nào?", buttons=rows)]


async def choose(msg: Incoming, ctx: Ctx) -> list[Reply]:
    """sub:v:<i> then sub:t:<topics>: save the subscription."""
    parts = (msg.button or "").split(":")
    if len(parts) >= 3 and parts[1] == "v":
        village = parts[2]
        rows = (
            (Button("Cả hai", f"{PREFIX}t:{village}:notices,events"),),
            (Button(TOPICS["notices"], f"{PREFIX}t:{village}:notices"),),
            (Button(TOPICS["events"], f"{PREFIX}t:{village}:events"),),
        )
        return [Reply("Bà con muốn nhận tin gì?", buttons=rows)]
    if len(parts) >= 4 and parts[1] == "t":
        villages = await ctx.uow.commune.villages()
        index, topics = parts[2], [t for t in parts[3].split(",") if t in TOPICS]
        if not topics or not (index == "all" or (index.isdigit() and int(index) < len(villages))):
            return [Reply("Lựa chọn không hợp lệ, bà con gõ /dangky để làm lại.")]
        chosen = None if index == "all" else villages[int(index)]
        await ctx.uow.subscriptions.save(msg.channel, msg.chat_id, msg.user_id, chosen, topics, ctx.now)
        what = ", ".join(TOPICS[t].lower() for t in topics)
        where = chosen or "cả xã"
        return [Reply(f"Đã đăng ký nhận {what} của {where}. Gõ /huydangky để thôi nhận.")]
    return [Reply("Lựa chọn không hợp lệ, bà con gõ /dangky để làm lại.")]


async def stop(msg: Incoming, ctx: Ctx) -> list[Reply]:
    """/huydangky."""
    if await ctx.uow.subscriptions.remove(msg.channel, msg.chat_id):
        return [Reply("Đã hủy đăng ký. Bà con sẽ không nhận tin tự động nữa.")]
    return [Reply("Bà con chưa đăng ký nhận tin. Gõ /dangky để đăng ký.")]
