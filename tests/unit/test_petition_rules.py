"""domain.petitions, petition_access, petition_actions: which action is allowed from which status, by whom, and what it changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pytest

from domain import petition_access as access
from domain import petition_actions as rules
from domain.petition_access import View
from domain.petition_actions import Change, Refusal
from domain.petitions import Action, Op, Role, Status, current_due, first_step_at
from tests.conftest import NOW
from tests.handler_calls import VN

RULES = rules.Rules(tz=VN)


@dataclass
class Pet:
    code: str = "PA-234567"
    kind: str = "phan_anh"
    status: str = "received"
    assignee: str | None = None
    received_at: datetime | None = NOW


@dataclass(frozen=True)
class Off:
    id: str
    name: str
    role: str


ADMIN = Off("an", "Nguyễn Văn An", "admin")
HANDLER = Off("binh", "Trần Thị Bình", "handler")
OTHER = Off("dung", "Lê Văn Dũng", "handler")
SUPERVISOR = Off("cuong", "Lê Văn Cường", "supervisor")


def test_stored_values_are_unchanged() -> None:
    assert [s.value for s in Status] == ["received", "accepted", "forwarded", "refused", "resolved"]
    assert {r.value for r in Role} == {"admin", "handler", "supervisor"}
    assert [e.value for e in Action if e.name in ("ASSIGNED", "IDENTITY_VIEWED")] == [
        "assigned",
        "identity_viewed",
    ]


@pytest.mark.parametrize(
    ("op", "start", "end"),
    [
        (Op.ACCEPT, Status.RECEIVED, Status.ACCEPTED),
        (Op.FORWARD, Status.RECEIVED, Status.FORWARDED),
        (Op.FORWARD, Status.ACCEPTED, Status.FORWARDED),
        (Op.REFUSE, Status.RECEIVED, Status.REFUSED),
        (Op.RESOLVE, Status.RECEIVED, Status.RESOLVED),
        (Op.RESOLVE, Status.ACCEPTED, Status.RESOLVED),
        (Op.RESOLVE, Status.FORWARDED, Status.RESOLVED),
    ],
)
def test_allowed_transitions(op: Op, start: Status, end: Status) -> None:
    change = rules.decide(op, Pet(status=start), HANDLER, NOW, RULES, "Lý do đủ dài để ghi")
    assert isinstance(change, Change) and change.status is end and change.actor == HANDLER.id


@pytest.mark.parametrize(
    ("op", "start", "says"),
    [
        (Op.ACCEPT, Status.ACCEPTED, "không thụ lý lại"),
        (Op.ACCEPT, Status.RESOLVED, "không thụ lý lại"),
        (Op.REFUSE, Status.ACCEPTED, "đã được thụ lý"),
        (Op.REFUSE, Status.RESOLVED, "đã khép lại"),
        (Op.FORWARD, Status.FORWARDED, "đã được chuyển"),
        (Op.FORWARD, Status.REFUSED, "đã khép lại"),
        (Op.RESOLVE, Status.RESOLVED, "đã khép lại"),
        (Op.RESOLVE, Status.REFUSED, "đã khép lại"),
        (Op.TAKE, Status.RESOLVED, "đã khép lại"),
        (Op.TAKE, Status.REFUSED, "đã khép lại"),
    ],
)
def test_refused_transitions_say_why(op: Op, start: Status, says: str) -> None:
    refused = rules.decide(op, Pet(status=start), ADMIN, NOW, RULES, "Lý do đủ dài để ghi")
    assert isinstance(refused, Refusal) and says in refused.reason


@pytest.mark.parametrize("op", list(Op))
def test_only_admins_and_handlers_act(op: Op) -> None:
    for nobody in (None, SUPERVISOR):
        refused = rules.decide(op, Pet(), nobody, NOW, RULES, "Lý do đủ dài để ghi")
        assert isinstance(refused, Refusal) and "chỉ cán bộ xã" in refused.reason


def test_accepting_starts_the_resolution_deadline() -> None:
    change = rules.decide(Op.ACCEPT, Pet(kind="khieu_nai"), ADMIN, NOW, RULES)
    assert isinstance(change, Change)
    assert change.accepted_at == NOW and change.resolve_due == date(2026, 12, 25)
    assert change.action is Action.ACCEPTED


def test_refuse_and_forward_need_a_reason_answer_and_note_need_text() -> None:
    for op in (Op.REFUSE, Op.FORWARD):
        refused = rules.decide(op, Pet(), ADMIN, NOW, RULES, " ko ")
        assert isinstance(refused, Refusal) and "lý do" in refused.reason
    assert isinstance(rules.decide(Op.ANSWER, Pet(), ADMIN, NOW, RULES, " "), Refusal)
    assert isinstance(rules.decide(Op.NOTE, Pet(), ADMIN, NOW, RULES, ""), Refusal)
    note = rules.decide(Op.NOTE, Pet(status="resolved"), ADMIN, NOW, RULES, " xem lại ")
    assert isinstance(note, Change) and note.internal and note.detail == "xem lại" and note.status is None


def test_taking_a_denunciation_needs_the_right_to_see_its_filer() -> None:
    denunciation = Pet(kind="to_cao")
    refused = rules.decide(Op.TAKE, denunciation, HANDLER, NOW, RULES)
    assert isinstance(refused, Refusal) and not access.may_see_identity(HANDLER, denunciation)
    taken = rules.decide(Op.TAKE, denunciation, ADMIN, NOW, RULES)
    assert isinstance(taken, Change) and taken.assignee == ADMIN.id and taken.action is Action.ASSIGNED
    held = Pet(kind="to_cao", assignee=HANDLER.id)
    assert isinstance(rules.decide(Op.TAKE, held, HANDLER, NOW, RULES), Change)
    assert isinstance(rules.decide(Op.TAKE, held, OTHER, NOW, RULES), Refusal)
    assert isinstance(rules.decide(Op.TAKE, Pet(assignee=HANDLER.id), OTHER, NOW, RULES), Change)


def test_identity_is_for_admins_and_for_a_denunciation_only_its_assignee() -> None:
    assert access.may_see_identity(HANDLER, Pet()) and access.may_see_identity(ADMIN, Pet(kind="to_cao"))
    assert not access.may_see_identity(SUPERVISOR, Pet()) and not access.may_see_identity(None, Pet())
    view = rules.identity_view(HANDLER, Pet(kind="to_cao", assignee=HANDLER.id))
    assert isinstance(view, Change) and view.action is Action.IDENTITY_VIEWED and view.internal
    assert isinstance(rules.identity_view(OTHER, Pet(kind="to_cao", assignee=HANDLER.id)), Refusal)


def test_only_an_admin_assigns_and_only_to_an_official_who_acts() -> None:
    change = rules.assign(Pet(kind="to_cao"), ADMIN, HANDLER)
    assert isinstance(change, Change) and change.assignee == HANDLER.id and change.detail == HANDLER.name
    assert isinstance(rules.assign(Pet(), HANDLER, OTHER), Refusal)
    assert isinstance(rules.assign(Pet(), ADMIN, SUPERVISOR), Refusal)
    assert isinstance(rules.assign(Pet(), ADMIN, None), Refusal)
    assert isinstance(rules.assign(Pet(status="resolved"), ADMIN, HANDLER), Refusal)


def test_rating_needs_a_resolved_petition_and_one_to_five_stars() -> None:
    assert isinstance(rules.rate(Pet(status="accepted"), "5"), Refusal)
    assert isinstance(rules.rate(Pet(status="resolved"), "6"), Refusal)
    assert isinstance(rules.rate(Pet(status="resolved"), "x"), Refusal)
    rated = rules.rate(Pet(status="resolved"), " 4")
    assert isinstance(rated, Change) and rated.rating == 4 and rated.detail == "4/5"


def test_in_a_group_everyone_sees_only_the_public_part() -> None:
    assert access.view_for(ADMIN, False, private_chat=False) is View.PUBLIC
    assert access.view_for(None, True, private_chat=False) is View.PUBLIC
    assert access.view_for(ADMIN, False, private_chat=True) is View.OFFICIAL
    assert access.view_for(None, True, private_chat=True) is View.FILER
    assert access.view_for(None, False, private_chat=True) is View.NONE
    assert access.view_for(None, False, private_chat=False) is View.NONE


def test_the_deadline_that_matters_now() -> None:
    first, last = date(2026, 12, 1), date(2026, 12, 20)
    for kind in ("phan_anh", "kien_nghi", "khieu_nai", "to_cao"):
        assert current_due(kind, "received", False, first, last) == first
        assert current_due(kind, "accepted", False, first, last) == last
    # a reply is the status answer of a report or a proposal (DOMAIN.md); not a complaint's acceptance
    # nor a denunciation's triage, whose first deadline stays until an official takes that step
    assert current_due("phan_anh", "received", True, first, last) == last
    assert current_due("kien_nghi", "received", True, first, last) == last
    assert current_due("khieu_nai", "received", True, first, None) == first
    assert current_due("to_cao", "received", True, first, None) == first


def test_when_the_first_step_was_met_by_type() -> None:
    replied, accepted = datetime(2026, 12, 1, 3, tzinfo=VN), datetime(2026, 12, 9, 3, tzinfo=VN)
    assert first_step_at("phan_anh", accepted, replied) == replied
    assert first_step_at("kien_nghi", None, replied) == replied
    assert first_step_at("khieu_nai", accepted, replied) == accepted
    assert first_step_at("to_cao", None, replied) is None
    assert first_step_at("phan_anh", accepted, None) == accepted


@pytest.mark.parametrize("op", [Op.ACCEPT, Op.ANSWER, Op.RESOLVE, Op.REFUSE, Op.FORWARD, Op.NOTE, Op.TAKE])
def test_an_assigned_denunciation_is_worked_by_its_handler_and_admins_only(op: Op) -> None:
    held = Pet(kind="to_cao", assignee=HANDLER.id)
    text = "Xã đã nhận và đang xác minh"
    refused = rules.decide(op, held, OTHER, NOW, RULES, text)
    assert isinstance(refused, Refusal) and refused.reason == rules.ASSIGNEE_ONLY
    assert not access.may_work(OTHER, held) and not access.may_work(SUPERVISOR, held)
    for official in (HANDLER, ADMIN):
        assert access.may_work(official, held)
        assert isinstance(rules.decide(op, held, official, NOW, RULES, text), Change)


def test_only_an_assigned_denunciation_is_closed_to_other_handlers() -> None:
    """Unassigned, anyone acting may take the first step; other types stay open to every handler."""
    for petition in (
        Pet(kind="to_cao"),
        Pet(assignee=HANDLER.id),
        Pet(kind="khieu_nai", assignee=HANDLER.id),
    ):
        assert access.may_work(OTHER, petition)
        assert isinstance(rules.decide(Op.ACCEPT, petition, OTHER, NOW, RULES), Change)
        assert isinstance(rules.decide(Op.ANSWER, petition, OTHER, NOW, RULES, "Đã nhận"), Change)
