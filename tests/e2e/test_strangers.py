"""Every official action, tried by a stranger (and by an official of the wrong role) on every channel:
a polite refusal, and nothing changes in the database.

The actions are read from the code: every command and button of the routes whose handler lives
in handlers/officials.py or handlers/relay.py, and every `Op` as an `op:<op>:<code>` button; a new
official action is tried here without editing this file.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from domain.petition_actions import ADMIN_ONLY, IDENTITY_ONLY, NOT_ALLOWED, TAKE_TO_CAO_ONLY
from domain.petitions import Op
from handlers import relay
from handlers.officials import NOT_FOUND
from handlers.router import ButtonPrefix, Command, routes
from tests.attack_harness import Webhooks
from tests.e2e.test_petitions_telegram import GROUP, HANDLER, STRANGER, SUPERVISOR, file_petition

pytestmark = pytest.mark.e2e

OFFICIAL_MODULES = frozenset({"handlers.officials", "handlers.relay"})
REFUSALS = (
    NOT_ALLOWED,
    ADMIN_ONLY,
    IDENTITY_ONLY,
    TAKE_TO_CAO_ONLY,
    relay.NOT_YOURS,
    "Xin lỗi, chỉ cán bộ xã",
    "Vì bảo mật, lệnh /xem chỉ dùng khi nhắn riêng",
)
VOLATILE = frozenset({"inboundupdate", "outboxmessage", "oa_token"})  # every message leaves these
ZALO_STRANGER, OA_STRANGER = "zs-4401", "oa-stranger-4402"
ZALO_HANDLER = "9102"  # tran-thi-binh on Zalo


def official_commands() -> list[str]:
    names = {
        name
        for r in routes()
        if r.handler.__module__ in OFFICIAL_MODULES and isinstance(r.matches, Command)
        for name in r.matches.names
    }
    return sorted(names)


def official_buttons(code: str) -> list[str]:
    prefixes = {
        r.matches.prefix
        for r in routes()
        if r.handler.__module__ in OFFICIAL_MODULES and isinstance(r.matches, ButtonPrefix)
    }
    data = [f"op:{op.value}:{code}" for op in Op] if "op:" in prefixes else []
    return sorted(data + [f"{p}1" for p in prefixes if p != "op:"])


def attempts(code: str) -> list[tuple[str, str]]:
    """(kind, what) for every official action: ("command", "/traloi CODE ...") or ("button", data)."""
    typed = [
        ("command", f"/{name} {code}{more}")
        for name in official_commands()
        for more in ("", " Nội dung đủ dài để thử thao tác")
    ]
    return typed + [("button", data) for data in official_buttons(code)]


def polite(text: str) -> bool:
    return any(refusal in text for refusal in REFUSALS)


def harmless(text: str) -> bool:
    """A refusal, or (for the form of a command that does not fit it) how to use it / no such code."""
    return polite(text) or text.startswith(("Cách dùng", NOT_FOUND))


def refused_in_some_form(answers: dict[str, str]) -> None:
    """Each attempt got a harmless answer, and each action was refused outright in one form."""
    assert all(harmless(a) for a in answers.values()), {w: a for w, a in answers.items() if not harmless(a)}
    by_action: dict[str, list[str]] = {}
    for what, answer in answers.items():
        by_action.setdefault(what.split()[0], []).append(answer)
    assert all(any(polite(a) for a in got) for got in by_action.values()), by_action


async def snapshot(hooks: Webhooks) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the message logs."""
    assert hooks.app is not None
    tables = [t for t in SQLModel.metadata.sorted_tables if t.name not in VOLATILE]
    found: dict[str, list[tuple[Any, ...]]] = {}
    async with hooks.app.store.uow() as uow:
        for t in tables:
            rows = (await uow.session.exec(sa.select(t))).all()  # type: ignore[call-overload]
            found[t.name] = sorted((tuple(r) for r in rows), key=repr)
    return found


@pytest.fixture
async def hooks(database_url: str) -> AsyncIterator[Webhooks]:
    async with Webhooks(database_url) as running:
        yield running


async def _telegram(hooks: Webhooks, kind: str, what: str, chat: int, user: int) -> str:
    fake = hooks.telegram
    if kind == "command":
        await fake.push_text(chat, what, user_id=user)
    else:
        await fake.push_callback(chat, user, what)
    return str((await fake.next_sent(chat, method="sendMessage"))["text"])


def test_every_official_action_is_enumerated() -> None:
    assert {"traloi", "ghichu", "giao", "xem", "baidang"} <= set(official_commands())
    assert {f"op:{op.value}:X" for op in Op} <= set(official_buttons("X"))
    assert any(b.startswith(relay.PREFIX) for b in official_buttons("X"))


async def test_strangers_are_refused_every_official_action_on_every_channel(hooks: Webhooks) -> None:
    report = await file_petition(
        hooks.telegram, kind="to_cao", chat=5501, contact=("Đỗ Thị Mận", "0911222333")
    )
    complaint = await file_petition(hooks.telegram, chat=5502)
    await hooks.settle()
    before = await snapshot(hooks)
    answers: dict[str, dict[str, str]] = {"private": {}, "group": {}, "web": {}, "zalo": {}, "zalo_oa": {}}
    for code in (report.code, complaint.code):
        for kind, what in attempts(code):
            answers["private"][what] = await _telegram(hooks, kind, what, STRANGER, STRANGER)
            answers["group"][what] = await _telegram(hooks, kind, what, GROUP, STRANGER)
            web = hooks.webchat(button=what) if kind == "button" else hooks.webchat(text=what)
            answers["web"][what] = await web
            if kind == "command":  # Zalo and the OA have no buttons: a stranger can only type
                n = len(hooks.zalo.texts_to(ZALO_STRANGER))
                await hooks.zalo.push_text(ZALO_STRANGER, what)
                answers["zalo"][what] = (await hooks.zalo.next_sent(ZALO_STRANGER, after=n)).params["text"]
                n = len(hooks.oa.texts_to(OA_STRANGER))
                await hooks.oa.push_text(OA_STRANGER, what)
                answers["zalo_oa"][what] = (await hooks.oa.next_sent(OA_STRANGER, after=n)).text
    for got in answers.values():
        refused_in_some_form(got)
    await hooks.settle()
    assert await snapshot(hooks) == before


async def test_officials_of_the_wrong_role_are_refused_and_nothing_changes(hooks: Webhooks) -> None:
    report = await file_petition(
        hooks.telegram, kind="to_cao", chat=5503, contact=("Đỗ Thị Mận", "0911222333")
    )
    await hooks.settle()
    before = await snapshot(hooks)
    # The supervisor watches the queue and acts on nothing (reading /baidang is theirs).
    refused_in_some_form(
        {
            what: await _telegram(hooks, kind, what, SUPERVISOR, SUPERVISOR)
            for kind, what in attempts(report.code)
            if not what.startswith(("/baidang", relay.PREFIX))
        }
    )
    # A handler may not assign, nor take or see a denunciation nobody gave them (on any channel).
    giao = f"/giao {report.code} tran-thi-binh"
    assert ADMIN_ONLY in await _telegram(hooks, "command", giao, HANDLER, HANDLER)
    assert TAKE_TO_CAO_ONLY in await _telegram(hooks, "button", f"op:take:{report.code}", GROUP, HANDLER)
    assert IDENTITY_ONLY in await _telegram(hooks, "command", f"/xem {report.code}", HANDLER, HANDLER)
    for typed in (giao, f"/xem {report.code}"):
        n = len(hooks.zalo.texts_to(ZALO_HANDLER))
        await hooks.zalo.push_text(ZALO_HANDLER, typed)
        answer = (await hooks.zalo.next_sent(ZALO_HANDLER, after=n)).params["text"]
        assert polite(answer), (typed, answer)
    await hooks.settle()
    assert await snapshot(hooks) == before
