"""`python -m bot zalo-oa-token --access TOKEN --refresh TOKEN [--expires-in SECONDS]`.

Zalo gives the Official Account's first token pair when the OA admin grants the app access; the
bot refreshes it afterwards by itself. Set it here again when the log says the refresh token died.
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from typing import TextIO

from storage.store import Store

DEFAULT_EXPIRES_IN = 90_000  # Zalo's access tokens live 25 hours


async def set_token(
    store: Store, access: str, refresh: str, expires_in: int | None, now: datetime, out: TextIO = sys.stdout
) -> int:
    if not access.strip() or not refresh.strip():
        print("Cần cả access token và refresh token.", file=sys.stderr)
        return 2
    seconds = DEFAULT_EXPIRES_IN if expires_in is None else expires_in
    await store.migrate()
    async with store.uow() as uow:
        await uow.oa_tokens.put(access.strip(), refresh.strip(), now + timedelta(seconds=seconds), now)
        await uow.commit()
    print(f"Đã lưu token Zalo OA (hết hạn sau {seconds // 3600} giờ; bot tự gia hạn).", file=out)
    return 0
