"""The outbox worker: every chat's messages in order, in its own task, paced by the channel's budget."""

from bot.delivery.outcomes import backoff
from bot.delivery.pacers import Outlet
from bot.delivery.worker import LEASE, OutboxWorker

__all__ = ["LEASE", "OutboxWorker", "Outlet", "backoff"]
