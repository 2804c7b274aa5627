"""Signed links that expire: how a photo kept by the bot reaches a messenger that only takes URLs.

`sign` makes `/media/<id>?exp=<unix time>&sig=<hmac>`; `valid` checks it in constant time. The key
is the deployment's (bot.config.Settings.link_key), so every process of it accepts the same links.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

LIFETIME = timedelta(days=7)


def _mac(media_id: str, expires: int, key: bytes) -> str:
    return hmac.new(key, f"{media_id}:{expires}".encode(), hashlib.sha256).hexdigest()[:32]


def sign(media_id: str, now: datetime, key: bytes, lifetime: timedelta = LIFETIME) -> str:
    """The path (under the public base URL) that serves this photo until it expires."""
    expires = int((now + lifetime).timestamp())
    return f"/media/{media_id}?exp={expires}&sig={_mac(media_id, expires, key)}"


def valid(media_id: str, expires: str, signature: str, key: bytes, now: datetime) -> bool:
    if not expires.isdigit() or int(expires) < now.timestamp():
        return False
    return hmac.compare_digest(_mac(media_id, int(expires), key), signature)
