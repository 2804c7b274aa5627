"""What every channel adapter provides, and what the rest of the bot may know about a channel.

The app, the web server, delivery, the scheduler and the handlers know a channel only by its
name, its `Capabilities` and its `Budget`; nothing outside a channel's own package names it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from domain.messages import Incoming

if TYPE_CHECKING:
    from bot.config import Settings
    from storage.store import Store

# --- what a channel can show ----------------------------------------------------------------------


@dataclass(frozen=True)
class Capabilities:
    """What a messenger can show; handlers' replies are rendered to fit.

    `buttons`: choices under a message can be pressed (else they are rendered as numbered lines
    and answered by typing the number or a word of the label). `max_text`: the longest text of one
    message (longer texts are split on paragraphs). `formatting`: "plain" or "markdown".
    `group_send`: the bot can post in a group chat. `photos`: it can send photos it received.
    `takes_photos`, `takes_location`: a person can send the bot a photo, share a location (the
    petition flow asks for neither where the messenger offers no way to send it). `label`: how
    people call the messenger. `secret_ids`: a person's id is the secret that opens their chat (a
    browser session), never repeated in a message.
    """

    buttons: bool
    max_text: int
    formatting: str = "plain"
    group_send: bool = True
    photos: bool = True
    takes_photos: bool = True
    takes_location: bool = True
    label: str = ""
    secret_ids: bool = False


# --- how fast a channel may send ------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """At most `count` messages in any `seconds` window."""

    count: int
    seconds: float

    @property
    def interval(self) -> float:
        return self.seconds / self.count if self.count > 0 else 0.0


@dataclass(frozen=True)
class Budget:
    """A channel's sending limits, as data: delivery schedules around them instead of sleeping.

    `per_bot` counts every message the bot sends; `per_group` and `per_private` each chat of
    that kind. None lifts a limit.
    """

    per_bot: Rate | None = None
    per_group: Rate | None = None
    per_private: Rate | None = None

    def for_chat(self, group: bool) -> Rate | None:
        return self.per_group if group else self.per_private


UNLIMITED = Budget()

# --- the outcome of one send ----------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    external_id: str | None = None


@dataclass(frozen=True)
class Retry:
    after: float | None  # None: back off by the attempt count
    error: str


@dataclass(frozen=True)
class Failed:
    error: str


SendResult = Sent | Retry | Failed

# --- the adapter ----------------------------------------------------------------------------------

RouteHandler = Callable[[Any], Awaitable[Any]]  # an aiohttp handler (web.Request -> web.Response)


@dataclass(frozen=True)
class WebRoute:
    """A route a channel serves on the bot's web server (a webhook, the web chat's endpoints)."""

    method: str
    path: str
    handler: RouteHandler


class Sender(Protocol):
    """A channel's way of delivering one stored message."""

    async def send(self, chat_id: str, payload: dict[str, Any]) -> SendResult: ...


class Channel(Sender, Protocol):
    """One messenger behind one contract; registered in channels/registry.py."""

    name: str
    capabilities: Capabilities
    budget: Budget

    def parse(self, payload: dict[str, Any]) -> Incoming | None:
        """A stored raw update -> the neutral message (None for kinds the bot ignores)."""
        ...

    def is_group(self, chat_id: str) -> bool:
        """Whether a chat id names a group chat (for pacing and group posting)."""
        ...

    def web_routes(self) -> list[WebRoute]:
        """Routes this channel needs on the web server (empty when it polls)."""
        ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class Inbox(Protocol):
    """What a channel hands its updates to (bot/pipeline.py): persist first, then handle."""

    async def accept(
        self, channel: str, key: str, payload: dict[str, Any], sender: str | None = None
    ) -> int | None: ...

    def process_later(self, inbound_id: int, channel: str, payload: dict[str, Any]) -> None: ...

    async def process(self, inbound_id: int, channel: str, payload: dict[str, Any]) -> Any: ...


@dataclass(frozen=True)
class ChannelSpec:
    """How the app learns of a channel: its name, what it can show, when it runs, how it is built."""

    name: str
    capabilities: Capabilities
    enabled: Callable[[Settings], bool]
    build: Callable[[Settings, Inbox, Store], Channel]
    # whether it posts in groups, where a setting decides (Zalo's groups open to bots later)
    posts_in_groups: Callable[[Settings], bool] | None = None
    # the data file's group `reach` kind this channel serves for groups of another channel
    serves_reach: str | None = None

    def group_send(self, settings: Settings) -> bool:
        return self.posts_in_groups(settings) if self.posts_in_groups else self.capabilities.group_send
