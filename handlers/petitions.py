"""/gui: file a petition step by step. Buttons on Telegram, numbered choices anywhere.

Each step is persisted in the conversation store, so a restart loses nothing; /huy cancels;
contact details are asked only after an explicit consent question.
"""

from __future__ import annotations

import copy
import re
import secrets
from enum import StrEnum
from typing import Any

from domain import choices
from domain.deadlines import KINDS, TO_CAO, first_step_due, resolve_due
from domain.messages import Button, Incoming, Reply
from domain.petition_texts import CODE_PREFIX, KIND_HELP, KIND_LABELS, summary
from domain.petitions import RESIDENT, Action, Status
from domain.vnformat import vn_date
from handlers import notify
from handlers.services import Ctx
from storage.models import Petition, PetitionParty

FLOW = "petition"
MAX_PHOTOS = 5
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
CONTENT_MIN, CONTENT_MAX = 10, 4000
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_PHONE_RE = re.compile(r"^(?:\+?84|0)\d{9,10}$")


class Step(StrEnum):
    KIND = "kind"
    CONTENT = "content"
    PLACE = "place"
    PHOTOS = "photos"
    CONSENT = "consent"
    NAME = "name"
    PHONE = "phone"
    CONFIRM = "confirm"


def in_flow_button(msg: Incoming) -> bool:
    return msg.button is not None and msg.button.startswith("gui:")


async def start(msg: Incoming, ctx: Ctx) -> list[Reply]:
    """/gui or the "send to the commune" button: begin (or restart) the flow."""
    if msg.chat_type != "private":
        return [Reply("Để giữ kín thông tin, bà con vui lòng nhắn riêng cho tôi rồi gõ /gui nhé.")]
    data: dict[str, Any] = {"photos": []}
    if msg.button == "gui:fromq":
        shown = (
            await ctx.uow.outbox.by_external(msg.channel, msg.chat_id, msg.message_id)
            if msg.message_id
            else None
        )
        question = shown.payload.get("meta", {}).get("unanswered") if shown is not None else None
        if not question:  # channels without message ids: the chat's last unanswered question
            conv = await ctx.uow.conversations.get(msg.channel, msg.chat_id, msg.user_id)
            question = conv.data.get("unanswered") if conv is not None else None
        if question:
            data.update(kind="kien_nghi", content=question)
            return await _goto(ctx, msg, data, Step.PLACE)
    return await _goto(ctx, msg, data, Step.KIND)


async def step(msg: Incoming, ctx: Ctx) -> list[Reply]:
    """Take the answer to the current step, then ask the next one."""
    conv = await ctx.uow.conversations.get(msg.channel, msg.chat_id, msg.user_id)
    if conv is None or conv.flow != FLOW:
        return await start(msg, ctx)
    data = copy.deepcopy(conv.data)
    current = Step(conv.step)
    handler = _TAKE[current]
    return await handler(msg, ctx, data)


async def _goto(ctx: Ctx, msg: Incoming, data: dict[str, Any], nxt: Step, note: str = "") -> list[Reply]:
    await ctx.uow.conversations.save(
        msg.channel, msg.chat_id, msg.user_id, flow=FLOW, step=nxt, data=data, now=ctx.now
    )
    prompt = await _prompt(ctx, nxt, data)
    text = f"{note}\n\n{prompt.text}" if note else prompt.text
    # The prompts list their choices: a typed number or label answers them on every channel.
    return [Reply(text, buttons=prompt.buttons, meta={choices.TYPED: True} if prompt.buttons else {})]


def _choice(msg: Incoming, options: list[tuple[str, str]]) -> str | None:
    """The value chosen by button (a typed number or label arrives as its button: domain/choices)."""
    if msg.button and msg.button.startswith("gui:"):
        value = msg.button.removeprefix("gui:")
        return value if value in {v for v, _ in options} else None
    return None


def _numbered(options: list[tuple[str, str]]) -> str:
    return "\n".join(f"{i}. {label}" for i, (_, label) in enumerate(options, start=1))


def _buttons(options: list[tuple[str, str]]) -> tuple[tuple[Button, ...], ...]:
    return tuple((Button(label, f"gui:{value}"),) for value, label in options)


KIND_OPTIONS = [(k, KIND_LABELS[k]) for k in KINDS]
YES_NO = [("yes", "Có, tôi đồng ý"), ("no", "Không")]
SKIP = [("skip", "Bỏ qua")]
DONE_SKIP = [("done", "Xong"), ("skip", "Bỏ qua")]
CONFIRM = [("send", "Gửi"), ("cancel", "Hủy")]


async def _prompt(ctx: Ctx, current: Step, data: dict[str, Any]) -> Reply:
    if current is Step.KIND:
        lines = ["Bà con muốn gửi loại nào? Chọn nút hoặc gõ số:"]
        lines += [f"{i}. {KIND_LABELS[k]}: {KIND_HELP[k]}" for i, k in enumerate(KINDS, start=1)]
        lines.append("(Gõ /huy để dừng bất cứ lúc nào.)")
        return Reply("\n".join(lines), buttons=_buttons(KIND_OPTIONS))
    if current is Step.CONTENT:
        return Reply(
            f"Bà con mô tả nội dung {KIND_LABELS[data['kind']].lower()}: việc gì, ở đâu, từ khi nào."
        )
    if current is Step.PLACE:
        villages = await ctx.uow.commune.villages()
        options = [(f"v{i}", v) for i, v in enumerate(villages)] + SKIP
        return Reply(
            "Việc này ở thôn nào? Chọn thôn, gõ địa điểm, hoặc gửi vị trí (📎 → Vị trí).\n"
            + _numbered(options),
            buttons=_buttons(options),
        )
    if current is Step.PHOTOS:
        return Reply(
            f"Bà con có thể gửi tối đa {MAX_PHOTOS} ảnh (không gửi ảnh giấy tờ tùy thân). "
            "Gửi xong bấm Xong, hoặc bấm Bỏ qua.",
            buttons=_buttons(DONE_SKIP),
        )
    if current is Step.CONSENT:
        who = (
            "chỉ cán bộ được giao xử lý và lãnh đạo xã" if data["kind"] == TO_CAO else "cán bộ xã xử lý hồ sơ"
        )
        text = (
            "Bà con có muốn để lại họ tên và số điện thoại để cán bộ liên hệ không?\n"
            "• Lưu gì: họ tên, số điện thoại.\n"
            "• Để làm gì: chỉ để liên hệ, xác minh và trả lời hồ sơ này.\n"
            f"• Ai xem: {who}; không đăng vào nhóm nào.\n"
            "• Quyền của bà con: xem dữ liệu (/dulieu), xóa dữ liệu (/xoadulieu) bất cứ lúc nào.\n"
            "Không để lại thì hồ sơ vẫn được tiếp nhận; kết quả vẫn báo trong cuộc trò chuyện này.\n"
            + _numbered(YES_NO)
        )
        return Reply(text, buttons=_buttons(YES_NO))
    if current is Step.NAME:
        return Reply("Bà con cho biết họ và tên:")
    if current is Step.PHONE:
        return Reply("Số điện thoại liên hệ (ví dụ 0912345678):")
    return Reply(_summary_text(data) + "\n\n" + _numbered(CONFIRM), buttons=_buttons(CONFIRM))


def _summary_text(data: dict[str, Any]) -> str:
    lines = [
        "Bà con xem lại trước khi gửi:",
        f"• Loại: {KIND_LABELS[data['kind']]}",
        f"• Nội dung: {data['content']}",
    ]
    if data.get("village") or data.get("place"):
        lines.append(f"• Nơi: {data.get('village') or data.get('place')}")
    if data.get("lat") is not None:
        lines.append("• Có gửi kèm vị trí")
    if data.get("photos"):
        lines.append(f"• Ảnh: {len(data['photos'])}")
    if data.get("consent"):
        lines.append(f"• Liên hệ: {data.get('name')}, {data.get('phone')}")
    else:
        lines.append("• Không để lại thông tin liên hệ")
    return "\n".join(lines)


async def _take_kind(msg: Incoming, ctx: Ctx, data: dict[str, Any]) -> list[Reply]:
    kind = _choice(msg, KIND_OPTIONS)
    if kind is None:
        return await _goto(ctx, msg, data, Step.KIND, "Xin lỗi, tôi chưa rõ bà con chọn loại nào.")
    data["kind"] = kind
    return await _goto(ctx, msg, data, Step.CONTENT)


async def _take_content(msg: Incoming, ctx: Ctx, data: dict[str, Any]) -> list[Reply]:
    text = msg.text.strip()
    if len(text) < CONTENT_MIN:
        return await _goto(
            ctx, msg, data, Step.CONTENT, "Nội dung hơi ngắn, bà con viết rõ thêm một chút nhé."
        )
    if len(text) > CONTENT_MAX:
        return await _goto(
            ctx, msg, data, Step.CONTENT, f"Nội dung dài quá {CONTENT_MAX} ký tự, bà con rút gọn giúp."
        )
    data["content"] = text
    return await _goto(ctx, msg, data, Step.PLACE)


async def _take_place(msg: Incoming, ctx: Ctx, data: dict[str, Any]) -> list[Reply]:
    location = next((a for a in msg.attachments if a.kind == "location"), None)
    villages = await ctx.uow.commune.villages()
    options = [(f"v{i}", v) for i, v in enumerate(villages)] + SKIP
    chosen = _choice(msg, options)
    if location is not None:
        data["lat"], data["lon"] = location.latitude, location.longitude
    elif chosen and chosen != "skip":
        data["village"] = villages[int(chosen[1:])]
    elif chosen is None and msg.text.strip():
        data["place"] = msg.text.strip()[:200]
    elif chosen is None:
        return await _goto(ctx, msg, data, Step.PLACE, "Bà con chọn thôn, gõ địa điểm hoặc bấm Bỏ qua nhé.")
    return await _goto(ctx, msg, data, Step.PHOTOS)


async def _take_photos(msg: Incoming, ctx: Ctx, data: dict[str, Any]) -> list[Reply]:
    photos = [a for a in msg.attachments if a.kind in ("photo", "document")]
    if photos:
        note = ""
        for photo in photos:
            if photo.mime not in PHOTO_TYPES:
                note = "Tệp này không phải ảnh (JPG, PNG), tôi không nhận."
            elif photo.size is not None and photo.size > ctx.svc.max_photo_bytes:
                note = f"Ảnh quá lớn (tối đa {ctx.svc.max_photo_bytes // (1024 * 1024)} MB), tôi không nhận."
            elif len(data["photos"]) >= MAX_PHOTOS:
                note = f"Đã đủ {MAX_PHOTOS} ảnh."
            else:
                data["photos"].append(
                    {"ref": photo.ref, "size": photo.size, "mime": photo.mime, "channel": msg.channel}
                )
        count = len(data["photos"])
        note = note or f"Đã nhận {count} ảnh."
        if count >= MAX_PHOTOS:
            return await _goto(ctx, msg, data, Step.CONSENT, note)
        return await _goto(ctx, msg, data, Step.PHOTOS, note)
    if _choice(msg, DONE_SKIP) is None:
        return await _goto(ctx, msg, data, Step.PHOTOS, "Bà con gửi ảnh, hoặc bấm Xong / Bỏ qua nhé.")
    return await _goto(ctx, msg, data, Step.CONSENT)


async def _take_consent(msg: Incoming, ctx: Ctx, data: dict[str, Any]) -> list[Reply]:
    answer = _choice(msg, YES_NO)
    if answer is None:
        return await _goto(ctx, msg, data, Step.CONSENT, "Bà con chọn Có hoặc Không giúp tôi.")
    data["consent"] = answer == "yes"
    if data["consent"]:
        return await _goto(ctx, msg, data, Step.NAME)
    data.pop("name", None)
    data.pop("phone", None)
    return await _goto(ctx, msg, data, Step.CONFIRM)


async def _take_name(msg: Incoming, ctx: Ctx, data: dict[str, Any]) -> list[Reply]:
    name = " ".join(msg.text.split())
    if not 2 <= len(name) <= 80 or any(ch.isdigit() for ch in name):
        return await _goto(ctx, msg, data, Step.NAME, "Họ tên chưa đúng, bà con gõ lại giúp tôi.")
    data["name"] = name
    return await _goto(ctx, msg, data, Step.PHONE)


async def _take_phone(msg: Incoming, ctx: Ctx, data: dict[str, Any]) -> list[Reply]:
    phone = re.sub(r"[\s.-]", "", msg.text)
    if not _PHONE_RE.match(phone):
        return await _goto(
            ctx, msg, data, Step.PHONE, "Số điện thoại chưa đúng, bà con gõ lại (10 số, bắt đầu bằng 0)."
        )
    data["phone"] = phone
    return await _goto(ctx, msg, data, Step.CONFIRM)


async def _take_confirm(msg: Incoming, ctx: Ctx, data: dict[str, Any]) -> list[Reply]:
    answer = _choice(msg, CONFIRM)
    if answer is None:
        return await _goto(ctx, msg, data, Step.CONFIRM, "Bà con bấm Gửi để gửi, hoặc Hủy.")
    await ctx.uow.conversations.clear(msg.channel, msg.chat_id, msg.user_id)
    if answer == "cancel":
        return [Reply("Đã hủy, chưa có gì được gửi đi.")]
    return await file_petition(msg, ctx, data)


_TAKE = {
    Step.KIND: _take_kind,
    Step.CONTENT: _take_content,
    Step.PLACE: _take_place,
    Step.PHOTOS: _take_photos,
    Step.CONSENT: _take_consent,
    Step.NAME: _take_name,
    Step.PHONE: _take_phone,
    Step.CONFIRM: _take_confirm,
}


async def new_code(ctx: Ctx, kind: str) -> str:
    """Type letters, then six unguessable characters: PA-7K3M9Q."""
    while True:
        code = f"{CODE_PREFIX[kind]}-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        if not await ctx.uow.petitions.code_exists(code):
            return code


async def file_petition(msg: Incoming, ctx: Ctx, data: dict[str, Any]) -> list[Reply]:
    """Commit the petition (in this transaction), tell the filer, announce it to officials."""
    kind = data["kind"]
    received = ctx.now.astimezone(ctx.svc.tz).date()
    consent = bool(data.get("consent"))
    name = data.get("name") if consent else None
    petition = Petition(
        code=await new_code(ctx, kind),
        kind=kind,
        status=Status.RECEIVED,
        content=data["content"],
        summary=summary(data["content"], [name] if name else []),
        village=data.get("village"),
        place=data.get("place"),
        latitude=data.get("lat"),
        longitude=data.get("lon"),
        photos=list(data.get("photos", [])),
        anonymous=kind == TO_CAO and not consent,
        received_at=ctx.now,
        first_due=first_step_due(kind, received, ctx.svc.policy, ctx.svc.calendar),
        resolve_due=resolve_due(kind, received, None, ctx.svc.policy, ctx.svc.calendar),
    )
    party = PetitionParty(
        petition_id=0,
        channel=msg.channel,
        chat_id=msg.chat_id,
        user_id=msg.user_id,
        name=name,
        phone=data.get("phone") if consent else None,
        consent_at=ctx.now if consent else None,
    )
    await ctx.uow.petitions.add(petition, party)
    assert petition.id is not None
    await ctx.uow.petitions.log(petition.id, ctx.now, RESIDENT, Action.FILED)
    text = (
        f"✅ Đã nhận {KIND_LABELS[kind].lower()} của bà con. Mã hồ sơ: {petition.code}\n"
        f"Hạn trả lời: {vn_date(petition.first_due or received)}. "
        f"Tra cứu bất cứ lúc nào: /tracuu {petition.code}"
    )
    guidance = await notify.formal_guidance(ctx, petition)
    replies = [Reply(f"{text}\n\n{guidance}" if guidance else text, meta={"petition": petition.code})]
    return replies + await notify.announce(ctx, petition, filer_name=name)
