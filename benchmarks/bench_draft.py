"""Precision and recall of `kgbuild draft` against hand annotations.

    .venv/bin/python benchmarks/bench_draft.py [ANNOTATION.yaml ...]

Default: the seed article's hand annotation (data/articles/000_*.yaml). For each file, the
article text is drafted from scratch with the corpus registry and compared with the hand
annotation:

* quotes, span: a drafted statement whose quote has the same offsets as a hand statement's;
* quotes, span + speaker: the same, and the same speaker;
* mentions, strict: the same (entity, start, end);
* mentions, overlap: the same entity over overlapping characters (e.g. "Quincy Institute"
  drafted where the hand annotation has "the Quincy Institute"); each hand mention is
  matched at most once;
* entities: the set of entities mentioned at all.

Precision = matched / drafted, recall = matched / hand-annotated.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from kgbuild import loader  # noqa: E402
from kgbuild.draft import draft_article  # noqa: E402


def _pr(matched_drafted: int, drafted: int, matched_hand: int, hand: int) -> tuple[float, float]:
    return (matched_drafted / drafted if drafted else 1.0, matched_hand / hand if hand else 1.0)


def evaluate(path: Path) -> list[tuple[str, int, int, float, float]]:
    """Rows of (measure, drafted, hand, precision, recall) for one hand-annotated file."""
    registry = loader.load_registry(loader.find_corpus_root(path.parent))
    hand = loader.load_article(path, registry)
    draft = draft_article(hand.text_path, registry=registry, out_yaml=path)
    rows = []

    hand_quotes = {(s.span.start, s.span.end): s.speaker for s in hand.statements}
    got_quotes = {(s.span.start, s.span.end): s.speaker for s in draft.statements}
    same_span = set(hand_quotes) & set(got_quotes)
    p, r = _pr(len(same_span), len(got_quotes), len(same_span), len(hand_quotes))
    rows.append(("quotes: span", len(got_quotes), len(hand_quotes), p, r))
    right = {k for k in same_span if hand_quotes[k] == got_quotes[k]}
    p, r = _pr(len(right), len(got_quotes), len(right), len(hand_quotes))
    rows.append(("quotes: span + speaker", len(got_quotes), len(hand_quotes), p, r))

    hand_mentions = {(mn.entity, s.start, s.end) for mn in hand.mentions for s in mn.spans}
    got_mentions = {(key, s.start, s.end) for key, spans in draft.mentions.items() for s in spans}
    strict = hand_mentions & got_mentions
    p, r = _pr(len(strict), len(got_mentions), len(strict), len(hand_mentions))
    rows.append(("mentions: strict", len(got_mentions), len(hand_mentions), p, r))

    used: set[tuple[str, int, int]] = set()
    matched_got = 0
    for got in sorted(got_mentions, key=lambda g: (g[1], g[2], g[0])):
        partner = next((h for h in sorted(hand_mentions, key=lambda h: (h[1], h[2], h[0]))
                        if h not in used and h[0] == got[0] and h[1] < got[2] and got[1] < h[2]), None)
        if partner is not None:
            used.add(partner)
            matched_got += 1
    p, r = _pr(matched_got, len(got_mentions), len(used), len(hand_mentions))
    rows.append(("mentions: overlap", len(got_mentions), len(hand_mentions), p, r))

    hand_entities = {e for e, _, _ in hand_mentions}
    got_entities = {e for e, _, _ in got_mentions}
    both = hand_entities & got_entities
    p, r = _pr(len(both), len(got_entities), len(both), len(hand_entities))
    rows.append(("entities mentioned", len(got_entities), len(hand_entities), p, r))
    return rows


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted((ROOT / "data" / "articles").glob("000_*.yaml"))
    for path in paths:
        started = time.perf_counter()
        rows = evaluate(path)
        elapsed = time.perf_counter() - started
        print(f"{path.name}  (drafted and scored in {elapsed * 1000:.0f} ms)")
        print(f"  {'measure':24} {'drafted':>7} {'hand':>5} {'precision':>9} {'recall':>7}")
        for name, drafted, hand, p, r in rows:
            print(f"  {name:24} {drafted:7d} {hand:5d} {p:9.2f} {r:7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
