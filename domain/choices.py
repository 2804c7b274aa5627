"""Choices without buttons: a reply's buttons as numbered lines, and typed answers back to button data.

Where a messenger has no buttons (Zalo), every reply's buttons are shown as "1. label" lines, and
the person answers by typing the number or a word of a label, with or without Vietnamese marks.
Only the choices of the bot's last message in a chat are live; the pipeline finds that message
and asks :func:`resolve` what a typed text chose.

Buttons are given either as `Button` rows (a `Reply`) or as the stored payload's
`[[label, data], ...]` rows: :func:`choices` reads both.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from domain.messages import Button
from qa.vntext import folded_syllables

# said to residents and officials alike (an official on Zalo is no "bà con")
HINT = "Xin nhắn số để chọn."
# Reply.meta key: the reply's choices may be answered by typing even where buttons show
# (the petition flow lists its choices in its text and always took typed numbers and labels).
TYPED = "typed_choices"
MAX_TYPED = 80  # longer texts are messages, never a choice


def choices(buttons: Iterable[Iterable[Button | Sequence[str]]] | None) -> list[tuple[str, str]]:
    """(label, data) of every button, row by row, left to right: choice n is the n-th of them."""
    out: list[tuple[str, str]] = []
    for row in buttons or ():
        for button in row:
            if isinstance(button, Button):
                out.append((button.label, button.data))
            elif len(button) >= 2:
                out.append((str(button[0]), str(button[1])))
    return out


def listed(text: str, options: Sequence[tuple[str, str]]) -> bool:
    """Whether the text already lists every choice as "n. label" at the start of a line."""
    lines = [line.strip() for line in text.splitlines()]
    return all(
        any(line.startswith(f"{n}. {label}") for line in lines)
        for n, (label, _) in enumerate(options, start=1)
    )


def render(text: str, buttons: Iterable[Iterable[Button | Sequence[str]]] | None) -> str:
    """The text with its choices as numbered lines and a hint (the text alone when there are none).

    A text that already numbers its choices (the petition flow's prompts) gets only the hint.
    """
    options = choices(buttons)
    if not options:
        return text
    body = text.rstrip()
    if listed(body, options):
        return f"{body}\n{HINT}"
    lines = "\n".join(f"{n}. {label}" for n, (label, _) in enumerate(options, start=1))
    return f"{body}\n\n{lines}\n{HINT}" if body else f"{lines}\n{HINT}"


def render_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """A stored payload for a channel without buttons: the choices moved into the text."""
    if not payload.get("buttons"):
        return payload
    rendered = {k: v for k, v in payload.items() if k != "buttons"}
    rendered["text"] = render(str(payload.get("text", "")), payload["buttons"])
    return rendered


def may_choose(text: str) -> bool:
    """Whether a typed text can be an answer at all: one short line, not a command."""
    typed = text.strip()
    return bool(typed) and "\n" not in typed and len(typed) <= MAX_TYPED and not typed.startswith("/")


def resolve(text: str, options: Sequence[tuple[str, str]]) -> str | None:
    """The data of the choice a typed text answers, or None when it is a new message.

    A number answers when it is in range (a number out of range is a message). Otherwise the
    folded words of the text must be a label's words, or a run of whole words inside one label
    ("co" answers "Có, tôi đồng ý"; "tan son" answers "Thôn Tân Sơn"), and only one label may
    match: a whole label first, else a run of words (a word shared by two labels chooses nothing).
    """
    if not options or not may_choose(text):
        return None
    typed = text.strip().rstrip(".)")
    if typed.isascii() and typed.isdigit():
        number = int(typed)
        return options[number - 1][1] if 1 <= number <= len(options) else None
    words = folded_syllables(typed)
    labels = [(folded_syllables(label), data) for label, data in options]
    answer = _yes_or_no(words, labels)
    if answer is not None:
        return answer
    if not words or sum(len(w) for w in words) < 2:
        return None
    whole = {data for label, data in labels if label == words}
    if whole:
        return whole.pop() if len(whole) == 1 else None
    runs = {data for label, data in labels if _contains_run(label, words)}
    return runs.pop() if len(runs) == 1 else None


# How people say yes or no in a chat (folded): "ừ", "ok", "đồng ý" / "ko", "k", "hông"...
YES_WORDS = frozenset(
    {"co", "u", "uh", "um", "ok", "oke", "okie", "dong y", "vang", "da", "yes", "co a", "da co"}
)
NO_WORDS = frozenset({"khong", "ko", "k", "kg", "khg", "hong", "no", "khong a", "thoi khong"})


def _yes_or_no(words: list[str], labels: list[tuple[list[str], str]]) -> str | None:
    """A yes/no word answers the one choice that starts with "Có" (or "Không"), if exactly one does."""
    said = " ".join(words)
    lead = "co" if said in YES_WORDS else "khong" if said in NO_WORDS else None
    if lead is None:
        return None
    starting = [data for label, data in labels if label[:1] == [lead]]
    return starting[0] if len(starting) == 1 else None


def _contains_run(label: list[str], words: list[str]) -> bool:
    """Whether `words` appear in `label` side by side, as whole words."""
    size = len(words)
    return any(label[i : i + size] == words for i in range(len(label) - size + 1))
