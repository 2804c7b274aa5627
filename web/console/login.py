"""Login by a one-time code sent to the official's own chat, and logout.

The official types their id (the data file's `officials[].id`); a 6-digit code goes through the
outbox to their private chat on the first channel that reaches them now (Zalo's Official Account
only within 7 days of their last message). Every id gets the same answer, known or not. Codes are
kept hashed, expire in 10 minutes and lock after 5 wrong tries; a session lasts 12 hours.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from aiohttp import web

from domain.messages import Reply
from domain.reach import REPLY_WINDOWS, Reach
from storage.models import Official
from storage.repositories.outbox import ANSWER
from storage.uow import UnitOfWork
from web.console.auth import SESSION_COOKIE, checked_form, current_user, digest

if TYPE_CHECKING:
    from web.console.app import Console

CODE_TTL = timedelta(minutes=10)
SESSION_TTL = timedelta(hours=12)
MAX_TRIES = 5
CODES_PER_TTL = 3  # codes one official may be sent within CODE_TTL (a flood of requests sends no more)
ID_MAX = 80
log = logging.getLogger(__name__)
# Where a code goes when no messenger is configured (the embedded demo only): the bot's own log.
TERMINAL = "terminal"
WRONG = (
    "Mã không đúng hoặc đã hết hạn (nhập sai 5 lần thì mã bị khóa). Anh/chị kiểm tra lại, hoặc xin mã mới."
)


CODE_USED = "Mã đăng nhập trang cán bộ đã được dùng (mã chỉ dùng một lần)."
CODE_EXPIRED = "Mã đăng nhập trang cán bộ đã hết hạn."


def code_key(official_id: str) -> str:
    """The outbox key prefix of an official's login codes ("" after the colon: everyone's)."""
    return f"console-code:{official_id}:" if official_id else "console-code:"


def code_hash(key: bytes, official_id: str, code: str) -> str:
    return hmac.new(key, f"login:{official_id}:{code}".encode(), hashlib.sha256).hexdigest()


async def private_channel(
    uow: UnitOfWork, reach: Reach, accounts: dict[str, str], now: datetime
) -> tuple[str, str] | None:
    """(channel, chat id) of the official's own chat that can take a message now: a channel they
    have written on before comes first; one with a reply window only while it is open."""
    usable: list[tuple[bool, str, str]] = []
    for channel in reach.active:
        account = accounts.get(channel)
        if not account:
            continue
        last = await uow.inbound.last_from(channel, account)
        window = REPLY_WINDOWS.get(channel)
        if window is not None and (last is None or now - last > window):
            continue  # Zalo OA: outside its 7-day window the message would only wait
        usable.append((last is None, channel, account))
    if not usable:
        return None
    _, channel, account = min(usable, key=lambda u: u[0])  # stable: the deployment's order otherwise
    return channel, account


def shown_name(channel: str) -> str:
    """A channel as officials call it: its name's first word ("zalo_oa" is Zalo too)."""
    return channel.split("_")[0].capitalize() or "tin nhắn"


def _clean_id(text: str) -> str:
    return text.strip().lower()[:ID_MAX]


def _official(officials: Sequence[Official], official_id: str) -> Official | None:
    return next((o for o in officials if o.id == official_id), None)


def _next(console: Console, target: str) -> str:
    """Where to go after login: a console page only (never another site)."""
    ok = target.startswith(console.prefix + "/") and not target.startswith("//") and "\\" not in target
    return target if ok else console.path("/")


def routes(console: Console) -> list[web.RouteDef]:
    async def form(request: web.Request) -> web.Response:
        if await current_user(request) is not None:
            raise web.HTTPSeeOther(console.path("/"))
        return await console.render(
            request, "console/login.html", "Đăng nhập cán bộ", step="id", after=request.query.get("tiep", "")
        )

    async def ask_code(request: web.Request) -> web.Response:
        data = await checked_form(request)
        official_id = _clean_id(data.get("can_bo", ""))
        after = data.get("tiep", "")
        if not official_id:
            return await console.render(
                request,
                "console/login.html",
                "Đăng nhập cán bộ",
                status=400,
                step="id",
                after=after,
                error="Anh/chị nhập mã cán bộ (ví dụ: tran-thi-binh).",
            )
        channel = await _send_code(console, official_id)
        return await console.render(
            request,
            "console/login.html",
            "Nhập mã đăng nhập",
            step="code",
            official_id=official_id,
            after=after,
            channel=shown_name(channel),
            printed=channel == TERMINAL,
        )

    async def check_code(request: web.Request) -> web.Response:
        data = await checked_form(request)
        official_id = _clean_id(data.get("can_bo", ""))
        typed = "".join(data.get("ma", "").split())
        now = console.clock()
        token = None
        async with console.store.uow() as uow:
            official = _official(await uow.officials.all(), official_id)
            code = await uow.console.live_code(official_id, now) if official else None
            if code is not None and code.tries < MAX_TRIES:
                if hmac.compare_digest(code.code_hash, code_hash(console.gate.key, official_id, typed)):
                    code.used_at = now
                    token = secrets.token_urlsafe(32)
                    await uow.console.prune(now)
                    await uow.outbox.redact(code_key(official_id), CODE_USED)
                    await uow.console.add_session(digest(token), official_id, now, now + SESSION_TTL)
                else:
                    code.tries += 1
                uow.session.add(code)
                await uow.commit()
        if token is None:
            return await console.render(
                request,
                "console/login.html",
                "Nhập mã đăng nhập",
                status=400,
                step="code",
                official_id=official_id,
                after=data.get("tiep", ""),
                error=WRONG,
            )
        response = web.HTTPSeeOther(_next(console, data.get("tiep", "")))
        console.gate.set_cookie(response, SESSION_COOKIE, token, int(SESSION_TTL.total_seconds()))
        raise response

    async def logout(request: web.Request) -> web.Response:
        await checked_form(request)
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            async with console.store.uow() as uow:
                await uow.console.end_session(digest(token))
                await uow.commit()
        response = web.HTTPSeeOther(console.path("/dang-nhap"))
        response.del_cookie(SESSION_COOKIE, path=console.prefix + "/")
        raise response

    p = console.prefix
    return [
        web.get(f"{p}/dang-nhap", form),
        web.post(f"{p}/dang-nhap", ask_code),
        web.post(f"{p}/dang-nhap/ma", check_code),
        web.post(f"{p}/dang-xuat", logout),
    ]


async def _send_code(console: Console, official_id: str) -> str:
    """Queue a new code to the official's own chat; the channel the page names (the same answer
    for an id nobody has, or an official no channel reaches now)."""
    now = console.clock()
    async with console.store.uow() as uow:
        officials = await uow.officials.all()
        # what an unknown id is told: the channel this commune's officials are usually reached on
        shown = next((ch for ch in console.reach.active if any(o.accounts.get(ch) for o in officials)), "")
        official = _official(officials, official_id)
        if official is None:
            return shown
        to = await private_channel(uow, console.reach, official.accounts, now)
        if to is None and console.print_codes:
            to = (TERMINAL, "")
        if to is None or await uow.console.codes_since(official_id, now - CODE_TTL) >= CODES_PER_TTL:
            return to[0] if to else shown
        code = f"{secrets.randbelow(10**6):06d}"
        await uow.console.add_code(
            official_id, code_hash(console.gate.key, official_id, code), to[0], now, now + CODE_TTL
        )
        text = (
            f"Mã đăng nhập trang cán bộ: {code}\n"
            "Mã dùng một lần, hết hạn sau 10 phút. Không đưa mã này cho ai, kể cả người xưng là cán bộ."
        )
        await uow.outbox.redact(code_key(""), CODE_EXPIRED, created_before=now - CODE_TTL)
        if to[0] != TERMINAL:
            key = f"{code_key(official_id)}{now.isoformat()}:{secrets.token_hex(4)}"
            await uow.outbox.put(to[0], to[1], Reply(text).payload(), now, dedupe_key=key, priority=ANSWER)
        await uow.commit()
    if to[0] == TERMINAL:  # the embedded demo: no messenger, the operator's terminal is the channel
        log.warning(
            "console login code for %s: %s (no messenger configured: printed here)", official_id, code
        )
    console.on_queued()
    return to[0]
