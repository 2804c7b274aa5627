"""Messages about petitions: the filer's notices, the officials' announcement, legal guidance."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from domain.calendar import upcoming
from domain.deadlines import KHIEU_NAI, TO_CAO
from domain.messages import Attachment, Button, Reply
from domain.petition_texts import FIRST_STEP, KIND_LABELS, redact
from domain.petitions import ACTING_ROLES
from domain.reach import REPLY_WINDOWS
from domain.vnformat import vn_date, vn_datetime
from handlers.services import Ctx
from storage.models import Petition

RECEPTION_KIND = "tiep_cong_dan"


def action_buttons(code: str) -> tuple[tuple[Button, ...], ...]:
    """What an official can do with a new petition, from the group."""
    return (
        (Button("✅ Thụ lý", f"op:accept:{code}"), Button("🙋 Tôi nhận xử lý", f"op:take:{code}")),
        (Button("↪️ Chuyển", f"op:forward:{code}"), Button("⛔ Từ chối", f"op:refuse:{code}")),
        (Button("🏁 Đã giải quyết", f"op:resolve:{code}"),),
    )


def deadlines_line(petition: Petition, tz: ZoneInfo) -> str:
    parts = []
    if petition.received_at is not None:
        parts.append(f"nhận {vn_date(petition.received_at.astimezone(tz).date())}")
    if petition.first_due:
        parts.append(f"hạn {FIRST_STEP.get(petition.kind, 'trả lời')} {vn_date(petition.first_due)}")
    if petition.resolve_due:
        parts.append(f"hạn giải quyết {vn_date(petition.resolve_due)}")
    return "; ".join(parts)


def _album(photos: list[dict[str, Any]], channel: str) -> tuple[Attachment, ...]:
    """The photos a group on this channel can be sent: a file id means something only where it came from."""
    return tuple(
        Attachment(kind="photo", ref=p["ref"])
        for p in photos
        if p.get("ref") and p.get("channel", channel) == channel
    )


def _photos_line(petition: Petition, sent: int, where: str) -> str:
    """What officials are told of the photos: a file one messenger gave means nothing to another, so
    a group or chat on another messenger is told they were not carried over, not that they follow."""
    count = len(petition.photos)
    if not count:
        return ""
    if petition.kind == TO_CAO:
        # A denunciation's photos may show who took them: not for the group (Luật Tố cáo Art. 47).
        return f"\nẢnh kèm theo: {count} (chỉ người được giao xử lý xem, qua /xem)"
    if sent == count:
        return f"\nẢnh kèm theo: {count} (gửi ngay {where} tin này)"
    elsewhere = "gửi qua ứng dụng nhắn tin khác, không chuyển sang đây được"
    if sent:
        return f"\nẢnh kèm theo: {count} ({sent} ảnh gửi ngay {where} tin này; số còn lại {elsewhere})"
    return f"\nẢnh kèm theo: {count} ({elsewhere})"


async def announce(ctx: Ctx, petition: Petition, filer_name: str | None = None) -> list[Reply]:
    """The new petition in every officials' group: code, type, redacted summary, village, deadlines.

    The summary was redacted when filed; the typed place is redacted here, the filer's name too.
    """
    names = [filer_name] if filer_name else []
    where = petition.village or (redact(petition.place, names) if petition.place else "") or "không ghi"
    anonymous = " (nặc danh)" if petition.anonymous else ""
    head = (
        f"📥 {KIND_LABELS[petition.kind]} mới{anonymous}: {petition.code}\n"
        f"Thôn/nơi: {where}\n"
        f"Tóm tắt (đã ẩn thông tin cá nhân): {petition.summary}\n"
        f"Thời hạn: {deadlines_line(petition, ctx.svc.tz)}"
    )
    how_to = f"\nTrả lời công dân: trả lời (reply) tin nhắn này, hoặc /traloi {petition.code} nội dung."
    groups = [g for g in await ctx.uow.groups.officials_groups() if ctx.svc.reach.can_post(g.channel)]
    meta = {"petition": petition.code, "announcement": True}
    in_groups: list[Reply] = []
    photos: list[Reply] = []
    for g in groups:
        album = _album(petition.photos, g.channel) if petition.kind != TO_CAO else ()
        text = head + how_to + _photos_line(petition, len(album), "sau")
        buttons = action_buttons(petition.code)
        in_groups.append(Reply(text, buttons=buttons, channel=g.channel, chat_id=g.chat_id, meta=meta))
        if album:
            photos.append(
                Reply(
                    f"Ảnh của hồ sơ {petition.code}", attachments=album, channel=g.channel, chat_id=g.chat_id
                )
            )
    return (
        in_groups + await _to_officials_privately(ctx, petition, head, {g.channel for g in groups}) + photos
    )


PRIVATE_HOW_TO = (
    "\nTrả lời công dân: /traloi {code} nội dung. Thao tác: chọn bên dưới "
    "(trên Zalo: nhắn số), hoặc /ghichu {code} để ghi chú nội bộ."
)


async def _to_officials_privately(
    ctx: Ctx, petition: Petition, head: str, group_channels: set[str]
) -> list[Reply]:
    """Officials no officials' group reaches (e.g. Zalo, whose groups bots cannot post to) get it privately."""
    replies = []
    for official in await ctx.uow.officials.all():
        if official.role not in ACTING_ROLES or any(official.accounts.get(ch) for ch in group_channels):
            continue
        to = ctx.svc.reach.account(official.accounts)
        if to is None:
            continue
        album = _album(petition.photos, to[0]) if petition.kind != TO_CAO else ()
        if album:  # before the announcement, so its choices stay the chat's last (live) ones
            replies.append(
                Reply(f"Ảnh của hồ sơ {petition.code}", attachments=album, channel=to[0], chat_id=to[1])
            )
        body = head + _photos_line(petition, len(album), "trước") + PRIVATE_HOW_TO.format(code=petition.code)
        replies.append(
            Reply(
                body,
                buttons=action_buttons(petition.code),
                channel=to[0],
                chat_id=to[1],
                meta={"petition": petition.code, "announcement": True},
            )
        )
    return replies


async def window_closed(ctx: Ctx, petition: Petition) -> bool:
    """Whether the filer's messenger lets the bot write to them only after they write again
    (Zalo's Official Account: not within 7 days of their last message): a message waits until then."""
    assert petition.id is not None
    party = await ctx.uow.petitions.party(petition.id)
    if party is None or not party.channel or not party.user_id:
        return False
    window = REPLY_WINDOWS.get(party.channel)
    if window is None:
        return False
    last = await ctx.uow.inbound.last_from(party.channel, party.user_id)
    return last is None or ctx.now - last > window


async def to_filer(
    ctx: Ctx, petition: Petition, text: str, buttons: tuple[tuple[Button, ...], ...] = ()
) -> list[Reply]:
    """A message to whoever filed the petition, in the chat they used (none after erasure)."""
    assert petition.id is not None
    party = await ctx.uow.petitions.party(petition.id)
    if party is None or party.erased_at is not None or not party.channel or not party.chat_id:
        return []
    return [
        Reply(
            text,
            buttons=buttons,
            channel=party.channel,
            chat_id=party.chat_id,
            meta={"petition": petition.code},
        )
    ]


async def formal_guidance(ctx: Ctx, petition: Petition) -> str:
    """How a chat report becomes a formal complaint or denunciation (DOMAIN.md)."""
    if petition.kind == TO_CAO and petition.anonymous:
        return (
            "Lưu ý: tố cáo không ghi tên người tố cáo (nặc danh) không được giải quyết theo Luật Tố cáo "
            "(Điều 25). Nếu có thông tin, tài liệu, chứng cứ cụ thể, xã vẫn có thể xem xét, kiểm tra."
        )
    if petition.kind not in (KHIEU_NAI, TO_CAO):
        return ""
    label = KIND_LABELS[petition.kind].lower()
    events = [e for e in await ctx.uow.events.all() if e.kind == RECEPTION_KIND]
    soon = upcoming(list(events), ctx.now, 60, ctx.svc.tz)
    when = ""
    if soon:
        occurrence, event = soon[0]
        place = f", {event.location}" if event.location else ""
        when = f" Buổi tiếp công dân gần nhất: {vn_datetime(occurrence.start)}{place}."
    return (
        f"Tin nhắn này được ghi nhận như một báo cáo. Để {label} được giải quyết theo luật, bà con gửi "
        f"đơn có chữ ký hoặc điểm chỉ đến UBND xã, hoặc trình bày trực tiếp tại buổi tiếp công dân.{when} "
        "Khi xã nhận đơn, hồ sơ sẽ được thụ lý và bà con được báo."
    )
