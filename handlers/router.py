"""An ordered table of (filter, handler); the first match wins, the catch-all comes last."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from domain.messages import Incoming
from handlers import ask, flows, menu, officials, petitions, privacy, relay, schedule, subscriptions, tracking
from handlers.identity import show_id
from handlers.services import Handler

Filter = Callable[[Incoming], bool]


@dataclass(frozen=True)
class Route:
    matches: Filter
    handler: Handler


@dataclass(frozen=True)
class Command:
    """Matches "/name ..." for any of the names (which tests enumerate, e.g. every official command)."""

    names: frozenset[str]

    def __call__(self, msg: Incoming) -> bool:
        return msg.command is not None and msg.command[0] in self.names


@dataclass(frozen=True)
class ButtonPrefix:
    """Matches a pressed button whose data starts with the prefix."""

    prefix: str

    def __call__(self, msg: Incoming) -> bool:
        return msg.button is not None and msg.button.startswith(self.prefix)


def command(*names: str) -> Filter:
    """Matches "/name ..." for any of the names."""
    return Command(frozenset(names))


def button(prefix: str) -> Filter:
    """Matches a pressed button whose data starts with the prefix."""
    return ButtonPrefix(prefix)


def has_content(msg: Incoming) -> bool:
    """Text or attachments (flows.dispatch decides whether it is for the bot)."""
    return bool(msg.text.strip()) or bool(msg.attachments)


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
        Route(command("gui"), petitions.start),
        Route(button("gui:new"), petitions.start),
        Route(button("cmd:cuatoi"), tracking.mine),
        Route(button("gui:fromq"), petitions.start),
        Route(petitions.in_flow_button, petitions.step),
        Route(command("tracuu"), tracking.lookup),
        Route(command("cuatoi"), tracking.mine),
        Route(command("danhgia"), tracking.rate),
        Route(button("rate:"), tracking.rate),
        Route(button("op:"), officials.button),
        Route(command("traloi"), officials.traloi),
        Route(command("ghichu"), officials.note),
        Route(command("giao"), officials.assign),
        Route(command("xem"), officials.identity),
        Route(button(relay.PREFIX), relay.pressed),
        Route(command("baidang"), relay.status),
        Route(command("dangky"), subscriptions.start),
        Route(command("huydangky"), subscriptions.stop),
        Route(button(subscriptions.PREFIX), subscriptions.choose),
        Route(command("id"), show_id),
        Route(command("dulieu"), privacy.show),
        Route(command("xoadulieu"), privacy.ask_erase),
        Route(button(privacy.CONFIRM), privacy.erase),
        Route(lambda msg: msg.command is not None, menu.unknown_command),
        Route(has_content, flows.dispatch),
    )


def pick(table: tuple[Route, ...], msg: Incoming) -> Handler | None:
    """The first handler whose filter matches, or None (e.g. a sticker in a group)."""
    for route in table:
        if route.matches(msg):
            return route.handler
    return None
