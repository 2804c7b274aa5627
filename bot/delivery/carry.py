"""What a sender that stopped or died spent of the short windows, counted by the one taking over.

Telegram counts 30 messages a second per bot whichever process sends them. A process that starts
sending (after a crash, or on PostgreSQL when it takes a channel's lock) does not wait a blanket
second; it counts the sends its predecessor recorded (`sent_at`) in its pacers, and bounds the ones
it may have made without recording them:

- they were answered after its last recorded send and before it died, and it died before `start`
  (SQLite serves one process: before this one started; PostgreSQL: before its lock came free);
- each was a message it had leased, and it left the lease behind;
- its own window check let at most `limit` sends be answered in any `window` s, so in the window
  ending when it died there were at most `limit` minus those recorded in it. Counting the recorded
  ones in the window ending at `start` (later, so it holds no more of them) bounds the unrecorded
  ones from above; they are counted as answered at `start` (no earlier than they were).

So a sender killed mid-broadcast, whose recording kept up, leaves a window nearly full of recorded
sends that leave it one by one, and the new process sends as they do. The same for one private
chat's one a second, from the recorded sends only: a chat sent to in the last second waits until a
second after it. A chat with a message left leased (perhaps sent, not recorded) does not wait: most
residents who were mid-conversation at a crash have one, and holding each a second kept the last
of them waiting about two seconds longer (`bench/petition_crash.py`: "Gửi" p95 6.2 s against 3.9 s),
for a per-chat limit Telegram applies to bursts, not to one message; the bot-wide window, which
Telegram enforces, still counts those sends. `MARGIN` covers the few milliseconds between a send's
answer and the `sent_at` recorded for it, and clocks of two hosts a little apart.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import datetime, timedelta

from channels.pacing import Pacer, WindowPacer
from storage.uow import UnitOfWork

MARGIN = 0.1  # seconds
ChatKey = tuple[str, str]


async def carry_over(
    uow: UnitOfWork,
    channels: Collection[str],
    start: datetime,
    leased: Mapping[ChatKey, int],
    bot_pacers: Mapping[str, WindowPacer],
    chat_pacers: Callable[[ChatKey], Pacer | None],
    clock: Callable[[], datetime],
    monotonic: Callable[[], float],
) -> int:
    """Seed the pacers of `channels` with their predecessor's sends; returns how many unrecorded
    sends were assumed (at most each channel's limit)."""
    windows = [bot_pacers[c].window for c in channels if c in bot_pacers]
    longest = max([2.0, *windows])
    sends = await uow.outbox.sends_since(list(channels), start - timedelta(seconds=longest))
    offset = monotonic() - clock().timestamp()  # wall-clock seconds -> this process's monotonic clock
    assumed = 0
    for channel in channels:
        pacer = bot_pacers.get(channel)
        if pacer is None:
            continue
        times = [at.timestamp() + offset for ch, _, at in sends if ch == channel]
        since = start.timestamp() + offset - pacer.window + MARGIN
        recorded = sum(1 for at in times if at > since)
        maybe = sum(n for (ch, _), n in leased.items() if ch == channel)  # each a leased message
        unknown = min(maybe, max(0, pacer.limit - recorded))
        assumed += unknown
        pacer.seed(times + [start.timestamp() + offset] * unknown)
    for channel, chat, at in sends:
        if (pacer_of_chat := chat_pacers((channel, chat))) is not None:
            pacer_of_chat.hold(chat, at.timestamp() + offset)
    return assumed
