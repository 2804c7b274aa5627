"""The outbox worker: every chat's messages in order, in its own task, paced by the channel's budget."""

from bot.delivery.worker import LEASE, OutboxWorker, Outlet, backoff

__all__ = ["LEASE", "OutboxWorker", "Outlet", "backoff"]
