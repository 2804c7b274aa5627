"""An amount asked per a unit that the document on the subject never states per that unit."""

from __future__ import annotations

from handlers.ask import CONFIDENCE_THRESHOLD
from qa.index import Index
from tests.unit.test_passages import entry

CALL_UP = entry(
    "call-up",
    "Danh sách công dân gọi nhập ngũ năm 2027",
    "Xã giao 18 công dân nhập ngũ năm 2027. Lễ giao nhận quân ngày 15/02/2027 tại sân UBND xã.",
)
ROAD = entry(
    "road",
    "Phương án đóng góp bê tông hóa đường thôn Đông",
    "Tổng kinh phí 1.200 triệu đồng. Mỗi hộ đóng góp 2.000.000 đồng; hộ nghèo được miễn.",
)
BUDGET = entry(
    "budget",
    "Tình hình thực hiện ngân sách xã quý một năm 2026",
    "Tổng thu ngân sách quý I năm 2026 đạt 4.120 triệu đồng, bằng 26% dự toán.",
)


def test_a_rate_per_unit_the_document_never_gives_is_not_answered_from_it() -> None:
    built = Index([CALL_UP, ROAD, BUDGET])
    hit = built.rank("công dân nhập ngũ năm 2027 mỗi tháng được bao nhiêu tiền")[0]
    assert hit.id == "call-up"  # still offered to open
    assert hit.confidence < CONFIDENCE_THRESHOLD


def test_a_rate_the_document_states_is_answered() -> None:
    built = Index([CALL_UP, ROAD, BUDGET])
    hit = built.rank("đổ bê tông đường thôn Đông mỗi hộ đóng góp bao nhiêu")[0]
    assert hit.id == "road" and hit.confidence >= CONFIDENCE_THRESHOLD


def test_a_period_is_not_a_unit_asked_per() -> None:
    built = Index([CALL_UP, ROAD, BUDGET])
    hit = built.rank("thực hiện ngân sách quý một năm 2026 thu được bao nhiêu")[0]
    assert hit.id == "budget" and hit.confidence >= CONFIDENCE_THRESHOLD


def test_a_rate_per_person_is_asked_of_any_amount_per_something() -> None:
    built = Index([CALL_UP, ROAD, BUDGET])
    hit = built.rank("nhập ngũ năm 2027 mỗi người được bao nhiêu tiền")[0]
    assert hit.id == "call-up" and hit.confidence < CONFIDENCE_THRESHOLD
