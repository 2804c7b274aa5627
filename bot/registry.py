"""Every channel the bot can run, registered in one place: a new channel is one package plus one line."""

from __future__ import annotations

from bot.config import Settings
from channels import telegram, webchat, zalo, zalo_oa
from channels.contract import Channel, ChannelSpec, Inbox
from domain.reach import Reach
from storage.store import Store

# In order of preference when a person has accounts on several (e.g. where an official is reminded).
CHANNELS: tuple[ChannelSpec, ...] = (
    telegram.SPEC,
    zalo.SPEC,
    zalo_oa.SPEC,
    webchat.SPEC,
)


def build_channels(settings: Settings, inbox: Inbox, store: Store) -> dict[str, Channel]:
    """The channels the settings turn on, by name."""
    return {spec.name: spec.build(settings, inbox, store) for spec in CHANNELS if spec.enabled(settings)}


def reach(settings: Settings) -> Reach:
    """Which channels reach people privately (preference order) and which post in groups.

    Messages for a channel not running now wait in the outbox until it runs.
    """
    return Reach(
        active=tuple(spec.name for spec in CHANNELS),
        group_posting=frozenset(spec.name for spec in CHANNELS if spec.group_send(settings)),
        via={
            spec.serves_reach: spec.name for spec in CHANNELS if spec.serves_reach and spec.enabled(settings)
        },
    )
