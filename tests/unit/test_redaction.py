"""domain.redaction: names and self-introductions go, ordinary words stay."""

from __future__ import annotations

import unicodedata

import pytest

from domain.redaction import fold, redact

NAME = "Nguyễn Văn Tèo"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tôi là Nguyễn Văn Tèo, tố cáo cán bộ.", "Tôi là [tên], tố cáo cán bộ."),
        ("Tôi tên Lê Thị Mai ở thôn Gò Dưa", "Tôi tên [tên] ở thôn Gò Dưa"),
        ("Tên tôi là Hà Văn Nam.", "Tên tôi là [tên]."),
        ("Mình là Hoàng Anh nè", "Mình là [tên] nè"),
        ("Em tên là Bùi Thu", "Em tên là [tên]"),
        ("Tôi là bà Phạm Thị Hoa, nhà bị nứt", "Tôi là bà [tên], nhà bị nứt"),
        ("Tôi, Trần Văn Bảy, trú tại thôn 2", "Tôi, [tên], trú tại thôn 2"),
        ("Người tố cáo: Trần Văn Bảy\nNội dung: thu tiền", "Người tố cáo: [tên]\nNội dung: thu tiền"),
        ("Người viết: Đỗ Thị Lan", "Người viết: [tên]"),
        ("Họ và tên: nguyễn văn a; thôn 2", "Họ và tên: [tên]; thôn 2"),
        ("Ho ten: nguyen van a", "Ho ten: [tên]"),
        ("Tên người tố cáo: Lý Văn Sáu.", "Tên người tố cáo: [tên]."),
        ("Đinh Công Lực (ĐT: 0912345678) tố cáo", "[tên] (ĐT: [số điện thoại]) tố cáo"),
        ("Liên hệ Mai Văn Lộc - SĐT 0912345678", "Liên hệ [tên] - SĐT [số điện thoại]"),
        ("toi la teo o thon 3, bao can bo", "toi la [tên] o thon 3, bao can bo"),
        ("toi la dang van a", "toi la [tên]"),
        ("minh ten hung, sdt 0912345678", "minh ten [tên], sdt [số điện thoại]"),
        ("gap anh teo (dt 0912345678)", "gap anh [tên] (dt [số điện thoại])"),
    ],
)
def test_self_introductions_are_hidden(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "tôi là người dân thôn Gò Dưa, phản ánh việc đổ rác",
        "Tôi là Trưởng thôn Khe Mát",
        "tôi là nông dân, ruộng bị ngập",
        "toi la nguoi dan thon go dua",
        "toi la ba con o xom 2",
        "Chúng tôi, nhân dân thôn 3, kiến nghị làm đường",
        "Tên đường: Lê Lợi",
        "Cống thoát nước trước nhà văn hóa bị tắc",
        "goi cho toi sdt",
        "Tôi là cán bộ hưu trí",
    ],
)
def test_ordinary_words_stay(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "Nguyễn Văn Tèo báo cán bộ thu tiền",
        "nguyen van teo bao can bo thu tien",
        "NGUYỄN VĂN TÈO ký",
        "NGUYEN VAN TEO ky",
        "anh Văn Tèo hỏi mãi",
        "Tèo đã gửi đơn hai lần",
        "ông Teo nói",
    ],
)
def test_the_filers_own_name_goes_in_any_case_and_without_diacritics(text: str) -> None:
    shown = redact(text, [NAME])
    assert "[tên]" in shown
    assert "teo" not in fold(shown), shown


def test_the_given_name_alone_goes_only_when_written_as_a_name() -> None:
    assert (
        redact("Ruộng hoa màu bị phá, Hoa đã báo", ["Phạm Thị Hoa"]) == "Ruộng hoa màu bị phá, [tên] đã báo"
    )


def test_decomposed_unicode_is_matched_too() -> None:
    decomposed = unicodedata.normalize("NFD", "Tôi là Nguyễn Văn Tèo, thôn 2")
    assert redact(decomposed) == "Tôi là [tên], thôn 2"
    assert redact(unicodedata.normalize("NFD", "tèo ở đây, Nguyễn Văn Tèo"), [NAME]) == "tèo ở đây, [tên]"


def test_phones_emails_and_id_numbers_still_go() -> None:
    shown = redact("Gọi 0912 345 678 hoặc +84912345678, mail teo@gmail.com, CCCD 001203004005")
    assert shown == "Gọi [số điện thoại] hoặc [số điện thoại], mail [email], CCCD [số giấy tờ]"


def test_empty_and_blank_names_change_nothing() -> None:
    text = "Cống thoát nước bị tắc"
    assert redact(text, ["", "  "]) == text
    assert redact("", [NAME]) == ""


def test_fold_keeps_length() -> None:
    text = "Đường Tèo ĐẶNG ưỡn"
    assert fold(text) == "duong teo dang uon" and len(fold(text)) == len(text)
