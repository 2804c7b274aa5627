"""An ordered table of (filter, handler); the first match wins, the catch-all comes last."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from handlers import ask, menu, schedule
from handlers.messages import Incoming
from handlers.services import Handler

Filter = Callable[[Incoming], bool]


@dataclass(frozen=True)
class Route:
    matches: Filter
    handler: Handler


def command(*names: str) -> Filter:
    """Matches "/name ..." for any of the names."""
    wanted = frozenset(names)
    return lambda msg: msg.command is not None and msg.command[0] in wanted


def button(prefix: str) -> Filter:
    """Matches a pressed button whose data starts with the prefix."""
    return lambda msg: msg.button is not None and msg.button.startswith(prefix)


def private_text(msg: Incoming) -> bool:
    """Plain text in a one-to-one chat; in village groups only commands are for the bot."""
    return msg.chat_type == "private" and bool(msg.text.strip())


def routes() -> tuple[Route, ...]:
    """The routing table; built by a function so nothing registers at import time."""
    return (
        Route(command("huy", "cancel"), menu.cancel),
        Route(command("start", "menu"), menu.start),
        Route(command("help", "trogiup"), menu.help_),
        Route(command("lich"), schedule.upcoming_events),
        Route(button("cmd:lich"), schedule.upcoming_events),
        Route(button("cmd:help"), menu.help_),
        Route(button("cmd:menu"), menu.start),
        Route(button("cats"), menu.categories),
        Route(button("cat:"), menu.category),
        Route(button("doc:"), ask.show_document),
        Route(button("more:"), ask.more),
        Route(command("hoi"), ask.answer),
        Route(lambda msg: msg.command is not None, menu.unknown_command),
        Route(private_text, ask.answer),
    )


def pick(table: tuple[Route, ...], msg: Incoming) -> Handler | None:
    """The first handler whose filter matches, or None (e.g. a sticker in a group)."""
    for route in table:
        if route.matches(msg):
            return route.handler
    return None
