"""Real SPARQL engines for the tests (benchmarks/engine_servers.py), skipped with the reason where not installed.

Virtuoso comes from Debian's virtuoso-opensource-7 (.ci/setup installs it as
root); `oxigraph serve` from the PyPI package oxigraph (a test extra).
"""
from __future__ import annotations

from pathlib import Path

import make_corpus
import pytest
from engine_servers import ISQL, OXIGRAPH, VIRTUOSO, OxigraphServer, Virtuoso

from kgbuild.build import build
from kgbuild.store import KgStore

__all__ = ["OXIGRAPH", "OxigraphServer", "Virtuoso", "oxigraph_server", "synthetic_store", "virtuoso"]
VIRTUOSO_MISSING = ("Virtuoso is not installed (apt-get install --no-install-recommends virtuoso-opensource-7; "
                    ".ci/setup does it as root)")


def oxigraph_server(folder: Path, *, union_default_graph: bool = True) -> OxigraphServer:
    if OXIGRAPH is None:
        pytest.skip("the oxigraph server binary (PyPI package oxigraph, a test extra) is not installed")
    server = OxigraphServer(folder, union_default_graph=union_default_graph)
    server.start()
    return server


def virtuoso(folder: Path) -> Virtuoso:
    if VIRTUOSO is None or ISQL is None:
        pytest.skip(VIRTUOSO_MISSING)
    server = Virtuoso(folder)
    server.start()
    return server


def synthetic_store(folder: Path, articles: int, *, seed: int, actors: int) -> Path:
    """A store on disk built from `articles` synthetic articles (plus the ontology, registry and VoID graphs)."""
    corpus = make_corpus.write_corpus(articles, folder / "corpus", seed=seed, actors=actors)
    store = KgStore(folder / "store")
    build([corpus], store=store, workers=2)
    del store
    return folder / "store"
