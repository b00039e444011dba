"""Direct quotes: where each quoted passage starts and ends, quotation marks included.

A mark's place says whether it opens or closes: one after a space (or at a paragraph's start)
and before a word opens, one after a word and before a space or punctuation closes. News text
mixes its marks (“crumbling," she said. "Families ...” or “Apparently not,“ he said), so the
shape of a mark is read only where its place does not tell: “ opens, ” closes, and straight ones
(" and the two apostrophes '' some newspapers print) close the quote they opened. A quote
still open at the end of its paragraph ends there (newspapers reopen a quote that continues
into the next paragraph); a mark that opens inside an open quote starts the quote anew.
"""
from __future__ import annotations

import re

_PARAGRAPH = re.compile(r"[^\n]+")
_OPEN, _CLOSE = "“", "”"
_MARK = re.compile(r"“|”|\"|''")
_BEFORE_OPENING = "([{/"  # '("...' opens like a space does
_AFTER_CLOSING = ".,;:!?)]}…"  # '...",' closes like a space does
MIN_QUOTED_WORDS = 1


def _role(text: str, start: int, end: int, mark: str) -> str:
    """'open', 'close', or 'either' (a straight mark whose place does not tell) for the mark at text[start:end]."""
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    opens = before.isspace() or before in _BEFORE_OPENING
    closes = after.isspace() or after in _AFTER_CLOSING
    if opens != closes:
        return "open" if opens else "close"
    return "open" if mark == _OPEN else "close" if mark == _CLOSE else "either"


def quote_spans(body: str) -> list[tuple[int, int]]:
    """(start, end) of every quoted passage, marks included, in text order."""
    out: list[tuple[int, int]] = []
    for para in _PARAGRAPH.finditer(body):
        text = para.group()
        start: int | None = None
        for mark in _MARK.finditer(text):
            role = _role(text, mark.start(), mark.end(), mark.group())
            if role == "open" or (role == "either" and start is None):
                start = mark.start()  # also an unclosed quote inside the paragraph: restart at the newer one
            elif start is not None:
                out.append((para.start() + start, para.start() + mark.end()))
                start = None
        if start is not None:
            out.append((para.start() + start, para.start() + len(text.rstrip())))
    return [(s, e) for s, e in out if len(body[s + 1:e - 1].split()) >= MIN_QUOTED_WORDS]
