"""Reading a POST body no bigger than a limit: refused on its Content-Length, or as soon as the
stream passes the limit (a chunked body has no length), never read whole first."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the web server imports aiohttp: a process starts sending without it
    from aiohttp import web

WEBHOOK_MAX_BODY = 256 * 1024  # a messenger's update is a few kB (a Telegram photo update ~1.2 kB)


class TooLarge(Exception):
    """The body is larger than the route accepts (answer 413)."""


async def read_capped(request: web.Request, limit: int = WEBHOOK_MAX_BODY) -> bytes:
    """The raw body, at most `limit` bytes; TooLarge otherwise, after reading at most limit + 1."""
    if (request.content_length or 0) > limit:
        raise TooLarge
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = await request.content.read(limit + 1 - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > limit:
        raise TooLarge
    return b"".join(chunks)
