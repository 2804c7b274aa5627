"""One conversation, two messengers: the harness the parametrised end-to-end tests drive.

A test talks about people (`RESIDENT`, `STRANGER`, `ADMIN`, `HANDLER`, `SUPERVISOR` of the mini
commune) and button data (`"gui:phan_anh"`, `"op:accept:PA-..."`); the `Messenger` turns that into
what the person does on each messenger:

- Telegram: private chats whose id is the person's id; buttons are pressed (callback queries); the
  officials act in the officials' group, under the announcement, with its buttons.
- Zalo Bot Platform: no buttons and no group a bot may post to, so every choice is typed as its
  number (the number of that button in the bot's last message to the chat), and officials get each
  new petition privately, with the actions as numbered choices, and answer with `/traloi CODE text`.

On Zalo the officials are Zalo-only (their Telegram ids are removed from the data), so nothing can
quietly reach them through Telegram.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.app import App
from bot.config import Settings
from domain import choices
from storage.importer import import_data, load_file
from tests.conftest import MINI
from tests.e2e.conftest import ManualClock, free_port
from tests.fakes.telegram import FakeTelegram, NothingSent
from tests.fakes.zalo import FakeZaloBot

RESIDENT, STRANGER, ADMIN, HANDLER, SUPERVISOR = "resident", "stranger", "admin", "handler", "supervisor"
SECOND_HANDLER = "second_handler"  # not in the mini commune: a test adds them (`add_second_handler`)
TELEGRAM_IDS = {
    RESIDENT: 5001,
    STRANGER: 7777,
    ADMIN: 9001,
    HANDLER: 9002,
    SUPERVISOR: 9003,
    SECOND_HANDLER: 9004,
}
ZALO_IDS = {
    RESIDENT: "z-5001",
    STRANGER: "z-7777",
    ADMIN: "9101",
    HANDLER: "9102",
    SUPERVISOR: "9103",
    SECOND_HANDLER: "9104",
}
GROUP = -1009000000001  # the mini commune's officials' group on Telegram
OFFICIALS = {"nguyen-van-an": ADMIN, "tran-thi-binh": HANDLER, "le-van-cuong": SUPERVISOR}
SECOND_HANDLER_ID = "pham-van-dung"
WAIT = 8.0


def zalo_only_officials(data: dict[str, Any]) -> dict[str, Any]:
    """The mini commune with its officials on Zalo only."""
    for official in data["officials"]:
        official.pop("telegram_user_id", None)
        official["zalo_user_id"] = ZALO_IDS[OFFICIALS[official["id"]]]
    return data


class Messenger:
    """What the tests need of a messenger; `name` is "telegram" or "zalo"."""

    name: str
    buttons: bool  # real buttons (any shown button may be pressed, also an old one)
    app: App

    def __init__(self, settings: Settings, clock: ManualClock) -> None:
        self.settings, self.clock = settings, clock

    def data(self) -> dict[str, Any]:
        return dict(load_file(MINI))

    async def start(self, *, load: bool = True) -> App:
        self.app = App(self.settings, clock=self.clock)
        await self.app.start()
        if load:
            async with self.app.store.uow() as uow:
                await import_data(uow, self.data(), self.clock())
        return self.app

    async def add_second_handler(self) -> None:
        """A second handler joins the officials list (as a new data file would add them), on this
        messenger only (on Zalo the officials are Zalo-only)."""
        data = self.data()
        account = (
            {"telegram_user_id": str(TELEGRAM_IDS[SECOND_HANDLER])}
            if self.name == "telegram"
            else {"zalo_user_id": ZALO_IDS[SECOND_HANDLER]}
        )
        official = {"id": SECOND_HANDLER_ID, "name": "Phạm Văn Dũng", "title": "Công chức Địa chính"}
        data["officials"] = [*data["officials"], {**official, "role": "handler", **account}]
        async with self.app.store.uow() as uow:
            await import_data(uow, data, self.clock())

    async def restart(self) -> App:
        """Stop and start again on the same database (data kept)."""
        await self.app.stop()
        return await self.start(load=False)

    # --- per messenger ---------------------------------------------------------------------------

    async def text_to(self, who: str) -> str:
        """The next message the person gets in their private chat with the bot."""
        raise NotImplementedError

    async def say(self, text: str, who: str = RESIDENT) -> str:
        """Send a text in the person's private chat; the bot's next message there."""
        raise NotImplementedError

    async def press(self, data: str, who: str = RESIDENT) -> str:
        """Choose the button with this data in the bot's last message to the person."""
        raise NotImplementedError

    async def photo(self, who: str = RESIDENT) -> str:
        """Send a photo; the bot's next message."""
        raise NotImplementedError

    async def announcement(self, code: str = "") -> str:
        """How the officials learn of a new petition: the group post, or the handler's private copy."""
        raise NotImplementedError

    async def op(self, action: str, code: str, who: str) -> str:
        """An official (or not) acts on a petition; what the bot answers them."""
        raise NotImplementedError

    async def official_says(self, text: str, who: str) -> str:
        """An official types a text where they act (e.g. a reason after Refuse); the answer."""
        raise NotImplementedError

    async def silence(self, who: str = RESIDENT, seconds: float = 0.4) -> None:
        """Nothing more reaches the person within `seconds`."""
        raise NotImplementedError


class TelegramMessenger(Messenger):
    name, buttons = "telegram", True

    def __init__(self, fake: FakeTelegram, settings: Settings, clock: ManualClock) -> None:
        super().__init__(settings, clock)
        self.fake = fake

    async def text_to(self, who: str) -> str:
        return str((await self.fake.next_sent(TELEGRAM_IDS[who], timeout=WAIT))["text"])

    async def say(self, text: str, who: str = RESIDENT) -> str:
        await self.fake.push_text(TELEGRAM_IDS[who], text)
        return await self.text_to(who)

    async def press(self, data: str, who: str = RESIDENT) -> str:
        chat = TELEGRAM_IDS[who]
        await self.fake.push_callback(chat, chat, data)
        return await self.text_to(who)

    async def photo(self, who: str = RESIDENT) -> str:
        await self.fake.push(self.fake.make_photo_update(TELEGRAM_IDS[who]))
        return await self.text_to(who)

    async def announcement(self, code: str = "") -> str:
        entry = await self.fake.next_sent(GROUP, timeout=WAIT, method="sendMessage")
        self._announced = int(entry["result"]["message_id"])
        return str(entry["text"])

    async def op(self, action: str, code: str, who: str) -> str:
        posts = [
            s for s in self.fake.sent_to(GROUP) if code in str(s["text"]) and s["method"] == "sendMessage"
        ]
        message_id = int(posts[0]["result"]["message_id"])
        await self.fake.push_callback(GROUP, TELEGRAM_IDS[who], f"op:{action}:{code}", message_id=message_id)
        return str((await self.fake.next_sent(GROUP, timeout=WAIT))["text"])

    async def official_says(self, text: str, who: str) -> str:
        await self.fake.push_text(GROUP, text, user_id=TELEGRAM_IDS[who])
        return str((await self.fake.next_sent(GROUP, timeout=WAIT))["text"])

    async def silence(self, who: str = RESIDENT, seconds: float = 0.4) -> None:
        try:
            extra = await self.fake.next_sent(TELEGRAM_IDS[who], timeout=seconds)
        except NothingSent:
            return
        raise AssertionError(f"unexpected send to {who}: {extra['text']!r}")


class ZaloMessenger(Messenger):
    name, buttons = "zalo", False

    def __init__(self, fake: FakeZaloBot, settings: Settings, clock: ManualClock) -> None:
        super().__init__(settings, clock)
        self.fake = fake
        self.seen: dict[str, int] = {}

    def data(self) -> dict[str, Any]:
        return zalo_only_officials(super().data())

    async def _next(self, who: str) -> str:
        chat = ZALO_IDS[who]
        sent = await self.fake.next_sent(chat, after=self.seen.get(chat, 0), timeout=WAIT)
        self.seen[chat] = self.seen.get(chat, 0) + 1
        return str(sent.params.get("text") or sent.params.get("caption") or "")

    async def text_to(self, who: str) -> str:
        """The next message, past new petitions' announcements (on Telegram those go to the group)."""
        while True:
            text = await self._next(who)
            if who == RESIDENT or not text.startswith(("📥", "Ảnh của hồ sơ")):
                return text

    def _catch_up(self, who: str) -> None:
        """Whatever the person was sent and the test did not read is behind them now."""
        chat = ZALO_IDS[who]
        self.seen[chat] = len(
            [s for s in self.fake.sent if s.chat_id == chat and s.method != "sendChatAction"]
        )

    async def say(self, text: str, who: str = RESIDENT) -> str:
        await self.fake.push_text(ZALO_IDS[who], text)
        return await self.text_to(who)

    async def live_choices(self, who: str) -> list[str]:
        """The button data of the bot's last message to the person (what a typed number chooses)."""
        async with self.app.store.uow() as uow:
            last = await uow.outbox.last_to_chat("zalo", ZALO_IDS[who])
        return [d for _, d in choices.choices(last.payload.get("buttons"))] if last else []

    async def press(self, data: str, who: str = RESIDENT) -> str:
        options = await self.live_choices(who)
        assert data in options, f"{data!r} is not a choice of the last message to {who}: {options}"
        return await self.say(str(options.index(data) + 1), who)

    async def photo(self, who: str = RESIDENT) -> str:
        await self.fake.push(self.fake.make_update(ZALO_IDS[who], photo_url=self.fake.photo_url()))
        return await self.text_to(who)

    async def announcement(self, code: str = "") -> str:
        while True:
            text = await self._next(HANDLER)
            if text.startswith("📥") and code in text:
                return text

    async def op(self, action: str, code: str, who: str) -> str:
        chat = ZALO_IDS[who]
        for _ in range(int(WAIT / 0.05)):  # the announcement reached them
            if any(s.chat_id == chat and code in str(s.params.get("text")) for s in self.fake.sent):
                break
            await asyncio.sleep(0.05)
        self._catch_up(who)
        if f"op:{action}:{code}" not in await self.live_choices(who):  # the announcement's choices died
            await self.say(f"/tracuu {code}", who)  # an official's lookup offers them again
        return await self.press(f"op:{action}:{code}", who)

    async def official_says(self, text: str, who: str) -> str:
        return await self.say(text, who)

    async def silence(self, who: str = RESIDENT, seconds: float = 0.4) -> None:
        with contextlib.suppress(AssertionError):
            extra = await self.fake.next_sent(
                ZALO_IDS[who], after=self.seen.get(ZALO_IDS[who], 0), timeout=seconds
            )
            raise RuntimeError(f"unexpected send to {who}: {extra.params!r}")


@pytest.fixture(params=["telegram", "zalo"])
async def messenger(
    request: pytest.FixtureRequest, database_url: str, clock: ManualClock
) -> AsyncIterator[Messenger]:
    """The mini commune's bot, started on one messenger (its fake server running), data imported."""
    values: dict[str, Any] = {
        "DATABASE_URL": database_url,
        "WEB_HOST": "127.0.0.1",
        "DEMO_DATA": False,
        "QUIET_HOURS": "",
    }
    port = free_port()
    values.update(WEB_PORT=port, PUBLIC_BASE_URL=f"http://127.0.0.1:{port}")
    async with FakeTelegram() as telegram, FakeZaloBot() as zalo:
        m: Messenger
        if request.param == "telegram":
            values.update(
                TELEGRAM_BOT_TOKEN=telegram.token,
                TELEGRAM_API_BASE_URL=telegram.base_url,
                TELEGRAM_POLL_TIMEOUT=1,
                TELEGRAM_MAX_PER_SECOND=0,
                TELEGRAM_PRIVATE_MAX_PER_SECOND=0,
            )
            m = TelegramMessenger(telegram, Settings(_env_file=None, **values), clock)
        else:
            values.update(
                ZALO_BOT_TOKEN=zalo.token,
                ZALO_API_BASE_URL=zalo.api_base,
                ZALO_POLL_INTERVAL=0,
                ZALO_MAX_PER_SECOND=0,
                ZALO_PRIVATE_MAX_PER_SECOND=0,
            )
            m = ZaloMessenger(zalo, Settings(_env_file=None, **values), clock)
        await m.start()
        try:
            yield m
        finally:
            await m.app.stop()
