"""The reader (qa/reader.py) fitted with the semantic model, for bench/qa_tune_semantic.py.

One logistic model over the top hits: the lexical and semantic signals (L2 0.1, as the semantic
model alone) and the element-wise product of the question's e5 vector with its closest passage's in
the hit's document (standardised, L2 READER_L2: 384 dimensions against ~1,100 questions). Classes
balanced, as `bench.qa_tune.fit`. The product's weights become the Reader (its output centred on the
fitted questions), and the semantic model gets weight 1 for "reads" and its intercept lowered by
READER_SHIFT. Held out at 0.40 (twelve communes with the topical questions, each scored by a model
fitted on the others): L2 30 / 100 / 1000 gave top-1 0.862 / 0.855 / 0.845 with precision 0.918 /
0.919 / 0.919 before the shift; with L2 100, shift 0.3 / 0.405 / 0.5: top-1 0.846 / 0.841 / 0.834,
precision 0.930 / 0.930 / 0.931 (the semantic model alone, refitted: 0.843 / 0.919).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from qa.confidence import SEMANTIC_SIGNALS, SIGNALS
from qa.reader import Reader

READER_L2 = 100.0
SIGNALS_L2 = 0.1
READER_SHIFT = 0.3
# the signals the reader is fitted beside: all but "reads", which it replaces
BESIDE = len(SIGNALS) + len(SEMANTIC_SIGNALS) - 1

Rows = list[tuple[tuple[float, ...], npt.NDArray[np.float32], bool]]


def logistic(
    x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], penalty: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Logistic regression by Newton's method, classes weighted to count equally, a penalty per
    column (`penalty`, the intercept last and unpenalised); weights, intercept last."""
    x = np.hstack([x, np.ones((len(x), 1))])
    weight = np.where(y == 1, (len(y) - y.sum()) / max(y.sum(), 1), 1.0)
    w = np.zeros(x.shape[1])
    diagonal = np.diag(np.append(penalty, 0.0))
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(x @ w, -30, 30)))
        grad = x.T @ (weight * (p - y)) + diagonal @ w
        hess = x.T @ (x * (weight * p * (1 - p))[:, None]) + diagonal
        w -= np.linalg.solve(hess, grad)
    return w


def fit_reader(rows: Rows) -> tuple[tuple[float, ...], Reader]:
    """The semantic model (its "reads" weight 1) and the reader, fitted on (signals, product of
    the question's and closest passage's vectors, top hit right) rows."""
    signals = np.asarray([r[0][:BESIDE] for r in rows], dtype=np.float64)
    products = np.asarray([r[1] for r in rows], dtype=np.float64)
    labels = np.asarray([r[2] for r in rows], dtype=np.float64)
    mean, spread = products.mean(axis=0), products.std(axis=0) + 1e-9
    x = np.hstack([signals, (products - mean) / spread])
    penalty = np.array([SIGNALS_L2] * BESIDE + [READER_L2] * products.shape[1])
    w = logistic(x, labels, penalty)
    weights = w[BESIDE:-1] / spread  # on the raw product
    centre = float((products @ weights).mean())
    reader = Reader(weights.astype(np.float32), -centre)
    intercept = w[-1] - float((mean / spread) @ w[BESIDE:-1]) + centre - READER_SHIFT
    model = (*(round(float(v), 2) for v in w[:BESIDE]), 1.0, round(float(intercept), 2))
    return model, reader


def reads(reader: Reader, product: npt.NDArray[np.float32]) -> float:
    """The reader's signal from a precomputed product of the two vectors."""
    return float(reader.weights @ product) + reader.bias
