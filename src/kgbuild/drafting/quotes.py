"""Direct quotes: where each quoted passage starts and ends, quotation marks included.

Curly quotes pair “ with ”; straight ones pair in order. A quote still open at the end of its
paragraph ends there (newspapers reopen a quote that continues into the next paragraph).
"""
from __future__ import annotations

import re

_PARAGRAPH = re.compile(r"[^\n]+")
_OPEN, _CLOSE, _STRAIGHT = "“", "”", '"'
MIN_QUOTED_WORDS = 1


def quote_spans(body: str) -> list[tuple[int, int]]:
    """(start, end) of every quoted passage, marks included, in text order."""
    out: list[tuple[int, int]] = []
    for para in _PARAGRAPH.finditer(body):
        start: int | None = None
        for i in range(para.start(), para.end()):
            ch = body[i]
            if start is None and ch in (_OPEN, _STRAIGHT):
                start = i
            elif start is not None and (ch == _CLOSE or (ch == _STRAIGHT and body[start] == _STRAIGHT)):
                out.append((start, i + 1))
                start = None
            elif start is not None and ch == _OPEN and body[start] == _OPEN:
                start = i  # an unclosed quote inside the paragraph: restart at the newer one
        if start is not None:
            end = para.end()
            while end > start and body[end - 1].isspace():
                end -= 1
            out.append((start, end))
    return [(s, e) for s, e in out if len(body[s + 1:e - 1].split()) >= MIN_QUOTED_WORDS]
