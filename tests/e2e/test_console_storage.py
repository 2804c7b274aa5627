"""The console's storage on SQLite and PostgreSQL: migration 0015 upgrades a populated database,
sessions and codes belong to one commune, the queue's filters and counts, and which of an
official's chats a login code goes to."""

from __future__ import annotations

from datetime import date, timedelta

from domain.reach import Reach
from storage.importer import import_data, load_file
from storage.migrate import upgrade
from storage.models import Commune, Petition, PetitionParty
from storage.repositories.console_queue import QueueFilter
from storage.store import Store
from storage.uow import UnitOfWork
from tests.conftest import MINI, NOW
from web.console.auth import digest
from web.console.login import private_channel

TODAY = date(2026, 11, 25)


async def add_petition(
    uow: UnitOfWork,
    code: str,
    kind: str,
    status: str,
    village: str,
    first_due: date,
    resolve_due: date | None,
) -> None:
    petition = Petition(
        code=code,
        kind=kind,
        status=status,
        content="Nội dung",
        summary="Tóm tắt",
        village=village,
        received_at=NOW - timedelta(days=20),
        first_due=first_due,
        resolve_due=resolve_due,
    )
    await uow.petitions.add(
        petition, PetitionParty(petition_id=0, channel="telegram", chat_id="5", user_id="5")
    )


async def test_0015_upgrades_a_populated_database_and_sessions_stay_in_their_commune(
    database_url: str,
) -> None:
    store = Store(database_url)
    try:
        await upgrade(store.engine, "0014")
        async with store.uow() as uow:
            await import_data(uow, load_file(MINI), NOW)
        async with store.uow() as uow:
            await add_petition(uow, "PA-AAAAAA", "phan_anh", "received", "Thôn Tân Sơn", TODAY, None)
            await uow.commit()
        await store.migrate()
        async with store.uow() as uow:
            assert [p.code for p in (await uow.console.queue(QueueFilter(), 0, 10))[0]] == ["PA-AAAAAA"]
            await uow.console.add_session(digest("tok"), "tran-thi-binh", NOW, NOW + timedelta(hours=12))
            await uow.console.add_code(
                "tran-thi-binh", "h" * 64, "telegram", NOW, NOW + timedelta(minutes=10)
            )
            await uow.commit()
        async with store.uow() as uow:
            session = await uow.console.session(digest("tok"), NOW)
            assert session is not None and session.official_id == "tran-thi-binh"
            assert await uow.console.session(digest("tok"), NOW + timedelta(hours=12)) is None  # expired
            assert await uow.console.live_code("tran-thi-binh", NOW) is not None
            uow.session.add(Commune(id=2, slug="dong-tien", name="Xã Đông Tiến"))
            await uow.session.flush()
            uow.rescope(2)  # another commune sees neither the session nor the code nor the petition
            assert await uow.console.session(digest("tok"), NOW) is None
            assert await uow.console.live_code("tran-thi-binh", NOW) is None
            assert (await uow.console.queue(QueueFilter(), 0, 10))[1] == 0
    finally:
        await store.close()


async def test_the_queue_filters_overdue_by_the_deadline_that_matters_now(store: Store) -> None:
    async with store.uow() as uow:
        await import_data(uow, load_file(MINI), NOW)
    passed, coming = TODAY - timedelta(days=1), TODAY + timedelta(days=5)
    async with store.uow() as uow:
        # received, first step late / accepted, resolution late / accepted, first step passed but
        # resolution not (not late) / resolved (never late) / received in time
        await add_petition(uow, "PA-LATE01", "phan_anh", "received", "Thôn Tân Sơn", passed, None)
        await add_petition(uow, "KH-LATE02", "khieu_nai", "accepted", "Thôn Đồng Chùa", passed, passed)
        await add_petition(uow, "KN-OKAY03", "kien_nghi", "accepted", "Thôn Tân Sơn", passed, coming)
        await add_petition(uow, "PA-DONE04", "phan_anh", "resolved", "Thôn Tân Sơn", passed, passed)
        await add_petition(uow, "PA-OKAY05", "phan_anh", "received", "Thôn Khe Mát", coming, None)
        await uow.commit()
    async with store.uow() as uow:
        q = uow.console

        async def codes(wanted: QueueFilter, offset: int = 0, limit: int = 10) -> list[str]:
            return sorted(p.code for p in (await q.queue(wanted, offset, limit))[0])

        assert await codes(QueueFilter(overdue_on=TODAY)) == ["KH-LATE02", "PA-LATE01"]
        assert await codes(QueueFilter(kind="phan_anh", overdue_on=TODAY)) == ["PA-LATE01"]
        assert await codes(QueueFilter(status="accepted")) == ["KH-LATE02", "KN-OKAY03"]
        assert await codes(QueueFilter(village="Thôn Tân Sơn")) == ["KN-OKAY03", "PA-DONE04", "PA-LATE01"]
        page_one, total = await q.queue(QueueFilter(), 0, 2)
        page_three, _ = await q.queue(QueueFilter(), 4, 2)
        assert total == 5 and len(page_one) == 2 and len(page_three) == 1
        assert page_three[0].code == "PA-DONE04"  # closed ones come last
        assert await q.status_counts() == {"received": 2, "accepted": 2, "resolved": 1}
        assert await q.villages_in_use() == ["Thôn Khe Mát", "Thôn Tân Sơn", "Thôn Đồng Chùa"]


async def test_a_code_goes_by_another_channel_when_zalo_oa_would_hold_it(store: Store) -> None:
    """Zalo's Official Account may write to a person only within 7 days of their last message:
    outside it the code goes by the official's other chat; inside it, by the preferred one."""
    reach = Reach(active=("zalo_oa", "telegram"))
    both = {"zalo_oa": "oa-9002", "telegram": "9002"}
    async with store.uow() as uow:
        await uow.inbound.add_if_new("zalo_oa", "u1", {}, NOW - timedelta(days=8), sender="oa-9002")
        await uow.commit()
    async with store.uow() as uow:
        assert await private_channel(uow, reach, both, NOW) == ("telegram", "9002")
        assert await private_channel(uow, reach, {"zalo_oa": "oa-9002"}, NOW) is None
        await uow.inbound.add_if_new("zalo_oa", "u2", {}, NOW - timedelta(days=1), sender="oa-9002")
        assert await private_channel(uow, reach, both, NOW) == ("zalo_oa", "oa-9002")
        # a chat the official has written on comes before one they never used
        assert await private_channel(uow, Reach(active=("telegram", "zalo_oa")), both, NOW) == (
            "zalo_oa",
            "oa-9002",
        )
