"""Residents' paraphrases: everyday words for what a document is filed under, answered when e5 agrees.

The e5 model's answer is fixed here (`_Meaning`): the rule is tested, not the model.
"""

from __future__ import annotations

import numpy as np

from handlers.ask import CONFIDENCE_THRESHOLD, SUGGEST_FLOOR, SUGGESTIONS
from qa.confidence import SEMANTIC_SIGNALS, SIGNALS, confidence
from qa.entries import SearchHit
from qa.index import Index
from qa.reader import Reader
from qa.searcher import SearchIndex
from qa.semantic import DIM
from qa.vectors import DocVectors, Semantic
from tests.unit.test_semantic import _doc, _Meaning, _one_meaning_each

# The semantic model of session 10 (before "titled", fitted on every top hit): it only offered the
# paraphrase below. Kept to show what changed, not used by the bot.
SESSION_10_MODEL = (0.97, 2.96, 3.36, 2.44, -3.17, 1.83, 1.33, -5.42)
PARAPHRASE = "ruộng bị lấy làm đường thì ai trả tiền"  # "thu hồi đất", "bồi thường" in its own words
# (the compensation document says "nhận tiền", not "chi trả": the word lists read "ai trả tiền" as
# "chi trả", and a document holding it would be answered on its words alone)


def _road_commune(title: str) -> tuple[Index, DocVectors, np.ndarray]:
    return _one_meaning_each(
        [
            _doc(
                "boi-thuong",
                title,
                "Đơn giá đất trồng lúa 120.000 đồng/m², đất vườn 90.000 đồng/m²; nhận tiền tại nhà văn "
                "hóa thôn Đông từ ngày 5/12.",
            ),
            _doc(
                "duong",
                "Làm đường bê tông thôn Đông",
                "Đường dài 1,2 km, rộng 3 m; mỗi hộ góp 500.000 đồng, nhà nước hỗ trợ xi măng.",
            ),
            _doc(
                "dat",
                "Kế hoạch sử dụng đất năm 2026",
                "Chuyển 2 ha đất lúa sang đất ở, làm đường và chợ; giao đất cho hộ gia đình.",
            ),
            _doc(
                "nha-o",
                "Hỗ trợ xây dựng nhà ở cho hộ nghèo",
                "Mỗi hộ nghèo được hỗ trợ 40 triệu đồng để xây mới hoặc sửa chữa nhà ở.",
            ),
            _doc("cho", "Họp chợ phiên cuối tuần", "Chợ họp sáng thứ Bảy tại nhà văn hóa thôn."),
        ]
    )


# The reader's reading fixed too (qa/reader.py: a logit, 0 on average over the fitted questions):
# the passage read as answering the question, or as only on its subject.
READS_ANSWERED = Reader(np.zeros(DIM, dtype=np.float32), 1.0)
READS_TOPICAL = Reader(np.zeros(DIM, dtype=np.float32), -1.0)


def _ranked(
    index: Index, vectors: DocVectors, meaning: np.ndarray, reader: Reader = READS_ANSWERED
) -> list[SearchHit]:
    searcher = SearchIndex(index, 0, Semantic(_Meaning(meaning), units=None, reader=reader))  # type: ignore[arg-type]
    return searcher._rank(index, vectors, PARAPHRASE, 5, None, None)


def test_a_paraphrase_of_the_title_is_answered_when_e5_agrees_where_it_was_only_offered() -> None:
    index, vectors, basis = _road_commune("Bồi thường thu hồi đất làm đường liên xã")
    lexical = index.rank(PARAPHRASE)
    assert lexical[0].id == "boi-thuong" and lexical[0].confidence < CONFIDENCE_THRESHOLD
    hits = _ranked(index, vectors, basis[0])  # e5: the compensation is closest
    top = hits[0]
    assert top.id == "boi-thuong" and top.confidence >= CONFIDENCE_THRESHOLD  # answered, quoted
    titled = top.signals[len(SIGNALS) + SEMANTIC_SIGNALS.index("titled")]
    assert titled == 1.0  # "bị lấy" -> "thu hồi", "trả tiền" -> "bồi thường": both in the title
    without_titled = top.signals[: len(SIGNALS)] + top.signals[len(SIGNALS) + 1 :]
    assert confidence(without_titled, SESSION_10_MODEL) < CONFIDENCE_THRESHOLD  # session 10: offered


def test_the_same_paraphrase_is_only_offered_when_the_reader_finds_it_unanswered_there() -> None:
    index, vectors, basis = _road_commune("Bồi thường thu hồi đất làm đường liên xã")
    hits = _ranked(index, vectors, basis[0], READS_TOPICAL)  # e5 agrees, the passage does not answer
    assert hits[0].id == "boi-thuong" and SUGGEST_FLOOR <= hits[0].confidence < CONFIDENCE_THRESHOLD


def test_the_same_paraphrase_is_only_offered_when_e5_holds_another_document_closer() -> None:
    index, vectors, basis = _road_commune("Bồi thường thu hồi đất làm đường liên xã")
    hits = _ranked(index, vectors, basis[2])  # e5: the land-use plan
    assert hits[0].id == "boi-thuong" and hits[0].confidence < CONFIDENCE_THRESHOLD
    offered = [h.id for h in hits if h.confidence >= SUGGEST_FLOOR][:SUGGESTIONS]
    assert {"boi-thuong", "dat"} <= set(offered)


def test_titled_is_whether_the_title_holds_the_official_phrase_the_residents_words_map_to() -> None:
    filed, _, _ = _road_commune("Bồi thường thu hồi đất làm đường liên xã")
    plain, _, _ = _road_commune("Đường liên xã: đơn giá từng loại đất")
    at = len(SIGNALS) + SEMANTIC_SIGNALS.index("titled")
    assert filed.rank(PARAPHRASE)[0].signals[at] == 1.0
    assert {h.id: h.signals[at] for h in plain.rank(PARAPHRASE)}.get("boi-thuong") == 0.0
