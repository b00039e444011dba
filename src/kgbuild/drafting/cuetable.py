"""How likely a candidate attribution is, by its key (lemma|way): counted on PolNeAR's train split.

`count` goes through parsed training articles and their gold attributions: a candidate is a
hit when a gold attribution's cue covers the candidate's cue word and the two contents
overlap. The table keeps, per key seen at least `MIN_SEEN` times, (hits, seen); it holds
lemmas and counts only, no text of the corpus. A key the table has not seen falls back on
the hand lexicon in `cues`: a speech verb with a clause is taken, anything else is not.

    .venv/bin/python benchmarks/train_cue_table.py POLNEAR_CHECKOUT   # rewrites cue_table.json
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .cues import CUE_VERBS, SPEECH

TABLE_FILE = "cue_table.json"
MIN_SEEN = 2
SMOOTHING = 2.0  # pseudo-counts pulling a rare key towards the lexicon's prior
DEFAULT_THRESHOLD = 0.35  # best content-overlap F1 on PolNeAR dev among 0.2-0.5


@dataclass(frozen=True)
class CueTable:
    """(hits, seen) per key, and the probability a candidate needs to be kept."""

    counts: dict[str, tuple[int, int]] = field(default_factory=dict)
    threshold: float = DEFAULT_THRESHOLD

    @staticmethod
    def prior(key: str) -> float:
        lemma, _, way = key.partition("|")
        if key in ("according|to", ":|line"):
            return 0.8
        if lemma in CUE_VERBS and way in ("ccomp", "inverse"):
            return 0.7
        return 0.05

    def probability(self, key: str) -> float:
        hits, seen = self.counts.get(key, (0, 0))
        return (hits + SMOOTHING * self.prior(key)) / (seen + SMOOTHING)

    def is_speech(self, key: str) -> bool:
        return key.partition("|")[0] in SPEECH

    def to_json(self) -> str:
        rows = {k: list(v) for k, v in sorted(self.counts.items())}
        return json.dumps({"threshold": self.threshold, "counts": rows}, indent=0, sort_keys=True) + "\n"


@lru_cache(maxsize=1)
def shipped() -> CueTable:
    """The table shipped with kgbuild (empty counts if it has not been trained)."""
    path = resources.files(__package__).joinpath(TABLE_FILE)
    if not path.is_file():
        return CueTable()
    data = json.loads(path.read_text(encoding="utf-8"))
    return CueTable({k: (int(v[0]), int(v[1])) for k, v in data["counts"].items()}, float(data["threshold"]))


def write(table: CueTable, path: Path | None = None) -> Path:
    target = path or Path(str(resources.files(__package__).joinpath(TABLE_FILE)))
    target.write_text(table.to_json(), encoding="utf-8")
    return target
