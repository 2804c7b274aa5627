"""Telegram's flood limits, applied by python-telegram-bot right before each request.

AIORateLimiter keeps its per-group limit (20 a minute) and its 429 handling; the bot-wide limit
(about 30 a second, spread on a grid) and the private-chat limit (1 a second) come from
channels/pacing.py. Pacing at the last moment keeps the gaps Telegram sees close to the planned ones.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Coroutine
from contextlib import AbstractAsyncContextManager
from typing import Any

from telegram._utils.types import JSONDict
from telegram.ext import AIORateLimiter

from channels.pacing import Pacer, WindowPacer

Callback = Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]]


class TelegramRateLimiter(AIORateLimiter):
    """Per-second cap bot-wide (0 lifts it), per-minute cap per group, per-second cap per private chat."""

    def __init__(self, per_second: float, group_per_minute: float, private_per_second: float) -> None:
        super().__init__(overall_max_rate=0, group_max_rate=group_per_minute, max_retries=1)
        limit = math.ceil(per_second)
        self._overall = WindowPacer(limit, limit / per_second if per_second else 0)
        self._private = Pacer(private_per_second)

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        chat_id = data.get("chat_id")
        if chat_id is None:  # getUpdates, answerCallbackQuery, setWebhook: not messages
            return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
        private = False
        with contextlib.suppress(ValueError, TypeError):
            private = int(chat_id) > 0

        async def paced(*call_args: Any, **call_kwargs: Any) -> bool | JSONDict | list[JSONDict]:
            per_chat: AbstractAsyncContextManager[None] = (
                self._private.slot(str(chat_id)) if private else contextlib.nullcontext()
            )
            async with per_chat, self._overall.slot():
                return await callback(*call_args, **call_kwargs)

        return await super().process_request(paced, args, kwargs, endpoint, data, rate_limit_args)
