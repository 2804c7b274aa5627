"""/id: a person learns their own id in private; only an admin learns a group's id."""

from __future__ import annotations

from domain.messages import Incoming
from storage.store import Store
from tests.handler_calls import handle, seeded

GROUP = "-1009000000001"


async def test_id_in_a_private_chat_tells_anyone_their_own_id(store: Store) -> None:
    svc = await seeded(store)
    msg = Incoming(channel="telegram", chat_id="5550123", user_id="5550123", text="/id")
    [reply] = await handle(svc, msg)
    assert "5550123" in reply.text
    assert "telegram_user_id" in reply.text


async def test_id_in_a_group_gives_the_group_id_to_an_admin(store: Store) -> None:
    svc = await seeded(store)
    msg = Incoming(channel="telegram", chat_id=GROUP, user_id="9001", text="/id@xa_bot", chat_type="group")
    [reply] = await handle(svc, msg)
    assert GROUP in reply.text
    assert "9001" not in reply.text


async def test_id_in_a_group_refuses_everyone_else_politely_and_reveals_nothing(store: Store) -> None:
    svc = await seeded(store)
    for user in ("9002", "9003", "777"):  # a handler, a supervisor, a resident
        msg = Incoming(channel="telegram", chat_id=GROUP, user_id=user, text="/id", chat_type="group")
        [reply] = await handle(svc, msg)
        assert "Xin lỗi" in reply.text and "nhắn /id riêng" in reply.text  # how to learn their own id
        assert GROUP not in reply.text and user not in reply.text
