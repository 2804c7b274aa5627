"""A thin aiohttp client for the Zalo OA Open API: customer-service messages and token refresh.

Failures come as HTTP 200 with a negative `error`; a transport failure or a non-JSON answer is
`OaError(0, ...)`. Tokens travel in headers and never reach an error message or a log line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aiohttp


class OaError(Exception):
    """A failed call: `code` is Zalo's negative `error` (0: no answer, or not JSON)."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(f"Zalo OA {code}: {description}")
        self.code = code
        self.description = description


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str
    expires_in: float  # seconds


def _code(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


class OaClient:
    """The OA's calls; `close()` on shutdown."""

    def __init__(self, api_base: str, oauth_base: str, timeout: float = 15.0) -> None:
        self._api = api_base.rstrip("/")
        self._oauth = oauth_base.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def _post(self, url: str, headers: dict[str, str], **body: Any) -> dict[str, Any]:
        try:
            async with self._http().post(url, headers=headers, timeout=self._timeout, **body) as response:
                status, text = response.status, await response.text()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise OaError(0, f"no answer ({type(exc).__name__})") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            raise OaError(0, f"not JSON (HTTP {status})") from None
        if not isinstance(data, dict):
            raise OaError(0, f"unexpected answer (HTTP {status})")
        return data

    async def send_text(self, access_token: str, user_id: str, text: str, reply_to: str | None) -> str | None:
        """A customer-service text; the answer's message id. Raises OaError on a negative `error`."""
        recipient: dict[str, str] = {"user_id": user_id}
        if reply_to:
            recipient["message_id"] = reply_to  # within 48 h of their message: a free reply
        data = await self._post(
            f"{self._api}/v3.0/oa/message/cs",
            {"access_token": access_token},
            json={"recipient": recipient, "message": {"text": text}},
        )
        code = _code(data.get("error", 0))
        if code != 0:
            raise OaError(code, str(data.get("message") or "")[:200])
        result = data.get("data")
        return str(result["message_id"]) if isinstance(result, dict) and result.get("message_id") else None

    async def send_group_text(self, access_token: str, group_id: str, text: str) -> str | None:
        """A post to a group the OA created (ZALO.md §2, GMF). Raises OaError on a negative `error`."""
        data = await self._post(
            f"{self._api}/v3.0/oa/group/message",
            {"access_token": access_token},
            json={"recipient": {"group_id": group_id}, "message": {"text": text}},
        )
        code = _code(data.get("error", 0))
        if code != 0:
            raise OaError(code, str(data.get("message") or "")[:200])
        result = data.get("data")
        return str(result["message_id"]) if isinstance(result, dict) and result.get("message_id") else None

    async def refresh(self, app_id: str, secret_key: str, refresh_token: str) -> TokenPair:
        """Spend a refresh token (single use) for a new pair. Raises OaError when refused."""
        data = await self._post(
            f"{self._oauth}/v4/oa/access_token",
            {"secret_key": secret_key},
            data={"app_id": app_id, "grant_type": "refresh_token", "refresh_token": refresh_token},
        )
        access, refresh = data.get("access_token"), data.get("refresh_token")
        if data.get("error") or not isinstance(access, str) or not isinstance(refresh, str):
            code = _code(data.get("error")) if data.get("error") else -1
            raise OaError(code, str(data.get("error_name") or data.get("message") or "refused")[:200])
        try:
            expires_in = float(data.get("expires_in") or 90000)  # a string on Zalo
        except (TypeError, ValueError):
            expires_in = 90000.0
        return TokenPair(access, refresh, expires_in)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
