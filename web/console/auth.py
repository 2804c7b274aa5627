"""Who is signed in to the officials' console, what they may open, and forms that cannot be forged.

A session is a random token in an HttpOnly cookie; the database keeps only its SHA-256. Every
request re-reads the official from the commune's officials list, so an official removed from the
data file loses access at once. Every form carries a CSRF token derived (HMAC) from the browser's
session cookie, or before login from a random pre-login cookie.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar, cast
from urllib.parse import quote

from aiohttp import web
from markupsafe import Markup, escape
from multidict import MultiDict, MultiDictProxy

from domain.petitions import Role
from storage.store import Store

SESSION_COOKIE = "can_bo"
CSRF_COOKIE = "can_bo_pre"  # before login: what the login forms' CSRF token is derived from
CSRF_FIELD = "csrf"

_PRE = web.RequestKey("console_pre", str)  # a pre-login cookie made for this request (set on the response)

Handler = TypeVar("Handler", bound=Callable[..., Awaitable[web.StreamResponse]])
Page = Callable[..., Awaitable[web.Response]]  # Gate.page, bound: (request, template, title, ...)


@dataclass(frozen=True)
class ConsoleUser:
    """The signed-in official, as the officials list says now."""

    official_id: str
    name: str
    role: Role
    commune_id: int


def digest(secret: str) -> str:
    """How a session token is stored (SHA-256 hex)."""
    return hashlib.sha256(secret.encode()).hexdigest()


class Gate:
    """The console's sign-in state: the store, the clock, the key and where the console lives."""

    def __init__(
        self,
        store: Store,
        clock: Callable[[], datetime],
        key: bytes,
        prefix: str,
        *,
        secure: bool = False,
    ) -> None:
        self.store, self.clock, self.key = store, clock, key
        self.prefix = prefix.rstrip("/")  # e.g. "/can-bo" or "/xa-tan-lap/can-bo"
        self.secure = secure  # cookies only over https (PUBLIC_BASE_URL is https)
        self.page: Page | None = None  # set by the Console: renders its pages (403 included)

    @property
    def login_path(self) -> str:
        return f"{self.prefix}/dang-nhap"

    def set_cookie(self, response: web.StreamResponse, name: str, value: str, max_age: int) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path=self.prefix + "/",
            httponly=True,
            samesite="Lax",
            secure=self.secure,
        )

    def csrf(self, request: web.Request) -> str:
        """The CSRF token this browser's forms carry (HMAC of its session or pre-login cookie)."""
        seed = request.cookies.get(SESSION_COOKIE) or request.cookies.get(CSRF_COOKIE) or request.get(_PRE)
        if not seed:
            seed = request[_PRE] = secrets.token_urlsafe(24)
        return hmac.new(self.key, b"csrf:" + seed.encode(), hashlib.sha256).hexdigest()

    def finish(self, request: web.Request, response: web.StreamResponse) -> None:
        """Give the browser the pre-login cookie a page's forms were signed with."""
        if request.get(_PRE) and not request.cookies.get(SESSION_COOKIE):
            self.set_cookie(response, CSRF_COOKIE, request[_PRE], 12 * 3600)


GATE = web.AppKey("console_gate", Gate)
_USER: web.RequestKey[ConsoleUser | None] = web.RequestKey("console_user")


def gate(request: web.Request) -> Gate:
    return request.app[GATE]


async def current_user(request: web.Request) -> ConsoleUser | None:
    """The official signed in on this browser, or None (no session, expired, or no longer listed)."""
    if _USER in request:
        return request[_USER]
    user = await _lookup(request)
    request[_USER] = user
    return user


async def _lookup(request: web.Request) -> ConsoleUser | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    g = gate(request)
    async with g.store.uow() as uow:
        session = await uow.console.session(digest(token), g.clock())
        if session is None:
            return None
        official = next((o for o in await uow.officials.all() if o.id == session.official_id), None)
        if official is None:
            return None
        try:
            role = Role(official.role)
        except ValueError:
            return None
        return ConsoleUser(official.id, official.name, role, uow.commune_id)


def require(*roles: Role) -> Callable[[Handler], Handler]:
    """Guard an aiohttp handler (a function of the request, or a method): no session → the login
    page; a role not among `roles` (when given) → a 403 page in Vietnamese."""

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(*args: Any) -> web.StreamResponse:
            request = cast(web.Request, args[-1])
            user = await current_user(request)
            if user is None:
                target = gate(request).login_path
                if request.method == "GET":
                    target += "?tiep=" + quote(request.path_qs, safe="")
                raise web.HTTPSeeOther(target)
            if roles and user.role not in roles:
                return await forbidden(request, "Trang này không dành cho vai trò của anh/chị.")
            return await handler(*args)

        return cast(Handler, guarded)

    return wrap


async def forbidden(request: web.Request, message: str) -> web.Response:
    """The 403 page (in the console's frame when it can render one)."""
    g = gate(request)
    if g.page is None:
        return web.Response(text=message, status=403)
    return await g.page(request, "console/forbidden.html", "Không có quyền", status=403, message=message)


def csrf_field(request: web.Request) -> Markup:
    """The hidden input every console form carries: `{{ csrf_field }}` in a template."""
    token = gate(request).csrf(request)
    return Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(token)}">')


async def checked_form(request: web.Request) -> MultiDictProxy[str]:
    """The POSTed form, once its CSRF token is this browser's; else 403 (nothing is changed)."""
    form = await request.post()
    sent = form.get(CSRF_FIELD)
    if not isinstance(sent, str) or not hmac.compare_digest(sent, gate(request).csrf(request)):
        response = await forbidden(
            request,
            "Biểu mẫu đã hết hạn hoặc không hợp lệ. Anh/chị mở lại trang và thử lại; chưa có gì thay đổi.",
        )
        raise web.HTTPForbidden(text=response.text, content_type="text/html")
    return MultiDictProxy(MultiDict((k, v) for k, v in form.items() if isinstance(v, str)))
