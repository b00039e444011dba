"""Character spans of possibly several fragments, as brat stores them."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

Fragments = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Attribution:
    """Who (source) says (cue) what (content), as character fragments of the article body.

    `source` is empty when the text names no source ("it is believed that ..."). A relative
    pronoun is the source as the text gives it ("the senator, who said ..."), as annotators
    mark it; `refers_to` is then the noun phrase it stands for, which names the speaker.
    """

    source: Fragments
    cue: Fragments
    content: Fragments
    direct: bool = False
    refers_to: Fragments = ()

    @property
    def speaker(self) -> Fragments:
        """The words that name who speaks: the relative pronoun's noun, else the source."""
        return self.refers_to or self.source

    def text(self, body: str, part: str) -> str:
        return " ".join(body[s:e] for s, e in getattr(self, part))


def chars(fragments: Fragments) -> frozenset[int]:
    return frozenset(i for s, e in fragments for i in range(s, e))


def overlaps(a: Fragments, b: Fragments) -> bool:
    """Whether the two share a character."""
    return any(s < f and e > g for s, e in a for g, f in b)


def trim(body: str, fragments: Fragments, strip: str = " \t\n") -> Fragments:
    """Fragments without leading/trailing characters from `strip`, empty fragments dropped."""
    out = []
    for start, end in fragments:
        while start < end and body[start] in strip:
            start += 1
        while end > start and body[end - 1] in strip:
            end -= 1
        if end > start:
            out.append((start, end))
    return tuple(out)


def merge(fragments: list[tuple[int, int]], body: str) -> Fragments:
    """Sorted fragments, joined where only white space separates them."""
    out: list[list[int]] = []
    for start, end in sorted(fragments):
        if out and (start <= out[-1][1] or not body[out[-1][1]:start].strip()):
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return tuple((s, e) for s, e in out)


# ---------------------------------------------------------------- spans from tokens
EDGE = " \t\n,;:—–-"
CUE_EDGE = " \t\n,;—–-"  # a cue keeps its colon ("said:")


def token_frags(tokens: Iterable[Any], body: str, edge: str = EDGE) -> Fragments:
    """The fragments spaCy tokens cover, without the punctuation and space at their edges."""
    return trim(body, merge([(t.idx, t.idx + len(t)) for t in tokens], body), edge)


def content_frags(tokens: Iterable[Any], body: str) -> Fragments:
    """Content without a sentence's closing full stop (unless it closes a quotation)."""
    frags = token_frags(tokens, body)
    if frags and body[frags[-1][1] - 1] == "." and body[frags[-1][0]] not in "“\"":
        frags = trim(body, (*frags[:-1], (frags[-1][0], frags[-1][1] - 1)), EDGE)
    return frags
