"""Upgrading a database that holds data: nothing an earlier version stored is lost."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from storage.migrate import downgrade, upgrade
from storage.models import Commune
from storage.store import Store
from tests.databases import store_at

NOW_AWARE = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


async def test_official_accounts_carry_over_from_the_old_columns(database_url: str) -> None:
    """An official's Telegram and Zalo ids, kept one column each before 0005, become accounts."""
    async with store_at(
        database_url,
        "0004",
        "INSERT INTO official (id, name, role, telegram_user_id, zalo_user_id, categories,"
        " content_hash) VALUES ('cb-1', 'Lò Văn A', 'admin', '9001', 'z-77', '[]', 'h'),"
        " ('cb-2', 'Hà Thị B', 'handler', NULL, NULL, '[]', 'h')",
    ) as store:
        await store.migrate()
        async with store.uow() as uow:
            admin = await uow.officials.by_account("telegram", "9001")
            assert admin is not None and admin.id == "cb-1"
            assert admin.accounts == {"telegram": "9001", "zalo": "z-77"}
            assert await uow.officials.by_account("zalo", "z-77") == admin
            assert await uow.officials.by_account("telegram", "") is None
            other = next(o for o in await uow.officials.all() if o.id == "cb-2")
            assert other.accounts == {}


_AT = datetime(2026, 11, 25, 3, 0)  # stored naive UTC, as storage.models.UTCDateTime writes it
_ROWS_0012: dict[str, list[dict[str, Any]]] = {
    "commune": [{"id": 1, "name": "Xã Tân Lập", "timezone": "Asia/Ho_Chi_Minh", "data_version": 3}],
    "village": [{"name": "Thôn Tân Sơn", "position": 0}],
    "disclosure": [
        {
            "id": "du-toan-2026",
            "title": "Dự toán 2026",
            "category": "ngan_sach",
            "villages": [],
            "published_at": date(2026, 1, 12),
            "tags": [],
            "attachments": [],
            "body": "Tổng thu 18.750 triệu đồng.",
            "content_hash": "h",
        }
    ],
    "event": [
        {
            "id": "tiep-dan",
            "title": "Tiếp dân",
            "kind": "tiep_cong_dan",
            "start": "2026-01-15T08:00:00+07:00",
            "exdates": [],
            "villages": [],
            "remind_before": [],
            "notify": [],
            "content_hash": "h",
        }
    ],
    "group": [
        {
            "id": "can-bo-xa",
            "name": "Cán bộ",
            "channel": "telegram",
            "chat_id": "-1001",
            "villages": [],
            "officials": True,
            "reach": "group",
            "content_hash": "h",
        }
    ],
    "official": [
        {
            "id": "cb-1",
            "name": "Lò Văn A",
            "role": "admin",
            "accounts": {"telegram": "9001"},
            "categories": [],
        }
        | {"content_hash": "h"}
    ],
    "conversation": [
        {"channel": "telegram", "chat_id": "42", "user_id": "42", "flow": "gui", "step": "kind", "data": {}}
        | {"updated_at": _AT}
    ],
    "subscription": [
        {"channel": "telegram", "chat_id": "42", "user_id": "42", "topics": ["events"], "created_at": _AT}
    ],
    "inboundupdate": [
        {"channel": "telegram", "update_key": "7", "payload": {}, "status": "handled", "attempts": 1}
        | {"received_at": _AT, "sender": "42"}
    ],
    "outboxmessage": [
        {
            "channel": "telegram",
            "chat_id": "42",
            "payload": {"text": "Chào"},
            "status": "pending",
            "attempts": 0,
        }
        | {"next_attempt_at": _AT, "created_at": _AT, "dedupe_key": "remind:PA-AAAAAA:2026-11-26"}
    ],
    "unansweredquestion": [
        {"channel": "telegram", "chat_id": "42", "question": "Lịch tiêm?", "asked_at": _AT}
    ],
    "petition": [
        {"id": 1, "code": "PA-AAAAAA", "kind": "phan_anh", "status": "received", "content": "Đèn hỏng"}
        | {"summary": "Đèn hỏng", "photos": [], "anonymous": False, "received_at": _AT}
    ],
    "petitionparty": [{"petition_id": 1, "channel": "telegram", "chat_id": "42", "user_id": "42"}],
    "petitionevent": [
        {"petition_id": 1, "at": _AT, "actor": "resident", "action": "filed", "internal": False}
    ],
    "relay_post": [
        {"dedupe_key": "post:1", "group_id": "can-bo-xa", "official_id": "cb-1", "channel": "telegram"}
        | {"chat_id": "9001", "summary": "Bài", "created_at": _AT}
    ],
    "media": [
        {"id": "m1", "mime": "image/jpeg", "size": 3, "sha256": "x", "data": b"abc", "created_at": _AT}
    ],
}


async def test_a_one_commune_database_upgrades_to_commune_scope_with_every_row_kept(
    database_url: str,
) -> None:
    """0014: every row of a populated 0012 database is the one commune's, read as before; a second
    commune may then use the same ids and dedupe keys."""
    store = Store(database_url)
    try:
        await upgrade(store.engine, "0012")

        def fill(conn: sa.Connection) -> None:
            meta = sa.MetaData()
            meta.reflect(conn, only=list(_ROWS_0012))
            for table, rows in _ROWS_0012.items():
                conn.execute(meta.tables[table].insert(), rows)

        async with store.engine.begin() as conn:
            await conn.run_sync(fill)
        await store.migrate()
        async with store.uow() as uow:  # no commune named: the only one
            assert uow.commune_id == 1
            assert await uow.commune.data_version() == 3
            assert await uow.commune.villages() == ["Thôn Tân Sơn"]
            assert [d.id for d in await uow.disclosures.all()] == ["du-toan-2026"]
            assert await uow.events.get("tiep-dan") is not None
            assert [g.id for g in await uow.groups.officials_groups()] == ["can-bo-xa"]
            assert await uow.officials.by_account("telegram", "9001") is not None
            assert await uow.conversations.get("telegram", "42", "42") is not None
            assert await uow.subscriptions.get("telegram", "42") is not None
            assert [u.update_key for u in await uow.inbound.set_aside()] == []
            assert [m.payload for m in await uow.outbox.for_chat("telegram", "42")] == [{"text": "Chào"}]
            assert [q.question for q in await uow.unanswered.all()] == ["Lịch tiêm?"]
            petition = await uow.petitions.by_code("PA-AAAAAA")
            assert petition is not None and petition.commune_id == 1
            assert await uow.petitions.party(1) is not None
            assert [e.action for e in await uow.petitions.events(1, include_internal=True)] == ["filed"]
            assert [r.dedupe_key for r in await uow.relays.recent()] == ["post:1"]
            assert await uow.media.get("media:m1") is not None
            # a second commune: the same ids and keys are its own
            uow.session.add(Commune(id=2, slug="dong-tien", name="Xã Đông Tiến"))
            await uow.session.flush()
            uow.rescope(2)
            assert await uow.disclosures.get("du-toan-2026") is None
            assert await uow.outbox.put(
                "telegram", "42", {"text": "x"}, NOW_AWARE, dedupe_key="remind:PA-AAAAAA:2026-11-26"
            )
            assert await uow.inbound.add_if_new("telegram", "7", {}, NOW_AWARE) is not None
            assert await uow.relays.add_if_new("post:1", "can-bo-xa", "cb-1", "telegram", "1", "b", NOW_AWARE)
            await uow.commit()
    finally:
        await store.close()


async def test_the_migrations_build_the_tables_the_models_declare(store: Store) -> None:
    """After every migration the schema is what storage/models says (columns, keys, indexes)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    def differences(conn: sa.Connection) -> list[Any]:
        return list(compare_metadata(MigrationContext.configure(conn), SQLModel.metadata))

    async with store.engine.connect() as conn:
        diff = await conn.run_sync(differences)
    # tables no model declares: APScheduler's job store and the health heartbeat
    unmodelled = ("apscheduler_jobs", "heartbeat", "ix_apscheduler_jobs_next_run_time")
    assert [d for d in diff if not any(name in repr(d) for name in unmodelled)] == []


async def test_the_oa_token_pair_becomes_the_first_communes_and_each_commune_gets_its_own(
    database_url: str,
) -> None:
    """0016: the deployment-wide OA token row of a populated 0014 database is the one commune's,
    sent with as before; a second commune stores its own pair beside it."""
    async with store_at(
        database_url,
        "0014",
        "INSERT INTO commune (id, name, timezone, data_version, slug) "
        "VALUES (1, 'Xã Tân Lập', 'Asia/Ho_Chi_Minh', 1, 'tan-lap')",
        sa.text(
            "INSERT INTO oa_token (id, access_token, refresh_token, expires_at, updated_at) "
            "VALUES (1, 'acc-1', 'ref-1', :at, :at)"
        ).bindparams(at=NOW_AWARE.replace(tzinfo=None)),
    ) as store:
        await store.migrate()
        async with store.uow() as uow:
            row = await uow.oa_tokens.locked()
            assert row is not None and (row.access_token, row.refresh_token) == ("acc-1", "ref-1")
            uow.session.add(Commune(id=2, slug="dong-tien", name="Xã Đông Tiến"))
            await uow.session.flush()
            uow.rescope(2)
            assert await uow.oa_tokens.get() is None
            await uow.oa_tokens.put("acc-2", "ref-2", NOW_AWARE, NOW_AWARE)
            await uow.commit()
        async with store.uow(1) as uow:
            first = await uow.oa_tokens.get()
            assert first is not None and first.refresh_token == "ref-1"
        async with store.uow(2) as uow:
            second = await uow.oa_tokens.locked()
            assert second is not None and second.refresh_token == "ref-2"


async def test_a_database_at_the_latest_migration_starts_without_alembic(database_url: str) -> None:
    """A restart finds the schema current from the migration files' own lines (Alembic, a second or
    more to load, only runs when there is something to do): that shortcut names Alembic's head."""
    from alembic.script import ScriptDirectory

    from storage.migrate import alembic_config, head_revision

    assert head_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()
    store = Store(database_url)
    try:
        await upgrade(store.engine, "0013")
        await store.migrate()  # behind: Alembic upgrades it
        async with store.engine.connect() as conn:
            version = (await conn.execute(sa.text("SELECT version_num FROM alembic_version"))).scalar()
        assert version == head_revision()
        await store.migrate()  # current: nothing to do
    finally:
        await store.close()


async def test_dropping_the_unused_petition_marks_keeps_every_petition_both_ways(database_url: str) -> None:
    """0020: a petition stored at 0019, with the reminder marks nothing reads any more set, is read
    as before after the upgrade, with its filer and its trail; a downgrade to 0019 keeps it too (the
    marks come back empty), and the database upgrades again."""
    async with store_at(
        database_url,
        "0019",
        "INSERT INTO commune (id, name, timezone, data_version) VALUES (1, 'Xã Tân Lập', 'Asia/Ho_Chi_Minh', 1)",
        sa.text(
            "INSERT INTO petition (id, commune_id, code, kind, status, content, summary, photos, anonymous,"
            " received_at, first_due, assignee, reminded_due, overdue_alerted) VALUES (1, 1, 'PA-AAAAAA',"
            " 'phan_anh', 'accepted', 'Đèn hỏng', 'Đèn hỏng', '[]', false, :at, :due, 'cb-1', :due, :due)"
        ).bindparams(at=_AT, due=date(2026, 11, 30)),
        "INSERT INTO petitionparty (petition_id, commune_id, channel, chat_id, user_id)"
        " VALUES (1, 1, 'telegram', '42', '42')",
        sa.text(
            "INSERT INTO petitionevent (petition_id, commune_id, at, actor, action, internal)"
            " VALUES (1, 1, :at, 'resident', 'filed', false)"
        ).bindparams(at=_AT),
    ) as store:

        async def read_back() -> None:
            async with store.uow() as uow:
                petition = await uow.petitions.by_code("PA-AAAAAA")
                assert petition is not None
                assert (petition.status, petition.first_due, petition.assignee) == (
                    "accepted",
                    date(2026, 11, 30),
                    "cb-1",
                )
                party = await uow.petitions.party(1)
                assert party is not None and party.chat_id == "42"
                assert [e.action for e in await uow.petitions.events(1, include_internal=True)] == ["filed"]

        await store.migrate()
        await read_back()
        await downgrade(store.engine, "0019")
        async with store.engine.connect() as conn:
            marks = (
                await conn.execute(sa.text("SELECT code, reminded_due, overdue_alerted FROM petition"))
            ).all()
            parties = (await conn.execute(sa.text("SELECT count(*) FROM petitionparty"))).scalar()
        assert [tuple(row) for row in marks] == [("PA-AAAAAA", None, None)] and parties == 1
        await store.migrate()
        await read_back()
