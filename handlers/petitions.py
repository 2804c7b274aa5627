"""/gui: file a petition step by step. Buttons on Telegram, numbered choices anywhere.

Each step is persisted in the conversation store, so a restart loses nothing; /huy cancels;
contact details are asked only after an explicit consent question.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from domain import choices
from domain.messages import Incoming, Reply
from domain.petition_texts import KIND_LABELS
from handlers.petition_filing import file_petition
from handlers.petition_prompts import (
    CONFIRM,
    DONE_SKIP,
    KIND_OPTIONS,
    MAX_PHOTOS,
    YES_NO,
    Step,
    prompt_for,
    village_options,
)
from handlers.services import Ctx

FLOW = "petition"
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
CONTENT_MIN, CONTENT_MAX = 10, 4000
_PHONE_RE = re.compile(r"^(?:\+?84|0)\d{9,10}$")


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


async def begin(msg: Incoming, ctx: Ctx, kind: str | None, content: str) -> list[Reply]:
    """A resident wrote that they want to send something ("tôi muốn phản ánh đường ngập"): the flow
    starts with what they already said, and asks only for the rest."""
    if msg.chat_type != "private":
        return await start(msg, ctx)
    data: dict[str, Any] = {"photos": []}
    if CONTENT_MIN <= len(content) <= CONTENT_MAX:
        data["content"] = content
    if kind is None:
        return await _goto(ctx, msg, data, Step.KIND, "Dạ, tôi giúp bà con gửi cho xã.")
    data["kind"] = kind
    nxt = Step.PLACE if "content" in data else Step.CONTENT
    return await _goto(ctx, msg, data, nxt, f"Dạ, tôi giúp bà con gửi {KIND_LABELS[kind].lower()} cho xã.")


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
    prompt = await prompt_for(ctx, nxt, data)
    text = f"{note}\n\n{prompt.text}" if note else prompt.text
    # The prompts list their choices: a typed number or label answers them on every channel.
    return [Reply(text, buttons=prompt.buttons, meta={choices.TYPED: True} if prompt.buttons else {})]


def _choice(msg: Incoming, options: list[tuple[str, str]]) -> str | None:
    """The value chosen by button (a typed number or label arrives as its button: domain/choices)."""
    if msg.button and msg.button.startswith("gui:"):
        value = msg.button.removeprefix("gui:")
        return value if value in {v for v, _ in options} else None
    return None


async def _take_kind(msg: Incoming, ctx: Ctx, data: dict[str, Any]) -> list[Reply]:
    kind = _choice(msg, KIND_OPTIONS)
    if kind is None:
        return await _goto(ctx, msg, data, Step.KIND, "Xin lỗi, tôi chưa rõ bà con chọn loại nào.")
    data["kind"] = kind
    return await _goto(ctx, msg, data, Step.PLACE if "content" in data else Step.CONTENT)


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
    options = village_options(villages)
    chosen = _choice(msg, options)
    if location is not None:
        data["lat"], data["lon"] = location.latitude, location.longitude
    elif chosen and chosen != "skip":
        data["village"] = villages[int(chosen[1:])]
    elif chosen is None and msg.text.strip():
        data["place"] = msg.text.strip()[:200]
    elif chosen is None:
        return await _goto(ctx, msg, data, Step.PLACE, "Bà con chọn thôn, gõ địa điểm hoặc chọn Bỏ qua nhé.")
    # A messenger that cannot send photos (the web chat) is not asked for them.
    return await _goto(ctx, msg, data, Step.PHOTOS if ctx.via.takes_photos else Step.CONSENT)


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
        return await _goto(ctx, msg, data, Step.PHOTOS, "Bà con gửi ảnh, hoặc chọn Xong / Bỏ qua nhé.")
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
        return await _goto(ctx, msg, data, Step.CONFIRM, "Bà con chọn Gửi để gửi, hoặc Hủy.")
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
