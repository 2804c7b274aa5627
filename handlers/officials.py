"""What officials do with petitions: accept, take, forward, refuse, resolve, answer, note, view identity.

Every action is checked against the officials list (by messenger account); anyone else is
refused politely and nothing changes. Every change is an audit event.
"""

from __future__ import annotations

from domain.deadlines import TO_CAO, resolve_due
from domain.messages import Attachment, Button, Incoming, Reply
from domain.petition_texts import KIND_LABELS
from domain.vnformat import vn_date
from handlers import notify
from handlers.services import Ctx
from storage.models import Official, Petition

FLOW = "official"
ACTING_ROLES = frozenset({"admin", "handler"})
NOT_ALLOWED = (
    "Xin lỗi, chỉ cán bộ xã có tên trong danh sách mới thực hiện được thao tác này. Không có gì thay đổi."
)
NOT_FOUND = "Không tìm thấy hồ sơ với mã này."
CLOSED = ("resolved", "refused")


async def _official(msg: Incoming, ctx: Ctx) -> Official | None:
    official = await ctx.uow.officials.by_account(msg.channel, msg.user_id)
    return official if official is not None and official.role in ACTING_ROLES else None


def _who(official: Official) -> str:
    return f"{official.name}" + (f" ({official.title})" if official.title else "")


async def _load(msg: Incoming, ctx: Ctx, code: str) -> tuple[Official, Petition] | list[Reply]:
    """The acting official and the petition, or the polite refusal to send instead."""
    official = await _official(msg, ctx)
    if official is None:
        return [Reply(NOT_ALLOWED)]
    petition = await ctx.uow.petitions.by_code(code)
    if petition is None or petition.id is None:
        return [Reply(NOT_FOUND)]
    return official, petition


async def button(msg: Incoming, ctx: Ctx) -> list[Reply]:
    """A button under an announcement: op:<action>:<code>."""
    _, action, code = (msg.button or "::").split(":", 2)
    loaded = await _load(msg, ctx, code)
    if isinstance(loaded, list):
        return loaded
    official, petition = loaded
    if action in ("refuse", "forward"):
        if petition.status in CLOSED:
            return [Reply(f"Hồ sơ {petition.code} đã khép lại trước đó.")]
        await ctx.uow.conversations.save(
            msg.channel, msg.chat_id, msg.user_id, flow=FLOW, step=action, data={"code": code}, now=ctx.now
        )
        what = "lý do không thụ lý" if action == "refuse" else "cơ quan sẽ chuyển đến (và lý do)"
        return [Reply(f"{official.name} gõ {what} cho hồ sơ {code} (gõ /huy để thôi):")]
    if action == "accept":
        return await accept(ctx, petition, official)
    if action == "take":
        return await take(ctx, petition, official)
    if action == "resolve":
        return await resolve(ctx, petition, official)
    return [Reply("Thao tác không hợp lệ.")]


async def accept(ctx: Ctx, petition: Petition, official: Official) -> list[Reply]:
    assert petition.id is not None
    if petition.status != "received":
        return [Reply(f"Hồ sơ {petition.code} đang ở trạng thái khác, không thụ lý lại được.")]
    petition.status = "accepted"
    petition.accepted_at = ctx.now
    accepted = ctx.now.astimezone(ctx.svc.tz).date()
    received = (petition.received_at or ctx.now).astimezone(ctx.svc.tz).date()
    petition.resolve_due = resolve_due(petition.kind, received, accepted, ctx.svc.policy, ctx.svc.calendar)
    ctx.uow.petitions.save(petition)
    await ctx.uow.petitions.log(petition.id, ctx.now, official.id, "accepted")
    due = f" Hạn giải quyết: {vn_date(petition.resolve_due)}." if petition.resolve_due else ""
    return [
        Reply(f"{_who(official)} đã thụ lý hồ sơ {petition.code}.{due}"),
        *await notify.to_filer(ctx, petition, f"Hồ sơ {petition.code} của bà con đã được thụ lý.{due}"),
    ]


async def take(ctx: Ctx, petition: Petition, official: Official) -> list[Reply]:
    assert petition.id is not None
    petition.assignee = official.id
    ctx.uow.petitions.save(petition)
    await ctx.uow.petitions.log(petition.id, ctx.now, official.id, "assigned", official.name)
    return [Reply(f"{_who(official)} nhận xử lý hồ sơ {petition.code}.")]


async def resolve(ctx: Ctx, petition: Petition, official: Official) -> list[Reply]:
    assert petition.id is not None
    if petition.status in CLOSED:
        return [Reply(f"Hồ sơ {petition.code} đã khép lại trước đó.")]
    petition.status = "resolved"
    petition.resolved_at = ctx.now
    ctx.uow.petitions.save(petition)
    await ctx.uow.petitions.log(petition.id, ctx.now, official.id, "resolved")
    stars = tuple(Button("⭐" * n, f"rate:{petition.code}:{n}") for n in range(1, 6))
    ask = (
        f"Hồ sơ {petition.code} đã được giải quyết xong. Bà con đánh giá việc giải quyết từ 1 đến 5 sao "
        "(bấm nút, hoặc gõ /danhgia " + petition.code + " 5):"
    )
    return [
        Reply(f"{_who(official)} đã đánh dấu hồ sơ {petition.code} là đã giải quyết."),
        *await notify.to_filer(ctx, petition, ask, buttons=(stars,)),
    ]


async def reason(msg: Incoming, ctx: Ctx, step: str, code: str) -> list[Reply]:
    """The text an official typed after Refuse or Forward."""
    official = await _official(msg, ctx)
    await ctx.uow.conversations.clear(msg.channel, msg.chat_id, msg.user_id)
    if official is None:
        return [Reply(NOT_ALLOWED)]
    text = msg.text.strip()
    petition = await ctx.uow.petitions.by_code(code)
    if petition is None or petition.id is None:
        return [Reply(NOT_FOUND)]
    if petition.status in CLOSED:
        return [Reply(f"Hồ sơ {petition.code} đã khép lại trước đó.")]
    if len(text) < 5:
        return [Reply("Cần ghi rõ lý do; chưa có gì thay đổi. Bấm lại nút để làm lại.")]
    petition.status = "refused" if step == "refuse" else "forwarded"
    ctx.uow.petitions.save(petition)
    await ctx.uow.petitions.log(
        petition.id, ctx.now, official.id, "refused" if step == "refuse" else "forwarded", text
    )
    told = (
        f"Hồ sơ {petition.code} không được thụ lý. Lý do: {text}"
        if step == "refuse"
        else f"Hồ sơ {petition.code} đã được chuyển đến cơ quan có thẩm quyền: {text}"
    )
    return [Reply(f"Đã ghi nhận ({_who(official)}): {told}"), *await notify.to_filer(ctx, petition, told)]


async def answer(msg: Incoming, ctx: Ctx, code: str, text: str) -> list[Reply]:
    """An official's answer to the filer (reply to the announcement, or /traloi CODE text)."""
    loaded = await _load(msg, ctx, code)
    if isinstance(loaded, list):
        return loaded
    official, petition = loaded
    assert petition.id is not None
    if len(text.strip()) < 2:
        return [Reply(f"Nội dung trả lời trống. Gõ: /traloi {code} nội dung trả lời")]
    petition.answer = text.strip()
    ctx.uow.petitions.save(petition)
    await ctx.uow.petitions.log(petition.id, ctx.now, official.id, "answered", text.strip())
    delivered = await notify.to_filer(
        ctx, petition, f"📩 UBND xã trả lời hồ sơ {petition.code}:\n{text.strip()}"
    )
    note = "đã gửi đến người gửi" if delivered else "đã lưu (người gửi đã xóa dữ liệu liên hệ)"
    return [Reply(f"Trả lời hồ sơ {petition.code} {note}."), *delivered]


async def traloi(msg: Incoming, ctx: Ctx) -> list[Reply]:
    """/traloi CODE text: answer from any chat (how officials answer on Zalo)."""
    args = msg.command[1] if msg.command else ""
    code, _, text = args.partition(" ")
    if not code:
        return [Reply("Cách dùng: /traloi MÃ-HỒ-SƠ nội dung trả lời")]
    return await answer(msg, ctx, code.upper(), text)


async def note(msg: Incoming, ctx: Ctx) -> list[Reply]:
    """/ghichu CODE text: an internal note, never shown to the filer."""
    official = await _official(msg, ctx)
    if official is None:
        return [Reply(NOT_ALLOWED)]
    code, _, text = (msg.command[1] if msg.command else "").partition(" ")
    petition = await ctx.uow.petitions.by_code(code)
    if petition is None or petition.id is None or not text.strip():
        return [Reply("Cách dùng: /ghichu MÃ-HỒ-SƠ nội dung ghi chú")]
    await ctx.uow.petitions.log(petition.id, ctx.now, official.id, "note", text.strip(), internal=True)
    return [Reply(f"Đã ghi chú nội bộ vào hồ sơ {petition.code}.")]


async def identity(msg: Incoming, ctx: Ctx) -> list[Reply]:
    """/xem CODE in a private chat: who filed it; for denunciations only the assignee and admins."""
    if msg.chat_type != "private":
        return [Reply("Vì bảo mật, lệnh /xem chỉ dùng khi nhắn riêng với bot.")]
    official = await ctx.uow.officials.by_account(msg.channel, msg.user_id)
    code = (msg.command[1] if msg.command else "").strip().upper()
    petition = await ctx.uow.petitions.by_code(code) if code else None
    if official is None or petition is None or petition.id is None:
        return [Reply(NOT_ALLOWED if official is None else NOT_FOUND)]
    allowed = official.role == "admin" or (
        official.role == "handler" and (petition.kind != TO_CAO or petition.assignee == official.id)
    )
    if not allowed:
        return [
            Reply("Chỉ cán bộ được giao xử lý hồ sơ này và lãnh đạo xã mới xem được thông tin người gửi.")
        ]
    party = await ctx.uow.petitions.party(petition.id)
    await ctx.uow.petitions.log(petition.id, ctx.now, official.id, "identity_viewed", internal=True)
    if party is None or party.erased_at is not None:
        return [Reply(f"Người gửi hồ sơ {code} đã xóa dữ liệu cá nhân.")]
    if not party.name and not party.phone:
        return [Reply(f"Người gửi hồ sơ {code} không để lại họ tên, số điện thoại."), *_photos(petition)]
    return [
        Reply(
            f"Người gửi hồ sơ {code} ({KIND_LABELS[petition.kind]}): {party.name or '—'}, "
            f"điện thoại {party.phone or '—'}. Lần xem này đã được ghi lại."
        ),
        *_photos(petition),
    ]


def _photos(petition: Petition) -> list[Reply]:
    refs = tuple(Attachment(kind="photo", ref=p["ref"]) for p in petition.photos if p.get("ref"))
    return [Reply(f"Ảnh của hồ sơ {petition.code}", attachments=refs)] if refs else []
