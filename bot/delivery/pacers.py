"""The channels' short sending windows, kept in memory by the outbox worker.

A channel's `Budget` says what it may send. The worker keeps the long windows (Telegram: 20 a
minute per group) by claiming only what fits (`claims.within_windows`, from the `sent_at` of
earlier rows); the short ones (30 a second per bot, one a second per private chat) are kept here,
by in-memory grids whose waits stay under a second, inside the task of the chat concerned.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from bot.delivery.claims import ChatKey
from channels.contract import Budget, Rate, Sender
from channels.pacing import Pacer, WindowPacer

SHORT_WINDOW = 2.0  # per-chat limits over at most this many seconds are paced in memory


class Outlet(Sender, Protocol):
    """What delivery needs of a channel (every `channels.contract.Channel` is one)."""

    @property
    def budget(self) -> Budget: ...

    def is_group(self, chat_id: str) -> bool: ...


class Pacers:
    """Each channel's bot-wide window and its per-chat short windows (group and private)."""

    def __init__(self, channels: Mapping[str, Outlet], monotonic: Callable[[], float]) -> None:
        self._channels = channels
        self.bot: dict[str, WindowPacer] = {}  # channel -> its bot-wide window
        self._chat: dict[tuple[str, bool], Pacer] = {}  # (channel, is a group) -> one chat's
        for name, channel in channels.items():
            budget = channel.budget
            if budget.per_bot is not None:
                self.bot[name] = WindowPacer(budget.per_bot.count, budget.per_bot.seconds, monotonic)
            for group in (True, False):
                rate = budget.for_chat(group)
                if rate is not None and rate.seconds <= SHORT_WINDOW:
                    self._chat[(name, group)] = Pacer(1 / rate.interval, monotonic)

    def chat(self, key: ChatKey) -> Pacer | None:
        """The pacer of the chat's short window (None: the chat has none, or its channel is gone)."""
        channel = self._channels.get(key[0])
        return None if channel is None else self._chat.get((key[0], channel.is_group(key[1])))

    def scheduled_rate(self, key: ChatKey) -> Rate | None:
        """The chat's limit when it spans more than a short window (kept by scheduling)."""
        channel = self._channels[key[0]]
        rate = channel.budget.for_chat(channel.is_group(key[1]))
        return rate if rate is not None and rate.seconds > SHORT_WINDOW else None

    def slots(
        self, key: ChatKey, urgent: bool
    ) -> tuple[AbstractAsyncContextManager[None], AbstractAsyncContextManager[None]]:
        """The chat's slot and the bot's, to hold while one message is sent; `urgent`: an answer
        a person waits for, which takes the bot-wide budget before posts waiting for it."""
        chat_pacer = self.chat(key)
        per_chat: AbstractAsyncContextManager[None] = (
            chat_pacer.slot(key[1]) if chat_pacer is not None else contextlib.nullcontext()
        )
        bot_pacer = self.bot.get(key[0])
        per_bot = bot_pacer.slot(urgent) if bot_pacer is not None else contextlib.nullcontext()
        return per_chat, per_bot
