"""Generated malformed updates, posted WITH the right secret or signature to each webhook of the
running app: never a 5xx, nothing crashes, what cannot be read is set aside (not lost, not retried
forever), and the bot still answers an ordinary message afterwards.

CI runs FUZZ_EXAMPLES (200) per webhook; `python -m bench.fuzz_webhooks` runs 10,000.
"""

from __future__ import annotations

import os

import pytest

from tests.attack_harness import WEBHOOKS
from tests.fuzzing import fuzz

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(600)]

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))


@pytest.mark.parametrize("webhook", WEBHOOKS)
def test_malformed_updates_never_get_a_5xx_nor_crash_the_bot(database_url: str, webhook: str) -> None:
    counts = fuzz(database_url, webhook, EXAMPLES)
    assert counts.sent == EXAMPLES
    assert counts.errors == 0, counts.bad
    assert counts.crashes == 0, counts.crash_texts
    # Every stored update was handled or set aside: none failed, none left to be retried.
    assert set(counts.stored) <= {"handled", "set_aside"}, counts.stored
    assert counts.answered_after, "the bot did not answer an ordinary message after the run"
