"""Train the cue model (src/kgbuild/drafting/cue_model.json) on PolNeAR's TRAIN split; DEV only checks it.

    .venv/bin/python benchmarks/train_cue_model.py /path/to/PolNeAR [--c 0.3] [--out FILE]

The weights are fitted on data/train, and the thresholds (a common one, and a construction's own
where that scores better) are chosen on out-of-fold probabilities of data/train
(`kgbuild.drafting.fitting`). data/dev is drafted once with the fitted model and its scores
printed; nothing is chosen on it. The test split is held out and never read. The model keeps
feature names and weights, never text. Needs the `train` extra (scikit-learn).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from kgbuild import loader
from kgbuild.drafting import cuemodel, fitting
from kgbuild.drafting.brat import read_brat
from kgbuild.drafting.evaluate import gold_articles, report
from kgbuild.drafting.nlp import parse_batches


def parsed(checkout: Path, split: str) -> list[fitting.Article]:
    """The articles of one split, parsed, with their candidates."""
    articles = gold_articles(checkout / "data" / split)
    docs = parse_batches(((loader.read_text(a.text), a) for a in articles), for_attributions=True)
    return [fitting.prepare(doc, read_brat(loader.read_text(a.ann))) for doc, a in docs]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("polnear", type=Path, help="a checkout of networkdynamics/PolNeAR")
    parser.add_argument("--c", type=float, default=cuemodel.DEFAULT_C, help="inverse L2 regularisation strength")
    parser.add_argument("--out", type=Path, default=None, help="where to write the model (default: the shipped one)")
    args = parser.parse_args(argv)
    started = time.perf_counter()

    def progress(message: str) -> None:
        print(f"[{time.perf_counter() - started:5.0f} s] {message}", flush=True)

    train = parsed(args.polnear, "train")
    progress(f"train: {len(train)} articles, {sum(len(a.hits) for a in train)} candidates "
             f"({sum(sum(a.hits) for a in train)} attributions)")
    model = fitting.fit(train, c=args.c, progress=progress)
    progress(f"threshold {model.threshold}, per construction {model.thresholds or 'none'}; "
             f"{len(model.weights)} features")
    dev = parsed(args.polnear, "dev")
    scores = fitting.evaluate(dev, [[model.probability(f) for _, f in a.scored] for a in dev], model)
    print("dev (a check; nothing was chosen on it):\n  " + report(scores).replace("\n", "\n  "))
    print(f"-> {cuemodel.write(model, args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
