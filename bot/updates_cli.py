"""`python -m bot updates [list | retry ID | drop ID]`: updates that could not be read or handled.

Such an update is set aside with its error so it never stops start-up, recovery or other chats;
the operator can look at it, send it back to be handled (after a fix), or drop it.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import TextIO

from storage.store import Store


async def updates(
    store: Store, action: str, update_id: int | None, now: datetime, out: TextIO = sys.stdout
) -> int:
    async with store.uow() as uow:
        if action == "list":
            rows = await uow.inbound.set_aside()
            if not rows:
                print("Không có cập nhật nào bị để riêng.", file=out)
            for row in rows:
                body = json.dumps(row.payload, ensure_ascii=False)[:160]
                print(
                    f"{row.id}\t{row.channel}\t{row.received_at:%Y-%m-%d %H:%M}\t{row.error}\n\t{body}",
                    file=out,
                )
            return 0
        if update_id is None:
            print("Cần số của cập nhật, ví dụ: python -m bot updates retry 42", file=sys.stderr)
            return 2
        done = (
            await uow.inbound.requeue(update_id)
            if action == "retry"
            else await uow.inbound.drop(update_id, now)
        )
        await uow.commit()
    if not done:
        print(f"Không có cập nhật số {update_id} đang bị để riêng.", file=sys.stderr)
        return 1
    print("Đã đưa lại để xử lý." if action == "retry" else "Đã bỏ cập nhật này.", file=out)
    return 0
