"""Hypothesis strategies for malformed updates: what a broken, hostile or future sender might post.

Each body is raw bytes and a content type: random JSON of any shape; a genuine update of the
channel with fields removed, set to null, to the wrong type, to huge numbers or to unicode junk;
bytes that are not JSON or not UTF-8. Bodies are sent WITH the right secret or signature: the
point is what the bot does with what its own messenger (or someone holding the secret) sends.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

JUNK_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40
) | st.sampled_from(["", " ", "\u0000", "\ufeff", "🙂" * 3, "‮rtl", "a" * 5000, "/start", "/traloi 1 x"])
HUGE = st.sampled_from([2**63, -(2**63) - 1, 2**64, 10**40, -1, 0, 2**31])
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | HUGE
    | st.floats(allow_nan=False, allow_infinity=False)
    | JUNK_TEXT
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(JUNK_TEXT, inner, max_size=4),
    max_leaves=12,
)
CONTENT_TYPES = st.sampled_from(
    ["application/json", "application/json", "text/plain", "application/x-www-form-urlencoded", None]
)


def templates(channel: str, n: int) -> dict[str, Any]:
    """A genuine update of the channel (n makes its ids unique), before it is damaged."""
    if channel == "telegram":
        user = {"id": 7000 + n % 50, "is_bot": False, "first_name": "Dân"}
        message = {
            "message_id": n,
            "date": 1796606116,
            "chat": {"id": 7000 + n % 50, "type": "private", "first_name": "Dân"},
            "from": user,
            "text": "lịch tiếp dân",
            "photo": [{"file_id": "AgAC1", "file_unique_id": "u1", "width": 90, "height": 90}],
            "reply_to_message": {"message_id": 1, "date": 1796606000, "chat": {"id": 1, "type": "private"}},
        }
        callback = {"id": str(n), "from": user, "data": "cmd:lich", "chat_instance": "ci", "message": message}
        return {"update_id": 10**6 + n, "message": message, "callback_query": callback}
    if channel == "zalo":
        message = {
            "message_id": f"m{n}",
            "date": 1796606116,
            "chat": {"id": f"zc{n % 50}", "chat_type": "PRIVATE"},
            "from": {"id": f"zc{n % 50}", "display_name": "Dân", "is_bot": False},
            "text": "lịch tiếp dân",
            "message_type": "CHAT_MESSAGE",
        }
        return {"ok": True, "result": {"event_name": "message.text.received", "message": message}}
    if channel == "zalo_oa":
        return {
            "app_id": "4321098765",
            "event_name": "user_send_text",
            "timestamp": "1796606116000",
            "sender": {"id": f"oa{n % 50}"},
            "recipient": {"id": "oa-579"},
            "message": {"msg_id": f"{n:032x}", "text": "lịch tiếp dân", "attachments": []},
        }
    return {"id": f"w{n}", "text": "lịch tiếp dân", "button": "cmd:lich", "name": "Dân"}


KEEP = object()  # a leaf left as the genuine update had it
FATES = st.sampled_from(["keep", "keep", "keep", "damage", "drop", "null", "junk"])
LEAF = st.one_of(st.just(KEEP), SCALARS, JSON)  # a leaf near the top: kept, a scalar or any JSON
DEEP_LEAF = st.one_of(st.just(KEEP), SCALARS, SCALARS)  # deeper down: kept or a scalar
# Every strategy above is built once: one built per draw is validated and labelled again each
# time, which cost more than drawing from it.


def damage(draw: st.DrawFn, value: Any, depth: int = 0) -> Any:
    """The value with some of its fields dropped, nulled, retyped or replaced by junk."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, inner in value.items():
            fate = draw(FATES)
            if fate == "drop":
                continue
            out[key] = (
                None
                if fate == "null"
                else draw(JSON)
                if fate == "junk"
                else damage(draw, inner, depth + 1)
                if fate == "damage"
                else inner
            )
        return out
    if isinstance(value, list):
        return [damage(draw, v, depth + 1) for v in value]
    leaf = draw(LEAF if depth < 3 else DEEP_LEAF)
    return value if leaf is KEEP else leaf


@st.composite
def damaged(draw: st.DrawFn, value: Any) -> Any:
    """The value damaged (see `damage`)."""
    return damage(draw, value)


def encode(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


IDS = st.integers(min_value=1, max_value=10**9)
RAW = st.binary(max_size=300) | st.sampled_from(
    [b"", b"{", b"[]", b"null", b'{"update_id": ', b"\xff\xfe{}", b'{"a": "\xc3\x28"}', b"NaN"]
)


def bodies(channel: str) -> st.SearchStrategy[tuple[bytes, str | None]]:
    """Raw request bodies and content types for one webhook."""
    genuine_damaged = IDS.flatmap(lambda i: damaged(templates(channel, i))).map(encode)
    truncated = genuine_damaged.flatmap(lambda b: st.integers(0, len(b)).map(lambda k: b[:k]))
    body = st.one_of(genuine_damaged, genuine_damaged, JSON.map(encode), RAW, truncated)
    return st.tuples(body, CONTENT_TYPES)
