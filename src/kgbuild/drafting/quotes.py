"""Direct quotes: where each quoted passage starts and ends, quotation marks included.

Curly quotes pair “ with ”; straight ones (" and the two apostrophes '' some newspapers print)
pair in order. A quote still open at the end of its paragraph ends there (newspapers reopen a
quote that continues into the next paragraph). A paragraph with curly quotes and an odd number of
straight double quotes has a stray one (typed by hand beside typeset ones): its straight quotes
are ignored, so they do not swallow the curly quotes that follow.
"""
from __future__ import annotations

import re

_PARAGRAPH = re.compile(r"[^\n]+")
_OPEN, _CLOSE = "“", "”"
_MARK = re.compile(r"“|”|\"|''")  # straight marks (" and '') close the quote they opened
MIN_QUOTED_WORDS = 1


def quote_spans(body: str) -> list[tuple[int, int]]:
    """(start, end) of every quoted passage, marks included, in text order."""
    out: list[tuple[int, int]] = []
    for para in _PARAGRAPH.finditer(body):
        start: int | None = None
        opener = ""
        text = para.group()
        stray = _OPEN in text and text.count('"') % 2 == 1
        for mark in _MARK.finditer(body, para.start(), para.end()):
            kind = mark.group()
            if stray and kind == '"':
                continue
            if start is None and kind != _CLOSE:
                start, opener = mark.start(), kind
            elif start is not None and (kind == _CLOSE and opener == _OPEN or kind == opener != _OPEN):
                out.append((start, mark.end()))
                start = None
            elif start is not None and kind == _OPEN == opener:
                start = mark.start()  # an unclosed quote inside the paragraph: restart at the newer one
        if start is not None:
            end = para.end()
            while end > start and body[end - 1].isspace():
                end -= 1
            out.append((start, end))
    return [(s, e) for s, e in out if len(body[s + 1:e - 1].split()) >= MIN_QUOTED_WORDS]
