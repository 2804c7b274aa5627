"""Telegram adapter on python-telegram-bot: polling or webhook in, outbox sends out."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from telegram import Bot, InputMediaPhoto, ReplyParameters, Update
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.request import HTTPXRequest

from bot.config import Settings
from channels.contract import (
    Budget,
    Capabilities,
    ChannelSpec,
    Failed,
    Inbox,
    Retry,
    SendResult,
    Sent,
    WebRoute,
)
from channels.pacing import rate_of
from channels.telegram_webhook import WEBHOOK_PATH, webhook_handler
from channels.telegram_wire import ALLOWED_UPDATES, CHANNEL, keyboard, sender_of, split_text, to_incoming
from domain.messages import Incoming

log = logging.getLogger(__name__)

CAPABILITIES = Capabilities(
    buttons=True, max_text=4096, formatting="plain", group_send=True, photos=True, label="Telegram"
)


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _outcome(exc: TelegramError) -> SendResult:
    """What a failed send means for the outbox: wait as told (429), give up (refused), or back off."""
    if isinstance(exc, RetryAfter):
        seconds = _seconds(exc.retry_after)
        return Retry(seconds, f"429: retry after {seconds:.0f} s")
    if isinstance(exc, Forbidden | BadRequest):
        return Failed(f"{type(exc).__name__}: {exc}")
    return Retry(None, f"{type(exc).__name__}: {exc}")


class TelegramChannel:
    """Owns the PTB bot: receives updates (polling task or webhook), sends outbox messages."""

    name = CHANNEL
    capabilities = CAPABILITIES

    def __init__(self, settings: Settings, pipeline: Inbox) -> None:
        self._settings = settings
        self._pipeline = pipeline
        base = settings.TELEGRAM_API_BASE_URL
        # Telegram's flood limits, as data for the outbox worker to schedule around. No rate
        # limiter inside python-telegram-bot: its 429 handling pauses every request of the bot,
        # where a 429 concerns one chat (it comes back to the outbox as Retry for that chat).
        self.budget = Budget(
            per_bot=rate_of(settings.TELEGRAM_MAX_PER_SECOND, 1.0),
            per_group=rate_of(settings.TELEGRAM_GROUP_MAX_PER_MINUTE, 60.0),
            per_private=rate_of(settings.TELEGRAM_PRIVATE_MAX_PER_SECOND, 1.0),
        )
        # the plain Bot: telegram.ext (job queue, rate limiter, callback data cache) is not used, and
        # importing it would delay a restarted process's first send
        self.bot = Bot(
            settings.TELEGRAM_BOT_TOKEN,
            base_url=base,
            base_file_url=base.removesuffix("/bot") + "/file/bot",
            request=HTTPXRequest(connection_pool_size=8, pool_timeout=30.0),
            get_updates_request=HTTPXRequest(read_timeout=settings.TELEGRAM_POLL_TIMEOUT + 10.0),
        )
        # An empty secret in webhook mode would leave the door open: one derived from the token, the
        # same in every process serving this bot (any of them may receive what Telegram sends)
        self.secret = settings.telegram_webhook_secret
        self.webhook_url = settings.TELEGRAM_WEBHOOK_URL
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping = asyncio.Event()

    @staticmethod
    def is_group(chat_id: str) -> bool:
        """Groups and supergroups have negative ids; private chats positive ones."""
        return chat_id.strip().startswith("-")

    def parse(self, payload: dict[str, Any]) -> Incoming | None:
        """Stored JSON update -> neutral message."""
        return to_incoming(Update.de_json(payload, self.bot))

    def web_routes(self) -> list[WebRoute]:
        """The webhook, in webhook mode only."""
        if not self.webhook_url:
            return []
        return [WebRoute("POST", WEBHOOK_PATH, webhook_handler(self.secret, self.receive))]

    async def start(self) -> None:
        """Connect, then poll or register the webhook, all in the background (Telegram may be down)."""
        self._spawn(self._run())

    async def _run(self) -> None:
        delay = 1.0
        while not self._stopping.is_set():
            try:
                await self.bot.initialize()
                break
            except TelegramError as exc:
                log.warning("telegram: cannot reach the Bot API (%s); retrying in %.0f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60.0)
        await (self._connect_webhook() if self.webhook_url else self._poll())

    async def stop(self) -> None:
        self._stopping.set()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.bot.shutdown()

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _connect_webhook(self) -> None:
        delay = 1.0
        while not self._stopping.is_set():
            try:
                await self.bot.set_webhook(
                    self.webhook_url, secret_token=self.secret, allowed_updates=list(ALLOWED_UPDATES)
                )
                log.info("telegram: webhook set to %s", self.webhook_url)
                return
            except TelegramError as exc:
                log.warning("telegram: setWebhook failed (%s); retrying in %.0f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60.0)

    async def _poll(self) -> None:
        """Long polling; each batch is stored before the next call confirms it to Telegram."""
        offset: int | None = None
        delay = 1.0
        dropped_webhook = False
        while not self._stopping.is_set():
            try:
                if not dropped_webhook:
                    await self.bot.delete_webhook()
                    dropped_webhook = True
                updates = await self.bot.get_updates(
                    offset=offset,
                    timeout=self._settings.TELEGRAM_POLL_TIMEOUT,
                    allowed_updates=list(ALLOWED_UPDATES),
                )
                delay = 1.0
            except RetryAfter as exc:
                await asyncio.sleep(_seconds(exc.retry_after))
                continue
            except TelegramError as exc:
                log.warning("telegram: getUpdates failed (%s); retrying in %.0f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            # The whole batch is stored in one group commit (the pipeline batches concurrent
            # accepts), in order; one at a time, a burst of residents queued behind SQLite's writer.
            outcomes = await asyncio.gather(
                *(self.receive(update.to_dict()) for update in updates), return_exceptions=True
            )
            for update, outcome in zip(updates, outcomes, strict=True):
                if isinstance(outcome, BaseException):
                    log.warning(
                        "telegram: storing an update failed (%s); it will come again in %.0f s",
                        outcome,
                        delay,
                    )
                    # the same updates come back at once: wait, or a full disk or a database that
                    # is down is asked again and again as fast as the loop turns
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 30.0)
                    break
                offset = update.update_id + 1

    async def receive(self, payload: dict[str, Any]) -> bool:
        """Persist (de-duplicated by update_id), then handle in the background; False if a repeat."""
        key = str(payload.get("update_id", ""))
        if not key:
            return False
        inbound_id = await self._pipeline.accept(CHANNEL, key, payload, sender_of(payload))
        if inbound_id is None:
            return False
        callback = payload.get("callback_query")
        if isinstance(callback, dict):
            self._spawn(self._answer_callback(str(callback.get("id", ""))))
        self._pipeline.process_later(inbound_id, CHANNEL, payload)
        return True

    async def _answer_callback(self, query_id: str) -> None:
        try:
            await self.bot.answer_callback_query(query_id)
        except TelegramError as exc:  # only the button's spinner is affected
            log.debug("telegram: answerCallbackQuery failed: %s", exc)

    async def send(self, chat_id: str, payload: dict[str, Any]) -> SendResult:
        """Deliver one outbox message; 429 and 5xx come back as Retry, refusals as Failed."""
        photos = [
            a["ref"] for a in payload.get("attachments", []) if a.get("kind") == "photo" and a.get("ref")
        ]
        if photos:
            return await self._send_photos(chat_id, photos, payload.get("text", ""))
        parts = split_text(payload.get("text", ""))
        reply_to = payload.get("reply_to")
        first_id: str | None = None
        try:
            for index, part in enumerate(parts):
                last = index == len(parts) - 1
                message = await self.bot.send_message(
                    chat_id=chat_id,
                    text=part,
                    reply_markup=keyboard(payload) if last else None,
                    reply_parameters=ReplyParameters(int(reply_to), allow_sending_without_reply=True)
                    if reply_to and index == 0
                    else None,
                )
                first_id = first_id or str(message.message_id)
        except TelegramError as exc:
            return _outcome(exc)
        return Sent(first_id)

    async def _send_photos(self, chat_id: str, refs: list[str], caption: str) -> SendResult:
        """Photos (Telegram file ids) as one album, the caption on the first."""
        media = [
            InputMediaPhoto(ref, caption=caption[:1024] if i == 0 else None)
            for i, ref in enumerate(refs[:10])
        ]
        try:
            if len(media) == 1:
                message = await self.bot.send_photo(chat_id, refs[0], caption=caption[:1024] or None)
                return Sent(str(message.message_id))
            messages = await self.bot.send_media_group(chat_id, media)
            return Sent(str(messages[0].message_id) if messages else None)
        except TelegramError as exc:
            return _outcome(exc)


SPEC = ChannelSpec(
    name=CHANNEL,
    capabilities=CAPABILITIES,
    enabled=lambda settings: bool(settings.TELEGRAM_BOT_TOKEN),
    build=lambda settings, inbox, store: TelegramChannel(settings, inbox),
)
