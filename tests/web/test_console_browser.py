"""Officials on a phone, in a real browser (Playwright driving Debian's chromium), against the whole
App and the fake Telegram: a handler logs in with the code the bot sent to their Telegram, answers a
petition and the resident receives it on Telegram; an empty answer is refused and changes nothing; a
supervisor sees no identity. axe-core checks the console's pages. Screenshots go to tests/artifacts/."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from storage.models import Petition, PetitionParty
from tests.conftest import NOW
from tests.fakes.telegram import FakeTelegram
from tests.web.console_login import log_in, running_app
from tests.web.test_board_browser import ARTIFACTS, no_sideways_scroll, phone  # noqa: F401 (fixture)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

RESIDENT_CHAT = 5001
HANDLER, SUPERVISOR = ("tran-thi-binh", 9002), ("le-van-cuong", 9003)
CODE = "PA-7K3M9Q"
FILER = "Phạm Thị Hoa"


async def seed_petition(app: App) -> None:
    async with app.store.uow() as uow:
        received = NOW - timedelta(days=2)
        petition = Petition(
            code=CODE,
            kind="phan_anh",
            status="received",
            content="Cống thoát nước đầu ngõ bị tắc, nước tràn ra đường khi mưa",
            summary="Cống thoát nước đầu ngõ bị tắc, nước tràn ra đường khi mưa",
            village="Thôn Tân Sơn",
            received_at=received,
            first_due=(received + timedelta(days=10)).date(),
        )
        party = PetitionParty(
            petition_id=0,
            channel="telegram",
            chat_id=str(RESIDENT_CHAT),
            user_id=str(RESIDENT_CHAT),
            name=FILER,
            phone="0912345678",
        )
        await uow.petitions.add(petition, party)
        assert petition.id is not None
        await uow.petitions.log(petition.id, received, "resident", "filed")
        await uow.commit()


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[tuple[App, FakeTelegram, str]]:
    async with running_app(tmp_path / "console.db", seed_petition) as (app, fake):
        yield app, fake, f"http://127.0.0.1:{app.port}/can-bo"


async def test_a_handler_logs_in_with_the_telegram_code_and_answers_the_resident(
    phone: Any,  # noqa: F811
    running: tuple[App, FakeTelegram, str],
) -> None:
    app, fake, base = running
    page = phone
    ARTIFACTS.mkdir(exist_ok=True)
    await page.goto(f"{base}/")
    await page.screenshot(path=str(ARTIFACTS / "console-login-phone.png"), full_page=True)
    await log_in(page, fake, base, HANDLER)
    assert await page.locator("h1").inner_text() == "Hàng đợi hồ sơ"
    await no_sideways_scroll(page)
    await page.screenshot(path=str(ARTIFACTS / "console-queue-phone.png"), full_page=True)

    await page.get_by_role("link", name=CODE).click()
    await page.wait_for_url(f"**/ho-so/{CODE}")
    # an empty answer: refused in words, nothing sent, nothing recorded
    await page.get_by_role("button", name="Gửi trả lời").click()
    assert "chưa viết nội dung trả lời" in await page.get_by_role("alert").inner_text()
    await page.screenshot(path=str(ARTIFACTS / "console-refused-phone.png"), full_page=True)
    async with app.store.uow() as uow:
        petition = await uow.petitions.by_code(CODE)
        assert petition is not None and petition.answer is None

    await page.get_by_label("Nội dung trả lời").fill("Sáng mai tổ công tác của xã đến thông cống.")
    await page.get_by_role("button", name="Gửi trả lời").click()
    await page.get_by_text("Đã lưu trả lời và gửi đến người gửi").wait_for()
    await no_sideways_scroll(page)
    await page.screenshot(path=str(ARTIFACTS / "console-petition-phone.png"), full_page=True)
    told = await fake.next_sent(RESIDENT_CHAT, timeout=8)
    assert f"UBND xã trả lời hồ sơ {CODE}" in str(told["text"])
    assert "Sáng mai tổ công tác của xã đến thông cống." in str(told["text"])


async def test_a_supervisor_cannot_open_an_identity(
    phone: Any,  # noqa: F811
    running: tuple[App, FakeTelegram, str],
) -> None:
    _, fake, base = running
    await log_in(phone, fake, base, SUPERVISOR)
    await phone.goto(f"{base}/ho-so/{CODE}")
    assert await phone.get_by_role("button", name="Xem danh tính người gửi").count() == 0
    assert await phone.get_by_role("button", name="Gửi trả lời").count() == 0
    assert FILER not in await phone.content()
    await phone.screenshot(path=str(ARTIFACTS / "console-supervisor-phone.png"), full_page=True)


async def test_no_serious_accessibility_violation_on_the_console(
    phone: Any,  # noqa: F811
    running: tuple[App, FakeTelegram, str],
) -> None:
    """axe-core finds nothing serious or critical on the login, queue and petition pages."""
    from axe_playwright_python.async_playwright import Axe

    _, fake, base = running
    axe = Axe()
    found: list[str] = []

    async def check(what: str) -> None:
        results = await axe.run(phone)
        for violation in results.response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [str(node["target"]) for node in violation["nodes"]][:3]
                found.append(
                    f"{what}: {violation['id']} ({violation['impact']}) {violation['help']} {targets}"
                )

    await phone.goto(f"{base}/dang-nhap")
    await check("login")
    await log_in(phone, fake, base, HANDLER)
    await check("queue")
    await phone.goto(f"{base}/?trang-thai=received&qua-han=1")
    await check("queue filtered")
    await phone.goto(f"{base}/ho-so/{CODE}")
    await check("petition")
    await phone.get_by_role("button", name="Gửi trả lời").click()
    await check("petition refused")
    await phone.get_by_role("button", name="Xem danh tính người gửi").click()
    await check("identity")
    assert found == []
