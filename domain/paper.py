"""A petition handed in on paper, in person or by telephone, as an official types it in: the form's
rules and its Vietnamese refusals. Pure: no I/O (the caller gives today's date in the commune)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from domain.deadlines import KINDS
from domain.petitions import Action

CONTENT_MIN, CONTENT_MAX = 10, 4000  # as the chat's /gui (handlers/petitions.py)
PLACE_MAX = 200
NAME_MAX = 120
ADDRESS_MAX = 200
OLDEST_DAYS = 366  # a received date older than a year is a typing mistake
FIELDS = ("loai", "noi_dung", "thon", "noi", "ngay_nhan", "tiep_nhan", "ho_ten", "dien_thoai", "dia_chi")
_PHONE = re.compile(r"\+?[0-9][0-9 .\-]{7,18}[0-9]")


class Intake(StrEnum):
    """How the petition reached the commune (the form's `tiep_nhan`)."""

    PAPER = "giay"
    IN_PERSON = "truc_tiep"
    PHONE = "dien_thoai"


INTAKE_LABELS: dict[Intake, str] = {
    Intake.PAPER: "Đơn giấy",
    Intake.IN_PERSON: "Trình bày trực tiếp",
    Intake.PHONE: "Qua điện thoại",
}
INTAKE_ACTIONS: dict[Intake, Action] = {
    Intake.PAPER: Action.FILED_ON_PAPER,
    Intake.IN_PERSON: Action.FILED_IN_PERSON,
    Intake.PHONE: Action.FILED_BY_PHONE,
}


@dataclass(frozen=True)
class PaperPetition:
    """A checked form: what is filed."""

    kind: str
    content: str
    village: str | None
    place: str | None
    received: date
    intake: Intake
    name: str | None
    phone: str | None
    address: str | None


def _text(form: Mapping[str, str], key: str) -> str:
    return " ".join(form.get(key, "").split())


def _content(form: Mapping[str, str]) -> str:
    """The content keeps its line breaks (a paper letter has paragraphs); spaces are tidied."""
    lines = [" ".join(line.split()) for line in form.get("noi_dung", "").strip().splitlines()]
    return "\n".join(lines)


def check(
    form: Mapping[str, str], villages: list[str], today: date
) -> tuple[PaperPetition | None, dict[str, str]]:
    """The petition the form describes, or the refusals by field name (nothing is filed then)."""
    errors: dict[str, str] = {}
    kind = form.get("loai", "")
    if kind not in KINDS:
        errors["loai"] = "Chọn loại đơn: phản ánh, kiến nghị, khiếu nại hoặc tố cáo."
    content = _content(form)
    if len(content) < CONTENT_MIN:
        errors["noi_dung"] = f"Ghi nội dung đơn (ít nhất {CONTENT_MIN} ký tự)."
    elif len(content) > CONTENT_MAX:
        errors["noi_dung"] = f"Nội dung dài quá {CONTENT_MAX} ký tự; ghi tóm tắt, giữ bản giấy trong hồ sơ."
    village = _text(form, "thon")
    known = {v.casefold(): v for v in villages}
    if village and village.casefold() not in known:
        errors["thon"] = "Thôn không có trong danh sách của xã; chọn lại hoặc để trống."
    place = _text(form, "noi")
    if len(place) > PLACE_MAX:
        errors["noi"] = f"Nơi xảy ra dài quá {PLACE_MAX} ký tự."
    received = _received(form.get("ngay_nhan", "").strip(), today, errors)
    try:
        intake = Intake(form.get("tiep_nhan", ""))
    except ValueError:
        errors["tiep_nhan"] = "Chọn cách tiếp nhận: đơn giấy, trực tiếp hoặc điện thoại."
    name, address = _text(form, "ho_ten"), _text(form, "dia_chi")
    if len(name) > NAME_MAX:
        errors["ho_ten"] = f"Họ tên dài quá {NAME_MAX} ký tự."
    if len(address) > ADDRESS_MAX:
        errors["dia_chi"] = f"Địa chỉ dài quá {ADDRESS_MAX} ký tự."
    phone = _text(form, "dien_thoai")
    if phone and (not _PHONE.fullmatch(phone) or not 9 <= sum(c.isdigit() for c in phone) <= 12):
        errors["dien_thoai"] = "Số điện thoại chỉ gồm chữ số (9 đến 11 số), ví dụ 0912 345 678."
    if errors or received is None:
        return None, errors
    return (
        PaperPetition(
            kind=kind,
            content=content,
            village=known[village.casefold()] if village else None,
            place=place or None,
            received=received,
            intake=intake,
            name=name or None,
            phone=phone or None,
            address=address or None,
        ),
        {},
    )


def _received(text: str, today: date, errors: dict[str, str]) -> date | None:
    if not text:
        return today
    try:
        day = date.fromisoformat(text)
    except ValueError:
        errors["ngay_nhan"] = "Ngày nhận không hợp lệ; ghi theo dạng năm-tháng-ngày, ví dụ 2026-12-07."
        return None
    if day > today:
        errors["ngay_nhan"] = "Ngày nhận không được sau hôm nay."
        return None
    if day < today - timedelta(days=OLDEST_DAYS):
        errors["ngay_nhan"] = "Ngày nhận đã quá một năm; kiểm tra lại ngày trên đơn."
        return None
    return day
