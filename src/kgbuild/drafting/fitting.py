"""Fitting the cue model on gold articles: weights by logistic regression, thresholds by cross-validation.

The thresholds, one for every candidate and one of its own for a construction where that scores
better (an object, "endorsed Cruz", needs a likelier candidate than a clause, "said that ..."),
are chosen on out-of-fold probabilities of the training articles themselves: each fold's
candidates are scored by a model fitted on the other folds, then drafted and scored against
their gold as `kgbuild eval attribution` does. Choosing them needs no second gold set, so a
development split stays a check nothing was tuned on. Needs the `train` extra (scikit-learn).
"""
from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from . import cuemodel
from .attribution import Candidate, choose, labels, scored_candidates, univocal
from .scoring import Scores, score_article
from .spans import Attribution

THRESHOLDS = (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)
FOLDS = 5
MIN_CANDIDATES = 2000  # a construction rarer than this in the training candidates keeps the common threshold
MIN_GAIN = 0.0005  # a construction's own threshold must beat the common one by this much
Progress = Callable[[str], None]


@dataclass(frozen=True)
class Article:
    """A parsed gold article with its candidates, scored once, and which of them are attributions."""

    doc: Any
    body: str
    gold: list[Attribution]
    scored: list[tuple[Candidate, tuple[str, ...]]]
    hits: list[bool]


def prepare(doc: Any, gold: list[Attribution]) -> Article:
    body = doc.text
    scored = list(scored_candidates(doc, body))
    return Article(doc, body, gold, scored, labels(doc, scored, gold))


def rows(articles: Sequence[Article]) -> list[tuple[tuple[str, ...], bool]]:
    return [(features, hit) for a in articles for (_, features), hit in zip(a.scored, a.hits, strict=True)]


def out_of_fold(articles: Sequence[Article], c: float = cuemodel.DEFAULT_C, folds: int = FOLDS,
                progress: Progress = lambda _: None) -> list[list[float]]:
    """Each article's candidate probabilities from a model fitted on the other folds (article i is in fold i % folds)."""
    probabilities: list[list[float]] = [[] for _ in articles]
    for fold in range(folds):
        model = cuemodel.train(rows([a for i, a in enumerate(articles) if i % folds != fold]), c=c)
        for i in range(fold, len(articles), folds):
            probabilities[i] = [model.probability(features) for _, features in articles[i].scored]
        progress(f"fold {fold + 1} of {folds} fitted")
    return probabilities


def evaluate(articles: Sequence[Article], probabilities: Sequence[Sequence[float]], model: cuemodel.CueModel) -> Scores:
    """The scores of the drafts `model`'s thresholds give, with these probabilities."""
    total = Scores()
    for article, probs in zip(articles, probabilities, strict=True):
        drafted = univocal(choose(article.doc, article.body, article.scored, list(probs), model))
        total.add(score_article(drafted, article.gold, article.body))
    return total


def objective(scores: Scores) -> float:
    """What the thresholds are chosen for: content and source overlap F1, the two goals, weighed alike."""
    return (scores.counts[("content", "overlap")].f1 + scores.counts[("source", "overlap")].f1) / 2


def choose_thresholds(articles: Sequence[Article], probabilities: Sequence[Sequence[float]],
                      progress: Progress = lambda _: None) -> tuple[float, dict[str, float]]:
    """The common threshold from THRESHOLDS, then each frequent construction's own where it scores better."""
    def score(threshold: float, own: dict[str, float]) -> float:
        model = cuemodel.CueModel({}, 0.0, threshold, own)
        return objective(evaluate(articles, probabilities, model))

    tried = {t: score(t, {}) for t in THRESHOLDS}
    common = max(tried, key=lambda t: tried[t])
    best = tried[common]
    progress(f"common threshold {common} ({best:.4f})")
    counts = Counter(cuemodel.construction(cand.key) for a in articles for cand, _ in a.scored)
    own: dict[str, float] = {}
    for way, n in counts.most_common():
        if n < MIN_CANDIDATES:
            break
        for t in THRESHOLDS:
            if t == common:
                continue
            value = score(common, {**own, way: t})
            if value > best + MIN_GAIN:
                best, own[way] = value, t
        progress(f"{way} ({n} candidates): {own.get(way, common)} ({best:.4f})")
    return common, own


def fit(articles: Sequence[Article], c: float = cuemodel.DEFAULT_C, progress: Progress = lambda _: None) -> cuemodel.CueModel:
    """The cue model fitted on all `articles`, its thresholds chosen out of fold."""
    common, own = choose_thresholds(articles, out_of_fold(articles, c, progress=progress), progress)
    return dataclasses.replace(cuemodel.train(rows(articles), c=c), threshold=common, thresholds=own)
