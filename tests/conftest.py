"""Shared fixtures: the real seed corpus built once into a real on-disk store."""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kgbuild.build import build
from kgbuild.store import KgStore

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
SEED_TEXT = DATA / "articles" / "000_a2fbfe0915b87551.txt"
SEED_ANNOTATION = DATA / "articles" / "000_a2fbfe0915b87551.yaml"
BASE = "https://w3id.org/kgbuild/id/"
SEED_GRAPH = BASE + "graph/a2fbfe0915b87551"
SEED_ARTICLE = BASE + "article/a2fbfe0915b87551"
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def seed_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built from the seed article only (other articles may join data/ later)."""
    path = tmp_path_factory.mktemp("seed") / "store"
    store = KgStore(path)
    build([SEED_ANNOTATION], store=store, workers=1)
    del store
    return path


@pytest.fixture(scope="session")
def seed_store(seed_store_path: Path) -> KgStore:
    return KgStore(seed_store_path, read_only=True)


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    """A writable copy of the project's corpus (registry, links, seed article) to break on purpose."""
    root = tmp_path / "corpus"
    (root / "articles").mkdir(parents=True)
    for name in ("registry.yaml", "links.yaml"):
        shutil.copy(DATA / name, root / name)
    shutil.copy(SEED_TEXT, root / "articles" / SEED_TEXT.name)
    shutil.copy(SEED_ANNOTATION, root / "articles" / SEED_ANNOTATION.name)
    return root


@pytest.fixture()
def fresh_store(tmp_path: Path) -> Iterator[KgStore]:
    yield KgStore(tmp_path / "store")


def select(store: KgStore, sparql: str) -> list[dict[str, str]]:
    """Run a SELECT and return rows as {variable: lexical value} (unbound variables omitted)."""
    result = store.query(sparql)
    names = [v.value for v in result.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in result]
