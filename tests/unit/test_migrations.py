"""Upgrading a database that holds data: nothing an earlier version stored is lost."""

from __future__ import annotations

import sqlalchemy as sa

from storage.migrate import upgrade
from storage.store import Store


async def test_official_accounts_carry_over_from_the_old_columns(database_url: str) -> None:
    """An official's Telegram and Zalo ids, kept one column each before 0005, become accounts."""
    store = Store(database_url)
    try:
        await upgrade(store.engine, "0004")
        async with store.engine.begin() as conn:
            await conn.execute(
                sa.text(
                    "INSERT INTO official (id, name, role, telegram_user_id, zalo_user_id, categories,"
                    " content_hash) VALUES ('cb-1', 'Lò Văn A', 'admin', '9001', 'z-77', '[]', 'h'),"
                    " ('cb-2', 'Hà Thị B', 'handler', NULL, NULL, '[]', 'h')"
                )
            )
        await store.migrate()
        async with store.uow() as uow:
            admin = await uow.officials.by_account("telegram", "9001")
            assert admin is not None and admin.id == "cb-1"
            assert admin.accounts == {"telegram": "9001", "zalo": "z-77"}
            assert await uow.officials.by_account("zalo", "z-77") == admin
            assert await uow.officials.by_account("telegram", "") is None
            other = next(o for o in await uow.officials.all() if o.id == "cb-2")
            assert other.accounts == {}
    finally:
        await store.close()
