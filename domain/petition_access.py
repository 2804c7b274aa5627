"""Who may act on a petition and who sees how much of it (chat, CLI, web console). Pure: no I/O."""

from __future__ import annotations

from enum import StrEnum

from domain.deadlines import TO_CAO
from domain.petitions import ACTING_ROLES, OfficialFacts, PetitionFacts, Role


def may_act(official: OfficialFacts | None) -> bool:
    """Changes to petitions are for admins and handlers only."""
    return official is not None and official.role in ACTING_ROLES


def may_work(official: OfficialFacts | None, petition: PetitionFacts) -> bool:
    """Whether this official may act on this petition (accept, answer, resolve, refuse, forward, note).

    Admins and handlers may, as the first step of any petition; but a denunciation that has its
    handler is worked by that handler (and admins) only: another official acting on it would be
    handling a case they were not given (Luật Tố cáo; DOMAIN.md "Confidentiality"). How a petition
    gets its handler is not decided here (an admin assigns a denunciation; see `assign`).
    """
    if official is None or not may_act(official):
        return False
    if official.role == Role.ADMIN or petition.kind != TO_CAO or not petition.assignee:
        return True
    return petition.assignee == official.id


def may_see_identity(official: OfficialFacts | None, petition: PetitionFacts) -> bool:
    """Who filed it: admins; handlers too, but for a denunciation only its assignee (Art. 47)."""
    if official is None:
        return False
    if official.role == Role.ADMIN:
        return True
    return official.role == Role.HANDLER and (petition.kind != TO_CAO or petition.assignee == official.id)


class View(StrEnum):
    """How much of a petition a person is shown (/tracuu, the web console)."""

    NONE = "none"  # nothing, not even that it exists
    PUBLIC = "public"  # status, deadlines and the steps taken: what may be read in a group
    FILER = "filer"  # the filer's own text, the answer and the public history
    OFFICIAL = "official"  # the redacted summary, the answer and the whole history, notes included


def view_for(
    official: OfficialFacts | None, is_filer: bool, private_chat: bool, *, on_slip: bool = False
) -> View:
    """What this person sees of a petition here: in a group only what the public may see.

    `on_slip`: the petition was handed in at the commune (paper, in person, telephone) and its filer
    has no chat; whoever holds the slip's code sees its status, as on the tracking page, no more.
    """
    if official is None and not is_filer:
        return View.PUBLIC if on_slip else View.NONE
    if not private_chat:
        return View.PUBLIC
    return View.OFFICIAL if official is not None else View.FILER
