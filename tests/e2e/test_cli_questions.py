"""`python -m bot questions` and `ask --jsonl`'s "offered", run as real subprocesses."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from storage.store import Store
from tests.conftest import NOW
from tests.e2e.test_cli import bot_cli, import_mini
from tests.handler_calls import VN

pytestmark = pytest.mark.e2e


async def test_questions_lists_unanswered_ones_grouped_most_asked_first(
    tmp_path: Path, database_url: str, store: Store
) -> None:
    await import_mini(store)
    asked = [
        ("giá vàng hôm nay bao nhiêu", 0),
        ("kết quả xổ số hôm nay", 1),
        ("Giá vàng hôm nay là bao nhiêu ạ?", 2),
        ("gia vang hom nay", 30),
        ("xổ số hôm nay", 31),
        ("lịch cắt điện tuần này, số điện thoại 0912 345 678", 32),
    ]
    async with store.uow() as uow:
        for i, (question, days) in enumerate(asked):
            await uow.unanswered.add("telegram", str(100 + i), question, NOW + timedelta(days=days))
        await uow.commit()
    result = await bot_cli(tmp_path, "questions", DATABASE_URL=database_url)
    assert result.code == 0, result.err
    out = result.out
    assert "6 câu, 3 nhóm" in out
    gold = out.index("[3 lần]")
    lottery = out.index("[2 lần]")
    power = out.index("[1 lần]")
    assert gold < lottery < power  # most asked first
    gold_block = out[gold:lottery]
    assert "giá vàng hôm nay bao nhiêu" in gold_block and "gia vang hom nay" in gold_block
    assert "xổ số" not in gold_block
    assert "xổ số hôm nay" in out[lottery:power] and "kết quả xổ số hôm nay" in out[lottery:power]
    assert "0912 345 678" not in out and "[số điện thoại]" in out  # redacted for a terminal
    local = NOW.astimezone(VN)
    first, last = local.strftime("%d/%m/%Y"), (local + timedelta(days=30)).strftime("%d/%m/%Y")
    assert f"[3 lần] {first} – {last}" in out


async def test_questions_with_none_says_so(tmp_path: Path, database_url: str, store: Store) -> None:
    await import_mini(store)
    result = await bot_cli(tmp_path, "questions", DATABASE_URL=database_url)
    assert result.code == 0, result.err
    assert "Chưa có câu hỏi nào" in result.out


async def test_ask_jsonl_lists_the_documents_offered_when_it_abstains(
    tmp_path: Path, database_url: str, store: Store
) -> None:
    await import_mini(store)
    lines = [
        {"q": "đường thôn Tân Sơn dài bao nhiêu"},
        {"q": "đường bê tông nhà tôi bị nứt gần trường học thì báo ai"},
        {"q": "xổ số hôm nay"},
        {"q": "sdt xã là bao nhiêu"},
    ]
    stdin = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    result = await bot_cli(tmp_path, "ask", "--jsonl", stdin=stdin, DATABASE_URL=database_url)
    assert result.code == 0, result.err
    road, near, lottery, phone = [json.loads(line) for line in result.out.splitlines() if line.strip()]
    assert road["sources"][0] == "duong-thon-2" and road["offered"] == []
    assert near["sources"] == [] and "duong-thon-2" in near["offered"], near
    assert 1 <= len(near["offered"]) <= 3
    assert lottery["sources"] == [] and "offered" in lottery and len(lottery["offered"]) <= 3
    assert phone["sources"] == [] and phone["offered"] == []
    assert "0210 3800 100" in phone["answer"] and phone["answer"].startswith("Theo thông tin của xã")
