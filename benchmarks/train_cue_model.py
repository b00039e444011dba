"""Train the cue model (src/kgbuild/drafting/cue_model.json) on PolNeAR: fit on TRAIN, choose the threshold on DEV.

    .venv/bin/python benchmarks/train_cue_model.py /path/to/PolNeAR [--c 0.3] [--out FILE]

The weights are fitted on data/train only. The threshold is the one of THRESHOLDS with the best
content-overlap F1 on data/dev (the brat output's attributions, nested ones folded as PolNeAR
annotates). The test split is held out and never read. The model keeps feature names and
weights, never text. Needs the `train` extra (scikit-learn).
"""
from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

from kgbuild import loader
from kgbuild.drafting import cuemodel
from kgbuild.drafting.attribution import extract, training_rows, univocal
from kgbuild.drafting.brat import read_brat
from kgbuild.drafting.evaluate import gold_articles
from kgbuild.drafting.nlp import NOT_FOR_ATTRIBUTIONS, pipeline
from kgbuild.drafting.scoring import Scores, score_article

THRESHOLDS = (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)


def parsed(checkout: Path, split: str) -> list[tuple[object, list]]:
    """(parsed article, gold attributions) of one split."""
    articles = gold_articles(checkout / "data" / split)
    docs = pipeline().pipe((loader.read_text(a.text) for a in articles), disable=NOT_FOR_ATTRIBUTIONS)
    return [(doc, read_brat(loader.read_text(a.ann))) for doc, a in zip(docs, articles, strict=True)]


def content_f1(model: cuemodel.CueModel, dev: list[tuple[object, list]]) -> Scores:
    total = Scores()
    for doc, gold in dev:
        total.add(score_article(univocal(extract(doc, model)), gold, doc.text))
    return total


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("polnear", type=Path, help="a checkout of networkdynamics/PolNeAR")
    parser.add_argument("--c", type=float, default=cuemodel.DEFAULT_C, help="inverse L2 regularisation strength")
    parser.add_argument("--out", type=Path, default=None, help="where to write the model (default: the shipped one)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    train = parsed(args.polnear, "train")
    rows = [row for doc, gold in train for row in training_rows(doc, gold)]
    model = cuemodel.train(rows, c=args.c)
    print(f"train: {len(train)} articles, {len(rows)} candidates ({sum(h for _, h in rows)} attributions), "
          f"{len(model.weights)} features; {time.perf_counter() - started:.0f} s")
    dev = parsed(args.polnear, "dev")
    best = None
    for threshold in THRESHOLDS:
        scores = content_f1(dataclasses.replace(model, threshold=threshold), dev)
        f1 = scores.counts[("content", "overlap")].f1
        print(f"dev threshold {threshold:.2f}: content overlap F1 {f1:.3f}, "
              f"source overlap F1 {scores.counts[('source', 'overlap')].f1:.3f}")
        if best is None or f1 > best[0]:
            best = (f1, threshold)
    assert best is not None
    path = cuemodel.write(dataclasses.replace(model, threshold=best[1]), args.out)
    print(f"threshold {best[1]} (dev content overlap F1 {best[0]:.3f}) -> {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
