"""Choices without buttons: numbered lines out, typed numbers and words back to the button's data."""

from __future__ import annotations

import pytest

from domain.choices import HINT, choices, render, render_payload, resolve
from domain.messages import Button, Reply

YES_NO = ((Button("Có, tôi đồng ý", "gui:yes"), Button("Không", "gui:no")),)
VILLAGES = [("Thôn Tân Sơn", "v0"), ("Thôn Khe Mát", "v1"), ("Thôn Đồng Bằng", "v2"), ("Bỏ qua", "skip")]
PRIVACY = [("Xóa dữ liệu của tôi", "privacy:erase"), ("Không xóa", "cmd:menu")]


def test_buttons_become_numbered_lines_row_by_row_with_a_hint() -> None:
    rows = (
        (Button("✅ Thụ lý", "op:accept:X"), Button("🙋 Tôi nhận xử lý", "op:take:X")),
        (Button("🏁 Đã giải quyết", "op:resolve:X"),),
    )
    assert render("Hồ sơ mới PA-X", rows) == (
        f"Hồ sơ mới PA-X\n\n1. ✅ Thụ lý\n2. 🙋 Tôi nhận xử lý\n3. 🏁 Đã giải quyết\n{HINT}"
    )
    assert HINT == "Xin nhắn số để chọn."


def test_a_reply_without_buttons_is_left_alone() -> None:
    assert render("Xin chào", ()) == "Xin chào"
    payload = Reply("Xin chào").payload()
    assert render_payload(payload) == payload


def test_stored_payload_renders_like_the_reply_and_loses_its_buttons() -> None:
    reply = Reply("Bà con đồng ý không?", buttons=YES_NO, meta={"x": 1})
    rendered = render_payload(reply.payload())
    assert rendered == {"text": render(reply.text, reply.buttons), "meta": {"x": 1}}
    assert rendered["text"].endswith(f"1. Có, tôi đồng ý\n2. Không\n{HINT}")
    expected = [("Có, tôi đồng ý", "gui:yes"), ("Không", "gui:no")]
    assert choices(reply.payload()["buttons"]) == choices(YES_NO) == expected


def test_a_text_that_already_numbers_its_choices_only_gets_the_hint() -> None:
    text = "Việc này ở thôn nào?\n1. Thôn Tân Sơn\n2. Thôn Khe Mát\n3. Thôn Đồng Bằng\n4. Bỏ qua"
    rows = tuple((Button(label, data),) for label, data in VILLAGES)
    assert render(text, rows) == f"{text}\n{HINT}"


@pytest.mark.parametrize(
    ("typed", "data"),
    [
        ("1", "v0"),
        (" 3 ", "v2"),
        ("2.", "v1"),
        ("4", "skip"),
        ("0", None),  # out of range: a new message
        ("5", None),
        ("12", None),
    ],
)
def test_a_number_in_range_answers(typed: str, data: str | None) -> None:
    assert resolve(typed, VILLAGES) == data


@pytest.mark.parametrize(
    ("typed", "options", "data"),
    [
        ("co", choices(YES_NO), "gui:yes"),  # a word of the label, marks left out
        ("có", choices(YES_NO), "gui:yes"),
        ("Có", choices(YES_NO), "gui:yes"),
        ("KHONG", choices(YES_NO), "gui:no"),
        ("đồng ý", choices(YES_NO), "gui:yes"),  # words side by side inside the label
        ("dong y", choices(YES_NO), "gui:yes"),
        ("tan son", VILLAGES, "v0"),
        ("Thôn Khe Mát", VILLAGES, "v1"),
        ("bo qua", VILLAGES, "skip"),
        ("không", PRIVACY, "cmd:menu"),
        ("lich", [("📅 Lịch tiếp dân, lịch họp", "cmd:lich"), ("❓ Hướng dẫn", "cmd:help")], "cmd:lich"),
    ],
)
def test_a_word_of_exactly_one_label_answers(typed: str, options: list[tuple[str, str]], data: str) -> None:
    assert resolve(typed, options) == data


def test_a_whole_label_wins_over_a_label_that_contains_it() -> None:
    options = [("Không", "no"), ("Không xóa", "keep")]
    assert resolve("khong", options) == "no"
    assert resolve("khong xoa", options) == "keep"


@pytest.mark.parametrize(
    ("typed", "options"),
    [
        ("thôn", VILLAGES),  # in three labels
        ("xóa", PRIVACY),  # in both
        ("tôi đồng", [("Có, tôi đồng ý", "yes"), ("Tôi đồng ý một phần", "part")]),
        ("son tan", VILLAGES),  # not side by side in the label's order
        ("tân sơn ở đâu", VILLAGES),  # more than the label says
        ("dường", VILLAGES),  # no label has it
        ("🙂", VILLAGES),  # no words
        ("y", choices(YES_NO)),  # one letter is too little to choose by
    ],
)
def test_otherwise_the_text_is_a_new_message(typed: str, options: list[tuple[str, str]]) -> None:
    assert resolve(typed, options) is None


@pytest.mark.parametrize(
    "typed",
    ["/huy", "/start 1", "1\n2", "Có\nvà thêm ý này", "có " * 40, "", "   "],
    ids=["command", "command-arg", "two-lines", "multi-line", "long", "empty", "blank"],
)
def test_commands_and_multi_line_or_long_texts_are_never_choices(typed: str) -> None:
    assert resolve(typed, choices(YES_NO)) is None


def test_star_buttons_are_chosen_by_number_only() -> None:
    stars = [("⭐" * n, f"rate:PA-X:{n}") for n in range(1, 6)]
    assert resolve("4", stars) == "rate:PA-X:4"
    assert resolve("⭐⭐", stars) is None


def test_no_choices_nothing_to_answer() -> None:
    assert resolve("1", []) is None


@pytest.mark.parametrize("typed", ["có", "co", "ừ", "u", "ok", "Ok", "đồng ý", "vâng", "dạ"])
def test_yes_words_answer_the_yes_choice(typed: str) -> None:
    options = [("Có, tôi đồng ý", "consent:yes"), ("Không", "consent:no")]
    assert resolve(typed, options) == "consent:yes"


@pytest.mark.parametrize("typed", ["không", "khong", "ko", "k", "KO", "hông"])
def test_no_words_answer_the_no_choice(typed: str) -> None:
    options = [("Có, tôi đồng ý", "consent:yes"), ("Không", "consent:no")]
    assert resolve(typed, options) == "consent:no"


def test_a_yes_word_chooses_nothing_where_no_choice_starts_with_co() -> None:
    assert resolve("ok", [("Xong", "done"), ("Bỏ qua", "skip")]) is None
