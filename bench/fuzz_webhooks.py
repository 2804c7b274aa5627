"""Generated malformed updates against every webhook of the running app, WITH the right secret.

    python -m bench.fuzz_webhooks                          # 10,000 per webhook, SQLite
    python -m bench.fuzz_webhooks --examples 2000 --webhooks telegram zalo
    python -m bench.fuzz_webhooks --database postgresql://postgres@127.0.0.1:55439/fuzz
    python -m bench.fuzz_webhooks --webhooks zalo_oa --seed 3253795899   # the bodies of a printed run

For each webhook (Telegram, Zalo Bot, Zalo OA, web chat) the whole app runs against the fake
messenger servers (tests/fakes/) and hypothesis generates the bodies (tests/malformed.py): damaged
genuine updates, random JSON, bytes that are not JSON. Printed per webhook: sent, 2xx, 4xx, 5xx,
crashes (ERROR log records, unexpected exceptions), stored updates handled / set aside / failed /
left unhandled, whether an ordinary message got its answer afterwards, the time, the CPU (and how
much of it was hypothesis generating), and the seed. Exit status 1 when any webhook had a 5xx, a
crash, a failed or unhandled update, or no answer afterwards.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile

os.environ.setdefault("PTB_TIMEDELTA", "true")
os.environ.setdefault("SEMANTIC_SEARCH", "false")

from tests.attack_harness import WEBHOOKS
from tests.fuzzing import fuzz


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--examples", type=int, default=10_000, help="bodies per webhook (10,000)")
    parser.add_argument("--webhooks", nargs="+", choices=WEBHOOKS, default=list(WEBHOOKS))
    parser.add_argument("--database", default="", help="a database URL (default: a fresh SQLite file)")
    parser.add_argument(
        "--seed", type=int, help="hypothesis's seed (the same bodies as a run that printed it)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.CRITICAL)  # crashes are counted by the run's own handler
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for webhook in args.webhooks:
            url = args.database or f"sqlite:///{tmp}/{webhook}.db"
            counts = fuzz(url, webhook, args.examples, args.seed)
            print(counts.line(), flush=True)
            for status, body in counts.bad:
                print(f"    {status}: {body!r}")
            for text in counts.crash_texts:
                print(f"    crash: {text[:300]}")
            stored_ok = set(counts.stored) <= {"handled", "set_aside"}
            failed |= bool(counts.errors or counts.crashes or not stored_ok or not counts.answered_after)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
