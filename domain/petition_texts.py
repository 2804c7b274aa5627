"""Words of the petition flow: kinds, statuses, plain explanations, and redaction."""

from __future__ import annotations

import re

from domain.deadlines import KHIEU_NAI, KIEN_NGHI, PHAN_ANH, TO_CAO

KIND_LABELS: dict[str, str] = {
    PHAN_ANH: "Phản ánh",
    KIEN_NGHI: "Kiến nghị",
    KHIEU_NAI: "Khiếu nại",
    TO_CAO: "Tố cáo",
}
KIND_HELP: dict[str, str] = {
    PHAN_ANH: "báo một việc chưa ổn ở địa phương (cống tắc, đổ rác trộm, đèn đường hỏng…)",
    KIEN_NGHI: "đề xuất, đề nghị xã làm hoặc sửa một việc",
    KHIEU_NAI: "không đồng ý với quyết định hay việc làm của cơ quan, cán bộ ảnh hưởng đến mình",
    TO_CAO: "báo cho xã biết cán bộ, công chức có hành vi vi phạm pháp luật",
}
CODE_PREFIX: dict[str, str] = {PHAN_ANH: "PA", KIEN_NGHI: "KN", KHIEU_NAI: "KH", TO_CAO: "TC"}
STATUS_LABELS: dict[str, str] = {
    "received": "Đã tiếp nhận, chờ xử lý",
    "accepted": "Đã thụ lý, đang giải quyết",
    "forwarded": "Đã chuyển cơ quan có thẩm quyền",
    "refused": "Không thụ lý",
    "resolved": "Đã giải quyết xong",
}
ACTION_LABELS: dict[str, str] = {
    "filed": "Tiếp nhận qua tin nhắn",
    "accepted": "Thụ lý",
    "assigned": "Giao cán bộ xử lý",
    "forwarded": "Chuyển cơ quan có thẩm quyền",
    "refused": "Không thụ lý",
    "answered": "Trả lời công dân",
    "resolved": "Giải quyết xong",
    "rated": "Công dân đánh giá",
    "note": "Ghi chú nội bộ",
    "identity_viewed": "Xem thông tin người gửi",
    "erased": "Xóa dữ liệu cá nhân theo yêu cầu",
}

_PHONE = re.compile(r"(?:\+?84|0)(?:[\s.-]?\d){8,10}")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
_ID_NUMBER = re.compile(r"\b\d{9,12}\b")
_SELF_NAME = re.compile(
    r"(?i)\b(tôi là|tên tôi là|tên là|em là|con là|cháu là)\s+[^\s,.;:]+(?:\s+[^\s,.;:]+){0,3}"
)
SUMMARY_MAX = 220


def redact(text: str) -> str:
    """Hide what identifies a person: phone numbers, e-mails, ID numbers, "tôi là <tên>"."""
    text = _EMAIL.sub("[email]", text)
    text = _PHONE.sub("[số điện thoại]", text)
    text = _ID_NUMBER.sub("[số giấy tờ]", text)
    return _SELF_NAME.sub(lambda m: f"{m.group(1)} [tên]", text)


def summary(text: str) -> str:
    """A short redacted summary for the officials' group."""
    clean = " ".join(redact(text).split())
    return clean if len(clean) <= SUMMARY_MAX else clean[: SUMMARY_MAX - 1].rsplit(" ", 1)[0] + " …"
