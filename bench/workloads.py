"""What the throughput bench sends: residents' questions, or commands and button presses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.fakes.telegram import FakeTelegram

WORKLOADS = ("questions", "commands")
PRESS = "press:"
# What a resident taps through: the menu, the meeting calendar typed and pressed, the help button.
COMMANDS = ("/start", "/lich", PRESS + "cmd:lich", PRESS + "cmd:help", "/help", PRESS + "cmd:menu")


def make_update(
    fake: FakeTelegram, workload: str, chat: int, index: int, questions: list[str]
) -> dict[str, Any]:
    """The index-th update of the workload, from a private chat."""
    if workload == "questions":
        return fake.make_text_update(chat, questions[index % len(questions)])
    step = COMMANDS[index % len(COMMANDS)]
    if step.startswith(PRESS):
        return fake.make_callback_update(chat, chat, step.removeprefix(PRESS))
    return fake.make_text_update(chat, step)


def reply_text(update: dict[str, Any]) -> tuple[int, str]:
    """(chat id, text) that a bare echo answers to an update: a message's text or a button's data."""
    if "callback_query" in update:
        query = update["callback_query"]
        return int(query["message"]["chat"]["id"]), str(query["data"])
    message = update["message"]
    return int(message["chat"]["id"]), str(message["text"])
