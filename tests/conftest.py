"""Shared fixtures: the real seed corpus built once into a real on-disk store (constants and helpers: helpers.py)."""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import DATA, SEED_ANNOTATION, SEED_TEXT

from kgbuild.build import build
from kgbuild.store import KgStore


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
