"""Several communes in one database: each data file names its commune, and a unit of work of one
commune never reads another's rows (every read path of every repository is tried here)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from qa.entries import load_entries
from storage.importer import ImportError_, import_data, load_file
from storage.models import Petition, PetitionParty
from storage.store import Store, stored_timezone
from storage.uow import NO_COMMUNE, AmbiguousCommune
from tests.conftest import FIXTURES, MINI, NOW

SECOND = FIXTURES / "second-commune.yaml"
TAN_LAP, DONG_TIEN = 1, 2


async def load(store: Store, path: Path) -> None:
    async with store.uow(NO_COMMUNE) as uow:
        await import_data(uow, load_file(path), NOW)


async def both(store: Store) -> None:
    await load(store, MINI)  # no commune.id: a one-commune deployment's file, as today
    await load(store, SECOND)  # commune.id dong-tien: a second commune


async def declared(store: Store, commune_id: int) -> list[object]:
    """Everything the data file declared, as the commune's unit of work reads it."""
    async with store.uow(commune_id) as uow:
        commune = await uow.commune.get()
        return [
            commune.model_dump() if commune else None,
            await uow.commune.villages(),
            await uow.commune.data_version(),
            [d.model_dump() for d in await uow.disclosures.all()],
            [e.model_dump() for e in await uow.events.all()],
            [g.model_dump() for g in await uow.groups.all()],
            [o.model_dump() for o in await uow.officials.all()],
        ]


async def test_a_second_file_makes_a_second_commune_and_leaves_the_first_untouched(store: Store) -> None:
    await load(store, MINI)
    before = await declared(store, TAN_LAP)
    await load(store, SECOND)
    assert await declared(store, TAN_LAP) == before
    async with store.uow(DONG_TIEN) as uow:
        commune = await uow.commune.get()
        assert commune is not None and commune.slug == "dong-tien" and commune.name == "Xã Đông Tiến"
        assert await uow.commune.villages() == ["Thôn Bãi Bằng", "Thôn Gò Mít"]
        budget = await uow.disclosures.get("du-toan-ngan-sach-2026")  # the same id as Tân Lập's
        assert budget is not None and "Đông Tiến" in budget.title
    # importing the second file again changes nothing in either commune
    await load(store, SECOND)
    assert await declared(store, TAN_LAP) == before
    assert (await declared(store, DONG_TIEN))[2] == 1


async def test_each_commune_reads_only_its_own_declared_data(store: Store) -> None:
    await both(store)
    for mine, name in ((TAN_LAP, "Tân Lập"), (DONG_TIEN, "Đông Tiến")):
        async with store.uow(mine) as uow:
            commune = await uow.commune.get()
            assert commune is not None and commune.name.endswith(name)
            disclosures = await uow.disclosures.all()
            assert disclosures and all(d.commune_id == mine for d in disclosures)
            assert all(d.commune_id == mine for d in await uow.disclosures.by_category("ngan_sach"))
            assert await uow.disclosures.categories() == sorted({d.category for d in disclosures})
            events = await uow.events.all()
            assert events and all(e.commune_id == mine for e in events)
            event = await uow.events.get("tiep-dan-chu-tich")
            assert event is not None and event.commune_id == mine
            groups = await uow.groups.all()
            assert groups and all(g.commune_id == mine for g in groups)
            group = await uow.groups.get("can-bo-xa")
            assert group is not None and name in group.name
            assert [g.id for g in await uow.groups.officials_groups()] == ["can-bo-xa"]
            officials = await uow.officials.all()
            assert officials and all(o.commune_id == mine for o in officials)
            entries = await load_entries(uow)  # what the search index of the commune is built from
            assert {e.id for e in entries} == {d.id for d in disclosures} | {e.id for e in events}
    async with store.uow(TAN_LAP) as uow:
        assert await uow.disclosures.get("ke-hoach-cau-tran-go-mit") is None  # Đông Tiến's only
        assert await uow.officials.by_account("telegram", "7001") is None  # Đông Tiến's chairman
        chairman = await uow.officials.by_account("telegram", "9001")
        assert chairman is not None and chairman.name == "Nguyễn Văn An"
        assert await uow.groups.get("zalo-tan-son") is not None
    async with store.uow(DONG_TIEN) as uow:
        assert await uow.groups.get("zalo-tan-son") is None
        assert await uow.officials.by_account("telegram", "9001") is None
        assert await uow.events.get("doi-thoai-2026") is None


async def test_what_people_do_in_one_commune_stays_in_it(store: Store) -> None:
    """Petitions, subscriptions, conversations, questions, outbox, relays, updates and photos."""
    await both(store)
    codes = {TAN_LAP: "PA-AAAAAA", DONG_TIEN: "PA-BBBBBB"}
    ids: dict[int, dict[str, int]] = {}
    media_refs: dict[int, str] = {}
    for commune_id, code in codes.items():  # the same person and chat in both communes' bots
        async with store.uow(commune_id) as uow:
            petition = Petition(
                code=code, kind="phan_anh", status="received", content=f"Nội dung {code}", summary="…"
            )
            petition.received_at = NOW
            await uow.petitions.add(
                petition, PetitionParty(petition_id=0, channel="telegram", chat_id="42", user_id="42")
            )
            assert petition.id is not None
            await uow.petitions.log(petition.id, NOW, "resident", "filed")
            await uow.subscriptions.save("telegram", "42", "42", None, ["events"], NOW)
            await uow.conversations.save(
                "telegram", "42", "42", flow="gui", step=code, data={"c": code}, now=NOW
            )
            await uow.unanswered.add("telegram", "42", f"hỏi {code}", NOW)
            assert await uow.outbox.put("telegram", "42", {"text": code}, NOW, dedupe_key="remind:x")
            relay = await uow.relays.add_if_new(
                "post:1", "can-bo-xa", "nguyen-van-an", "telegram", "9", code, NOW
            )
            update = await uow.inbound.add_if_new("telegram", "u-1", {"code": code}, NOW, sender="42")
            media = await uow.media.put(code.encode(), "image/jpeg", NOW)
            await uow.commit()
        assert relay is not None and update is not None
        ids[commune_id] = {"petition": petition.id, "relay": relay, "update": update}
        media_refs[commune_id] = media

    later = NOW + timedelta(days=1)
    for mine, other in ((TAN_LAP, DONG_TIEN), (DONG_TIEN, TAN_LAP)):
        code, theirs = codes[mine], codes[other]
        async with store.uow(mine) as uow:
            p = uow.petitions
            assert await p.code_exists(theirs)  # codes are unique across communes: never reused
            found = await p.by_code(code)
            assert found is not None and found.commune_id == mine
            assert await p.by_code(theirs) is None
            assert [x.code for x in await p.for_user("telegram", "42")] == [code]
            assert [x.petition_id for x in await p.parties_of("telegram", "42")] == [ids[mine]["petition"]]
            assert await p.party(ids[other]["petition"]) is None
            assert await p.names([ids[mine]["petition"], ids[other]["petition"]]) == {}
            assert [e.action for e in await p.events(ids[mine]["petition"], include_internal=True)] == [
                "filed"
            ]
            assert await p.events(ids[other]["petition"], include_internal=True) == []
            assert [x.code for x in await p.open()] == [code]
            assert [x.code for x in await p.all()] == [code]

            sub = await uow.subscriptions.get("telegram", "42")
            assert sub is not None and sub.commune_id == mine
            assert [s.commune_id for s in await uow.subscriptions.for_topic("events", [])] == [mine]
            conv = await uow.conversations.get("telegram", "42", "42")
            assert conv is not None and conv.step == code

            assert [q.question for q in await uow.unanswered.for_chat("telegram", "42")] == [f"hỏi {code}"]
            assert [q.question for q in await uow.unanswered.all()] == [f"hỏi {code}"]
            assert [q.question for q in await uow.unanswered.recent()] == [f"hỏi {code}"]

            o = uow.outbox
            assert [m.payload["text"] for m in await o.for_chat("telegram", "42")] == [code]
            last = await o.last_to_chat("telegram", "42")
            assert last is not None and last.payload["text"] == code
            assert [k for k, _, _ in await o.keys_with_prefix("remind:")] == ["remind:x"]
            assert [m.payload["text"] for m in await o.pending()] == [code]
            assert await o.count() == 1
            # the commune's worker claims, paces and holds only its own messages (its own bots)
            assert [m.payload["text"] for m in await o.due_heads(["telegram"], later, 10)] == [code]
            assert await o.next_due_at(["telegram"]) == NOW
            assert await o.release_expired(later) == 0

            assert await uow.relays.get(ids[other]["relay"]) is None
            mine_relay = await uow.relays.get(ids[mine]["relay"])
            assert mine_relay is not None and mine_relay.summary == code
            assert [r.summary for r in await uow.relays.pending_for("nguyen-van-an", later)] == [code]
            assert [r.summary for r in await uow.relays.to_remind(later)] == [code]
            assert [r.summary for r in await uow.relays.recent()] == [code]

            assert await uow.inbound.get(ids[other]["update"]) is None
            assert [u.payload for u in await uow.inbound.unhandled(later)] == [{"code": code}]
            last_in = await uow.oa_tokens.last_inbound("telegram", "42")
            assert last_in == {"code": code}

            assert await uow.media.get(media_refs[other]) is None
            kept = await uow.media.get(media_refs[mine])
            assert kept is not None and kept.data == code.encode()

    # what one commune erases, expires or sends leaves the other's rows
    async with store.uow(TAN_LAP) as uow:
        await uow.outbox.hold_chat("telegram", "42", later)
        claimed = await uow.outbox.claim_due(["telegram"], NOW, 10, timedelta(minutes=1))
        assert [m.payload["text"] for m in claimed] == []  # held until tomorrow
        await uow.outbox.mark_sent([(m.id or 0, "t-1", NOW) for m in await uow.outbox.pending()])
        assert (await uow.outbox.recent_sends([("telegram", "42")], NOW - timedelta(hours=1))) == {
            ("telegram", "42"): [NOW]
        }
        assert await uow.subscriptions.remove("telegram", "42")
        assert await uow.conversations.expire(later) == 1
        await uow.unanswered.forget_chat("telegram", "42")
        await uow.commit()
    async with store.uow(DONG_TIEN) as uow:
        assert await uow.subscriptions.get("telegram", "42") is not None
        assert await uow.conversations.get("telegram", "42", "42") is not None
        assert len(await uow.unanswered.all()) == 1
        assert await uow.outbox.recent_sends([("telegram", "42")], NOW - timedelta(hours=1)) == {}
        due = await uow.outbox.claim_due(["telegram"], NOW, 10, timedelta(minutes=1))
        assert [m.payload["text"] for m in due] == [codes[DONG_TIEN]]  # not held by Tân Lập's budget


async def test_one_commune_is_the_default_and_two_must_be_named(store: Store, database_url: str) -> None:
    await load(store, MINI)
    async with store.uow() as uow:  # today's callers name no commune
        assert uow.commune_id == TAN_LAP and len(await uow.disclosures.all()) == 4
    assert stored_timezone(database_url) == "Asia/Ho_Chi_Minh"
    await load(store, SECOND)
    with pytest.raises(AmbiguousCommune):
        async with store.uow():
            pass
    assert stored_timezone(database_url) is None  # two communes: neither one is the deployment's
    assert stored_timezone(database_url, DONG_TIEN) == "Asia/Bangkok"
    scoped = Store(store.database_url, commune_id=DONG_TIEN)  # the COMMUNE_ID a deployment would set
    try:
        async with scoped.uow() as uow:
            assert [d.id for d in await uow.disclosures.all()] == [
                "du-toan-ngan-sach-2026",
                "ke-hoach-cau-tran-go-mit",
            ]
    finally:
        await scoped.close()


async def test_a_file_without_commune_id_is_refused_once_there_are_two(store: Store) -> None:
    await both(store)
    before = await declared(store, TAN_LAP)
    data = load_file(MINI)
    data["disclosures"][0]["title"] = "Đổi tiêu đề"
    with pytest.raises(ImportError_) as caught:
        async with store.uow(NO_COMMUNE) as uow:
            await import_data(uow, data, NOW)
    assert "commune.id" in caught.value.problems[0]
    assert await declared(store, TAN_LAP) == before


async def test_naming_the_only_commune_later_keeps_its_rows(store: Store) -> None:
    """A one-commune deployment's file gains `commune.id`: the same commune, now named."""
    await load(store, MINI)
    data = load_file(MINI)
    data["commune"]["id"] = "tan-lap"
    async with store.uow(NO_COMMUNE) as uow:
        report = await import_data(uow, data, NOW)
    assert report.updated == {"commune": 1} and not report.created
    async with store.uow() as uow:
        commune = await uow.commune.get()
        assert commune is not None and commune.id == TAN_LAP and commune.slug == "tan-lap"
        assert len(await uow.disclosures.all()) == 4
