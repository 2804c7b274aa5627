"""The slip handed to whoever brought a petition to the commune: its code, type, dates, legal
deadlines, how to follow it (the bot's /tracuu, the tracking page) and a QR code of that page's
address, drawn by segno as inline SVG (prints sharp, no image file, no JavaScript)."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from markupsafe import Markup

from domain.deadlines import KHIEU_NAI, TO_CAO, DeadlinePolicy
from domain.petition_texts import FIRST_STEP, KIND_LABELS, STATUS_LABELS
from domain.vnformat import vn_date
from storage.models import Petition

QR_SCALE = 4  # module size in SVG units; the print CSS sets the printed size


def tracking_url(public_base_url: str, prefix: str, code: str) -> str:
    """The tracking page of this code: absolute when the deployment knows its address, else relative."""
    return f"{public_base_url.rstrip('/')}{prefix.rstrip('/')}/tra-cuu/{code}"


def qr_svg(url: str) -> Markup:
    """The QR code of `url` as an inline <svg> (medium error correction survives a crumpled slip)."""
    import segno

    qr = segno.make(url, error="m", micro=False)
    svg = qr.svg_inline(scale=QR_SCALE, border=2, title=f"Mã QR: {url}", svgclass="qr", lineclass=None)
    return Markup(svg)  # segno escapes the title; the rest is its own markup


@dataclass(frozen=True)
class Deadline:
    label: str
    day: str


@dataclass(frozen=True)
class Slip:
    code: str
    kind: str
    status: str
    received: str
    deadlines: list[Deadline]
    url: str
    qr: Markup


def first_step_label(kind: str) -> str:
    return f"Hạn {FIRST_STEP.get(kind, 'trả lời')}"


def slip(petition: Petition, tz: ZoneInfo, url: str, policy: DeadlinePolicy) -> Slip:
    deadlines = []
    if petition.first_due:
        deadlines.append(Deadline(first_step_label(petition.kind), vn_date(petition.first_due)))
    if petition.resolve_due:
        deadlines.append(Deadline("Hạn giải quyết", vn_date(petition.resolve_due)))
    elif petition.kind in (KHIEU_NAI, TO_CAO):  # counted from acceptance (thụ lý), not yet known
        days = policy.khieu_nai_resolve_days if petition.kind == KHIEU_NAI else policy.to_cao_resolve_days
        deadlines.append(Deadline("Hạn giải quyết", f"{days} ngày kể từ ngày thụ lý"))
    received = petition.received_at.astimezone(tz).date() if petition.received_at else None
    return Slip(
        code=petition.code,
        kind=KIND_LABELS.get(petition.kind, petition.kind),
        status=STATUS_LABELS.get(petition.status, petition.status),
        received=vn_date(received) if received else "",
        deadlines=deadlines,
        url=url,
        qr=qr_svg(url),
    )
