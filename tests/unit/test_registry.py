"""The registry: which channels reach people, and which post in groups, as the settings say."""

from __future__ import annotations

from bot.config import load_settings
from bot.registry import CHANNELS, reach


def test_zalo_groups_are_posted_to_only_once_zalo_opens_them() -> None:
    closed = reach(load_settings(_env_file=None))
    assert closed.can_post("telegram") and not closed.can_post("zalo")
    opened = reach(load_settings(_env_file=None, ZALO_GROUP_SEND=True))
    assert opened.can_post("zalo")
    assert closed.active[:2] == ("telegram", "zalo")  # preference order of the registration lines


def test_every_registered_channel_has_a_unique_name() -> None:
    names = [spec.name for spec in CHANNELS]
    assert len(names) == len(set(names))
