"""Which messengers this deployment runs, and how a person or a group is reached on them.

Built once from the registered channels (bot/registry.py) and handed to the scheduler and the
handlers, which then never name a messenger themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Reach:
    """`active`: running channels, most preferred first; `group_posting`: those that can post in groups."""

    active: tuple[str, ...] = ()
    group_posting: frozenset[str] = field(default_factory=frozenset)

    def account(self, accounts: Mapping[str, str]) -> tuple[str, str] | None:
        """(channel, id) to reach a person with these accounts privately, or None."""
        for channel in self.active:
            if accounts.get(channel):
                return channel, accounts[channel]
        return None

    def can_post(self, channel: str) -> bool:
        return channel in self.group_posting
