"""Steps of the petition flow, on any messenger (see tests/e2e/messengers.py), and what is stored."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import select

from bot.app import App
from storage.models import Petition
from tests.e2e.messengers import RESIDENT, Messenger

CODE_RE = re.compile(r"\b(?:PA|KN|KH|TC)-[23456789A-HJ-NP-Z]{6}\b")
NOTHING = "Không tìm thấy hồ sơ nào với mã này mà bà con được xem"
NOT_ALLOWED = "chỉ cán bộ xã có tên trong danh sách"
NAME, PHONE = "Phạm Thị Hoa", "0912345678"
DRAIN = "Cống thoát nước đầu ngõ bị tắc, nước tràn ra đường khi mưa"
ROAD_QUESTION = "duong thon tan son dai bao nhieu"


@dataclass
class Filed:
    code: str
    receipt: str  # what the resident was told on sending
    text: str  # the announcement the officials got


async def until_confirm(
    m: Messenger,
    *,
    kind: str = "phan_anh",
    content: str = DRAIN,
    place: str = "gui:v0",
    photos: int = 0,
    contact: tuple[str, str] | None = None,
    who: str = RESIDENT,
) -> str:
    """Walk /gui up to the confirmation; returns the summary shown before sending."""
    assert "loại nào" in await m.say("/gui", who)
    assert "mô tả nội dung" in await m.press(f"gui:{kind}", who)
    assert "thôn nào" in await m.say(content, who)
    asked = await (m.press(place, who) if place.startswith("gui:") else m.say(place, who))
    assert "ảnh" in asked
    for _ in range(photos):
        assert "Đã nhận" in await m.photo(who)
    assert "họ tên" in await m.press("gui:done" if photos else "gui:skip", who)
    if contact is None:
        return await m.press("gui:no", who)
    assert "họ và tên" in await m.press("gui:yes", who)
    assert "Số điện thoại" in await m.say(contact[0], who)
    return await m.say(contact[1], who)


async def file_petition(m: Messenger, **kw: Any) -> Filed:
    """The whole /gui flow, then Send: the code, the receipt and the officials' announcement."""
    who = kw.get("who", RESIDENT)
    assert "xem lại" in await until_confirm(m, **kw)
    receipt = await m.press("gui:send", who)
    found = CODE_RE.search(receipt)
    assert found, receipt
    return Filed(found.group(), receipt, await m.announcement(found.group()))


async def petition_row(app: App, code: str) -> dict[str, Any]:
    async with app.store.uow() as uow:
        petition = await uow.petitions.by_code(code)
        assert petition is not None
        return petition.model_dump()


async def petition_count(app: App) -> int:
    async with app.store.uow() as uow:
        return int((await uow.session.exec(select(func.count()).select_from(Petition))).one())


async def audit(app: App, code: str) -> list[tuple[str, str, str | None]]:
    """(actor, action, detail) of every audit event, internal ones included."""
    async with app.store.uow() as uow:
        petition = await uow.petitions.by_code(code)
        assert petition is not None and petition.id is not None
        events = await uow.petitions.events(petition.id, include_internal=True)
        return [(e.actor, e.action, e.detail) for e in events]
