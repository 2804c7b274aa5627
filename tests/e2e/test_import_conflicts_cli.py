"""`python -m bot import FILE` after an edit on the officials' console: the edit is kept and named on
stderr with its own exit status; `--prefer-file` takes the file's version."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.import_cli import CONFLICT
from storage.publishing import entry_from_form, form_from_row, save
from storage.store import Store
from tests.conftest import MINI, NOW
from tests.e2e.test_cli import bot_cli, import_mini

pytestmark = pytest.mark.e2e

# no passage vectors: the three imports stay quick on a loaded machine
EDITED = "Công khai dự toán ngân sách năm 2026 (sửa trên trang cán bộ)"


async def title(store: Store) -> str:
    async with store.uow() as uow:
        doc = await uow.disclosures.get("du-toan-ngan-sach-2026")
    assert doc is not None
    return doc.title


async def test_reimport_keeps_the_console_edit_then_prefer_file_replaces_it(
    tmp_path: Path, database_url: str, store: Store
) -> None:
    await import_mini(store)
    async with store.uow() as uow:
        row = await uow.disclosures.get("du-toan-ngan-sach-2026")
        assert row is not None
        entry = entry_from_form("disclosures", form_from_row("disclosures", row) | {"title": EDITED})
        await save(uow, "disclosures", entry, "tran-thi-binh", NOW + timedelta(hours=1))
        await uow.commit()

    kept = await bot_cli(tmp_path, "import", str(MINI), DATABASE_URL=database_url, SEMANTIC_SEARCH="false")
    assert kept.code == CONFLICT == 3, kept.err
    assert "Xung đột: disclosures[du-toan-ngan-sach-2026] (title)" in kept.err
    assert "tran-thi-binh" in kept.err and "--prefer-file" in kept.err
    assert await title(store) == EDITED

    replaced = await bot_cli(
        tmp_path, "import", str(MINI), "--prefer-file", DATABASE_URL=database_url, SEMANTIC_SEARCH="false"
    )
    assert replaced.code == 0, replaced.err
    assert "bản trong tệp: disclosures[du-toan-ngan-sach-2026] (title)" in replaced.err
    assert await title(store) == "Công khai dự toán ngân sách xã Tân Lập năm 2026"

    again = await bot_cli(tmp_path, "import", str(MINI), DATABASE_URL=database_url, SEMANTIC_SEARCH="false")
    assert again.code == 0 and "Xung đột" not in again.err
