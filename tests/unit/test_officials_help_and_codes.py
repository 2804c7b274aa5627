"""What residents and officials tripped on: codes typed loosely, /help where officials work, and the
status a resident sees once the commune has replied (scenarios through the real router)."""

from __future__ import annotations

from domain.messages import Reply
from tests.fakes.memory import MemoryStore
from tests.handler_calls import seeded
from tests.unit.test_petitions import OFFICIALS_GROUP, file, say

ADMIN, HANDLER, SUPERVISOR = "9001", "9002", "9003"
REPORT = "Cống thoát nước trước nhà văn hóa bị tắc, nước tràn ra đường."


async def logged(store: MemoryStore) -> list[str]:
    async with store.uow() as uow:
        return [q.question for q in await uow.unanswered.recent()]


async def test_a_code_typed_loosely_inside_a_sentence_is_looked_up(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    code, _ = await file(svc, "phan_anh", REPORT)
    letters, six = code.split("-")
    for typed in (
        f"hồ sơ {letters} {six} tôi sao rồi",
        f"ho so {code.lower()} cua toi den dau roi",
        f"{code[:6]} {code[6:]} xử lý chưa",
        f"/tracuu {letters.lower()} {six.lower()}",
    ):
        [reply] = await say(svc, typed)
        assert code in reply.text and "Đã tiếp nhận" in reply.text and "Cống thoát nước" in reply.text, typed
    assert await logged(memory) == []


async def test_a_code_in_a_sentence_typed_by_a_stranger_is_still_refused(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    code, _ = await file(svc, "phan_anh", REPORT)
    [reply] = await say(svc, f"hồ sơ {code} sao rồi", user="777")
    assert "Không tìm thấy" in reply.text and "Cống" not in reply.text and "Đã tiếp nhận" not in reply.text


async def test_ordinary_words_like_a_code_stay_a_question(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    [reply] = await say(svc, "tôi kh 2 thang chưa nhận tiền hỗ trợ")
    assert "Không tìm thấy hồ sơ" not in reply.text and "Mã hồ sơ" not in reply.text


async def test_a_code_of_another_shape_gets_how_a_code_looks_and_is_not_logged(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    for typed in ("PA-2026-0001", "hồ sơ PA-2026-0001 của tôi sao rồi", "/tracuu 2026-0001"):
        [reply] = await say(svc, typed)
        assert "có vẻ chưa đúng" in reply.text and "PA-7K3M9Q" in reply.text and "/cuatoi" in reply.text, (
            typed
        )
    assert await logged(memory) == []


def _lines(replies: list[Reply]) -> str:
    [reply] = replies
    return reply.text


async def test_help_in_the_officials_group_lists_the_officials_commands(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    [reply] = await say(svc, "/help", user=HANDLER, chat=OFFICIALS_GROUP)
    assert "/traloi" in reply.text and "/ghichu" in reply.text and "Thụ lý" in reply.text
    assert "/gui" not in reply.text and not reply.buttons  # no resident menu in the officials' group


async def test_help_privately_shows_officials_their_commands_and_residents_only_theirs(
    memory: MemoryStore,
) -> None:
    svc = await seeded(memory)
    official = _lines(await say(svc, "/help", user=ADMIN))
    assert "/gui" in official and "/traloi" in official and "/xem" in official
    for asked in (await say(svc, "/help"), await say(svc, button="cmd:help"), await say(svc, "/trogiup")):
        resident = _lines(asked)
        assert "/gui" in resident and "/tracuu" in resident
        assert "/traloi" not in resident and "/ghichu" not in resident and "/xem" not in resident


async def test_after_a_reply_tracuu_shows_it_with_its_date_and_the_status_stays(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    code, _ = await file(svc, "phan_anh", REPORT)
    replies = await say(svc, f"/traloi {code} Xã đã cử người khơi thông cống.", user=HANDLER)
    # a reply is a report's status answer (DOMAIN.md): the official is told so, and what runs next
    assert "Đã có trả lời ban đầu; hạn giải quyết" in replies[0].text and "vẫn chờ" not in replies[0].text
    [resident] = await say(svc, f"/tracuu {code}")
    assert "Đã tiếp nhận, xã đã trả lời ngày 25/11/2026" in resident.text
    assert "chờ xử lý" not in resident.text
    assert "Trả lời của xã (25/11/2026): Xã đã cử người khơi thông cống." in resident.text
    [supervisor] = await say(svc, f"/tracuu {code}", user=SUPERVISOR)
    assert "xã đã trả lời ngày 25/11/2026" in supervisor.text and "Đã có trả lời ban đầu" in supervisor.text
    [mine] = await say(svc, "/cuatoi")
    assert "Đã tiếp nhận, xã đã trả lời" in mine.text
    async with memory.uow() as uow:
        petition = await uow.petitions.by_code(code)
        assert petition is not None and petition.status == "received"  # only the explicit steps change it
    await say(svc, button=f"op:accept:{code}", user=HANDLER, chat=OFFICIALS_GROUP)
    [accepted] = await say(svc, f"/tracuu {code}")
    assert "Đã thụ lý, đang giải quyết" in accepted.text and "Trả lời của xã (25/11/2026)" in accepted.text


async def test_after_a_reply_to_a_complaint_the_official_hears_it_still_waits_to_be_accepted(
    memory: MemoryStore,
) -> None:
    svc = await seeded(memory)
    code, _ = await file(svc, "khieu_nai", "Tôi không đồng ý với quyết định thu phí vệ sinh của xã.")
    replies = await say(svc, f"/traloi {code} Xã đã nhận đơn, đang xem xét.", user=HANDLER)
    # a reply is not a complaint's acceptance (thụ lý): its first deadline still runs
    assert (
        "Trả lời chưa phải thụ lý: hồ sơ vẫn chờ Thụ lý, Chuyển hoặc Từ chối, hạn 05/12/2026."
        in replies[0].text
    )
    [supervisor] = await say(svc, f"/tracuu {code}", user=SUPERVISOR)
    assert "vẫn chờ Thụ lý" in supervisor.text and "trả lời ban đầu" not in supervisor.text
