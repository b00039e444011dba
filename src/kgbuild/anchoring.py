"""Find the characters an annotator quoted, so that body[start:end] == exact always holds.

Offsets are Unicode code points (Python str indices), the unit of the W3C
TextPositionSelector. A quote matches only at word boundaries: "Iran" does not
match inside "Iranian", but does match in "Iran’s".
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import AnchorAmbiguous, AnchorNotFound

CONTEXT_CHARS = 32


@dataclass(frozen=True, order=True)
class Span:
    """A resolved stretch of the article body."""

    start: int
    end: int
    exact: str

    def prefix(self, body: str) -> str:
        return body[max(0, self.start - CONTEXT_CHARS) : self.start]

    def suffix(self, body: str) -> str:
        return body[self.end : self.end + CONTEXT_CHARS]


def _at_boundary(body: str, start: int, end: int) -> bool:
    quote = body[start:end]
    if quote[:1].isalnum() and start > 0 and body[start - 1].isalnum():
        return False
    if quote[-1:].isalnum() and end < len(body) and body[end].isalnum():
        return False
    return True


def occurrences(body: str, quote: str, lo: int = 0, hi: int | None = None) -> list[int]:
    """Start offsets of every word-bounded occurrence of `quote` in body[lo:hi]."""
    if not quote:
        return []
    hi = len(body) if hi is None else hi
    found: list[int] = []
    pos = body.find(quote, lo, hi)
    while pos != -1:
        if _at_boundary(body, pos, pos + len(quote)):
            found.append(pos)
        pos = body.find(quote, pos + 1, hi)
    return found


def _line_col(body: str, offset: int) -> str:
    line = body.count("\n", 0, offset) + 1
    col = offset - (body.rfind("\n", 0, offset) + 1) + 1
    return f"text line {line}, column {col}"


def resolve(
    body: str,
    quote: str,
    *,
    occurrence: int | None = None,
    within: str | None = None,
    start: int | None = None,
    all_occurrences: bool = False,
) -> list[Span]:
    """Resolve one anchor specification to spans, or raise a precise error."""
    if not quote:
        raise AnchorNotFound("empty quote")
    if start is not None:
        end = start + len(quote)
        if start < 0 or end > len(body):
            raise AnchorNotFound(
                f"offset {start}..{end} is past the end of the text ({len(body)} characters)"
            )
        if body[start:end] != quote:
            raise AnchorNotFound(
                f"text at offset {start} is {body[start:end]!r}, not {quote!r}"
            )
        return [Span(start, end, quote)]
    lo, hi = 0, len(body)
    if within is not None:
        outer = occurrences(body, within)
        if not outer:
            raise AnchorNotFound(f"context {within!r} (given in 'within') is not in the text")
        if len(outer) > 1:
            raise AnchorAmbiguous(
                f"context {within!r} (given in 'within') occurs {len(outer)} times", outer
            )
        lo, hi = outer[0], outer[0] + len(within)
    starts = occurrences(body, quote, lo, hi)
    if not starts:
        where = f" inside {within!r}" if within else ""
        raise AnchorNotFound(f"quote {quote!r} is not in the text{where}")
    if all_occurrences:
        return [Span(s, s + len(quote), quote) for s in starts]
    if occurrence is not None:
        if not 1 <= occurrence <= len(starts):
            raise AnchorNotFound(
                f"quote {quote!r} occurs {len(starts)} time(s); occurrence {occurrence} does not exist"
            )
        s = starts[occurrence - 1]
        return [Span(s, s + len(quote), quote)]
    if len(starts) > 1:
        places = "; ".join(f"{i}: {_line_col(body, s)}" for i, s in enumerate(starts, 1))
        raise AnchorAmbiguous(
            f"quote {quote!r} occurs {len(starts)} times ({places})", starts
        )
    s = starts[0]
    return [Span(s, s + len(quote), quote)]


_SENTENCE_END = re.compile(r"[.!?][\"”’)\]]*(?=\s+[\"“‘(\[]?[A-Z0-9])")
_ABBREVIATION = re.compile(r"(?:\b(?:[A-Z]\.)+|\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Gen|Lt|Col|Sen|Rep|Gov|Prof|No|vs|etc)\.)$")


def sentences(body: str) -> list[Span]:
    """Split the body into sentences: paragraphs by line, then at sentence-final punctuation.

    Initials and common abbreviations ("U.S.", "Dr.") do not end a sentence, nor does
    punctuation inside an open quotation.
    """
    out: list[Span] = []
    pos = 0
    for paragraph in body.split("\n"):
        start = pos
        for match in _SENTENCE_END.finditer(paragraph):
            end = match.end()
            before = paragraph[: match.start() + 1]
            if _ABBREVIATION.search(before) or before.count("“") > paragraph[:end].count("”"):
                continue
            _add_sentence(out, body, start, pos + end)
            start = pos + end
        _add_sentence(out, body, start, pos + len(paragraph))
        pos += len(paragraph) + 1
    return out


def _add_sentence(out: list[Span], body: str, start: int, end: int) -> None:
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Span(start, end, body[start:end]))
