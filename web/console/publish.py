"""Publish or edit a disclosure or an event (admins and handlers): the data file's fields in a form,
checked exactly as the importer checks a file; a problem names the field in Vietnamese and changes
nothing. Publishing stores it for the commune, announces a new disclosure to its groups once (as the
scheduler does) and the search answers from it; `python -m bot import` then keeps the edit.

The work is done by a `Publishing` service (scheduled/publish.py `Publisher`, put on the web app
under `PUBLISHER` by bot/app.py): the web layer does not reach the scheduler's modules itself.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from aiohttp import web
from multidict import MultiDictProxy

from domain.petitions import Role
from domain.vnformat import CATEGORY_NAMES, EVENT_KINDS, vn_date
from qa.vntext import fold
from storage.models import Disclosure, Event
from storage.publishing import FIELDS, LABELS, LISTS, Problem, Published, entry_from_form, form_from_row
from web.console.auth import checked_form, current_user, require

if TYPE_CHECKING:
    from web.console.app import Console

# URL word -> the data file's section
KINDS = {"van-ban": "disclosures", "lich": "events"}
NAMES = {"disclosures": "văn bản công khai", "events": "lịch"}
FORM_MAX = 20_000  # characters of one field: a disclosure's body with its tables


class Publishing(Protocol):
    """Check, store and announce one entry (scheduled.publish.Publisher)."""

    async def publish(
        self, commune_id: int, section: str, entry: dict[str, Any], official_id: str, new: bool
    ) -> Published: ...


PUBLISHER = web.AppKey[Publishing]("console_publisher")


def local_start(text: str, tz: ZoneInfo) -> str:
    """An event's stored start as a browser's date-and-time field shows it (the commune's time)."""
    try:
        return datetime.fromisoformat(text).astimezone(tz).strftime("%Y-%m-%dT%H:%M")
    except ValueError:
        return text


def suggested_id(title: str) -> str:
    """An id from a title when the official leaves it blank: 'Họp dân Thôn Tân Sơn' -> 'hop-dan-thon-tan-son'."""
    words = re.sub(r"[^a-z0-9]+", " ", fold(title).replace("đ", "d")).split()
    return "-".join(words)[:60].strip("-")


def _shown(start: str, tz: ZoneInfo) -> str:
    """An event's start as officials read it: '14:00 08/12/2026'."""
    try:
        return datetime.fromisoformat(start).astimezone(tz).strftime("%H:%M %d/%m/%Y")
    except ValueError:
        return start


def _fields(form: MultiDictProxy[str], section: str) -> dict[str, str]:
    """The posted fields; the check boxes of a list (villages, groups) joined one a line."""
    fields: dict[str, str] = {}
    for name in FIELDS[section]:
        values = form.getall(name, [])
        fields[name] = ("\n".join(values) if name in LISTS else (values[0] if values else ""))[:FORM_MAX]
    return fields


class PublishPage:
    def __init__(self, console: Console) -> None:
        self.c = console

    def routes(self) -> list[web.RouteDef]:
        p = self.c.path("/dang-tin")
        acting = require(Role.ADMIN, Role.HANDLER)
        return [
            web.get(p, acting(self.index)),
            web.get(p + "/{kind}/moi", acting(self.new)),
            web.post(p + "/{kind}/moi", acting(self.submit)),
            web.get(p + "/{kind}/sua/{entry_id}", acting(self.edit)),
            web.post(p + "/{kind}/sua/{entry_id}", acting(self.submit)),
        ]

    async def index(self, request: web.Request) -> web.Response:
        async with self.c.store.uow() as uow:
            docs = sorted(await uow.disclosures.all(), key=lambda d: (d.published_at, d.id), reverse=True)
            events = await uow.events.all()
        done = request.query.get("xong", "")
        # the entry just saved, named by its title as officials wrote it (its id only if gone)
        titles = {d.id: d.title for d in docs} | {e.id: e.title for e in events}
        done = titles.get(done, done)
        sent = request.query.get("gui", "")
        return await self.c.render(
            request,
            "console/publish_list.html",
            "Đăng tin",
            nav="publish",
            docs=[(d, vn_date(d.published_at)) for d in docs],
            events=[(e, _shown(e.start, self.c.tz)) for e in events],
            done=done,
            sent=int(sent) if sent.isdigit() else 0,
        )

    def _section(self, request: web.Request) -> str:
        section = KINDS.get(request.match_info["kind"])
        if section is None:
            raise web.HTTPNotFound(text="Không có trang này.")
        return section

    async def new(self, request: web.Request) -> web.Response:
        section = self._section(request)
        values = {name: "" for name in FIELDS[section]}
        if section == "disclosures":
            values["published_at"] = self.c.clock().astimezone(self.c.tz).date().isoformat()
        values["title"] = request.query.get("tieu-de", "")[:300]
        return await self._form(request, section, values, new=True)

    async def edit(self, request: web.Request) -> web.Response:
        section = self._section(request)
        async with self.c.store.uow() as uow:
            row: Disclosure | Event | None = await (
                uow.disclosures.get if section == "disclosures" else uow.events.get
            )(request.match_info["entry_id"])
        if row is None:
            raise web.HTTPNotFound(text="Không có mục này.")
        values = form_from_row(section, row)
        if section == "events":
            values["start"] = local_start(values["start"], self.c.tz)
        return await self._form(request, section, values, new=False, row=row)

    async def submit(self, request: web.Request) -> web.Response:
        section = self._section(request)
        form = await checked_form(request)
        user = await current_user(request)
        assert user is not None  # the guard let the request in
        new = "entry_id" not in request.match_info
        values = _fields(form, section)
        if not new:
            values["id"] = request.match_info["entry_id"]  # the id of an entry is not edited
        elif not values["id"].strip():
            values["id"] = suggested_id(values["title"])
        entry = entry_from_form(section, values, self.c.tz)
        done = await request.app[PUBLISHER].publish(user.commune_id, section, entry, user.official_id, new)
        if done.problems:
            return await self._form(request, section, values, new=new, problems=done.problems, status=400)
        raise web.HTTPSeeOther(self.c.path(f"/dang-tin?xong={done.entry_id}&gui={done.announced}"))

    async def _form(
        self,
        request: web.Request,
        section: str,
        values: dict[str, str],
        *,
        new: bool,
        row: Disclosure | Event | None = None,
        problems: list[Problem] | None = None,
        status: int = 200,
    ) -> web.Response:
        async with self.c.store.uow() as uow:
            villages = await uow.commune.villages()
            groups = [g for g in await uow.groups.all() if not g.officials]
        kind = next(k for k, s in KINDS.items() if s == section)
        action = "/moi" if new else f"/sua/{values['id']}"
        verb = "Đăng" if new else "Sửa"
        return await self.c.render(
            request,
            "console/publish_form.html",
            f"{verb} {NAMES[section]}",
            status=status,
            nav="publish",
            section=section,
            v=values,
            chosen={name: set(values.get(name, "").split("\n")) for name in ("villages", "notify")},
            labels=LABELS,
            errors={p.field: p.message for p in problems or []},
            problems=problems or [],
            new=new,
            row=row,
            action=self.c.path(f"/dang-tin/{kind}{action}"),
            village_options=[(v, v) for v in villages],
            group_options=[(g.id, g.name) for g in groups],
            categories=CATEGORY_NAMES,
            event_kinds=EVENT_KINDS,
            edited=_edited_note(row, self.c.tz),
        )


def _edited_note(row: Disclosure | Event | None, tz: ZoneInfo) -> str:
    if row is None or row.edited_at is None:
        return ""
    return f"Sửa lần cuối trên trang cán bộ lúc {row.edited_at.astimezone(tz).strftime('%H:%M %d/%m/%Y')}."


def routes(console: Console) -> list[web.RouteDef]:
    return PublishPage(console).routes()
