"""Answer questions from the command line through the same handler the chat uses."""

from __future__ import annotations

from types import TracebackType

from bot.app import make_services, open_store, seed_demo_if_empty, utc_now
from bot.config import Settings
from domain.messages import Incoming, Reply
from handlers import ask
from handlers.services import Ctx


class Asker:
    """`async with Asker(settings) as a: text, sources, offered = await a.ask(q)`; writes nothing."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._store = open_store(settings)
        self._svc = make_services(self._store, settings, utc_now)

    async def __aenter__(self) -> Asker:
        await self._store.migrate()
        # the answers `run` would give: an empty database gets the demo commune, as `run` does
        await seed_demo_if_empty(self._store, self._settings, utc_now())
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._store.close()

    async def replies(self, question: str) -> list[Reply]:
        """The replies the chat would get, buttons included."""
        msg = Incoming(channel="cli", chat_id="cli", user_id="cli", text=question)
        async with self._store.uow() as uow:  # never committed: asking leaves no trace
            return await ask.answer(msg, Ctx(uow=uow, svc=self._svc, now=utc_now()))

    async def ask(self, question: str) -> tuple[str, list[str], list[str]]:
        """The reply text, the ranked source ids ([] when the bot abstains) and, when it abstains,
        the documents it still offers to open, best first."""
        replies = await self.replies(question)
        text = "\n\n".join(r.text for r in replies)
        sources: list[str] = []
        offered: list[str] = []
        for reply in replies:
            sources.extend(reply.meta.get(ask.SOURCES_KEY, []))
            offered.extend(reply.meta.get(ask.OFFERED_KEY, []))
        return text, sources, [] if sources else offered


def with_choices(replies: list[Reply]) -> str:
    """The replies as a terminal shows them: each text, then its buttons as choices."""
    parts = []
    for reply in replies:
        choices = [f"  ▸ {b.label}" for row in reply.buttons for b in row]
        parts.append("\n".join([reply.text, *choices]))
    return "\n\n".join(parts)
