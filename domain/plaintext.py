"""Documents' Markdown as plain lines a phone shows well: no pipes, no stars.

Disclosures are written in Markdown (tables, **bold**, headings, lists); a chat shows it raw. A
table row becomes "Header: value; Header: value" (the header is the row above the `| --- |` line;
a passage cut below the header keeps its rows' values, "value; value"), emphasis marks go,
headings and list items become plain lines, a link shows its text and its address.
"""

from __future__ import annotations

import re

_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1|(?<![\w*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![\w*])")
_HEADING = re.compile(r"^#{1,6}\s+")
_BULLET = re.compile(r"^(\s*)[-*+]\s+")
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")


def _cells(line: str) -> list[str]:
    inner = line.strip().removeprefix("|").removesuffix("|")
    return [c.strip() for c in inner.split("|")]


def _is_row(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith("|") and stripped.count("|") >= 2


def _inline(text: str) -> str:
    text = _LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})", text)
    return _EMPHASIS.sub(lambda m: m.group(2) or m.group(3), text)


def _row(cells: list[str], header: list[str] | None) -> str:
    if header is not None and len(header) == len(cells):
        pairs = [f"{h}: {c}" if h else c for h, c in zip(header, cells, strict=True) if c]
        return "; ".join(pairs)
    return "; ".join(c for c in cells if c)


def plain(markdown: str) -> str:
    """The text as plain lines: tables as "Header: value" rows, no Markdown marks."""
    lines = markdown.splitlines()
    out: list[str] = []
    header: list[str] | None = None
    for i, line in enumerate(lines):
        if _SEPARATOR.match(line.strip()) and "-" in line:
            continue
        if _is_row(line):
            following = lines[i + 1].strip() if i + 1 < len(lines) else ""
            if _SEPARATOR.match(following) and "-" in following:
                header = [_inline(c) for c in _cells(line)]  # shown with each row, not alone
                continue
            out.append(_inline(_row(_cells(line), header)))
            continue
        header = None
        line = _HEADING.sub("", line)
        line = _BULLET.sub(lambda m: f"{m.group(1)}• ", line)
        out.append(_inline(line))
    return "\n".join(out)
