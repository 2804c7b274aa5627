"""The command line, run as a real subprocess: `python -m bot import | ask | run`."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import aiohttp
import pytest

from bot.config import Settings
from storage.importer import import_data, load_file
from storage.store import Store
from tests.conftest import FIXTURES, MINI, NOW
from tests.e2e.conftest import free_port

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
INVALID = FIXTURES / "invalid-commune.yaml"


@dataclass
class Result:
    code: int
    out: str
    err: str


def cli_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    """The parent's environment without any bot setting (no tokens), plus the given ones."""
    env = {k: v for k, v in os.environ.items() if k not in Settings.model_fields}
    env.update({"PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1", "LOG_LEVEL": "WARNING"})
    env.update(settings)
    return env


async def bot_cli(tmp_path: Path, *args: str, stdin: str = "", **settings: str) -> Result:
    """Run `python -m bot ARGS` in tmp_path (so no .env is read) and collect its output."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=tmp_path,
        env=cli_env(tmp_path, **settings),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(stdin.encode()), 30)
    assert proc.returncode is not None
    return Result(proc.returncode, out.decode(), err.decode())


async def import_mini(store: Store) -> None:
    async with store.uow() as uow:
        await import_data(uow, load_file(MINI), NOW)


async def test_import_prints_counts(tmp_path: Path, database_url: str, store: Store) -> None:
    result = await bot_cli(tmp_path, "import", str(MINI), DATABASE_URL=database_url)
    assert result.code == 0, result.err
    assert "thêm mới:" in result.out
    for count in ("disclosures 4", "events 3", "officials 3"):
        assert count in result.out
    assert result.out.rstrip().endswith("Đã nhập xong.")
    async with store.uow() as uow:
        commune = await uow.commune.get()
        assert commune is not None and commune.name == "Xã Tân Lập"
        assert len(await uow.disclosures.all()) == 4


async def test_import_again_changes_nothing(tmp_path: Path, database_url: str, store: Store) -> None:
    await import_mini(store)
    result = await bot_cli(tmp_path, "import", str(MINI), DATABASE_URL=database_url)
    assert result.code == 0, result.err
    assert "không có gì thay đổi" in result.out
    assert "thêm mới" not in result.out
    assert "cập nhật" not in result.out
    assert "không đổi:" in result.out


async def test_invalid_file_exits_1_naming_entry_and_field(
    tmp_path: Path, database_url: str, store: Store
) -> None:
    await import_mini(store)
    result = await bot_cli(tmp_path, "import", str(INVALID), DATABASE_URL=database_url)
    assert result.code == 1
    assert "disclosures[duong-thon-2].published_at" in result.err
    assert "2026-13-45" in result.err
    assert "Đã nhập xong" not in result.out
    async with store.uow() as uow:  # the whole file was refused: the stored entry is untouched
        road = await uow.disclosures.get("duong-thon-2")
        assert road is not None and road.published_at == date(2026, 9, 14)


async def test_import_missing_file_exits_1(tmp_path: Path, database_url: str) -> None:
    result = await bot_cli(tmp_path, "import", str(tmp_path / "nope.yaml"), DATABASE_URL=database_url)
    assert result.code == 1
    assert "nope.yaml" in result.err


async def test_ask_jsonl_answers_in_order_with_sources(
    tmp_path: Path, database_url: str, store: Store
) -> None:
    await import_mini(store)
    lines = [{"q": "đường thôn Tân Sơn dài bao nhiêu"}, {"q": "xổ số hôm nay"}]
    stdin = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    result = await bot_cli(tmp_path, "ask", "--jsonl", stdin=stdin, DATABASE_URL=database_url)
    assert result.code == 0, result.err
    out = [json.loads(line) for line in result.out.splitlines() if line.strip()]
    assert [o["q"] for o in out] == [line["q"] for line in lines]
    road, lottery = out
    assert road["sources"][0] == "duong-thon-2"
    assert "850" in road["answer"]
    assert "Nguồn: Công khai công trình bê tông hóa đường trục thôn số 2" in road["answer"]
    assert lottery["sources"] == []
    assert "chưa tìm thấy" in lottery["answer"]
    async with store.uow() as uow:  # asking from the command line leaves no trace
        assert await uow.unanswered.recent() == []


async def test_ask_one_question_prints_the_answer(tmp_path: Path, database_url: str, store: Store) -> None:
    await import_mini(store)
    result = await bot_cli(tmp_path, "ask", "lệ", "phí", "chứng", "thực", DATABASE_URL=database_url)
    assert result.code == 0, result.err
    assert "Nguồn: Thủ tục chứng thực" in result.out


async def test_ask_on_an_empty_database_answers_from_the_demo_commune_as_run_would(
    tmp_path: Path, database_url: str, store: Store
) -> None:
    result = await bot_cli(
        tmp_path, "ask", "--jsonl", stdin='{"q": "lich tiep dan"}\n', DATABASE_URL=database_url
    )
    assert result.code == 0, result.err
    [line] = [json.loads(x) for x in result.out.splitlines()]
    assert line["sources"] and "Hòa Phú" in line["answer"]
    # with the demo turned off it stays empty and says nothing is published
    other = tmp_path / "off"
    other.mkdir()
    off = await bot_cli(
        other, "ask", "lich tiep dan", DATABASE_URL=f"sqlite:///{other}/off.db", DEMO_DATA="false"
    )
    assert off.code == 0, off.err
    assert "chưa tìm thấy" in off.out


async def test_schedule_questions_on_the_demo_commune_get_its_meetings(
    tmp_path: Path, database_url: str, store: Store
) -> None:
    # issue 16: these got the chatbot's own notice ("… lịch họp của xã và của thôn mình") or nothing
    questions = ["lich hop dan", "khi nao hop dan thon", "hop dan o dau"]
    stdin = "".join(json.dumps({"q": q}) + "\n" for q in questions)
    result = await bot_cli(tmp_path, "ask", "--jsonl", stdin=stdin, DATABASE_URL=database_url)
    assert result.code == 0, result.err
    for line in [json.loads(x) for x in result.out.splitlines()]:
        assert "hop-thon-an-hoi" in line["sources"], line
        assert "tro-ly-ao-va-du-lieu-ca-nhan" not in line["sources"]
        assert (
            "Họp thôn định kỳ Thôn An Hội" in line["answer"] and "Nhà văn hóa Thôn An Hội" in line["answer"]
        )


async def test_ask_one_question_lists_the_choices_the_chat_would_offer(
    tmp_path: Path, database_url: str, store: Store
) -> None:
    await import_mini(store)
    result = await bot_cli(tmp_path, "ask", "xổ số hôm nay", DATABASE_URL=database_url)
    assert result.code == 0, result.err
    assert "chưa tìm thấy" in result.out
    assert "▸ 📨 Gửi câu hỏi này cho xã (kiến nghị)" in result.out


async def test_wrong_setting_exits_2_naming_it(tmp_path: Path) -> None:
    result = await bot_cli(tmp_path, "ask", "x", WEB_PORT="abc", DATABASE_URL="sqlite:///x.db")
    assert result.code == 2
    assert "WEB_PORT" in result.err
    assert not (tmp_path / "x.db").exists()


async def test_run_serves_web_chat_and_stops_on_sigterm(tmp_path: Path, database_url: str) -> None:
    port = free_port()
    log_path = tmp_path / "run.log"
    with log_path.open("wb") as log:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=tmp_path,
            env=cli_env(tmp_path, DATABASE_URL=database_url, WEB_PORT=str(port), LOG_LEVEL="INFO"),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        jar = aiohttp.CookieJar(unsafe=True)  # the chat session is a cookie of 127.0.0.1
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5), cookie_jar=jar) as http:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 15
            while True:
                assert proc.returncode is None, log_path.read_text()
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get(f"{base}/healthz") as response:
                        if response.status == 200:
                            break
                assert loop.time() < deadline, "the web chat did not come up within 15 s"
                await asyncio.sleep(0.1)
            async with http.get(f"{base}/chat") as response:  # the page gives the browser its session
                assert response.status == 200
            message = {"id": "m1", "text": "/start"}
            async with http.post(f"{base}/webchat/send", json=message) as response:
                assert response.status == 200
            async with http.get(f"{base}/webchat/messages") as response:
                replies = (await response.json())["messages"]
        assert "Xã Hòa Phú" in replies[0]["text"]
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), 10)
        assert code == 0, log_path.read_text()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
