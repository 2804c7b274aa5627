"""Counting (major, minor) number pairs a few million rows at a time, for building the index.

Building an index groups one row per token occurrence (about 12 million at 10,000 documents) by
(term, document) or (document, word). Sorting all the rows at once as 64-bit keys, with the inverse
permutation, took several temporaries of the whole length at the same time (the peak of the bot's
memory at 10,000 documents). Here the rows are taken in ranges of the major number of about
CHUNK_ROWS rows each; the ranges are in order, so the groups come out sorted as one sort would give
them, and the temporaries are those of one range.
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterator
from itertools import pairwise

import numpy as np
import numpy.typing as npt

CHUNK_ROWS = 1_000_000

Ids = npt.NDArray[np.int32]
Sums = npt.NDArray[np.float32]


def ranges(major: Ids, chunk: int = CHUNK_ROWS) -> Iterator[npt.NDArray[np.intp]]:
    """The row numbers of each range of major numbers holding about `chunk` rows (at least one
    major number each), ranges in increasing order."""
    if not len(major):
        return
    cumulative = np.cumsum(np.bincount(major))
    cuts = np.unique(np.searchsorted(cumulative, np.arange(chunk, int(cumulative[-1]), chunk)) + 1)
    edges = [0, *cuts.tolist(), len(cumulative)]
    for low, high in pairwise(edges):
        if high > low:
            yield np.flatnonzero((major >= low) & (major < high))


def group(
    major: Ids,
    minor: Ids,
    minor_size: int,
    weights: npt.NDArray[np.floating] | None = None,
    chunk: int = CHUNK_ROWS,
) -> tuple[Ids, Ids, Sums]:
    """The distinct (major, minor) pairs, sorted, and per pair the sum of its rows' weights (their
    count without weights; float32: weights are small multiples of 0.5, sums stay exact)."""
    majors: list[Ids] = []
    minors: list[Ids] = []
    sums: list[Sums] = []
    for rows in ranges(major, chunk):
        keys = major[rows].astype(np.int64) * minor_size + minor[rows]
        order = np.argsort(keys, kind="stable")  # a merge of sorted runs: rows come in runs
        keys = keys[order]
        starts = np.flatnonzero(_firsts(keys))
        majors.append((keys[starts] // minor_size).astype(np.int32))
        minors.append((keys[starts] % minor_size).astype(np.int32))
        del keys
        if weights is None:
            counted = np.diff(starts, append=len(order))
        else:
            counted = np.add.reduceat(weights[rows[order]].astype(np.float64), starts)
        sums.append(counted.astype(np.float32))
    return _joined(majors), _joined(minors), np.concatenate(sums) if sums else np.zeros(0, np.float32)


def distinct(major: Ids, minor: Ids, minor_size: int, chunk: int = CHUNK_ROWS) -> tuple[Ids, Ids]:
    """The distinct (major, minor) pairs, sorted."""
    majors: list[Ids] = []
    minors: list[Ids] = []
    for rows in ranges(major, chunk):
        keys = _sorted_unique(major[rows].astype(np.int64) * minor_size + minor[rows])
        majors.append((keys // minor_size).astype(np.int32))
        minors.append((keys % minor_size).astype(np.int32))
    return _joined(majors), _joined(minors)


def unique_inverse(keys: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.intp]]:
    """`np.unique(keys, return_inverse=True)`: the sorted distinct keys and, per key, its place
    among them (a stable sort: the rows of an index come in sorted runs, which it merges)."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    first = _firsts(ordered)
    inverse = np.empty(len(keys), dtype=np.intp)
    inverse[order] = np.cumsum(first) - 1
    return ordered[first], inverse


def _sorted_unique(keys: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """`np.unique(keys)`, by sorting in place: numpy 2.4's `unique` hashes, which at a million
    rows with hundreds of thousands of distinct keys took eight times as long as a sort."""
    keys.sort()
    return keys[_firsts(keys)]


def _firsts(ordered: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """Per row of sorted keys: whether it is the first of its key."""
    first = np.empty(len(ordered), dtype=bool)
    first[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return first


def _joined(parts: list[Ids]) -> Ids:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)


def give_back_freed_memory() -> None:
    """Return the heap's free pages to the system (glibc `malloc_trim`): the index build frees
    hundreds of MB of temporaries that glibc would otherwise keep as the process's resident memory
    (at 10,000 documents: 446 MB resident after the build, 282 MB after this). Elsewhere: nothing."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    trim = getattr(libc, "malloc_trim", None)
    if trim is not None:
        trim(0)
