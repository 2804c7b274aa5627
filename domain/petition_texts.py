"""Words of the petition flow: kinds, statuses, plain explanations, and redaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from domain.deadlines import KHIEU_NAI, KIEN_NGHI, PHAN_ANH, TO_CAO
from domain.petitions import Action, Status, first_step_met
from domain.redaction import redact
from domain.vnformat import vn_date

__all__ = [
    "ACTION_LABELS",
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "CODE_PREFIX",
    "FIRST_STEP",
    "KIND_HELP",
    "KIND_LABELS",
    "STATUS_LABELS",
    "after_reply",
    "redact",
    "status_label",
    "summary",
]

KIND_LABELS: dict[str, str] = {
    PHAN_ANH: "Phản ánh",
    KIEN_NGHI: "Kiến nghị",
    KHIEU_NAI: "Khiếu nại",
    TO_CAO: "Tố cáo",
}
# The first step of each type (DOMAIN.md): a status answer, acceptance (thụ lý) or triage.
FIRST_STEP: dict[str, str] = {
    PHAN_ANH: "trả lời",
    KIEN_NGHI: "trả lời",
    KHIEU_NAI: "thụ lý",
    TO_CAO: "xử lý ban đầu",
}
KIND_HELP: dict[str, str] = {
    PHAN_ANH: "báo một việc chưa ổn ở địa phương (cống tắc, đổ rác trộm, đèn đường hỏng…)",
    KIEN_NGHI: "đề xuất, đề nghị xã làm hoặc sửa một việc",
    KHIEU_NAI: "không đồng ý với quyết định hay việc làm của cơ quan, cán bộ ảnh hưởng đến mình",
    TO_CAO: "báo cho xã biết cán bộ, công chức có hành vi vi phạm pháp luật",
}
CODE_PREFIX: dict[str, str] = {PHAN_ANH: "PA", KIEN_NGHI: "KN", KHIEU_NAI: "KH", TO_CAO: "TC"}
# A code is its type's letters, a dash and six of these (no 0/O, 1/I/L to misread): PA-7K3M9Q.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6
STATUS_LABELS: dict[str, str] = {
    Status.RECEIVED: "Đã tiếp nhận, chờ xử lý",
    Status.ACCEPTED: "Đã thụ lý, đang giải quyết",
    Status.FORWARDED: "Đã chuyển cơ quan có thẩm quyền",
    Status.REFUSED: "Không thụ lý",
    Status.RESOLVED: "Đã giải quyết xong",
}
# Received and answered: a reply is not a status answer (thụ lý, chuyển, không thụ lý, DOMAIN.md),
# so the status stays until an official takes one of those steps; what the filer sees says both.
ANSWERED_LABEL = "Đã tiếp nhận, xã đã trả lời"


def status_label(status: str, answered_on: str | None = None, *, answered: bool = False) -> str:
    """The status as residents read it: "received" once answered says so (with the date if known)."""
    if status == Status.RECEIVED and (answered or answered_on):
        return f"{ANSWERED_LABEL} ngày {answered_on}" if answered_on else ANSWERED_LABEL
    return STATUS_LABELS.get(status, status)


def after_reply(kind: str, status: str, first_due: date | None, resolve_due: date | None) -> str:
    """What officials are told of the first step once the commune has replied ("" past "received")."""
    if status != Status.RECEIVED:
        return ""
    if first_step_met(kind, status, replied=True):
        return "Đã có trả lời ban đầu" + (f"; hạn giải quyết {vn_date(resolve_due)}." if resolve_due else ".")
    step = FIRST_STEP.get(kind, "thụ lý")
    due = f", hạn {vn_date(first_due)}" if first_due else ""
    return f"Trả lời chưa phải {step}: hồ sơ vẫn chờ Thụ lý, Chuyển hoặc Từ chối{due}."


ACTION_LABELS: dict[str, str] = {
    Action.FILED: "Tiếp nhận qua tin nhắn",
    Action.FILED_ON_PAPER: "Tiếp nhận đơn giấy",
    Action.FILED_IN_PERSON: "Tiếp nhận trực tiếp tại xã",
    Action.FILED_BY_PHONE: "Tiếp nhận qua điện thoại",
    Action.ACCEPTED: "Thụ lý",
    Action.ASSIGNED: "Giao cán bộ xử lý",
    Action.FORWARDED: "Chuyển cơ quan có thẩm quyền",
    Action.REFUSED: "Không thụ lý",
    Action.ANSWERED: "Trả lời công dân",
    Action.RESOLVED: "Giải quyết xong",
    Action.RATED: "Công dân đánh giá",
    Action.NOTE: "Ghi chú nội bộ",
    Action.IDENTITY_VIEWED: "Xem thông tin người gửi",
    Action.ERASED: "Xóa dữ liệu cá nhân theo yêu cầu",
}

SUMMARY_MAX = 220


def summary(text: str, names: Iterable[str] = ()) -> str:
    """A short redacted summary for the officials' group (`names`: the filer's, to hide too)."""
    clean = " ".join(redact(text, names).split())
    return clean if len(clean) <= SUMMARY_MAX else clean[: SUMMARY_MAX - 1].rsplit(" ", 1)[0] + " …"
