"""Filing a petition (from a chat or typed in from paper): its tracking code, the stored row and party,
the filer's receipt, the announcement."""

from __future__ import annotations

import secrets
from datetime import datetime, time
from typing import Any

from domain.deadlines import TO_CAO, first_step_due, resolve_due
from domain.messages import Incoming, Reply
from domain.paper import INTAKE_ACTIONS, PaperPetition
from domain.petition_texts import CODE_ALPHABET, CODE_LENGTH, CODE_PREFIX, KIND_LABELS, summary
from domain.petitions import RESIDENT, Action, Status
from domain.vnformat import vn_date
from handlers import notify
from handlers.services import Ctx
from storage.models import Petition, PetitionParty


async def new_code(ctx: Ctx, kind: str) -> str:
    """Type letters, then six unguessable characters: PA-7K3M9Q."""
    while True:
        code = f"{CODE_PREFIX[kind]}-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not await ctx.uow.petitions.code_exists(code):
            return code


async def file_new(
    ctx: Ctx,
    *,
    kind: str,
    content: str,
    received_at: datetime,
    party: PetitionParty,
    actor: str,
    action: Action,
    village: str | None = None,
    place: str | None = None,
    location: tuple[float, float] | None = None,
    photos: list[dict[str, Any]] | None = None,
) -> Petition:
    """The one way a petition enters the queue (chat or paper): its code, its legal deadlines counted
    from the day it was received in the commune, the row and its party, the first audit entry.

    A denunciation whose filer gave no consent to be known (`party.consent_at` empty) is anonymous.
    """
    received = received_at.astimezone(ctx.svc.tz).date()
    petition = Petition(
        code=await new_code(ctx, kind),
        kind=kind,
        status=Status.RECEIVED,
        content=content,
        summary=summary(content, [party.name] if party.name else []),
        village=village,
        place=place,
        latitude=location[0] if location else None,
        longitude=location[1] if location else None,
        photos=list(photos or []),
        anonymous=kind == TO_CAO and party.consent_at is None,
        received_at=received_at,
        first_due=first_step_due(kind, received, ctx.svc.policy, ctx.svc.calendar),
        resolve_due=resolve_due(kind, received, None, ctx.svc.policy, ctx.svc.calendar),
    )
    await ctx.uow.petitions.add(petition, party)
    assert petition.id is not None
    await ctx.uow.petitions.log(petition.id, ctx.now, actor, action)
    return petition


async def file_petition(msg: Incoming, ctx: Ctx, data: dict[str, Any]) -> list[Reply]:
    """Commit the petition (in this transaction), tell the filer, announce it to officials."""
    kind = data["kind"]
    consent = bool(data.get("consent"))
    name = data.get("name") if consent else None
    party = PetitionParty(
        petition_id=0,
        channel=msg.channel,
        chat_id=msg.chat_id,
        user_id=msg.user_id,
        name=name,
        phone=data.get("phone") if consent else None,
        consent_at=ctx.now if consent else None,
    )
    lat, lon = data.get("lat"), data.get("lon")
    petition = await file_new(
        ctx,
        kind=kind,
        content=data["content"],
        received_at=ctx.now,
        party=party,
        actor=RESIDENT,
        action=Action.FILED,
        village=data.get("village"),
        place=data.get("place"),
        location=(lat, lon) if lat is not None and lon is not None else None,
        photos=data.get("photos"),
    )
    received = ctx.now.astimezone(ctx.svc.tz).date()
    text = (
        f"✅ Đã nhận {KIND_LABELS[kind].lower()} của bà con. Mã hồ sơ: {petition.code}\n"
        f"Hạn trả lời: {vn_date(petition.first_due or received)}. "
        f"Tra cứu bất cứ lúc nào: /tracuu {petition.code}"
    )
    guidance = await notify.formal_guidance(ctx, petition)
    replies = [Reply(f"{text}\n\n{guidance}" if guidance else text, meta={"petition": petition.code})]
    return replies + await notify.announce(ctx, petition, filer_name=name)


async def file_paper(ctx: Ctx, form: PaperPetition, official_id: str) -> tuple[Petition, list[Reply]]:
    """A petition handed in at the commune (paper, in person, telephone), typed in by an official:
    received on the day written on it, announced to the officials as a chat petition is. Its filer
    has no chat: nothing is sent to them; the slip they are given carries the code.
    """
    today = ctx.now.astimezone(ctx.svc.tz).date()
    received_at = ctx.now if form.received == today else datetime.combine(form.received, time(), ctx.svc.tz)
    named = form.name is not None or form.phone is not None or form.address is not None
    party = PetitionParty(
        petition_id=0,
        name=form.name,
        phone=form.phone,
        address=form.address,
        consent_at=ctx.now if named else None,  # given to the commune with the letter
    )
    petition = await file_new(
        ctx,
        kind=form.kind,
        content=form.content,
        received_at=received_at,
        party=party,
        actor=official_id,
        action=INTAKE_ACTIONS[form.intake],
        village=form.village,
        place=form.place,
    )
    return petition, await notify.announce(ctx, petition, filer_name=form.name)
