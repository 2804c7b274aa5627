"""Which messengers this deployment runs, and how a person or a group is reached on them.

Built once from the registered channels (bot/registry.py) and handed to the scheduler and the
handlers, which then never name a messenger themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

# A group posted to by another channel than its own (an Official Account posting to the groups it
# created) is addressed on that channel as "group:<the group's chat id>".
VIA_GROUP = "group:"
# The button a group's admin presses once a relayed post is in the group ("relay:<relay id>").
RELAY_DONE = "relay:"
# Channels that may message a person only within a time after that person last wrote (Zalo's
# Official Account: 7 days); later messages wait until they write again.
REPLY_WINDOWS = {"zalo_oa": timedelta(days=7)}


@dataclass(frozen=True)
class Reach:
    """`active`: running channels, most preferred first; `group_posting`: those that can post in groups."""

    active: tuple[str, ...] = ()
    group_posting: frozenset[str] = field(default_factory=frozenset)
    # a group `reach` kind served by a channel of its own, e.g. {"oa_group": the OA's channel}
    via: Mapping[str, str] = field(default_factory=dict)

    def account(self, accounts: Mapping[str, str]) -> tuple[str, str] | None:
        """(channel, id) to reach a person with these accounts privately, or None."""
        for channel in self.active:
            if accounts.get(channel):
                return channel, accounts[channel]
        return None

    def can_post(self, channel: str) -> bool:
        return channel in self.group_posting
