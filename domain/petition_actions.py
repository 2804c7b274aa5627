"""What an official's (or the filer's) action does to a petition. Pure: no I/O.

Chat handlers, the CLI, the scheduler (and the web console) ask :func:`decide` what an official's
action does to a petition; they get either a :class:`Change` to store (new state and the audit
entry) or a :class:`Refusal` with the reason to show, in Vietnamese.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from zoneinfo import ZoneInfo

from domain.deadlines import DeadlinePolicy, WorkCalendar, resolve_due
from domain.petition_access import may_act, may_see_identity, may_work
from domain.petitions import (
    CLOSED,
    OPEN,
    RESIDENT,
    Action,
    OfficialFacts,
    Op,
    PetitionFacts,
    Role,
    Status,
    is_open,
    status_of,
)

# op -> (statuses it may start from, status it leads to). Ops not listed leave the status alone.
TRANSITIONS: MappingProxyType[Op, tuple[frozenset[Status], Status]] = MappingProxyType(
    {
        Op.ACCEPT: (frozenset({Status.RECEIVED}), Status.ACCEPTED),
        Op.FORWARD: (frozenset({Status.RECEIVED, Status.ACCEPTED}), Status.FORWARDED),
        Op.REFUSE: (frozenset({Status.RECEIVED}), Status.REFUSED),
        Op.RESOLVE: (frozenset(OPEN), Status.RESOLVED),
    }
)
# Ops that only make sense while the petition is open (besides the transitions above).
OPEN_ONLY = frozenset({Op.TAKE})
NEEDS_TEXT = frozenset({Op.FORWARD, Op.REFUSE, Op.ANSWER, Op.NOTE})
REASON_MIN = 5

NOT_ALLOWED = (
    "Xin lỗi, chỉ cán bộ xã có tên trong danh sách mới thực hiện được thao tác này. Không có gì thay đổi."
)
IDENTITY_ONLY = "Chỉ cán bộ được giao xử lý hồ sơ này và lãnh đạo xã mới xem được thông tin người gửi."
ADMIN_ONLY = "Chỉ lãnh đạo xã (quản trị) mới giao hồ sơ cho cán bộ khác. Không có gì thay đổi."
HELD_BY_ASSIGNEE = "Tố cáo này do cán bộ được giao xử lý phụ trách."  # who may act, as a page says it
ASSIGNEE_ONLY = f"{HELD_BY_ASSIGNEE} Không có gì thay đổi."
TAKE_TO_CAO_ONLY = (
    "Tố cáo chỉ do cán bộ được lãnh đạo xã giao xử lý (Luật Tố cáo, bảo vệ người tố cáo). "
    "Không có gì thay đổi."
)


@dataclass(frozen=True)
class Rules:
    """Deadline rules for accepting (the resolution deadline starts then)."""

    tz: ZoneInfo
    policy: DeadlinePolicy = field(default_factory=DeadlinePolicy)
    calendar: WorkCalendar = field(default_factory=WorkCalendar)


@dataclass(frozen=True)
class Change:
    """What to store: the new state (None: unchanged) and the audit entry."""

    action: Action
    actor: str
    detail: str | None = None
    internal: bool = False
    status: Status | None = None
    assignee: str | None = None
    accepted_at: datetime | None = None
    resolved_at: datetime | None = None
    resolve_due: date | None = None
    answer: str | None = None
    rating: int | None = None


@dataclass(frozen=True)
class Refusal:
    """Why nothing changes, to show the person as is."""

    reason: str


def _closed(petition: PetitionFacts) -> Refusal:
    return Refusal(f"Hồ sơ {petition.code} đã khép lại trước đó.")


def _transition_refusal(op: Op, petition: PetitionFacts) -> Refusal:
    if op is Op.ACCEPT:
        return Refusal(f"Hồ sơ {petition.code} đang ở trạng thái khác, không thụ lý lại được.")
    if status_of(petition) in CLOSED:
        return _closed(petition)
    if op is Op.FORWARD:
        return Refusal(f"Hồ sơ {petition.code} đã được chuyển trước đó.")
    if op is Op.REFUSE:
        return Refusal(f"Hồ sơ {petition.code} đã được thụ lý nên không thể chuyển sang không thụ lý.")
    return Refusal(f"Hồ sơ {petition.code} đang ở trạng thái khác, không làm được thao tác này.")


def check(op: Op, petition: PetitionFacts, official: OfficialFacts | None) -> Refusal | None:
    """Whether this official may do this now (before asking them for a reason, say)."""
    if official is None or not may_act(official):
        return Refusal(NOT_ALLOWED)
    if not may_work(official, petition):  # an assigned denunciation: its handler's (and admins')
        return Refusal(ASSIGNEE_ONLY)
    if op in TRANSITIONS:
        starts, _ = TRANSITIONS[op]
        if status_of(petition) not in starts:
            return _transition_refusal(op, petition)
    if op in OPEN_ONLY and not is_open(petition):
        return Refusal(f"Hồ sơ {petition.code} đã khép lại, không nhận xử lý được nữa.")
    if op is Op.TAKE and not may_see_identity(official, petition):
        # Whoever holds a denunciation may see its denouncer: taking it needs that right already.
        return Refusal(TAKE_TO_CAO_ONLY)
    return None


def decide(
    op: Op,
    petition: PetitionFacts,
    official: OfficialFacts | None,
    now: datetime,
    rules: Rules,
    text: str = "",
) -> Change | Refusal:
    """What the action does to the petition, or why it may not be done."""
    refused = check(op, petition, official)
    if refused is not None:
        return refused
    assert official is not None
    text = text.strip()
    if op in NEEDS_TEXT:
        if op in (Op.FORWARD, Op.REFUSE) and len(text) < REASON_MIN:
            return Refusal("Cần ghi rõ lý do; chưa có gì thay đổi. Chọn lại thao tác để làm lại.")
        if op is Op.ANSWER and len(text) < 2:
            return Refusal(f"Nội dung trả lời trống. Gõ: /traloi {petition.code} nội dung trả lời")
        if op is Op.NOTE and not text:
            return Refusal("Cách dùng: /ghichu MÃ-HỒ-SƠ nội dung ghi chú")
    who = official.id
    if op is Op.ACCEPT:
        accepted = now.astimezone(rules.tz).date()
        received = (petition.received_at or now).astimezone(rules.tz).date()
        due = resolve_due(petition.kind, received, accepted, rules.policy, rules.calendar)
        return Change(Action.ACCEPTED, who, status=Status.ACCEPTED, accepted_at=now, resolve_due=due)
    if op is Op.TAKE:
        return Change(Action.ASSIGNED, who, official.name, assignee=official.id)
    if op is Op.FORWARD:
        return Change(Action.FORWARDED, who, text, status=Status.FORWARDED)
    if op is Op.REFUSE:
        return Change(Action.REFUSED, who, text, status=Status.REFUSED)
    if op is Op.RESOLVE:
        return Change(Action.RESOLVED, who, status=Status.RESOLVED, resolved_at=now)
    if op is Op.ANSWER:
        return Change(Action.ANSWERED, who, text, answer=text)
    return Change(Action.NOTE, who, text, internal=True)


def rate(petition: PetitionFacts, value: str) -> Change | Refusal:
    """The filer's 1-5 stars, once the petition is resolved."""
    if status_of(petition) is not Status.RESOLVED:
        return Refusal("Hồ sơ chưa giải quyết xong nên chưa đánh giá được.")
    value = value.strip()
    if not value.isdigit() or not 1 <= int(value) <= 5:
        return Refusal("Bà con chọn từ 1 đến 5 sao nhé.")
    return Change(Action.RATED, RESIDENT, f"{value}/5", rating=int(value))


def assign(
    petition: PetitionFacts, admin: OfficialFacts | None, to: OfficialFacts | None
) -> Change | Refusal:
    """An admin gives the petition to an official (how a handler comes to hold a denunciation)."""
    if admin is None or not may_act(admin):
        return Refusal(NOT_ALLOWED)
    if admin.role != Role.ADMIN:
        return Refusal(ADMIN_ONLY)
    if to is None or not may_act(to):
        return Refusal("Chỉ giao được cho cán bộ xử lý có tên trong danh sách. Không có gì thay đổi.")
    if not is_open(petition):
        return Refusal(f"Hồ sơ {petition.code} đã khép lại, không giao được nữa.")
    return Change(Action.ASSIGNED, admin.id, to.name, assignee=to.id)


def identity_view(official: OfficialFacts | None, petition: PetitionFacts) -> Change | Refusal:
    """Looking up who filed it: allowed or not, and the audit entry every view leaves."""
    if official is None:
        return Refusal(NOT_ALLOWED)
    if not may_see_identity(official, petition):
        return Refusal(IDENTITY_ONLY)
    return Change(Action.IDENTITY_VIEWED, official.id, internal=True)
