"""Does the quoted passage hold the answer? Fact questions with their answer text, per commune.

    python bench/qa_passages.py [--set COMMUNE_YAML ANSWERS ...] [--show-misses]

Each answers file holds lines `{"q", "id", "answer": [text, ...]}`: a question, the disclosure that
answers it and the words a resident must see (a figure, a name; for a table cell also its row's
name), copied from the body by someone who did not see the search code. For each question whose top
hit is that disclosure, the passage the bot quotes (at most ~800 characters) must hold every answer
text. Printed per commune: questions, top-1 right, passage holds the answer (of the top-1 right),
and the same for the opening of the body (the first ~800 characters) as the baseline.

By default: the development commune (`../shared/data/dong-tien`) and the demo commune (their
answers in `bench/data/answers-*.jsonl`), and the communes in `bench/data/` that have an
`answers.jsonl`. The passage method was tuned on dong-tien, tan-lap and ky-son; the demo commune's
answers were written afterwards, as a held-out check.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.qa_quality import DEFAULT_DATA  # noqa: E402
from bench.qa_tune import build  # noqa: E402
from qa.passages import clip  # noqa: E402


def holds(passage: str, answers: list[str]) -> bool:
    """Every answer text is in the passage (Markdown emphasis aside)."""
    shown = passage.replace("**", "")
    return all(a.replace("**", "") in shown for a in answers)


def score(commune: Path, answers_file: Path, show_misses: bool) -> None:
    rows = [json.loads(line) for line in answers_file.read_text("utf-8").splitlines() if line.strip()]
    index = asyncio.run(build(commune))
    bodies = {e.id: e.fields["body"] for e in index.entries}
    right = passage_ok = opening_ok = 0
    for row in rows:
        hits = index.rank(row["q"], 1, today=date.today())
        if not hits or hits[0].id != row["id"]:
            continue
        right += 1
        passage_ok += holds(hits[0].passage, row["answer"])
        opening_ok += holds(clip(bodies[row["id"]]), row["answer"])
        if show_misses and not holds(hits[0].passage, row["answer"]):
            print(f"  miss: {row['q']}  (answer {row['answer']})\n    shown: {hits[0].passage[:160]!r}")
    print(
        f"{commune.parent.name}: {len(rows)} questions, top-1 right {right}, passage holds the answer "
        f"{passage_ok}/{right} ({passage_ok / max(right, 1):.2f}); opening of the body "
        f"{opening_ok}/{right} ({opening_ok / max(right, 1):.2f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--set", nargs=2, action="append", type=Path, metavar=("COMMUNE_YAML", "ANSWERS"))
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    data = ROOT / "bench" / "data"
    sets = args.set or [
        (DEFAULT_DATA / "commune.yaml", data / "answers-dong-tien.jsonl"),
        (ROOT / "bot" / "demo" / "commune.yaml", data / "answers-hoa-phu.jsonl"),
        *(
            (d / "commune.yaml", d / "answers.jsonl")
            for d in sorted(data.iterdir())
            if (d / "answers.jsonl").is_file()
        ),
    ]
    for commune, answers in sets:
        if commune.is_file() and answers.is_file():
            score(commune, answers, args.show_misses)
        else:
            print(f"skipped {commune}: missing commune or answers file")


if __name__ == "__main__":
    main()
