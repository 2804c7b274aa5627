"""Messages that are not commands: continue a flow, answer an announcement, or ask a question."""

from __future__ import annotations

from domain.messages import Incoming, Reply
from handlers import ask, menu, officials, petitions, relay, tracking
from handlers.services import Ctx
from qa.smalltalk import Kind, classify


async def dispatch(msg: Incoming, ctx: Ctx) -> list[Reply]:
    """Route by where the person is: a petition flow, an official's reason, a rating comment…"""
    conv = await ctx.uow.conversations.get(msg.channel, msg.chat_id, msg.user_id)
    flow = conv.flow if conv is not None else None
    if (conv is not None or msg.chat_type == "private") and classify(msg.text) is Kind.CANCEL:
        return await menu.cancel(msg, ctx)  # "hủy", "thôi" typed alone, as /huy
    if conv is not None and flow == petitions.FLOW:
        return await petitions.step(msg, ctx)
    if conv is not None and flow == officials.FLOW:
        return await officials.reason(msg, ctx, conv.step, str(conv.data.get("code", "")))
    if conv is not None and flow == tracking.RATING_FLOW:
        return await tracking.rating_comment(msg, ctx, str(conv.data.get("code", "")))
    if msg.reply_to is not None and msg.chat_type == "group":
        return await _reply_in_group(msg, ctx)
    if relay.says_posted(msg) and (confirmed := await relay.typed(msg, ctx)) is not None:
        return confirmed
    if msg.chat_type == "private" and msg.text.strip():
        return await ask.answer(msg, ctx)
    if msg.chat_type == "private" and msg.attachments:
        return [Reply("Tôi đã nhận tệp. Muốn gửi kèm phản ánh, bà con gõ /gui nhé.")]
    return []


async def _reply_in_group(msg: Incoming, ctx: Ctx) -> list[Reply]:
    """A reply to one of our petition announcements is an official's answer to the filer."""
    sent = await ctx.uow.outbox.by_external(msg.channel, msg.chat_id, msg.reply_to or "")
    code = sent.payload.get("meta", {}).get("petition") if sent is not None else None
    if not code or not sent or not sent.payload.get("meta", {}).get("announcement"):
        return []
    return await officials.answer(msg, ctx, str(code), msg.text)
