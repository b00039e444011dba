"""How good and how fast `kgbuild draft` is: PolNeAR attributions, and the seed's hand annotation.

    .venv/bin/python benchmarks/bench_draft.py --polnear /path/to/PolNeAR --split dev
    .venv/bin/python benchmarks/bench_draft.py [ANNOTATION.yaml ...]          # the seed only

PolNeAR (a checkout of networkdynamics/PolNeAR; its text is never copied here): each article of
the split is parsed and its attributions extracted on one core, then scored against the gold
brat files (`kgbuild.drafting.scoring`). Printed: content overlap F1, source overlap F1, cue
F1 (exact and overlap), direct-quote speaker accuracy, the full table, articles per second
(parse + extraction, one process, one article at a time and in the batches `kgbuild draft`
parses several articles in; and of the whole YAML draft against kgbuild's own registry,
written nowhere) and peak RSS. The baseline, timed in the same run on the same articles:
the stock en_core_web_sm pipeline parsing them with the components drafting uses, without
kgbuild's stand-ins (`drafting.quickpipes`) and without extracting anything. The test split is held out: it is refused
unless --held-out is given, and the project's own tuning never uses it.

Seed (default data/articles/000_*.yaml): the article is drafted from scratch and compared with
its hand annotation, whatever its counts are:

* quotes: same offsets; + speaker: and the same speaker;
* claims: a drafted claim's text overlaps a hand claim's text; + claimant: and one claimant agrees;
* events: a drafted event's anchor overlaps a hand event's anchor; + status: and the same status;
* mentions (strict, overlap) and entities mentioned, as before.

Precision = matched / drafted, recall = matched / hand-annotated (pairs matched one to one).
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

from kgbuild import loader
from kgbuild.anchoring import Span
from kgbuild.draft import attributions_of, draft_article, draft_attributions
from kgbuild.drafting.brat import read_brat
from kgbuild.drafting.evaluate import gold_articles, report
from kgbuild.drafting.nlp import BATCH, MODEL, NOT_FOR_ATTRIBUTIONS, parse_batches, pipeline
from kgbuild.drafting.scoring import Scores, score_article

ROOT = Path(__file__).resolve().parents[1]
Row = tuple[str, int, int, float, float]


def _pr(matched_drafted: int, drafted: int, matched_hand: int, hand: int) -> tuple[float, float]:
    return (matched_drafted / drafted if drafted else 1.0, matched_hand / hand if hand else 1.0)


def _one_to_one(drafted: list, hand: list, same) -> tuple[int, int]:
    """Pairs matched greedily in text order: (matched drafted, matched hand)."""
    used: set[int] = set()
    matched = 0
    for d in drafted:
        j = next((j for j, h in enumerate(hand) if j not in used and same(d, h)), None)
        if j is not None:
            used.add(j)
            matched += 1
    return matched, len(used)


def _overlaps(a: list[Span] | Span, b: list[Span] | Span) -> bool:
    a = a if isinstance(a, list) else [a]
    b = b if isinstance(b, list) else [b]
    return any(x.start < y.end and y.start < x.end for x in a for y in b)


def _row(name: str, drafted: list, hand: list, same) -> Row:
    md, mh = _one_to_one(drafted, hand, same)
    p, r = _pr(md, len(drafted), mh, len(hand))
    return (name, len(drafted), len(hand), p, r)


def evaluate(path: Path) -> list[Row]:
    """Rows of (measure, drafted, hand, precision, recall) for one hand-annotated file."""
    registry = loader.load_registry(loader.find_corpus_root(path.parent))
    hand = loader.load_article(path, registry)
    draft = draft_article(hand.text_path, registry=registry, out_yaml=path)
    rows = [
        _row("quotes: span", draft.statements, list(hand.statements), lambda d, h: d.span == h.span),
        _row("quotes: span + speaker", draft.statements, list(hand.statements),
             lambda d, h: d.span == h.span and d.speaker == h.speaker),
    ]
    claims = [(c["text"], c["claimant"]) for c in draft.claims]
    rows.append(_row("claims: text overlap", claims, list(hand.claims), lambda d, h: _overlaps(d[0], h.span)))
    rows.append(_row("claims: + claimant", claims, list(hand.claims),
                     lambda d, h: _overlaps(d[0], h.span) and d[1] in h.claimants))
    events = [(e["anchor"], e["status"]) for e in draft.events]
    rows.append(_row("events: anchor overlap", events, list(hand.events),
                     lambda d, h: _overlaps(d[0], list(h.spans))))
    rows.append(_row("events: + status", events, list(hand.events),
                     lambda d, h: _overlaps(d[0], list(h.spans)) and d[1] == h.status))
    hand_mentions = sorted({(mn.entity, s.start, s.end) for mn in hand.mentions for s in mn.spans},
                           key=lambda x: (x[1], x[2], x[0]))
    got_mentions = sorted({(key, s.start, s.end) for key, spans in draft.mentions.items() for s in spans},
                          key=lambda x: (x[1], x[2], x[0]))
    rows.append(_row("mentions: strict", got_mentions, hand_mentions, lambda d, h: d == h))
    rows.append(_row("mentions: overlap", got_mentions, hand_mentions,
                     lambda d, h: d[0] == h[0] and d[1] < h[2] and h[1] < d[2]))
    rows.append(_row("entities mentioned", sorted({e for e, _, _ in got_mentions}),
                     sorted({e for e, _, _ in hand_mentions}), lambda d, h: d == h))
    return rows


def seed_report(paths: list[Path]) -> None:
    for path in paths:
        started = time.perf_counter()
        rows = evaluate(path)
        elapsed = time.perf_counter() - started
        print(f"{path.name}  (drafted and scored in {elapsed * 1000:.0f} ms)")
        print(f"  {'measure':24} {'drafted':>7} {'hand':>5} {'precision':>9} {'recall':>7}")
        for name, drafted, hand, p, r in rows:
            print(f"  {name:24} {drafted:7d} {hand:5d} {p:9.2f} {r:7.2f}")


def stock_parse_seconds(texts: list[str]) -> float:
    """CPU seconds the stock pipeline takes to parse `texts` as drafting attributions needs them."""
    import spacy

    nlp = spacy.load(MODEL, exclude=list(NOT_FOR_ATTRIBUTIONS))
    nlp(texts[0])  # loaded and warmed before the clock starts, as `pipeline()` is above
    started = time.process_time()
    for text in texts:
        nlp(text)
    return time.process_time() - started


def batched_seconds(bodies: list[str]) -> float:
    """CPU seconds to draft the attributions of `bodies` parsed in batches, as several articles are."""
    started = time.process_time()
    for doc, body in parse_batches(((b, b) for b in bodies), for_attributions=True):
        attributions_of(doc, body)
    return time.process_time() - started


def polnear_report(checkout: Path, split: str, limit: int | None) -> Scores:
    """Draft and score every article of one PolNeAR split, printing speed and memory."""
    folder = checkout / "data" / split
    articles = gold_articles(folder)[:limit]
    pipeline()  # loaded once, before the clock starts
    registry = loader.load_registry(ROOT / "data")
    total, drafting, yaml_drafting, words = Scores(), 0.0, 0.0, 0
    for article in articles:
        body = loader.read_text(article.text)
        words += len(body.split())
        started = time.process_time()
        drafted = draft_attributions(body)
        drafting += time.process_time() - started
        total.add(score_article(drafted, read_brat(loader.read_text(article.ann)), body))
        started = time.process_time()
        draft_article(article.text, registry=registry)  # writes nothing
        yaml_drafting += time.process_time() - started
    bodies = [loader.read_text(a.text) for a in articles]
    batched = batched_seconds(bodies)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    stock = stock_parse_seconds(bodies)
    print(f"PolNeAR {split}: {len(articles)} articles")
    print(f"  content overlap F1   {total.counts[('content', 'overlap')].f1:.3f}   (goal >= 0.83)")
    print(f"  source overlap F1    {total.counts[('source', 'overlap')].f1:.3f}   (goal >= 0.85)")
    print(f"  cue F1               {total.counts[('cue', 'exact')].f1:.3f} exact, "
          f"{total.counts[('cue', 'overlap')].f1:.3f} overlap")
    print(f"  direct-quote speaker accuracy {total.speaker_accuracy:.3f}   (goal >= 0.95)")
    print("  " + report(total).replace("\n", "\n  "))
    print(f"  speed: {len(articles) / drafting:.1f} articles/s of CPU time on one core (parse + extraction; "
          f"goal >= 10), {words / drafting:,.0f} words/s, {words / len(articles):.0f} words per article; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"  speed with articles parsed in batches of {BATCH} (kgbuild draft with several articles): "
          f"{len(articles) / batched:.1f} articles/s, {drafting / batched:.2f}x one at a time")
    print(f"  speed of the whole YAML draft (entities, claims, events, dates too): "
          f"{len(articles) / yaml_drafting:.1f} articles/s of CPU time on one core")
    print(f"  baseline, the stock spaCy pipeline's parse alone: {len(articles) / stock:.1f} articles/s; "
          f"drafting attributions runs at {stock / drafting:.2f}x its speed")
    print(f"  peak RSS {peak:.0f} MB (goal < 1024)")
    return total


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("annotations", nargs="*", type=Path, help="hand-annotated files (default: the seed)")
    parser.add_argument("--polnear", type=Path, help="a PolNeAR checkout (networkdynamics/PolNeAR)")
    parser.add_argument("--split", default="dev", choices=("train", "dev", "test"))
    parser.add_argument("--held-out", action="store_true", help="allow --split test (the held-out judgement)")
    parser.add_argument("--limit", type=int, default=None, help="first N articles of the split")
    args = parser.parse_args(argv)
    if args.split == "test" and not args.held_out:
        parser.error("the test split is held out: pass --held-out only for the final, untuned judgement")
    if args.polnear:
        polnear_report(args.polnear, args.split, args.limit)
    seed_report(args.annotations or sorted((ROOT / "data" / "articles").glob("000_*.yaml")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
