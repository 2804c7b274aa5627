"""A faithful fake Telegram Bot API server (an aiohttp app) for end-to-end tests and benchmarks.

It speaks the wire format python-telegram-bot uses: ``{base_url}{token}/{method}``, parameters
as a query string, form fields, multipart (files) or a JSON body, answers ``{"ok": true,
"result": ...}`` or ``{"ok": false, "error_code", "description", "parameters"}``. Tests drive it
with ``push_text``/``push_callback`` and read what the bot sent with ``next_sent``.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import math
import re
import sys
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final, Self

import aiohttp
from aiohttp import web

from tests.fakes.outage import OutageMixin

SECRET_HEADER: Final = "X-Telegram-Bot-Api-Secret-Token"
SEND_METHODS: Final = frozenset(
    {
        "sendMessage", "sendPhoto", "sendMediaGroup", "sendDocument", "sendLocation", "editMessageText",
        "editMessageCaption", "editMessageReplyMarkup", "deleteMessage", "answerCallbackQuery",
    }
)  # fmt: skip
# Calls that Telegram's flood control counts (it does not count callback answers or deletions).
_LIMITED: Final = SEND_METHODS - {"answerCallbackQuery", "deleteMessage"}
_JSON_FIELDS: Final = frozenset(
    {"reply_markup", "reply_parameters", "entities", "caption_entities", "link_preview_options",
     "allowed_updates", "commands", "scope", "media"}
)  # fmt: skip
_INT_FIELDS: Final = frozenset(
    {"message_id", "reply_to_message_id", "offset", "limit", "timeout", "max_connections",
     "cache_time", "message_thread_id", "live_period", "heading", "proximity_alert_radius",
     "user_id"}
)  # fmt: skip
_FLOAT_FIELDS: Final = frozenset({"latitude", "longitude", "horizontal_accuracy"})
_BOOL_FIELDS: Final = frozenset(
    {"disable_notification", "protect_content", "drop_pending_updates", "show_alert",
     "allow_sending_without_reply", "disable_web_page_preview", "has_spoiler",
     "disable_content_type_detection", "allow_paid_broadcast", "show_caption_above_media"}
)  # fmt: skip
_SECRET_RE: Final = re.compile(r"[A-Za-z0-9_-]{1,256}")
_COMMAND_RE: Final = re.compile(r"[a-z0-9_]{1,32}")
_HTML_TAGS: Final = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
     "tg-emoji", "code", "pre", "blockquote"}
)  # fmt: skip
_HTML_TAG_RE: Final = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*|)[^>]*(>?)")
_MDV2_ALWAYS_RESERVED: Final = frozenset("#+-={}.!()")
_NOT_MODIFIED: Final = (
    "Bad Request: message is not modified: specified new message content and reply markup are"
    " exactly the same as a content and reply markup of the current message"
)
_ANY: Final = "*"  # key of the all-chats index in ``_by_chat``
Json = dict[str, Any]
Handler = Callable[[Json], Awaitable[Any]]


class NothingSent(TimeoutError, AssertionError):
    """The bot did not send what a test waited for; the message lists what it did send."""


class ApiError(Exception):
    """An error answer of the Bot API: HTTP status, description, optional retry_after."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.retry_after = status, description, retry_after


@dataclass
class _Fault:
    status: int | None  # None: only delay, then answer normally
    description: str | None
    retry_after: int
    delay: float


class _Signal:
    """Wakes every waiter on notify(); a waiter re-checks its predicate (no polling sleeps)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait_until(self, predicate: Callable[[], bool], timeout: float) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._event  # taken before the check, so a notify in between is not lost
            if predicate():
                return True
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)


class _Window:
    """Sliding-window counter: at most ``limit`` events per ``span`` seconds."""

    __slots__ = ("limit", "span", "times")

    def __init__(self, limit: int, span: float) -> None:
        self.limit, self.span, self.times = limit, span, deque[float]()

    @classmethod
    def per_second(cls, rate: float) -> _Window:
        if rate <= 0:  # 0 lifts the limit
            return cls(sys.maxsize, 1.0)
        return cls(int(rate), 1.0) if rate >= 1 else cls(1, 1.0 / rate)

    def retry_after(self, now: float) -> int | None:
        times = self.times
        while times and times[0] <= now - self.span:
            times.popleft()
        if len(times) < self.limit:
            return None
        return max(1, math.ceil(times[0] + self.span - now))


def _reply(payload: Json, status: int = 200) -> web.Response:
    body = json.dumps(payload, ensure_ascii=False).encode()
    return web.Response(body=body, status=status, content_type="application/json")


def _error_body(status: int, description: str, retry_after: int | None = None) -> Json:
    body: Json = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return body


def _default_description(status: int, retry_after: int) -> str:
    if status == 429:
        return f"Too Many Requests: retry after {retry_after}"
    if status >= 500:
        return "Bad Gateway" if status == 502 else "Internal Server Error"
    return {
        400: "Bad Request",
        401: "Unauthorized",
        403: "Forbidden: bot was blocked by the user",
        404: "Not Found",
        409: "Conflict: terminated by other getUpdates request",
    }.get(status, "Error")


def _decode(raw: Iterable[tuple[str, Any]]) -> Json:
    """Turn wire values (strings from forms, or JSON values) into typed parameters."""
    out: Json = {}
    for key, value in raw:
        if key == "chat_id":
            out[key] = str(value)
            continue
        if isinstance(value, str):
            try:
                if key in _JSON_FIELDS:
                    value = json.loads(value)
                elif key in _INT_FIELDS:
                    value = int(value)
                elif key in _FLOAT_FIELDS:
                    value = float(value)
                elif key in _BOOL_FIELDS:
                    value = value.lower() in ("true", "1")
            except ValueError:
                raise ApiError(400, f"Bad Request: can't parse {key}") from None
        out[key] = value
    return out


def _html_error(text: str) -> str | None:
    """The error Telegram gives for malformed HTML (tdlib's parse_html, simplified)."""
    stack: list[str] = []
    for match in _HTML_TAG_RE.finditer(text):
        closing, name, end = match.group(1), match.group(2).lower(), match.group(3)
        offset = len(text[: match.start()].encode())
        if not end:
            return f"Can't find end of the tag at byte offset {offset}"
        if not closing:
            if name not in _HTML_TAGS:
                return f'Unsupported start tag "{name}" at byte offset {offset}'
            stack.append(name)
        elif not stack:
            return f"Unexpected end tag at byte offset {offset}"
        elif name and stack[-1] != name:
            return f'Unmatched end tag at byte offset {offset}, expected "</{stack[-1]}>", found "</{name}>"'
        else:
            stack.pop()
    return f'Can\'t find end tag corresponding to start tag "{stack[-1]}"' if stack else None


def _markdown_v2_error(text: str) -> str | None:
    """Flags the common MarkdownV2 mistake: a reserved character left unescaped."""
    i, n, code = 0, len(text), ""
    while i < n:
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if code:  # inside `code` or ```pre```: only the closing backticks matter
            if text.startswith(code, i):
                i, code = i + len(code), ""
            else:
                i += 1
            continue
        if char == "`":
            code = "```" if text.startswith("```", i) else "`"
            i += len(code)
            continue
        if char == "]" and text.startswith("](", i):
            close = text.find(")", i + 2)
            i = close + 1 if close != -1 else n
            continue
        line_start = i == 0 or text[i - 1] == "\n"
        lone_bar = char == "|" and not text.startswith("||", i) and text[i - 1 : i] != "|"
        if char in _MDV2_ALWAYS_RESERVED or lone_bar or (char == ">" and not line_start):
            return f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
        i += 1
    return None


def _rendered(text: str, parse_mode: str | None) -> str:
    """Check the markup and return the plain text Telegram would store."""
    mode = (parse_mode or "").lower()
    problem = (
        _html_error(text) if mode == "html"
        else _markdown_v2_error(text) if mode == "markdownv2"
        else None
    )  # fmt: skip
    if problem:
        raise ApiError(400, f"Bad Request: can't parse entities: {problem}")
    return html.unescape(re.sub(r"<[^>]*>", "", text)) if mode == "html" else text


def _check_inline_keyboard(markup: Any) -> None:
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    if rows is None:
        return
    if not isinstance(rows, list) or not all(
        isinstance(row, list) and all(isinstance(b, dict) for b in row) for row in rows
    ):
        raise ApiError(400, "Bad Request: can't parse inline keyboard button: object expected")
    for button in itertools.chain.from_iterable(rows):
        data = button.get("callback_data")
        if data is not None and not 1 <= len(str(data).encode()) <= 64:
            raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        if set(button) <= {"text"}:
            raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")


class FakeTelegram(OutageMixin):
    """The fake Bot API: state to assert on, update pushers and fault injection."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        enforce_limits: bool = False,
        global_per_second: float = 30,
        group_per_minute: int = 20,
        private_per_second: float = 1,
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1
        self.base_url = self.base_file_url = ""
        self.enforce_limits = enforce_limits
        self._global_window = _Window.per_second(global_per_second)
        self._group_per_minute, self._private_per_second = group_per_minute, private_per_second
        self._windows: dict[str, _Window] = {}
        self.sent: list[Json] = []
        self.requests: list[tuple[str, Json]] = []
        self.webhook_url = self.webhook_secret = ""
        self.webhook_options: Json = {}
        self.commands: dict[tuple[str, str], list[Json]] = {}
        self.too_many_requests = 0
        self.blocked: set[str] = set()
        self.bot_user: Json = {
            "id": self.bot_id, "is_bot": True, "first_name": "Commune Bot",
            "username": "commune_test_bot", "can_join_groups": True,
            "can_read_all_group_messages": False, "supports_inline_queries": False,
            "can_connect_to_business": False, "has_main_web_app": False,
        }  # fmt: skip
        self._down = False
        self._outage: str | None = None  # "502", "hang" or "refuse" (see outage())
        self._outage_over = asyncio.Event()
        self.hung = 0  # calls held by a "hang" outage
        self.refused = 0  # calls cut off by a "refuse" outage
        self._site: web.TCPSite | None = None
        self._faults: dict[str, deque[_Fault]] = {}
        self._queue: deque[Json] = deque()
        self._last_update_id = 999
        self._ids = itertools.count(1)  # callback query ids, file ids, synthetic chat ids
        self._poll_generation = 0
        self._closing = False
        self._chats: dict[str, Json] = {}
        self._message_ids: dict[str, int] = {}
        self._messages: dict[tuple[str, int], Json] = {}
        self._last_keyboard: dict[str, int] = {}
        self._callbacks: set[str] = set()
        self._files: dict[str, tuple[Json, bytes]] = {}
        self._file_paths: dict[str, bytes] = {}
        self._consumed: list[bool] = []
        self._by_chat: dict[str | None, list[int]] = {_ANY: []}
        self._cursors: dict[str | None, int] = {}
        self._sent_signal = _Signal()
        self._update_signal = _Signal()
        self._session: aiohttp.ClientSession | None = None
        self._runner: web.AppRunner | None = None
        self._handlers: dict[str, tuple[str, Handler]] = {
            name.lower(): (name, handler)
            for name, handler in {
                "getMe": self._get_me, "getUpdates": self._get_updates,
                "setWebhook": self._set_webhook, "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info, "sendMessage": self._send_message,
                "sendPhoto": self._send_photo, "sendDocument": self._send_document,
                "sendMediaGroup": self._send_media_group,
                "sendLocation": self._send_location,
                "editMessageText": self._edit_text, "editMessageCaption": self._edit_caption,
                "editMessageReplyMarkup": self._edit_markup,
                "deleteMessage": self._delete_message,
                "answerCallbackQuery": self._answer_callback_query,
                "setMyCommands": self._set_my_commands, "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands, "getFile": self._get_file,
                "sendChatAction": self._true, "setMyDescription": self._true,
                "setMyShortDescription": self._true, "setChatMenuButton": self._true,
                "close": self._true, "logOut": self._true,
            }.items()
        }  # fmt: skip
        self.app = web.Application(client_max_size=64 * 1024 * 1024)
        self.app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self.app.router.add_get("/file/bot{token}/{path:.+}", self._download)

    # --- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on 127.0.0.1 on a free port and open the client session used for pushes."""
        self._closing = False
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await self._site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}/bot"
        self.base_file_url = f"http://127.0.0.1:{port}/file/bot"
        self._http()

    async def stop(self) -> None:
        """End pending long polls, stop the server and close the push session."""
        self._closing = True
        self._update_signal.notify()
        self._outage_over.set()  # calls held by a "hang" outage end with the server
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=0),
                timeout=aiohttp.ClientTimeout(total=10),
            )
        return self._session

    # --- fault injection -------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        count: int = 1,
        retry_after: int = 1,
        description: str | None = None,
    ) -> None:
        """Answer the next ``count`` calls of ``method`` (``"*"``: any method) with an error."""
        fault = _Fault(status, description, retry_after, 0.0)
        self._faults.setdefault(method.lower(), deque()).extend([fault] * count)

    def delay_next(self, method: str, seconds: float, *, count: int = 1) -> None:
        """Hold the next ``count`` calls of ``method`` for ``seconds`` (to provoke timeouts)."""
        fault = _Fault(None, None, 0, seconds)
        self._faults.setdefault(method.lower(), deque()).extend([fault] * count)

    def set_down(self, down: bool) -> None:
        """While down, every method answers 502 Bad Gateway."""
        self._down = down

    def _listen_port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1].split("/", 1)[0])

    def block(self, chat_id: int | str, blocked: bool = True) -> None:
        """Sends to this chat get 403 "bot was blocked by the user"."""
        (self.blocked.add if blocked else self.blocked.discard)(str(chat_id))

    # --- HTTP ------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        if self._outage is not None and (cut := await self._outage_answer(request)) is not None:
            return cut
        if self._down:
            return _reply(_error_body(502, "Bad Gateway"), 502)
        if request.match_info["token"] != self.token:
            return _reply(_error_body(401, "Unauthorized"), 401)
        name = request.match_info["method"]
        known = self._handlers.get(name.lower())
        method = known[0] if known else name
        try:
            params = await self._read_params(request)
            self.requests.append((method, params))
            if known is None:
                raise ApiError(404, "Not Found")
            await self._inject(method.lower())
            result = await known[1](params)
        except ApiError as exc:
            if exc.status == 429:
                self.too_many_requests += 1
            return _reply(_error_body(exc.status, exc.description, exc.retry_after), exc.status)
        except Exception as exc:  # a bug in the fake: name it rather than answer a bare 500
            return _reply(_error_body(500, f"Internal Server Error: fake failed: {exc!r}"), 500)
        if method in SEND_METHODS:
            self._record(method, params, result)
        return _reply({"ok": True, "result": result})

    async def _read_params(self, request: web.Request) -> Json:
        items: list[tuple[str, Any]] = list(request.query.items())
        if request.can_read_body:
            if request.content_type == "application/json":
                try:
                    body = await request.json()
                except ValueError:
                    raise ApiError(400, "Bad Request: can't parse JSON") from None
                if not isinstance(body, dict):
                    raise ApiError(400, "Bad Request: JSON object expected")
                items.extend(body.items())
            else:
                for key, value in (await request.post()).items():
                    if isinstance(value, web.FileField):
                        content = value.file.read()
                        items.append((key, {
                            "filename": value.filename, "content_type": value.content_type,
                            "size": len(content), "content": content,
                        }))  # fmt: skip
                    else:
                        items.append((key, value))
        return _decode(items)

    async def _inject(self, method: str) -> None:
        for key in (method, _ANY):
            faults = self._faults.get(key)
            if faults:
                fault = faults.popleft()
                if fault.delay:
                    await asyncio.sleep(fault.delay)
                if fault.status is not None:
                    retry = fault.retry_after if fault.status == 429 else None
                    text = fault.description or _default_description(fault.status, retry or 0)
                    raise ApiError(fault.status, text, retry)
                return

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _reply(_error_body(401, "Unauthorized"), 401)
        content = self._file_paths.get(request.match_info["path"])
        if content is None:
            return _reply(_error_body(404, "Not Found"), 404)
        return web.Response(body=content, content_type="application/octet-stream")

    # --- what the bot sent -----------------------------------------------------------------

    def _record(self, method: str, params: Json, result: Any) -> None:
        chat = params.get("chat_id")
        index = len(self.sent)
        self.sent.append(
            {
                "method": method, "params": params, "at": time.monotonic(), "chat_id": chat,
                "text": params.get("text", params.get("caption")), "result": result,
            }
        )  # fmt: skip
        self._consumed.append(False)
        self._by_chat[_ANY].append(index)
        self._by_chat.setdefault(chat, []).append(index)
        self._sent_signal.notify()

    def _take(self, key: str | None, method: str | None) -> Json | None:
        indexes = self._by_chat.get(key, [])
        position = self._cursors.get(key, 0)
        while position < len(indexes) and self._consumed[indexes[position]]:
            position += 1
        self._cursors[key] = position
        for index in itertools.islice(indexes, position, None):
            entry = self.sent[index]
            if not self._consumed[index] and (method is None or entry["method"].lower() == method):
                self._consumed[index] = True
                return entry
        return None

    async def next_sent(
        self, chat_id: int | str | None = None, *, timeout: float = 15.0, method: str | None = None
    ) -> Json:
        """The oldest send (to ``chat_id``, of ``method``) not yet returned; waits for one (15 s: a
        reply took over 5 s once in a CI run on a loaded machine)."""
        key = _ANY if chat_id is None else str(chat_id)
        wanted = method.lower() if method else None
        found: list[Json] = []

        def take() -> bool:
            entry = self._take(key, wanted)
            if entry is not None:
                found.append(entry)
            return entry is not None

        if await self._sent_signal.wait_until(take, timeout):
            return found[0]
        what = f"to chat {chat_id}" if chat_id is not None else "to any chat"
        raise NothingSent(f"nothing new sent {what}{f' by {method}' if method else ''}"
                          f" within {timeout}s; {self._summary()}")  # fmt: skip

    async def wait_sent_count(self, n: int, *, timeout: float) -> None:
        """Wait until at least ``n`` sends have been recorded."""
        if not await self._sent_signal.wait_until(lambda: len(self.sent) >= n, timeout):
            raise NothingSent(f"expected {n} sends within {timeout}s; {self._summary()}")

    def sent_to(self, chat_id: int | str) -> list[Json]:
        """Every send to this chat, consumed or not, in order."""
        return [self.sent[i] for i in self._by_chat.get(str(chat_id), [])]

    def _summary(self, last: int = 15) -> str:
        lines = [
            f"{'  ' if self._consumed[i] else '* '}{e['method']} -> {e['chat_id']}: {str(e['text'])[:80]!r}"
            for i, e in enumerate(self.sent[-last:], start=max(0, len(self.sent) - last))
        ]
        return f"{len(self.sent)} sent (* = not yet consumed):\n" + "\n".join(lines)

    # --- driving the bot -------------------------------------------------------------------

    def _chat(self, chat_id: int | str, chat_type: str | None = None) -> Json:
        key = str(chat_id)
        chat = self._chats.get(key)
        if chat is None:
            if key.startswith("@"):
                chat = {"id": -1001000000000 - next(self._ids), "type": "channel",
                        "title": key[1:], "username": key[1:]}  # fmt: skip
            elif key.lstrip("-").isdigit():
                number = int(key)
                kind = chat_type or ("private" if number > 0 else "supergroup")
                name = {"first_name": "Dân"} if kind == "private" else {"title": f"Nhóm {key}"}
                chat = {"id": number, "type": kind, **name}
            else:
                raise ApiError(400, "Bad Request: chat not found")
            self._chats[key] = chat
        return chat

    def _next_update_id(self) -> int:
        self._last_update_id += 1
        return self._last_update_id

    def _new_message(self, chat: Json, sender: Json, fields: Json, message_id: int | None = None) -> Json:
        key = str(chat["id"])
        message_id = message_id or self._message_ids.get(key, 0) + 1
        self._message_ids[key] = max(self._message_ids.get(key, 0), message_id)
        message = {"message_id": message_id, "date": int(time.time()), "chat": chat,
                   "from": sender, **fields}  # fmt: skip
        self._messages[(key, message_id)] = message
        return message

    def _user_message(self, chat_id: int, user_id: int | None, chat_type: str | None,
                      first_name: str, fields: Json) -> Json:  # fmt: skip
        chat = self._chat(chat_id, chat_type)
        uid = user_id if user_id is not None else (chat_id if chat["type"] == "private" else 4242)
        user = {"id": uid, "is_bot": False, "first_name": first_name, "language_code": "vi"}
        return self._new_message(chat, user, fields)

    def make_text_update(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: str | None = None,
        reply_to_message_id: int | None = None,
        first_name: str = "Dân",
    ) -> Json:
        """A message update; chat_type defaults to private (chat_id > 0) or supergroup."""
        fields: Json = {"text": text}
        if text.startswith("/"):
            length = len(text.split(maxsplit=1)[0].encode("utf-16-le")) // 2
            fields["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        if reply_to_message_id is not None:
            original = self._messages.get((str(chat_id), reply_to_message_id))
            fields["reply_to_message"] = original or {
                "message_id": reply_to_message_id, "date": int(time.time()),
                "chat": self._chat(chat_id, chat_type), "from": self.bot_user, "text": "…",
            }  # fmt: skip
        message = self._user_message(chat_id, user_id, chat_type, first_name, fields)
        return {"update_id": self._next_update_id(), "message": message}

    def make_location_update(
        self, chat_id: int, latitude: float, longitude: float, *, user_id: int | None = None,
        chat_type: str | None = None, first_name: str = "Dân",
    ) -> Json:  # fmt: skip
        """A message update carrying a shared location."""
        fields = {"location": {"latitude": latitude, "longitude": longitude}}
        message = self._user_message(chat_id, user_id, chat_type, first_name, fields)
        return {"update_id": self._next_update_id(), "message": message}

    def make_photo_update(
        self, chat_id: int, *, caption: str | None = None, user_id: int | None = None,
        chat_type: str | None = None, first_name: str = "Dân", content: bytes | None = None,
    ) -> Json:  # fmt: skip
        """A message update with a photo in three sizes; getFile can download each size."""
        fields: Json = {"photo": self._store_photo(content or b"\xff\xd8\xff\xe0fake-jpeg\xff\xd9")}
        if caption is not None:
            fields["caption"] = caption
        message = self._user_message(chat_id, user_id, chat_type, first_name, fields)
        return {"update_id": self._next_update_id(), "message": message}

    def make_callback_update(
        self, chat_id: int, user_id: int, data: str, *, message_id: int | None = None
    ) -> Json:
        """A button press; by default on the last inline keyboard the bot sent to the chat."""
        key = str(chat_id)
        message_id = message_id or self._last_keyboard.get(key)
        message = self._messages.get((key, message_id or 0))
        if message is None:  # a message the fake never saw: make it the bot's, with that id
            message = self._new_message(self._chat(chat_id), self.bot_user, {"text": "…"}, message_id)
        query_id = str(next(self._ids) + 7_000_000_000)
        self._callbacks.add(query_id)
        user = {"id": user_id, "is_bot": False, "first_name": "Dân", "language_code": "vi"}
        query = {"id": query_id, "from": user, "message": message,
                 "chat_instance": f"ci{chat_id}", "data": data}  # fmt: skip
        return {"update_id": self._next_update_id(), "callback_query": query}

    def _remember(self, update: Json) -> None:
        """Learn chats, messages and callback ids from hand-made updates too."""
        message = update.get("message") or update.get("edited_message")
        if isinstance(message, dict) and isinstance(message.get("chat"), dict):
            key = str(message["chat"].get("id"))
            self._chats.setdefault(key, message["chat"])
            message_id = int(message.get("message_id", 0))
            self._messages.setdefault((key, message_id), message)
            self._message_ids[key] = max(self._message_ids.get(key, 0), message_id)
        query = update.get("callback_query")
        if isinstance(query, dict):
            self._callbacks.add(str(query.get("id")))
        if isinstance(update.get("update_id"), int):
            self._last_update_id = max(self._last_update_id, update["update_id"])

    async def push(self, update: Json) -> int | None:
        """POST to the webhook (returns its HTTP status) or queue for getUpdates (None)."""
        self._remember(update)
        if not self.webhook_url:
            self._queue.append(update)
            self._update_signal.notify()
            return None
        headers = {"Content-Type": "application/json"}
        if self.webhook_secret:
            headers[SECRET_HEADER] = self.webhook_secret
        body = json.dumps(update, ensure_ascii=False).encode()
        async with self._http().post(self.webhook_url, data=body, headers=headers) as response:
            await response.read()
            return response.status

    async def push_many(self, updates: list[Json], concurrency: int = 100) -> list[int | None]:
        """Push updates with at most ``concurrency`` in flight; statuses in input order."""
        gate = asyncio.Semaphore(concurrency)

        async def one(update: Json) -> int | None:
            async with gate:
                return await self.push(update)

        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(one(update)) for update in updates]
        return [task.result() for task in tasks]

    async def push_text(self, chat_id: int, text: str, **kw: Any) -> Json:
        """make_text_update + push; returns the update."""
        update = self.make_text_update(chat_id, text, **kw)
        await self.push(update)
        return update

    async def push_callback(self, chat_id: int, user_id: int, data: str, **kw: Any) -> Json:
        """make_callback_update + push; returns the update."""
        update = self.make_callback_update(chat_id, user_id, data, **kw)
        await self.push(update)
        return update

    # --- Bot API methods -------------------------------------------------------------------

    async def _true(self, params: Json) -> bool:
        return True

    async def _get_me(self, params: Json) -> Json:
        return self.bot_user

    async def _get_updates(self, params: Json) -> list[Json]:
        if self.webhook_url:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active;"
                           " use deleteWebhook to delete the webhook first")  # fmt: skip
        self._poll_generation += 1
        generation = self._poll_generation
        self._update_signal.notify()  # an older long poll now ends with 409
        offset = int(params.get("offset", 0))
        if offset < 0:
            while len(self._queue) > -offset:
                self._queue.popleft()
        while self._queue and self._queue[0].get("update_id", 0) < offset:
            self._queue.popleft()
        limit = min(max(int(params.get("limit", 100)), 1), 100)
        timeout = float(params.get("timeout", 0))

        def ready() -> bool:
            return bool(self._queue) or self._closing or self.webhook_url != "" or (
                generation != self._poll_generation
            )  # fmt: skip

        if timeout > 0:
            await self._update_signal.wait_until(ready, timeout)
        if generation != self._poll_generation:
            raise ApiError(409, "Conflict: terminated by other getUpdates request;"
                           " make sure that only one bot instance is running")  # fmt: skip
        if self.webhook_url:
            raise ApiError(409, "Conflict: terminated by setWebhook request")
        return list(itertools.islice(self._queue, limit))

    async def _set_webhook(self, params: Json) -> bool:
        if "url" not in params:
            raise ApiError(400, 'Bad Request: parameter "url" is required')
        url, secret = str(params["url"]), str(params.get("secret_token", ""))
        if url and not url.startswith(("http://", "https://")):
            raise ApiError(400, "Bad Request: bad webhook: an HTTP(S) URL must be provided")
        if "secret_token" in params and not _SECRET_RE.fullmatch(secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            self._queue.clear()
        self.webhook_url, self.webhook_secret = url, secret if url else ""
        self.webhook_options = {k: params[k] for k in ("allowed_updates", "max_connections")
                                if k in params and url}  # fmt: skip
        self._update_signal.notify()
        return True

    async def _delete_webhook(self, params: Json) -> bool:
        if params.get("drop_pending_updates"):
            self._queue.clear()
        self.webhook_url = self.webhook_secret = ""
        self.webhook_options = {}
        return True

    async def _get_webhook_info(self, params: Json) -> Json:
        info: Json = {"url": self.webhook_url, "has_custom_certificate": False,
                      "pending_update_count": len(self._queue)}  # fmt: skip
        if self.webhook_url:
            info.update({"ip_address": "127.0.0.1", "max_connections": 40}, **self.webhook_options)
        return info

    def _admit(self, method: str, chat_id: str | None) -> None:
        """Apply blocking and (when enforced) Telegram's flood limits to one send."""
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if not self.enforce_limits or method not in _LIMITED or chat_id is None:
            return
        window = self._windows.get(chat_id)
        if window is None:
            group = not chat_id.isdigit()
            window = _Window(self._group_per_minute, 60.0) if group else _Window.per_second(
                self._private_per_second
            )  # fmt: skip
            self._windows[chat_id] = window
        now = time.monotonic()
        wait = max(self._global_window.retry_after(now) or 0, window.retry_after(now) or 0)
        if wait:
            raise ApiError(429, f"Too Many Requests: retry after {wait}", wait)
        self._global_window.times.append(now)
        window.times.append(now)

    def _outgoing(self, method: str, params: Json, fields: Json) -> Json:
        """Common tail of every send: checks, reply_to, keyboard, then the stored Message."""
        if "chat_id" not in params:
            raise ApiError(400, "Bad Request: chat_id is empty")
        chat = self._chat(params["chat_id"])
        key = str(chat["id"])
        markup = params.get("reply_markup")
        _check_inline_keyboard(markup)
        reply = params.get("reply_parameters") or {}
        reply_id = reply.get("message_id", params.get("reply_to_message_id"))
        if reply_id is not None:
            original = self._messages.get((key, int(reply_id)))
            allow = params.get("allow_sending_without_reply")
            allow = reply.get("allow_sending_without_reply", allow)
            if original is None and not allow:
                raise ApiError(400, "Bad Request: message to be replied not found")
            if original is not None:
                fields["reply_to_message"] = original
        self._admit(method, params["chat_id"])
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            fields["reply_markup"] = markup
        message = self._new_message(chat, self.bot_user, fields)
        if "reply_markup" in fields:
            self._last_keyboard[key] = message["message_id"]
        return message

    def _text(self, params: Json, key: str, limit: int, what: str) -> str:
        text = str(params.get(key, ""))
        if key == "text" and not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        rendered = _rendered(text, params.get("parse_mode"))
        if len(rendered) > limit:
            raise ApiError(400, f"Bad Request: {what} is too long")
        return rendered

    async def _send_message(self, params: Json) -> Json:
        text = self._text(params, "text", 4096, "message")
        return self._outgoing("sendMessage", params, {"text": text})

    def _caption(self, params: Json, fields: Json) -> Json:
        if params.get("caption"):
            fields["caption"] = self._text(params, "caption", 1024, "message caption")
        return fields

    def _file_bytes(self, value: Any, field: str) -> tuple[bytes, str | None]:
        if isinstance(value, dict) and "content" in value:
            return value["content"], value.get("filename")
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            return value.encode(), value.rsplit("/", 1)[-1] or None
        if isinstance(value, str) and value in self._files:
            return self._files[value][1], self._files[value][0].get("file_name")
        raise ApiError(400, f"Bad Request: wrong file identifier/HTTP URL specified ({field})")

    def _store_file(self, content: bytes, extra: Json) -> Json:
        number = next(self._ids)
        info = {"file_id": f"BQACAgIAAx{number:010d}", "file_unique_id": f"AgAD{number:06d}",
                "file_size": len(content), **extra}  # fmt: skip
        self._files[info["file_id"]] = (info, content)
        return info

    def _store_photo(self, content: bytes) -> list[Json]:
        return [self._store_file(content, {"width": side, "height": side})
                for side in (90, 320, 1280)]  # fmt: skip

    async def _send_photo(self, params: Json) -> Json:
        content, _ = self._file_bytes(params.get("photo"), "photo")
        fields = self._caption(params, {})
        return self._outgoing("sendPhoto", params, {"photo": self._store_photo(content), **fields})

    async def _send_media_group(self, params: Json) -> list[Json]:
        """An album of 2-10 photos; one Message each (recorded once, with the caption as text)."""
        media = params.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise ApiError(400, "Bad Request: wrong number of media in the album")
        messages = []
        for item in media:
            content, _ = self._file_bytes(item.get("media"), "media")
            fields: Json = {"photo": self._store_photo(content)}
            if item.get("caption"):
                fields["caption"] = item["caption"]
            messages.append(self._outgoing("sendMediaGroup", {"chat_id": params.get("chat_id")}, fields))
        params.setdefault("caption", media[0].get("caption"))
        return messages

    async def _send_document(self, params: Json) -> Json:
        value = params.get("document")
        content, name = self._file_bytes(value, "document")
        extra: Json = {"file_name": name or "document"}
        if isinstance(value, dict) and value.get("content_type"):
            extra["mime_type"] = value["content_type"]
        fields = self._caption(params, {"document": self._store_file(content, extra)})
        return self._outgoing("sendDocument", params, fields)

    async def _send_location(self, params: Json) -> Json:
        try:
            latitude, longitude = float(params["latitude"]), float(params["longitude"])
        except (KeyError, TypeError, ValueError):
            raise ApiError(400, "Bad Request: wrong latitude or longitude") from None
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise ApiError(400, "Bad Request: wrong latitude or longitude")
        fields = {"location": {"latitude": latitude, "longitude": longitude}}
        return self._outgoing("sendLocation", params, fields)

    def _own_message(self, params: Json, verb: str) -> tuple[Json, str]:
        if "chat_id" not in params or "message_id" not in params:
            raise ApiError(400, "Bad Request: chat_id is empty")
        key = str(self._chat(params["chat_id"])["id"])
        message = self._messages.get((key, int(params["message_id"])))
        if message is None:
            raise ApiError(400, f"Bad Request: message to {verb} not found")
        return message, key

    async def _edit_text(self, params: Json) -> Json | bool:
        return self._edit(params, {"text": self._text(params, "text", 4096, "message")})

    async def _edit_caption(self, params: Json) -> Json | bool:
        caption = params.get("caption")
        text = self._text(params, "caption", 1024, "message caption") if caption else None
        return self._edit(params, {"caption": text} if text else {})

    async def _edit_markup(self, params: Json) -> Json | bool:
        return self._edit(params, {})

    def _edit(self, params: Json, changes: Json) -> Json | bool:
        """Edit one of the bot's messages; no reply_markup means the keyboard is removed."""
        markup = params.get("reply_markup")
        _check_inline_keyboard(markup)
        if "inline_message_id" in params:
            return True
        message, _ = self._own_message(params, "edit")
        if message["from"].get("id") != self.bot_id:
            raise ApiError(400, "Bad Request: message can't be edited")
        new_markup = markup if isinstance(markup, dict) and "inline_keyboard" in markup else None
        if all(message.get(k) == v for k, v in changes.items()) and (
            message.get("reply_markup") == new_markup
        ):
            raise ApiError(400, _NOT_MODIFIED)
        self._admit("editMessageText", params["chat_id"])
        message.update(changes, edit_date=int(time.time()))
        message.pop("reply_markup", None)
        if new_markup is not None:
            message["reply_markup"] = new_markup
        return message

    async def _delete_message(self, params: Json) -> bool:
        message, key = self._own_message(params, "delete")
        del self._messages[(key, message["message_id"])]
        return True

    async def _answer_callback_query(self, params: Json) -> bool:
        if str(params.get("callback_query_id")) not in self._callbacks:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired"
                           " or query ID is invalid")  # fmt: skip
        if len(str(params.get("text", ""))) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        return True

    @staticmethod
    def _commands_key(params: Json) -> tuple[str, str]:
        scope = json.dumps(params.get("scope") or {"type": "default"}, sort_keys=True)
        return scope, str(params.get("language_code", ""))

    async def _set_my_commands(self, params: Json) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: commands must be a list of at most 100 commands")
        for command in commands:
            if not _COMMAND_RE.fullmatch(str(command.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._commands_key(params)] = commands
        return True

    async def _get_my_commands(self, params: Json) -> list[Json]:
        return self.commands.get(self._commands_key(params), [])

    async def _delete_my_commands(self, params: Json) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    async def _get_file(self, params: Json) -> Json:
        stored = self._files.get(str(params.get("file_id")))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        info, content = stored
        path = f"files/{info['file_unique_id']}"
        self._file_paths[path] = content
        keep = ("file_id", "file_unique_id", "file_size")
        return {**{k: info[k] for k in keep}, "file_path": path}
