"""A thin aiohttp client for the Zalo Bot Platform API: `POST {base}/bot{token}/{method}` with JSON.

Outcomes are read from the envelope (`{"ok": true, "result"}` or `{"ok": false, "error_code",
"description"}`), not the HTTP status; a non-JSON answer is transient. The token is in the URL
path, so no URL ever reaches an error message or a log line.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp

TRANSIENT = frozenset({0, 403, 408, 429, 500, 502, 503, 504})  # 403 is "Internal server error" on Zalo


class ZaloError(Exception):
    """A failed call: `code` is the envelope's error_code (0: no answer or not JSON)."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(f"Zalo {code}: {description}")
        self.code = code
        self.description = description

    @property
    def transient(self) -> bool:
        return self.code in TRANSIENT or self.code >= 500


class ZaloClient:
    """One bot's API calls; `close()` on shutdown."""

    def __init__(self, base_url: str, token: str, timeout: float = 15.0) -> None:
        self._base = base_url.rstrip("/")
        self._token = token
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None
        self._closed = False

    def _http(self) -> aiohttp.ClientSession:
        if self._closed:  # stopping: a late send is retried by the next run, never on a leaked session
            raise aiohttp.ClientConnectionError("client closed")
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def call(
        self, method: str, body: dict[str, Any] | None = None, timeout: float | None = None
    ) -> Any:
        """The call's `result`; raises ZaloError (never showing the URL, which holds the token)."""
        url = f"{self._base}/bot{self._token}/{method}"
        limit = aiohttp.ClientTimeout(total=timeout or self._timeout)
        try:
            async with self._http().post(url, json=body or {}, timeout=limit) as response:
                status, text = response.status, await response.text()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise ZaloError(0, f"no answer ({type(exc).__name__})") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            raise ZaloError(0 if status < 500 else status, f"not JSON (HTTP {status})") from None
        if isinstance(data, dict) and data.get("ok") is True:
            return data.get("result")
        if not isinstance(data, dict):
            raise ZaloError(0, f"unexpected answer (HTTP {status})")
        code = data.get("error_code") or status
        return_code = int(code) if isinstance(code, int | str) and str(code).isdigit() else status
        raise ZaloError(return_code, str(data.get("description") or "")[:200])

    async def download(self, url: str, limit: int) -> tuple[bytes, str]:
        """A file Zalo links to (a resident's photo), at most `limit` bytes: (data, mime)."""
        try:
            async with self._http().get(url, timeout=aiohttp.ClientTimeout(total=20)) as response:
                if response.status != 200:
                    raise ZaloError(response.status, "photo link refused (expired?)")
                data = await response.content.read(limit + 1)
                mime = response.headers.get("Content-Type", "image/jpeg").split(";")[0]
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise ZaloError(0, f"photo not fetched ({type(exc).__name__})") from None
        if len(data) > limit:
            raise ZaloError(413, "photo larger than MAX_PHOTO_MB")
        return data, mime

    async def close(self) -> None:
        self._closed = True
        if self._session is not None:
            await self._session.close()
