"""`python -m bot communes`: the communes of the database, with what their bots need.

One line per commune: its id (the data file's commune.id, what COMMUNE_ID names), its name, its
Zalo Official Account's token as stored (none, good until, dead) and, for the commune this
process's settings serve, which bots those settings turn on. Tokens and secrets live in each
commune's settings file, never in the database: the other communes' bots are checked with their
own settings (`COMMUNE_ID=... python -m bot communes`).
"""

from __future__ import annotations

import sys
from datetime import datetime
from typing import TextIO
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from bot.config import Settings
from storage.models import Commune
from storage.store import Store
from storage.uow import NO_COMMUNE


def _oa_state(token: tuple[datetime | None, str | None] | None, now: datetime, tz: ZoneInfo) -> str:
    if token is None:
        return "OA: chưa có token"
    expires_at, dead = token
    if dead:
        return f"OA: token hỏng ({dead[:80]}), cần đặt lại"
    if expires_at is not None and expires_at <= now:
        return "OA: token hết hạn (bot tự gia hạn khi gửi)"
    return (
        f"OA: token dùng được đến {expires_at.astimezone(tz):%d/%m/%Y %H:%M}"
        if expires_at
        else "OA: có token"
    )


def _bots(settings: Settings) -> str:
    on = {
        "Telegram": bool(settings.TELEGRAM_BOT_TOKEN),
        "Zalo": bool(settings.ZALO_BOT_TOKEN),
        "Zalo OA": bool(settings.ZALO_OA_APP_ID and settings.ZALO_OA_SECRET_KEY),
    }
    named = [name for name, yes in on.items() if yes]
    return "bot bật theo cấu hình này: " + (", ".join(named) if named else "chưa có")


async def list_communes(
    store: Store, settings: Settings, now: datetime, tz: ZoneInfo, out: TextIO = sys.stdout
) -> int:
    """Print the communes; 0 (an empty database is told how to import one)."""
    async with store.uow(NO_COMMUNE) as uow:  # bound to none: reads every commune, then each one's token
        communes = list((await uow.session.exec(select(Commune).order_by(col(Commune.id)))).all())
        rows: list[tuple[Commune, tuple[datetime | None, str | None] | None]] = []
        for commune in communes:
            assert commune.id is not None
            uow.rescope(commune.id)
            row = await uow.oa_tokens.get()
            rows.append((commune, (row.expires_at, row.dead) if row else None))
    if not rows:
        print("Chưa có xã nào: nhập tệp dữ liệu của xã (python -m bot import TỆP).", file=out)
        return 0
    for commune, token in rows:
        here = commune.slug == settings.COMMUNE_ID if settings.COMMUNE_ID else len(rows) == 1
        parts = [commune.slug or "(không mã)", commune.name, _oa_state(token, now, tz)]
        if here:
            parts.append(_bots(settings) + " (xã của tiến trình này)")
        print("\t".join(parts), file=out)
    return 0
