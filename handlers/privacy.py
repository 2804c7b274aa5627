"""/dulieu and /xoadulieu: what we hold about a person, and erasing it (Luật BVDLCN 91/2025)."""

from __future__ import annotations

from domain.messages import Button, Incoming, Reply
from domain.petitions import RESIDENT, Action
from domain.redaction import redact
from domain.vnformat import vn_date
from handlers.ask import MORE_FLOW
from handlers.services import Ctx

CONFIRM = "privacy:erase"
SHOWN = 120  # characters of each stored question /dulieu repeats
SHOWN_QUESTIONS = 20  # the newest ones; the count says how many are kept


def _account(ctx: Ctx, user_id: str) -> str:
    """The account line: a messenger's id by the messenger's name; a web chat session (whose id is
    the secret that opens it) never by its id, which a screenshot or a shoulder would take."""
    if ctx.via.secret_ids:
        return "• Phiên trò chuyện trên trình duyệt này (mã phiên giữ kín) — để trả lời bà con."
    return f"• Mã tài khoản {ctx.via.label or 'nhắn tin'}: {user_id} — để trả lời bà con."


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


async def show(msg: Incoming, ctx: Ctx) -> list[Reply]:
    """/dulieu: everything held about this messenger account."""
    parties = await ctx.uow.petitions.parties_of(msg.channel, msg.user_id)
    petitions = await ctx.uow.petitions.for_user(msg.channel, msg.user_id)
    lines = [
        "Dữ liệu xã đang lưu về bà con:",
        _account(ctx, msg.user_id),
    ]
    for party in parties:
        if party.name or party.phone:
            lines.append(
                f"• Họ tên, điện thoại: {party.name or '—'}, {party.phone or '—'} (bà con đồng ý cung cấp)"
            )
            break
    if petitions:
        lines.append("• Hồ sơ đã gửi: " + ", ".join(p.code for p in petitions))
    subscription = await ctx.uow.subscriptions.get(msg.channel, msg.chat_id)
    if subscription is not None:
        lines.append(f"• Đăng ký nhận tin: {subscription.village or 'cả xã'} (/huydangky để thôi).")
    asked = await ctx.uow.unanswered.for_chat(msg.channel, msg.chat_id)
    if asked:
        lines.append(f"• Câu hỏi chưa có câu trả lời, lưu để cán bộ xã xem xét ({len(asked)}):")
        lines += [
            f"  – {vn_date(q.asked_at.astimezone(ctx.svc.tz).date())}: {_short(q.question)}"
            for q in asked[-SHOWN_QUESTIONS:]
            if q.asked_at
        ]
    conv = await ctx.uow.conversations.get(msg.channel, msg.chat_id, msg.user_id)
    if conv is not None and conv.flow == MORE_FLOW:  # the last question's results, for "more"
        lines.append("• Kết quả tìm được cho câu hỏi gần nhất, giữ để bà con xem thêm.")
    elif conv is not None:
        lines.append("• Một thao tác đang làm dở (gõ /huy để hủy).")
    lines.append("Muốn xóa: gõ /xoadulieu. Xã trả lời yêu cầu về dữ liệu trong 2 ngày làm việc.")
    return [Reply("\n".join(lines))]


async def ask_erase(msg: Incoming, ctx: Ctx) -> list[Reply]:
    """/xoadulieu: explain, then ask to confirm."""
    return [
        Reply(
            "Xóa dữ liệu cá nhân: họ tên, số điện thoại, mã tài khoản gắn với hồ sơ, tin nhắn đã lưu. "
            "Hồ sơ vẫn được xã lưu theo quy định nhưng đã ẩn thông tin cá nhân; sau khi xóa, bà con "
            "sẽ không tra cứu hay nhận thông báo về các hồ sơ cũ nữa. Bà con chắc chắn muốn xóa?",
            buttons=((Button("Xóa dữ liệu của tôi", CONFIRM), Button("Không xóa", "cmd:menu")),),
        )
    ]


async def erase(msg: Incoming, ctx: Ctx) -> list[Reply]:
    """Confirmed erasure: identity removed, case records kept redacted."""
    uow = ctx.uow
    names = [p.name for p in await uow.petitions.parties_of(msg.channel, msg.user_id) if p.name]
    for petition in await uow.petitions.for_user(msg.channel, msg.user_id):
        petition.content = redact(petition.content, names)
        uow.petitions.save(petition)
    for party in await uow.petitions.parties_of(msg.channel, msg.user_id):
        petition_id = party.petition_id
        party.name = party.phone = party.address = party.channel = party.chat_id = party.user_id = None
        party.consent_at = None
        party.erased_at = ctx.now
        uow.petitions.save_party(party)
        await uow.petitions.log(petition_id, ctx.now, RESIDENT, Action.ERASED)
    await uow.conversations.clear(msg.channel, msg.chat_id, msg.user_id)
    await uow.subscriptions.remove(msg.channel, msg.chat_id)
    await uow.unanswered.forget_chat(msg.channel, msg.chat_id)
    await uow.inbound.forget_sender(msg.channel, msg.user_id)
    if msg.chat_type == "private":
        await uow.outbox.forget_chat(msg.channel, msg.chat_id)
    return [Reply("Đã xóa dữ liệu cá nhân của bà con. Các hồ sơ cũ được giữ ở dạng đã ẩn thông tin cá nhân.")]
