"""Templates (Jinja2, HTML escaped by default) and disclosures' Markdown as safe HTML."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

if TYPE_CHECKING:  # imported when first used: the command-line verbs never render a page
    from jinja2 import Environment
    from markdown_it import MarkdownIt
    from markdown_it.renderer import RendererHTML
    from markdown_it.token import Token
    from markdown_it.utils import EnvType, OptionsDict

TEMPLATES = Path(__file__).parent.parent / "templates"


@cache
def environment() -> Environment:
    """The pages' templates; one per process (templates are read once and cached)."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def _table_open(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    # A wide table scrolls inside its own box on a phone; the box takes the keyboard focus so
    # it can be scrolled without a mouse.
    return '<div class="tbl" role="region" aria-label="Bảng" tabindex="0"><table>\n'


def _table_close(
    self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return "</table></div>\n"


@cache
def _markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt

    # CommonMark with tables and strikethrough; "html": False escapes raw HTML in the source (a
    # <script> in a data file is shown as text), and unsafe link schemes (javascript:) are refused.
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.add_render_rule("table_open", _table_open)
    md.add_render_rule("table_close", _table_close)
    return md


def markdown(text: str) -> Markup:
    """A disclosure's body as HTML, safe to put in a page."""
    return Markup(_markdown().render(text))  # raw HTML in the source is escaped by the parser
