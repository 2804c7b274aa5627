"""Filing a petition: its tracking code, the stored row and party, the filer's receipt, the announcement."""

from __future__ import annotations

import secrets
from typing import Any

from domain.deadlines import TO_CAO, first_step_due, resolve_due
from domain.messages import Incoming, Reply
from domain.petition_texts import CODE_PREFIX, KIND_LABELS, summary
from domain.petitions import RESIDENT, Action, Status
from domain.vnformat import vn_date
from handlers import notify
from handlers.services import Ctx
from storage.models import Petition, PetitionParty

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


async def new_code(ctx: Ctx, kind: str) -> str:
    """Type letters, then six unguessable characters: PA-7K3M9Q."""
    while True:
        code = f"{CODE_PREFIX[kind]}-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        if not await ctx.uow.petitions.code_exists(code):
            return code


async def file_petition(msg: Incoming, ctx: Ctx, data: dict[str, Any]) -> list[Reply]:
    """Commit the petition (in this transaction), tell the filer, announce it to officials."""
    kind = data["kind"]
    received = ctx.now.astimezone(ctx.svc.tz).date()
    consent = bool(data.get("consent"))
    name = data.get("name") if consent else None
    petition = Petition(
        code=await new_code(ctx, kind),
        kind=kind,
        status=Status.RECEIVED,
        content=data["content"],
        summary=summary(data["content"], [name] if name else []),
        village=data.get("village"),
        place=data.get("place"),
        latitude=data.get("lat"),
        longitude=data.get("lon"),
        photos=list(data.get("photos", [])),
        anonymous=kind == TO_CAO and not consent,
        received_at=ctx.now,
        first_due=first_step_due(kind, received, ctx.svc.policy, ctx.svc.calendar),
        resolve_due=resolve_due(kind, received, None, ctx.svc.policy, ctx.svc.calendar),
    )
    party = PetitionParty(
        petition_id=0,
        channel=msg.channel,
        chat_id=msg.chat_id,
        user_id=msg.user_id,
        name=name,
        phone=data.get("phone") if consent else None,
        consent_at=ctx.now if consent else None,
    )
    await ctx.uow.petitions.add(petition, party)
    assert petition.id is not None
    await ctx.uow.petitions.log(petition.id, ctx.now, RESIDENT, Action.FILED)
    text = (
        f"✅ Đã nhận {KIND_LABELS[kind].lower()} của bà con. Mã hồ sơ: {petition.code}\n"
        f"Hạn trả lời: {vn_date(petition.first_due or received)}. "
        f"Tra cứu bất cứ lúc nào: /tracuu {petition.code}"
    )
    guidance = await notify.formal_guidance(ctx, petition)
    replies = [Reply(f"{text}\n\n{guidance}" if guidance else text, meta={"petition": petition.code})]
    return replies + await notify.announce(ctx, petition, filer_name=name)
