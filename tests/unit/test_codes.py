"""Tracking codes as residents type them, and ordinary words that must not pass for one."""

from __future__ import annotations

import pytest

from qa.codes import find_codes, malformed_code


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("PA-7K3M9Q", ["PA-7K3M9Q"]),
        ("pa-7k3m9q", ["PA-7K3M9Q"]),
        (" kn-23abcd. ", ["KN-23ABCD"]),
        ("tra cứu PA-7K3M9Q", ["PA-7K3M9Q"]),
        ("tra cuu pa-7k3m9q", ["PA-7K3M9Q"]),
        ("Tra cứu hồ sơ mã TC-ABC234", ["TC-ABC234"]),
        ("ma ho so cua toi la pacpapcm", ["PA-CPAPCM"]),  # words saying a code follows, then one
        ("hồ sơ của em mã là kn 23abcd", ["KN-23ABCD"]),
        ("pa 7k3m9q", ["PA-7K3M9Q"]),
        ("pa ug 8342", ["PA-UG8342"]),  # alone, however it is spaced
        ("PA-LATE01", ["PA-LATE01"]),  # alone, any six letters and digits (as stored)
        ("hồ sơ PA UG8342 tôi sao rồi", ["PA-UG8342"]),
        ("hồ sơ pa-ug8342 của tôi đến đâu rồi ạ", ["PA-UG8342"]),
        ("PA-UG 8342 xử lý chưa", ["PA-UG8342"]),
        ("cho hỏi PA UG 8342 sao rồi", ["PA-UG8342"]),
        ("PA-7K3M9Q bao giờ xong", ["PA-7K3M9Q"]),
        ("paug8342 sao roi", ["PA-UG8342"]),
        ("hồ sơ PA–UGHKMN và kn-23abcd thế nào", ["PA-UGHKMN", "KN-23ABCD"]),
    ],
)
def test_a_code_is_read_however_it_is_typed(text: str, codes: list[str]) -> None:
    assert find_codes(text) == codes


@pytest.mark.parametrize(
    "text",
    [
        "xin chào",
        "tôi kh 2 thang chưa nhận tiền",  # "kh" is "không"
        "kh có ai trả lời à",
        "cho hỏi pa ug 8342 sao rồi",  # split, lowercase, no dash: too like words
        "Kế hoạch số 45/KH-UBND của xã",
        "mật khẩu pass1234 là gì",
        "PA-2026-0001",
        "hồ sơ PA-UG834 sao rồi",
        "Nghị định 59/2023/NĐ-CP",
        "lịch tiếp công dân tháng 12",
    ],
)
def test_ordinary_words_are_not_codes(text: str) -> None:
    assert find_codes(text) == []


@pytest.mark.parametrize(
    ("text", "typed"),
    [
        ("PA-2026-0001", "PA-2026-0001"),
        ("hồ sơ PA-UG834 sao rồi", "PA-UG834"),
        ("tra cứu 12345", "12345"),
        ("tra cứu hồ sơ mã 2026-0001", "2026-0001"),
    ],
)
def test_a_string_typed_as_a_code_that_cannot_be_one_is_named(text: str, typed: str) -> None:
    assert find_codes(text) == [] and malformed_code(text) == typed


@pytest.mark.parametrize(
    "text",
    ["Kế hoạch số 45/KH-UBND của xã", "tra cứu thủ tục khai sinh", "lịch họp năm 2026", "KH-UBND"],
)
def test_questions_with_numbers_are_not_malformed_codes(text: str) -> None:
    assert malformed_code(text) is None
