"""Build a store from a corpus: load -> map -> write, all or nothing.

Every article is validated and mapped before anything touches the store, so
bad input leaves the store as it was. Mapped quads stream through a temporary
N-Quads file (memory stays flat in the number of articles); a fresh store takes
them through Oxigraph's bulk loader, an existing one article by article in
atomic graph replacements, skipping articles whose sources did not change.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from . import loader, void
from .errors import AnnotationError, KgbuildError
from .mapper import build_key, map_article
from .model import Registry
from .store import KgStore
from .vocab import Iris

ONTOLOGY_ENV = "KGBUILD_ONTOLOGY"


def project_root() -> Path:
    """The source checkout this package lives in (for data/, ontology/, queries/)."""
    return Path(__file__).resolve().parents[2]


def default_data_dir() -> Path:
    cwd = Path.cwd() / "data"
    return cwd if (cwd / loader.REGISTRY_FILE).is_file() else project_root() / "data"


def ontology_files() -> list[Path]:
    """The Turtle files loaded into the ontology graph ($KGBUILD_ONTOLOGY or ./ontology)."""
    folder = Path(os.environ.get(ONTOLOGY_ENV) or project_root() / "ontology")
    return sorted(folder.glob("*.ttl"))


@dataclass
class BuildReport:
    """What a build did, for the CLI to print and tests to check."""

    built: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    quads: int = 0
    bulk: bool = False


_REGISTRIES: dict[Path, Registry] = {}


def _init_worker(registries: dict[Path, Registry]) -> None:
    """Give each worker process the registries once, not once per article."""
    _REGISTRIES.update(registries)


def _map_one(job: tuple[Path, Path, str]) -> tuple[str, str, str, str]:
    """Worker: (article id, graph IRI, build key, N-Quads text)."""
    path, root, base = job
    iris = Iris(base)
    article = loader.load_article(path, _REGISTRIES[root])
    quads = map_article(article, iris)
    key = build_key(article, iris)
    text = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    assert text is not None  # serialize returns bytes when no output is given
    return article.id, iris.graph(article.id).value, key, text.decode("utf-8")


def _mapped(jobs: list[tuple[Path, Path, str]], registries: dict[Path, Registry], workers: int
            ) -> Iterator[tuple[str, str, str, str]]:
    if workers <= 1 or len(jobs) < 32:
        _init_worker(registries)
        yield from map(_map_one, jobs)
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(registries,)) as pool:
        yield from pool.map(_map_one, jobs, chunksize=16)


def ontology_quads(iris: Iris) -> list[ox.Quad]:
    graph = iris.ontology_graph()
    quads: list[ox.Quad] = []
    for path in ontology_files():
        try:
            quads.extend(ox.Quad(t.subject, t.predicate, t.object, graph)
                         for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, without_named_graphs=True))
        except SyntaxError as exc:
            raise KgbuildError(f"{path}: invalid Turtle: {exc}") from None
    return sorted(quads, key=str)


def build(
    paths: Iterable[Path] = (),
    *,
    store: KgStore,
    base: str | None = None,
    workers: int | None = None,
    prune: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> BuildReport:
    """Build or update `store` from annotation files (default: the project's data/)."""
    iris = Iris(base) if base else Iris()
    targets = [Path(p) for p in paths] or [default_data_dir()]
    files = list(loader.find_article_files(targets))
    if not files:
        raise KgbuildError(f"no annotation files (*.yaml) under {', '.join(map(str, targets))}")
    roots = {loader.find_corpus_root(f.parent) for f in files}
    registries = {root: loader.load_registry(root) for root in sorted(roots)}
    jobs = [(f, loader.find_corpus_root(f.parent), iris.base) for f in files]
    existing = store.graph_hashes()
    fresh = store.is_empty()
    report = BuildReport(bulk=fresh)
    seen: dict[str, Path] = {}
    n_workers = workers if workers is not None else (os.cpu_count() or 1)
    with tempfile.TemporaryDirectory(prefix="kgbuild-") as tmp:
        staged: list[tuple[str, Path]] = []  # (graph, file) for incremental writes
        bulk_path = Path(tmp) / "all.nq"
        with open(bulk_path, "w", encoding="utf-8") as bulk:
            for i, (aid, graph, key, text) in enumerate(_mapped(jobs, registries, n_workers), 1):
                path = jobs[i - 1][0]
                if progress:
                    progress(i, len(jobs))
                if aid in seen:
                    raise AnnotationError(path, f"article id {aid!r} is also used by {seen[aid]}",
                                          hint="give each article its own id")
                seen[aid] = path
                if existing.get(graph) == key:
                    report.skipped.append(aid)
                    continue
                report.built.append(aid)
                report.quads += text.count("\n")
                if fresh:
                    bulk.write(text)
                else:
                    part = Path(tmp) / f"{len(staged)}.nq"
                    part.write_text(text, encoding="utf-8")
                    staged.append((graph, part))
            if fresh:
                for quad in ontology_quads(iris):
                    bulk.write(str(quad) + " .\n")
        # Everything validated and mapped: now, and only now, write.
        if fresh:
            store.bulk_load_nquads(bulk_path)
        else:
            store.replace_graph(iris.ontology_graph(), ontology_quads(iris))
            for graph, part in staged:
                quads = ox.parse(path=str(part), format=ox.RdfFormat.N_QUADS)
                store.replace_graph(ox.NamedNode(graph), quads)
        if prune:
            built_graphs = {iris.graph(aid).value for aid in seen}
            for graph in existing:
                if graph not in built_graphs:
                    store.drop_graph(ox.NamedNode(graph))
                    report.removed.append(graph)
    void.refresh(store, iris)  # VoID/DCAT self-description, counted from the store as it now is
    store.flush()
    return report
