"""How likely a candidate attribution is: a logistic regression over its features, trained on PolNeAR.

`attribution.candidates` proposes every way the parse could make a word a cue; this model
scores each from its `features` and `attribution.extract` keeps, per cue word, the best one
above its threshold (`threshold`, or its construction's own in `thresholds`). The weights were
fitted with scikit-learn's LogisticRegression on PolNeAR's TRAIN split (a candidate is positive
when a gold cue covers its cue word and the contents overlap), and the thresholds chosen on
out-of-fold probabilities of the same split (`fitting`); DEV only checks the result and the
test split was never used. The model is plain JSON (feature -> weight), so drafting needs no
scikit-learn, only training does.

    .venv/bin/python benchmarks/train_cue_model.py POLNEAR_CHECKOUT   # rewrites cue_model.json
"""
from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..errors import KgbuildError

MODEL_FILE = "cue_model.json"
DEFAULT_THRESHOLD = 0.25
DEFAULT_C = 0.3  # inverse L2 strength: best content-overlap F1 on PolNeAR dev among 0.1-3
MIN_WEIGHT = 0.05  # smaller weights (rare lemma conjunctions) left PolNeAR dev F1 unchanged: not kept
TRAIN_HINT = "training needs scikit-learn: pip install 'kgbuild[train]'"


def construction(key: str) -> str:
    """The way a candidate's parse offers its content, without the preposition: 'criticism|noun-prep:of'
    -> 'noun-prep'; the unit `CueModel.thresholds` are kept per."""
    return key.partition("|")[2].split(":")[0]


@dataclass(frozen=True)
class CueModel:
    """Feature weights, the intercept, and the probability a candidate needs to be kept: `threshold`,
    or its construction's own in `thresholds` (an object, "endorsed Cruz", needs more than a clause)."""

    weights: dict[str, float]
    bias: float
    threshold: float = DEFAULT_THRESHOLD
    thresholds: dict[str, float] = field(default_factory=dict)

    def probability(self, features: Iterable[str]) -> float:
        score = self.bias + sum(self.weights.get(f, 0.0) for f in features)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, score))))

    def threshold_for(self, key: str) -> float:
        """The probability a candidate with this key (`lemma|way`) needs."""
        return self.thresholds.get(construction(key), self.threshold)

    def to_json(self) -> str:
        rows = {k: round(v, 4) for k, v in sorted(self.weights.items()) if abs(v) >= MIN_WEIGHT}
        return json.dumps({"threshold": self.threshold, "thresholds": self.thresholds, "bias": round(self.bias, 4),
                           "weights": rows}, indent=0, sort_keys=True) + "\n"


def train(rows: Sequence[tuple[Sequence[str], bool]], c: float = DEFAULT_C,
          threshold: float = DEFAULT_THRESHOLD) -> CueModel:
    """A model fitted on (features, is an attribution) rows."""
    try:
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        raise KgbuildError(TRAIN_HINT) from None
    labels = [bool(hit) for _, hit in rows]
    if len(set(labels)) < 2:
        raise KgbuildError("training needs both attributions and non-attributions among the candidates; "
                           "give more gold articles")
    vectorizer = DictVectorizer()
    matrix = vectorizer.fit_transform([dict.fromkeys(features, 1) for features, _ in rows])
    fitted = LogisticRegression(C=c, max_iter=3000).fit(matrix, labels)
    names = vectorizer.get_feature_names_out()
    return CueModel({str(n): float(w) for n, w in zip(names, fitted.coef_[0], strict=True)},
                    float(fitted.intercept_[0]), threshold)


def read(text: str) -> CueModel:
    """A model from its JSON (what `CueModel.to_json` wrote)."""
    data = json.loads(text)
    return CueModel({k: float(v) for k, v in data["weights"].items()}, float(data["bias"]), float(data["threshold"]),
                    {k: float(v) for k, v in data.get("thresholds", {}).items()})


@lru_cache(maxsize=1)
def shipped() -> CueModel:
    """The model shipped with kgbuild (package data beside this module)."""
    return read(resources.files(__package__).joinpath(MODEL_FILE).read_text(encoding="utf-8"))


def write(model: CueModel, path: Path | None = None) -> Path:
    target = path or Path(str(resources.files(__package__).joinpath(MODEL_FILE)))
    target.write_text(model.to_json(), encoding="utf-8")
    return target
