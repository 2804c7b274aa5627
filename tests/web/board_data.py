"""The mini commune, a disclosure with HTML in it, and petitions for the statistics: what the board
tests read, on a real database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from qa.searcher import SearchIndex
from storage.importer import import_data, load_file
from storage.models import Petition, PetitionParty
from storage.store import Store
from tests.conftest import MINI, NOW
from web.board.routes import Board
from web.server import make_web_app

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FILER_NAME = "Nguyễn Thị Hoa"
FILER_PHONE = "0912345678"
SECRET = "Ông Trần Văn Cán nhận tiền của dân"  # a denunciation's content: never on a public page

SCRIPT_DOC = {
    "id": "thong-bao-co-the-html",
    "title": "Thông báo lịch thu gom rác",
    "category": "khac",
    "published_at": "2026-11-20",
    "body": "Rác được thu gom sáng thứ Hai.\n\n<script>alert('xss')</script>\n\n<b>in đậm giả</b>",
}


@dataclass(frozen=True)
class Seeded:
    code_to_cao: str
    code_phan_anh: str


async def seed(store: Store) -> Seeded:
    data = load_file(MINI)
    data["disclosures"].append(SCRIPT_DOC)
    async with store.uow() as uow:
        await import_data(uow, data, NOW)
    # Thôn Tân Sơn: 6 reports, 1 proposal; Thôn Đồng Chùa: 5 proposals; Thôn Khe Mát: 2 denunciations.
    cases = [("Thôn Tân Sơn", "phan_anh")] * 6 + [("Thôn Tân Sơn", "kien_nghi")]
    cases += [("Thôn Đồng Chùa", "kien_nghi")] * 5 + [("Thôn Khe Mát", "to_cao")] * 2
    codes: list[str] = []
    async with store.uow() as uow:
        for n, (village, kind) in enumerate(cases):
            received = NOW - timedelta(days=40 - n)
            answered = n % 3 != 0  # two of three answered on their first step
            petition = Petition(
                code=f"{kind[:2].upper()}-TEST{n:02d}",
                kind=kind,
                status="resolved" if answered else "received",
                content=SECRET if kind == "to_cao" else f"Cống ở {village} bị tắc, nhờ xã xử lý",
                summary="(tóm tắt)",
                village=village,
                received_at=received,
                accepted_at=received + timedelta(days=2) if answered else None,
                resolved_at=received + timedelta(days=9) if answered else None,
                first_due=(received + timedelta(days=14)).date(),
                resolve_due=(received + timedelta(days=21)).date(),
                rating=5 if answered and n < 10 else None,
            )
            party = PetitionParty(
                petition_id=0,
                channel="telegram",
                chat_id="7",
                user_id="7",
                name=FILER_NAME,
                phone=FILER_PHONE,
            )
            await uow.petitions.add(petition, party)
            assert petition.id is not None
            await uow.petitions.log(petition.id, received, "resident", "filed")
            if answered:
                await uow.petitions.log(petition.id, received + timedelta(days=2), "can-bo", "accepted")
                await uow.petitions.log(
                    petition.id, received + timedelta(days=3), "can-bo", "note", SECRET, internal=True
                )
            codes.append(petition.code)
        await uow.commit()
    return Seeded(code_to_cao=codes[-1], code_phan_anh=codes[0])


@asynccontextmanager
async def board_client(
    store: Store, prefix: str = ""
) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    board = Board(
        store, SearchIndex(), lambda: NOW, TZ, prefix=prefix, public_base_url="https://tanlap.example.vn"
    )
    client: TestClient[web.Request, web.Application] = TestClient(
        TestServer(make_web_app(store, [], b"", board))
    )
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()
