"""Photos kept in the database (their messenger links expire), under unguessable ids."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Media

PREFIX = "media:"  # how an attachment names a kept photo


class MediaRepo:
    def __init__(self, session: AsyncSession, commune_id: int) -> None:
        self._s = session
        self._c = commune_id

    async def put(self, data: bytes, mime: str, now: datetime) -> str:
        """Keep the bytes; the attachment ref to store with the petition ('media:<id>')."""
        media = Media(
            commune_id=self._c,
            id=secrets.token_urlsafe(24),
            mime=mime[:60],
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            data=data,
            created_at=now,
        )
        self._s.add(media)
        return PREFIX + media.id

    async def get(self, media_id: str) -> Media | None:
        media = await self._s.get(Media, media_id.removeprefix(PREFIX))
        return media if media is not None and media.commune_id == self._c else None
