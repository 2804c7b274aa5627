"""A Zalo village group reached through its admin: the post privately, 'đã đăng', one reminder, a status list."""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from domain.messages import Incoming, Reply
from handlers.router import pick, routes
from handlers.services import Ctx, Services
from qa.searcher import SearchIndex
from scheduled.jobs import remind_relays
from scheduled.preview import preview
from scheduled.reminders import queue_reminder
from storage.importer import import_data, load_file
from storage.models import OutboxMessage
from storage.store import Store
from storage.validation import validate
from tests.conftest import MINI, NOW, REACH

VN = ZoneInfo("Asia/Ho_Chi_Minh")
QUIET = (time(21, 30), time(6, 0))
SUNDAY_CLEANUP = datetime(2026, 11, 29, 7, 0, tzinfo=VN)  # weekly, Thôn Tân Sơn, reminded P1D before
ASKED = SUNDAY_CLEANUP - timedelta(days=1)
ADMIN_ZALO = "9102"  # Trần Thị Bình's zalo_user_id in the mini commune


def relayed_commune() -> dict[str, Any]:
    data = load_file(MINI)
    group = next(g for g in data["groups"] if g["id"] == "zalo-tan-son")
    group.update(reach="relay", relay_by="tran-thi-binh")
    return dict(data)


async def seed(store: Store) -> None:
    async with store.uow() as uow:
        await import_data(uow, relayed_commune(), NOW)


async def to_admin(store: Store) -> list[OutboxMessage]:
    async with store.uow() as uow:
        return await uow.outbox.for_chat("zalo", ADMIN_ZALO)


async def handle(store: Store, text: str = "", button: str | None = None, user: str = ADMIN_ZALO) -> str:
    msg = Incoming(channel="zalo", chat_id=user, user_id=user, text=text, button=button)
    svc = Services(uow=store.uow, clock=lambda: ASKED, tz=VN, search=SearchIndex(), reach=REACH)
    handler = pick(routes(), msg)
    assert handler is not None
    async with store.uow() as uow:
        replies: list[Reply] = await handler(msg, Ctx(uow=uow, svc=svc, now=ASKED + timedelta(hours=1)))
        await uow.commit()
    return "\n".join(r.text for r in replies)


async def test_the_groups_admin_gets_the_post_to_forward_then_a_button(store: Store) -> None:
    await seed(store)
    assert await queue_reminder(store, ASKED, VN, QUIET, "ve-sinh-tan-son", SUNDAY_CLEANUP, "P1D", REACH) == 1
    assert await queue_reminder(store, ASKED, VN, QUIET, "ve-sinh-tan-son", SUNDAY_CLEANUP, "P1D", REACH) == 0
    post, ask = await to_admin(store)
    assert post.payload["text"].startswith("🔔 Nhắc lịch: Tổng vệ sinh")
    assert "buttons" not in post.payload  # forwarded as it is
    assert "«Bà con Thôn Tân Sơn»" in ask.payload["text"]
    [[[label, data]]] = ask.payload["buttons"]
    assert label == "Đã đăng" and data.startswith("relay:")


async def test_only_the_admin_confirms_and_officials_see_which_groups_posted(store: Store) -> None:
    await seed(store)
    await queue_reminder(store, ASKED, VN, QUIET, "ve-sinh-tan-son", SUNDAY_CLEANUP, "P1D", REACH)
    _, ask = await to_admin(store)
    data = ask.payload["buttons"][0][0][1]
    assert "không giao cho anh/chị" in await handle(store, button=data, user="5555")  # a stranger
    assert "⏳ chưa đăng" in await handle(store, "/baidang")
    assert "Cảm ơn" in await handle(store, button=data)
    assert "đã được ghi nhận rồi" in await handle(store, button=data)  # twice: nothing more
    status = await handle(store, "/baidang")
    assert "Bà con Thôn Tân Sơn: ✅ đã đăng" in status
    assert "chỉ cán bộ xã" in await handle(store, "/baidang", user="5555")


async def test_typing_da_dang_confirms_the_latest_post(store: Store) -> None:
    await seed(store)
    await queue_reminder(store, ASKED, VN, QUIET, "ve-sinh-tan-son", SUNDAY_CLEANUP, "P1D", REACH)
    assert "Cảm ơn" in await handle(store, "Đã đăng rồi")
    assert "✅ đã đăng" in await handle(store, "/baidang")


async def test_an_unconfirmed_post_is_reminded_once(store: Store) -> None:
    await seed(store)
    await queue_reminder(store, ASKED, VN, QUIET, "ve-sinh-tan-son", SUNDAY_CLEANUP, "P1D", REACH)
    assert await remind_relays(store, ASKED + timedelta(hours=1)) == 0  # too early
    assert await remind_relays(store, ASKED + timedelta(hours=4)) == 1
    assert await remind_relays(store, ASKED + timedelta(hours=8)) == 0  # once
    reminder = (await to_admin(store))[-1]
    assert reminder.payload["text"].startswith("🔔 Nhắc nhẹ") and reminder.payload["buttons"]


async def test_preview_says_who_relays_each_group(store: Store) -> None:
    await seed(store)
    out = io.StringIO()
    await preview(store, NOW, 10, VN, QUIET, REACH, out)
    text = out.getvalue()
    assert "Bà con Thôn Tân Sơn (Zalo): bot gửi riêng cho Trần Thị Bình (quản trị nhóm)" in text
    assert "(nhờ quản trị nhóm chuyển tiếp)" in text


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"relay_by": None}, "groups[zalo-tan-son].relay_by: nhóm đăng qua người quản trị"),
        (
            {"relay_by": "tran-thi-bin"},
            "groups[zalo-tan-son].relay_by: 'tran-thi-bin' không có trong danh sách",
        ),
        (
            {"relay_by": "le-van-cuong"},
            "groups[zalo-tan-son].relay_by: cán bộ 'le-van-cuong' chưa có zalo_user_id",
        ),
    ],
)
def test_a_relayed_group_needs_a_reachable_admin(change: dict[str, Any], problem: str) -> None:
    data = relayed_commune()
    group = next(g for g in data["groups"] if g["id"] == "zalo-tan-son")
    group.update(change)
    if group["relay_by"] is None:
        del group["relay_by"]
    problems = validate(data)
    assert any(p.startswith(problem) for p in problems), problems
