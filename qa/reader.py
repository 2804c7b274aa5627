"""The reader: e5's question vector read against the vector of the document's closest passage.

The semantic model's other signals compare documents (is this one e5's closest, how far below the
closest it lies); they cannot tell a question answered by a passage from one asked about the same
subject that the passage does not answer (who won the bid when the page names no contractor, the
price of what the document only supports). The reader is a diagonal bilinear form: a weight per
dimension of the element-wise product of the two unit vectors, fitted with the semantic model
(`python -m bench.qa_tune --semantic --fit`: logistic, strongly regularised, each commune scored by
a model fitted on the others). Its output, centred on the questions it was fitted on, is the
"reads" signal of qa/confidence.py SEMANTIC_SIGNALS. The weights ship in `reader.json` beside this
module and are loaded once, by whoever builds the searcher's `Semantic` (qa/vectors.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

READER_FILE = Path(__file__).with_name("reader.json")


@dataclass(frozen=True)
class Reader:
    """`reads(question, passage)`: the weights' sum over the product of the two vectors, plus
    `bias` (which makes its mean over the fitted questions 0: a hit with no reading counts 0)."""

    weights: npt.NDArray[np.float32]
    bias: float = 0.0

    def reads(self, question: npt.NDArray[np.float32], passage: npt.NDArray[np.float32]) -> float:
        """How much the passage answers the question, beyond its subject (a logit, about -3..3)."""
        return float(self.weights @ (question * passage)) + self.bias

    @classmethod
    def load(cls, path: Path = READER_FILE) -> Reader:
        """The reader stored at `path` (the shipped one by default)."""
        data = json.loads(path.read_text("utf-8"))
        return cls(np.asarray(data["weights"], dtype=np.float32), float(data["bias"]))

    def save(self, path: Path = READER_FILE, note: str = "") -> None:
        """Store the reader (bench/qa_tune_reader.py writes the fitted one)."""
        data = {
            "note": note,
            "bias": round(self.bias, 4),
            "weights": [round(float(w), 3) for w in self.weights],
        }
        path.write_text(json.dumps(data, ensure_ascii=False) + "\n", "utf-8")
