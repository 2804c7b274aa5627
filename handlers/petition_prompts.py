"""The petition flow's questions: its steps, the choices each offers, and the summary before sending."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from domain.deadlines import KINDS, TO_CAO
from domain.messages import Button, Reply
from domain.petition_texts import KIND_HELP, KIND_LABELS
from handlers.services import Ctx
from qa.vntext import folded_syllables

MAX_PHOTOS = 5


class Step(StrEnum):
    KIND = "kind"
    CONTENT = "content"
    PLACE = "place"
    PHOTOS = "photos"
    CONSENT = "consent"
    NAME = "name"
    PHONE = "phone"
    CONFIRM = "confirm"


def numbered(options: list[tuple[str, str]]) -> str:
    return "\n".join(f"{i}. {label}" for i, (_, label) in enumerate(options, start=1))


def buttons(options: list[tuple[str, str]]) -> tuple[tuple[Button, ...], ...]:
    return tuple((Button(label, f"gui:{value}"),) for value, label in options)


KIND_OPTIONS = [(k, KIND_LABELS[k]) for k in KINDS]
YES_NO = [("yes", "Có, tôi đồng ý"), ("no", "Không")]
SKIP = [("skip", "Bỏ qua")]
DONE_SKIP = [("done", "Xong"), ("skip", "Bỏ qua")]
CONFIRM = [("send", "Gửi"), ("cancel", "Hủy")]


def village_options(villages: list[str], first: str | None = None) -> list[tuple[str, str]]:
    """The commune's villages as choices (v0, v1, ...; `first` shown first), then "skip"."""
    options = [(f"v{i}", v) for i, v in enumerate(villages)]
    return sorted(options, key=lambda option: option[1] != first) + SKIP


def named_village(text: str, villages: list[str]) -> str | None:
    """The one village a resident's text names in full ("duong thon hoa binh" names Thôn Hòa Bình,
    with or without marks), or None (none, or several)."""
    words = f" {' '.join(folded_syllables(text))} "
    named = [v for v in villages if f" {' '.join(folded_syllables(v))} " in words]
    return named[0] if len(named) == 1 else None


async def prompt_for(ctx: Ctx, current: Step, data: dict[str, Any]) -> Reply:
    if current is Step.KIND:
        lines = ["Bà con muốn gửi loại nào? Chọn một loại:"]
        lines += [f"{i}. {KIND_LABELS[k]}: {KIND_HELP[k]}" for i, k in enumerate(KINDS, start=1)]
        lines.append("(Gõ /huy để dừng bất cứ lúc nào.)")
        return Reply("\n".join(lines), buttons=buttons(KIND_OPTIONS))
    if current is Step.CONTENT:
        return Reply(
            f"Bà con mô tả nội dung {KIND_LABELS[data['kind']].lower()}: việc gì, ở đâu, từ khi nào."
        )
    if current is Step.PLACE:
        villages = await ctx.uow.commune.villages()
        named = named_village(data.get("content", ""), villages)
        options = village_options(villages, first=named)
        hint = f"Bà con có nhắc đến {named}: đúng thì chọn 1.\n" if named else ""
        ways = "gõ địa điểm, hoặc gửi vị trí (📎 → Vị trí)" if ctx.via.takes_location else "hoặc gõ địa điểm"
        return Reply(
            f"Việc này ở thôn nào? Chọn thôn, {ways}.\n" + hint + numbered(options),
            buttons=buttons(options),
        )
    if current is Step.PHOTOS:
        return Reply(
            f"Bà con có thể gửi tối đa {MAX_PHOTOS} ảnh (không gửi ảnh giấy tờ tùy thân). "
            "Gửi xong thì chọn Xong, hoặc chọn Bỏ qua.",
            buttons=buttons(DONE_SKIP),
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
            + numbered(YES_NO)
        )
        return Reply(text, buttons=buttons(YES_NO))
    if current is Step.NAME:
        return Reply("Bà con cho biết họ và tên:")
    if current is Step.PHONE:
        return Reply("Số điện thoại liên hệ (ví dụ 0912345678):")
    return Reply(summary_text(data) + "\n\n" + numbered(CONFIRM), buttons=buttons(CONFIRM))


def summary_text(data: dict[str, Any]) -> str:
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
