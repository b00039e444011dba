"""What the tests share besides fixtures: the checkout's paths, the seed article's IRIs, a SELECT helper.

Tests import these from here, never from conftest (pytest loads conftest itself).
"""
from __future__ import annotations

from pathlib import Path

from kgbuild.store import KgStore
from kgbuild.vocab import DEFAULT_BASE

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
SEED_TEXT = DATA / "articles" / "000_a2fbfe0915b87551.txt"
SEED_ANNOTATION = DATA / "articles" / "000_a2fbfe0915b87551.yaml"
BASE = DEFAULT_BASE
SEED_GRAPH = BASE + "graph/a2fbfe0915b87551"
SEED_ARTICLE = BASE + "article/a2fbfe0915b87551"
SHARED = REPO.parent / "shared"


def leftovers(path: Path) -> list[str]:
    """The hidden staging or displaced folders a writer left beside the store at `path`."""
    return sorted(p.name for p in path.parent.iterdir() if p.name.startswith(f".{path.name}."))


def select(store: KgStore, sparql: str) -> list[dict[str, str]]:
    """Run a SELECT and return rows as {variable: lexical value} (unbound variables omitted)."""
    result = store.query(sparql)
    names = [v.value for v in result.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in result]
