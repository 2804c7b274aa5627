"""Zalo OA wire rules: the webhook signature over raw bytes, events read, error codes classified."""

from __future__ import annotations

import json

from channels.contract import Failed, Retry
from channels.zalo_oa.wire import outcome, signature, signature_ok, to_incoming

APP, SECRET = "4321098765", "oa-secret-Key_7"
EVENT = {
    "app_id": APP,
    "event_name": "user_send_text",
    "timestamp": "1765060000000",
    "sender": {"id": "u-77"},
    "recipient": {"id": "oa-1"},
    "message": {"msg_id": "abc123", "text": "lịch tiếp công dân"},
}


def test_the_signature_is_sha256_of_app_id_raw_body_timestamp_and_secret() -> None:
    raw = json.dumps(EVENT, ensure_ascii=False).encode()
    mac = signature(APP, raw, EVENT["timestamp"], SECRET)  # type: ignore[arg-type]
    assert len(mac) == 64
    assert signature_ok(f"mac={mac}", APP, raw, "1765060000000", SECRET)
    assert signature_ok(f"mac={mac.upper()}", APP, raw, "1765060000000", SECRET)


def test_a_signature_over_other_bytes_time_or_key_is_refused() -> None:
    raw = json.dumps(EVENT, ensure_ascii=False).encode()
    mac = signature(APP, raw, "1765060000000", SECRET)
    reserialised = json.dumps(json.loads(raw)).encode()  # same JSON, other bytes (escaped marks)
    assert not signature_ok(f"mac={mac}", APP, reserialised, "1765060000000", SECRET)
    assert not signature_ok(f"mac={mac}", APP, raw, "1765060000001", SECRET)
    assert not signature_ok(f"mac={mac}", APP, raw, "1765060000000", SECRET + "x")
    assert not signature_ok("mac=", APP, raw, "1765060000000", SECRET)
    assert not signature_ok("", APP, raw, "1765060000000", SECRET)


def test_texts_and_images_are_read_follows_and_unknown_events_ignored() -> None:
    incoming = to_incoming(EVENT)
    assert incoming is not None
    assert (incoming.channel, incoming.chat_id, incoming.text, incoming.message_id) == (
        "zalo_oa",
        "u-77",
        "lịch tiếp công dân",
        "abc123",
    )
    image = dict(EVENT, event_name="user_send_image")
    image["message"] = {
        "msg_id": "m2",
        "attachments": [{"type": "image", "payload": {"url": "https://img.zalo/a.jpg"}}],
    }
    photo = to_incoming(image)
    assert photo is not None and photo.attachments[0].ref == "https://img.zalo/a.jpg"
    for name in ("follow", "unfollow", "oa_send_text", "user_send_sticker", None):
        assert to_incoming(dict(EVENT, event_name=name)) is None
    assert to_incoming(dict(EVENT, sender={})) is None


def test_send_errors_are_classified_for_the_outbox() -> None:
    assert isinstance(outcome(-32, "rate"), Retry) and outcome(-32, "").after == 60.0  # type: ignore[union-attr]
    quota = outcome(-211, "quota")
    assert isinstance(quota, Retry) and (quota.after or 0) >= 3600
    for window in (-230, -232):
        waits = outcome(window, "window")
        assert isinstance(waits, Retry) and (waits.after or 0) >= 6 * 3600
    assert isinstance(outcome(-201, "bad parameter"), Failed)
    assert isinstance(outcome(-213, "not a follower"), Failed)
    assert isinstance(outcome(-216, "token"), Retry)
    assert isinstance(outcome(0, "no answer"), Retry)
