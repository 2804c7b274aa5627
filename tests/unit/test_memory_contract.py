"""The in-memory fakes (tests/fakes/memory.py) against the real repositories: the same scenario runs
on both and must observe the same rows, so handler tests on the fakes cannot drift from storage."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import SQLModel

from storage.importer import import_data, load_file
from storage.models import Petition, PetitionParty
from storage.store import Store
from tests.conftest import MINI, NOW
from tests.fakes.memory import MemoryStore, import_commune

AnyStore = Store | MemoryStore
Scenario = Callable[[AnyStore], Awaitable[Any]]
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def dump(rows: list[Any] | Any, drop: tuple[str, ...] = ()) -> Any:
    """Rows as plain data; `drop` leaves out ids a PostgreSQL sequence spends on skipped inserts."""
    if isinstance(rows, list):
        return [dump(r, drop) for r in rows]
    return rows.model_dump(exclude=set(drop)) if isinstance(rows, SQLModel) else rows


async def same_on_both(store: Store, scenario: Scenario) -> Any:
    """Run the scenario on the real store and on a fresh fake; both observe the same."""
    real = await scenario(store)
    fake = await scenario(MemoryStore())
    assert fake == real
    return real


async def seed(store: AnyStore, data: Any | None = None) -> None:
    data = data if data is not None else load_file(MINI)
    if isinstance(store, MemoryStore):
        import_commune(store, data, NOW)
    else:
        async with store.uow() as uow:
            await import_data(uow, data, NOW)


async def test_the_fake_holds_the_commune_as_the_importer_stores_it(store: Store) -> None:
    async def scenario(st: AnyStore) -> Any:
        seen = []
        data = load_file(MINI)
        for _ in range(2):  # a second, unchanged import changes nothing
            await seed(st, data)
            async with st.uow() as uow:
                seen.append(
                    [
                        dump(await uow.commune.get()),
                        await uow.commune.villages(),
                        dump(await uow.disclosures.all()),
                        dump(await uow.events.all()),
                        dump(await uow.groups.all()),
                        dump(await uow.officials.all()),
                    ]
                )
        data["disclosures"][0]["body"] += "\n\nThêm một dòng."
        data["commune"]["villages"].reverse()
        await seed(st, data)
        async with st.uow() as uow:
            seen.append([await uow.commune.data_version(), await uow.commune.villages()])
            seen.append(dump(await uow.disclosures.get(data["disclosures"][0]["id"])))
        return seen

    seen = await same_on_both(store, scenario)
    assert seen[0][0]["data_version"] == 1 and seen[1] == seen[0] and seen[2][0] == 2
    assert seen[2][1] == ["Thôn Khe Mát", "Thôn Tân Sơn", "Thôn Đồng Chùa"]


async def test_declared_data_reads_alike(store: Store) -> None:
    async def scenario(st: AnyStore) -> Any:
        await seed(st)
        async with st.uow() as uow:
            return [
                await uow.disclosures.categories(),
                [d.id for d in await uow.disclosures.by_category("ngan_sach")],
                [d.id for d in await uow.disclosures.by_category("dau_tu_cong", limit=1)],
                dump(await uow.disclosures.get("missing")),
                dump(await uow.events.get("doi-thoai-2026")),
                [g.id for g in await uow.groups.officials_groups()],
                [getattr(await uow.officials.by_account(ch, u), "id", None) for ch, u in _ACCOUNTS],
            ]

    seen = await same_on_both(store, scenario)
    assert seen[-1] == ["tran-thi-binh", "tran-thi-binh", None, None]


_ACCOUNTS = (("telegram", "9002"), ("zalo", "9102"), ("zalo", "9002"), ("telegram", ""))


async def test_conversations_save_replace_clear_and_roll_back(store: Store) -> None:
    async def scenario(st: AnyStore) -> Any:
        key = ("telegram", "42", "42")
        seen: list[Any] = []
        async with st.uow() as uow:
            await uow.conversations.save(*key, flow="gui", step="kind", data={"a": [1]}, now=NOW)
            seen.append(dump(await uow.conversations.get(*key)))  # read your own write
            await uow.commit()
        async with st.uow() as uow:
            later = (NOW + timedelta(minutes=5)).astimezone(VN)
            await uow.conversations.save(*key, flow="gui", step="content", data={"b": {"c": 2}}, now=later)
            await uow.commit()
        async with st.uow() as uow:
            conv = await uow.conversations.get(*key)
            seen.append(dump(conv))
            seen.append(conv and conv.updated_at and conv.updated_at.isoformat())  # read back in UTC
            seen.append(await uow.conversations.clear(*key))
            seen.append(await uow.conversations.clear("telegram", "42", "43"))
            # not committed: the flow is still there afterwards
        async with st.uow() as uow:
            seen.append(dump(await uow.conversations.get(*key)))
            seen.append(await uow.conversations.clear(*key))
            await uow.commit()
        async with st.uow() as uow:
            seen.append(dump(await uow.conversations.get(*key)))
        return seen

    seen = await same_on_both(store, scenario)
    assert seen[1]["data"] == {"b": {"c": 2}} and seen[2] == "2026-11-25T03:05:00+00:00"
    assert seen[3:5] == [True, False] and seen[5] == seen[1] and seen[6] is True and seen[7] is None


async def test_subscriptions_keep_their_start_and_are_removed_once(store: Store) -> None:
    async def scenario(st: AnyStore) -> Any:
        seen: list[Any] = []
        async with st.uow() as uow:
            await uow.subscriptions.save("telegram", "42", "42", "Thôn Tân Sơn", ["notices"], NOW)
            await uow.commit()
        async with st.uow() as uow:
            await uow.subscriptions.save("telegram", "42", "99", None, ["events"], NOW + timedelta(days=1))
            await uow.commit()
        async with st.uow() as uow:
            seen.append(dump(await uow.subscriptions.get("telegram", "42")))
            seen.append([await uow.subscriptions.remove("telegram", c) for c in ("42", "42", "7")])
            await uow.commit()
        async with st.uow() as uow:
            seen.append(dump(await uow.subscriptions.get("telegram", "42")))
        return seen

    seen = await same_on_both(store, scenario)
    assert seen[0]["created_at"] == NOW and seen[0]["user_id"] == "42" and seen[0]["village"] is None
    assert seen[1] == [True, False, False] and seen[2] is None


def _petition(code: str, content: str) -> tuple[Petition, PetitionParty]:
    petition = Petition(
        code=code, kind="phan_anh", status="received", content=content, summary="…", received_at=NOW
    )
    return petition, PetitionParty(petition_id=0, channel="telegram", chat_id="42", user_id="42", name="Hoa")


async def test_petitions_parties_and_their_trail(store: Store) -> None:
    async def scenario(st: AnyStore) -> Any:
        seen: list[Any] = []
        async with st.uow() as uow:
            for code in ("PA-AAAAAA", "KN-BBBBBB"):
                petition = await uow.petitions.add(*_petition(code, f"Nội dung {code}"))
                assert petition.id is not None
                await uow.petitions.log(petition.id, NOW, "resident", "filed")
                await uow.petitions.log(petition.id, NOW, "9002", "note", "nội bộ", internal=True)
            other, party = _petition("TC-CCCCCC", "Khác")
            party.user_id = "77"
            await uow.petitions.add(other, party)
            await uow.commit()
        async with st.uow() as uow:
            seen.append([await uow.petitions.code_exists(c) for c in ("PA-AAAAAA", "pa-aaaaaa", "PA-ZZZZZZ")])
            first = await uow.petitions.by_code("pa-aaaaaa")
            assert first is not None and first.id is not None
            seen.append(dump(await uow.petitions.for_user("telegram", "42")))
            seen.append(dump(await uow.petitions.parties_of("telegram", "42")))
            seen.append(dump(await uow.petitions.events(first.id, include_internal=False)))
            seen.append(dump(await uow.petitions.events(first.id, include_internal=True)))
            first.status, first.answer = "resolved", "Đã xử lý"
            uow.petitions.save(first)
            filer = await uow.petitions.party(first.id)
            assert filer is not None
            filer.user_id = filer.name = None
            uow.petitions.save_party(filer)
            await uow.commit()
        async with st.uow() as uow:
            seen.append(dump(await uow.petitions.by_code("PA-AAAAAA")))
            seen.append([p.code for p in await uow.petitions.for_user("telegram", "42")])
            seen.append([p.code for p in await uow.petitions.open()])
        return seen

    seen = await same_on_both(store, scenario)
    assert seen[0] == [True, False, False]
    assert [p["code"] for p in seen[1]] == ["KN-BBBBBB", "PA-AAAAAA"]
    assert len(seen[3]) == 1 and len(seen[4]) == 2 and seen[5]["status"] == "resolved"
    assert seen[6] == ["KN-BBBBBB"] and seen[7] == ["KN-BBBBBB", "TC-CCCCCC"]


async def test_outbox_dedupes_finds_replies_and_forgets_only_what_was_sent(store: Store) -> None:
    async def scenario(st: AnyStore) -> Any:
        seen: list[Any] = []
        async with st.uow() as uow:
            seen.append(await uow.outbox.put("telegram", "42", {"text": "a"}, NOW, dedupe_key="k1"))
            seen.append(await uow.outbox.put("telegram", "42", {"text": "b"}, NOW, dedupe_key="k1"))
            seen.append(await uow.outbox.put("telegram", "42", {"text": "c"}, NOW))
            seen.append(await uow.outbox.put("telegram", "-100", {"text": "d"}, NOW))
            await uow.commit()
        async with st.uow() as uow:
            sent = [m.id for m in await uow.outbox.for_chat("telegram", "42")][:1]
            group = [m.id for m in await uow.outbox.for_chat("telegram", "-100")]
            await uow.outbox.mark_sent([(i, "m-1", NOW) for i in sent + group if i is not None])
            await uow.commit()
        async with st.uow() as uow:
            seen.append(dump(await uow.outbox.by_external("telegram", "42", "m-1"), drop=("id",)))
            seen.append(dump(await uow.outbox.by_external("telegram", "43", "m-1")))
            seen.append(await uow.outbox.forget_chat("telegram", "42"))
            await uow.commit()
        async with st.uow() as uow:
            seen.append(dump(await uow.outbox.for_chat("telegram", "42"), drop=("id",)))
            seen.append(len(await uow.outbox.for_chat("telegram", "-100")))
            seen.append(await uow.outbox.put("telegram", "42", {"text": "e"}, NOW, dedupe_key="k1"))
        return seen

    seen = await same_on_both(store, scenario)
    assert seen[:4] == [True, False, True, True] and seen[4]["payload"] == {"text": "a"}
    assert seen[5] is None and seen[6] == 1 and [m["payload"]["text"] for m in seen[7]] == ["c"]
    assert seen[8] == 1 and seen[9] is True  # the erased message's key is free again


async def test_erasure_blanks_handled_updates_and_unanswered_questions(store: Store) -> None:
    async def scenario(st: AnyStore) -> Any:
        seen: list[Any] = []
        async with st.uow() as uow:
            handled = await uow.inbound.add_if_new("telegram", "1", {"text": "hi"}, NOW, sender="42")
            waiting = await uow.inbound.add_if_new("telegram", "2", {"text": "yo"}, NOW, sender="42")
            seen.append(await uow.inbound.add_if_new("telegram", "1", {}, NOW, sender="42"))
            assert handled is not None and waiting is not None
            seen.append(await uow.inbound.mark(handled, "done", NOW))
            seen.append(await uow.inbound.mark(handled, "done", NOW))
            for chat, question in (("42", "xổ số"), ("42", "giá vàng"), ("7", "thời tiết")):
                await uow.unanswered.add("telegram", chat, question, NOW)
            await uow.commit()
        async with st.uow() as uow:
            seen.append([q.question for q in await uow.unanswered.recent()])
            await uow.inbound.forget_sender("telegram", "42")
            await uow.unanswered.forget_chat("telegram", "42")
            await uow.commit()
        async with st.uow() as uow:
            for update_id in (handled, waiting):
                row = await uow.inbound.get(update_id)
                seen.append(None if row is None else (row.payload, row.sender, row.status, row.attempts))
            seen.append([q.question for q in await uow.unanswered.recent()])
        return seen

    seen = await same_on_both(store, scenario)
    assert seen[:4] == [None, True, False, ["thời tiết", "giá vàng", "xổ số"]]
    assert seen[4] == ({}, None, "done", 1) and seen[5] == ({"text": "yo"}, "42", "received", 0)
    assert seen[6] == ["thời tiết"]


async def test_unanswered_questions_by_chat_and_all_oldest_first(store: Store) -> None:
    async def scenario(st: AnyStore) -> Any:
        async with st.uow() as uow:
            for chat, question in (("42", "xổ số"), ("7", "thời tiết"), ("42", "giá vàng")):
                await uow.unanswered.add("telegram", chat, question, NOW)
            await uow.unanswered.add("zalo", "42", "lịch cắt điện", NOW)
            await uow.commit()
        async with st.uow() as uow:
            mine = [q.question for q in await uow.unanswered.for_chat("telegram", "42")]
            every = [(q.channel, q.chat_id, q.question) for q in await uow.unanswered.all()]
        return mine, every

    mine, every = await same_on_both(store, scenario)
    assert mine == ["xổ số", "giá vàng"]
    assert [q for _, _, q in every] == ["xổ số", "thời tiết", "giá vàng", "lịch cắt điện"]
