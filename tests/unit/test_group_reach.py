"""How a group is reached is decided once (scheduled.recipients.route): the schedule preview tells
the operator exactly what the scheduler will queue, for every `reach` value a group may have."""

from __future__ import annotations

import itertools

import pytest

from domain.reach import Reach
from scheduled.preview import how_reached
from scheduled.recipients import group_recipients
from storage.models import Group, Official

REACHES = ("group", "relay", "oa_group", "fanout", "unknown")
CHANNELS = ("telegram", "zalo")  # the first posts in groups here, the second does not
ADMINS = {
    "with an account": Official(
        id="ab", name="Anh Ba", role="handler", accounts={"telegram": "501", "zalo": "z501"}, content_hash="x"
    ),
    "without an account on the group's channel": Official(
        id="ab", name="Anh Ba", role="handler", accounts={"other": "1"}, content_hash="x"
    ),
    "not in the officials list": None,
}


def tan_son(channel: str, reach_value: str) -> Group:
    """A village's community group, relayed (when it is) by the official "ab"."""
    group = Group(id="tan-son", name="Thôn Tân Sơn", channel=channel, chat_id="-100777", content_hash="x")
    group.reach, group.relay_by = reach_value, "ab"
    return group


def reach_with(oa: bool) -> Reach:
    via = {"oa_group": "zalo_oa"} if oa else {}
    return Reach(active=("telegram", "zalo"), group_posting=frozenset({"telegram"}), via=via)


def queued_to(group: Group, recipients: list[tuple[str, str]]) -> str:
    """What the scheduler will do, in the preview's words."""
    if not recipients:
        return "one to one" if group.reach == "fanout" else "nothing"
    [(channel, chat)] = recipients
    if (channel, chat) == (group.channel, group.chat_id):
        return "in the group"
    if channel == "zalo_oa" and chat == "group:" + group.chat_id:
        return "by the OA"
    return f"to the admin {channel}:{chat}"


def previewed(line: str, admin: Official | None, channel: str) -> str:
    """What the preview's line about the group says will happen."""
    if "bot đăng thẳng vào nhóm" in line:
        return "in the group"
    if "Official Account của xã đăng" in line:
        return "by the OA"
    if admin is not None and f"bot gửi riêng cho {admin.name}" in line:
        return f"to the admin {channel}:{admin.accounts.get(channel)}"
    if "gửi riêng từng bà con đã nhắn /dangky" in line:
        return "one to one"
    assert "CHƯA đăng được" in line and "/dangky" in line, line
    return "nothing"


@pytest.mark.parametrize(
    ("reach_value", "channel", "oa", "admin_case"),
    list(itertools.product(REACHES, CHANNELS, (True, False), ADMINS)),
)
def test_the_preview_says_what_the_scheduler_queues(
    reach_value: str, channel: str, oa: bool, admin_case: str
) -> None:
    admin = ADMINS[admin_case]
    group = tan_son(channel, reach_value)
    reach = reach_with(oa)
    officials = [admin] if admin is not None else []
    recipients = [(r.channel, r.chat_id) for r in group_recipients([group], officials, reach)]
    _, line = how_reached(group, reach, {o.id: o for o in officials})
    assert previewed(line, admin, channel) == queued_to(group, recipients)


def test_a_relayed_group_whose_admin_has_no_account_there_is_shown_as_not_reached() -> None:
    admin = ADMINS["without an account on the group's channel"]
    assert admin is not None
    group = tan_son("zalo", "relay")
    reach = reach_with(oa=False)
    assert group_recipients([group], [admin], reach) == []
    note, line = how_reached(group, reach, {"ab": admin})
    assert note == " (chưa gửi được vào nhóm này)"
    assert "CHƯA đăng được" in line and "Anh Ba" in line
