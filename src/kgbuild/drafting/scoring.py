"""How close drafted attributions come to gold ones: precision, recall and F1 per part.

For each part (content, source, cue), drafted and gold spans are paired one to one, greedily,
best pairs first: *exact* pairs cover the same characters (white space at the edges aside),
*overlap* pairs share at least one character. Source is scored over the attributions that
have one. Direct-quote speaker accuracy: of the gold attributions whose content opens with a
quotation mark and that have a source, those a drafted attribution's content overlaps; the
speaker is right when the best-overlapping drafted attribution's source overlaps the gold one.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .spans import Attribution, Fragments, chars, trim

PARTS = ("content", "source", "cue")
QUOTE_MARKS = "“\"‘'"


@dataclass
class Counts:
    """Matched drafted, drafted, matched gold, gold."""

    matched_drafted: int = 0
    drafted: int = 0
    matched_gold: int = 0
    gold: int = 0

    def add(self, other: Counts) -> None:
        self.matched_drafted += other.matched_drafted
        self.drafted += other.drafted
        self.matched_gold += other.matched_gold
        self.gold += other.gold

    @property
    def precision(self) -> float:
        return self.matched_drafted / self.drafted if self.drafted else 0.0

    @property
    def recall(self) -> float:
        return self.matched_gold / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Scores:
    """Counts per (part, 'exact'|'overlap'), and the direct-quote speaker tally."""

    counts: dict[tuple[str, str], Counts] = field(
        default_factory=lambda: {(p, m): Counts() for p in PARTS for m in ("exact", "overlap")})
    quotes_gold: int = 0
    quotes_found: int = 0
    speakers_right: int = 0
    articles: int = 0

    @property
    def speaker_accuracy(self) -> float:
        return self.speakers_right / self.quotes_found if self.quotes_found else 0.0

    def add(self, other: Scores) -> None:
        for key, counts in other.counts.items():
            self.counts[key].add(counts)
        self.quotes_gold += other.quotes_gold
        self.quotes_found += other.quotes_found
        self.speakers_right += other.speakers_right
        self.articles += other.articles


def _pair(drafted: list[frozenset[int]], gold: list[frozenset[int]], exact: bool) -> Counts:
    candidates = []
    for i, d in enumerate(drafted):
        for j, g in enumerate(gold):
            shared = len(d & g)
            if (exact and d == g) or (not exact and shared):
                candidates.append((-shared, i, j))
    used_d: set[int] = set()
    used_g: set[int] = set()
    for _, i, j in sorted(candidates):
        if i not in used_d and j not in used_g:
            used_d.add(i)
            used_g.add(j)
    return Counts(len(used_d), len(drafted), len(used_g), len(gold))


def _norm(body: str, frags: Fragments) -> frozenset[int]:
    return chars(trim(body, frags))


def score_article(drafted: Iterable[Attribution], gold: Iterable[Attribution], body: str) -> Scores:
    """Scores of one article's drafted attributions against its gold ones."""
    drafted, gold = list(drafted), list(gold)
    scores = Scores(articles=1)
    for part in PARTS:
        d = [_norm(body, getattr(a, part)) for a in drafted if getattr(a, part)]
        g = [_norm(body, getattr(a, part)) for a in gold if getattr(a, part)]
        scores.counts[(part, "exact")] = _pair(d, g, exact=True)
        scores.counts[(part, "overlap")] = _pair(d, g, exact=False)
    for att in gold:
        content = _norm(body, att.content)
        first = min(content) if content else 0
        if not att.source or not content or body[first] not in QUOTE_MARKS:
            continue
        scores.quotes_gold += 1
        best = max(drafted, key=lambda a: len(_norm(body, a.content) & content), default=None)
        if best is None or not _norm(body, best.content) & content:
            continue
        scores.quotes_found += 1
        if _norm(body, best.source) & _norm(body, att.source):
            scores.speakers_right += 1
    return scores
