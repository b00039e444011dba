"""Count the cue table (src/kgbuild/drafting/cue_table.json) on PolNeAR's TRAIN split.

    .venv/bin/python benchmarks/train_cue_table.py /path/to/PolNeAR [--threshold 0.35]

Only data/train is read (dev is for choosing the threshold, test is held out). The table keeps
lemmas and counts, never text (see kgbuild.drafting.cuetable).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kgbuild import loader
from kgbuild.drafting import attribution, cuetable
from kgbuild.drafting.brat import read_brat
from kgbuild.drafting.evaluate import gold_articles
from kgbuild.drafting.nlp import pipeline


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("polnear", type=Path)
    parser.add_argument("--threshold", type=float, default=cuetable.DEFAULT_THRESHOLD)
    args = parser.parse_args(argv)
    articles = gold_articles(args.polnear / "data" / "train")
    nlp = pipeline()
    docs = nlp.pipe(loader.read_text(a.text) for a in articles)
    table = attribution.count_cues(((doc, read_brat(loader.read_text(a.ann)))
                                    for doc, a in zip(docs, articles, strict=True)), args.threshold)
    print(f"{len(articles)} train articles, {len(table.counts)} keys -> {cuetable.write(table)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
