"""Near misses found from the text alone: the year asked is not the document's, a name is not in it."""

from __future__ import annotations

from datetime import date

from qa.mismatch import mismatch

TODAY = date(2026, 12, 7)
BRIDGE = "Công khai công trình xây dựng cầu Bến Đá, thôn Khe Lim. Nhà thầu: Công ty Hưng Thịnh."


def test_a_year_the_title_does_not_cover_is_a_mismatch() -> None:
    assert mismatch("dự toán ngân sách năm 2027", "Dự toán ngân sách năm 2026", [], TODAY).years == ("2027",)
    assert not mismatch("dự toán ngân sách năm 2026", "Dự toán ngân sách năm 2026", [], TODAY)


def test_years_said_in_words_and_spans_count() -> None:
    assert mismatch("kế hoạch năm sau", "Kế hoạch năm 2026", [], TODAY).years == ("2027",)
    assert not mismatch("kế hoạch năm 2023", "Kế hoạch giai đoạn 2021-2025", [], TODAY)
    assert not mismatch("lịch tiếp dân năm 2026", "Lịch tiếp công dân", ["Thứ Năm hằng tuần"], TODAY)


def test_another_named_thing_is_a_mismatch_a_typo_is_not() -> None:
    assert mismatch("cầu Khe Nước làm xong chưa", "Cầu Bến Đá", [BRIDGE], TODAY).names == ("khe nuoc",)
    assert not mismatch("Cầu Bến Đá làm xong chưa", "Cầu Bến Đá", [BRIDGE], TODAY)
    assert not mismatch("cầu Bến Đa thôn Khe Lym làm xong chưa", "Cầu Bến Đá", [BRIDGE], TODAY)


def test_the_commune_itself_and_acronyms_are_not_distinctive_names() -> None:
    own = ["Xã Tân Lập", "Phú Thọ"]
    assert not mismatch("UBND Xã Tân Lập làm cầu Bến Đá chưa", "Cầu Bến Đá", [BRIDGE], TODAY, own)


def test_a_name_typed_with_marks_is_not_two_edits_away() -> None:
    notice = "Ban Thanh tra nhân dân giám sát đường bê tông ấp Rạch Sậy."
    assert mismatch("Đường bê tông ấp Tân Thạnh làm tới đâu", "Đường ấp Rạch Sậy", [notice], TODAY).names == (
        "tan thanh",
    )
    assert not mismatch("đường bê tông ấp Rach Say làm tới đâu", "Đường ấp Rạch Sậy", [notice], TODAY)
    assert not mismatch("đường bê tông ấp Rạch Sạy làm tới đâu", "Đường ấp Rạch Sậy", [notice], TODAY)


def test_a_later_phase_than_the_document_names_is_a_mismatch() -> None:
    compensation = "Phương án bồi thường đường liên thôn Khe Lim: đất lúa 85.000 đồng/m²."
    assert mismatch("bồi thường đường Khe Lim giai đoạn 2", "Bồi thường", [compensation], TODAY).phases == (
        2,
    )
    assert mismatch("boi thuong duong Khe Lim gd II", "Bồi thường", [compensation], TODAY).phases == (2,)
    dues = "Mỗi hộ 2.000.000 đồng, nộp 2 đợt: đợt 1 trước 30/4, đợt 2 trước 31/7."
    assert not mismatch("nộp tiền làm đường đợt 2 hạn khi nào", "Đóng góp làm đường", [dues], TODAY)
    assert not mismatch("kế hoạch giai đoạn 2021-2025", "Kế hoạch giai đoạn 2021–2025", [], TODAY)


def test_the_tone_mark_may_sit_on_either_vowel() -> None:
    notice = "Công trình kè chống sạt lở thôn Hoà Thuỷ."
    assert not mismatch("kè thôn Hòa Thủy làm xong chưa", "Kè thôn Hoà Thuỷ", [notice], TODAY)
