"""Build a store from a corpus: load -> map -> write, all or nothing.

Articles are validated and mapped in a process pool, a bounded window of them in
flight at a time, so memory stays flat in the number of articles. Nothing a reader
of the store can see changes unless every article validated:

* An empty store is filled by Oxigraph's bulk loader, in batches: a thread writes
  the workers' N-Quads to a batch file while the previous batch loads (mapping and
  loading overlap; no whole-corpus file or list), loaded by short-lived child
  processes (the loader's memory goes back with them), into a staging store
  beside the real one, swapped in by one atomic rename once the last article
  validated and the load finished (see staging.py). A bad article, an error or a
  SIGKILL anywhere before the swap leaves the store as it was: empty.
* An existing store skips unchanged articles (same kg:sourceHash: the worker
  validates them and does not map them), stages the changed articles' N-Quads in
  a temporary file, and once all validated replaces each changed graph in its own
  transaction (drop + insert in one SPARQL update). A kill between transactions
  leaves every article whole, old or new, and the next build finishes the rest.
  Batching many graphs into one transaction was measured slower, not faster (one
  big write batch costs more than many small ones), so one article stays one
  transaction. When at least RESTAGE_MIN articles and RESTAGE_FRACTION of the
  store changed, rebuilding off to the side is faster (all of 1,000 articles
  changed: 2.5 s instead of 10.5 s): the unchanged graphs are copied from the old
  store, everything is bulk-loaded into a staging store, and it is swapped in whole.
"""
from __future__ import annotations

import dataclasses
import itertools
import os
import tempfile
import time
from array import array
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox

from . import graphstats, loader, staging, void
from .corpus import ArticleIds, one_corpus
from .errors import KgbuildError
from .mapper import build_key, map_article_lines, map_registry
from .model import Registry
from .paths import ontology_files
from .store import KgStore, as_nquads
from .vocab import DEFAULT_BASE, Iris

CHUNK = 8  # articles per worker task
IN_FLIGHT_PER_WORKER = 32  # tasks queued or done-but-unread per worker: bounds the parent's memory (~20 MB a worker)
SERIAL_BELOW = 32  # fewer articles than this are mapped in-process
RESTAGE_MIN = 200  # an incremental build rebuilds off to the side when at least this many articles
RESTAGE_FRACTION = 0.3  # ... and this fraction of the store's articles changed (break-even measured near 0.35)


@dataclass
class BuildReport:
    """What a build did, for the CLI to print and tests to check."""

    built: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    shared: list[str] = field(default_factory=list)  # corpus-wide graphs (ontology, registry) written anew
    quads: int = 0
    bulk: bool = False
    seconds: dict[str, float] = field(default_factory=dict)  # phase -> wall time, for benchmarks

    @property
    def changed(self) -> bool:
        return bool(self.bulk or self.built or self.removed or self.shared)


# ---------------------------------------------------------------- workers
_REGISTRY: list[Registry] = []
_EXISTING: dict[str, str] = {}  # graph IRI -> build key already in the store
_IRIS: list[Iris] = []


@dataclass(frozen=True)
class _Mapped:
    """One article, validated; `nquads` is None when the store already holds this very version."""

    aid: str
    graph: str
    nquads: bytes | None
    count: int
    key: str = ""  # the build key (kg:sourceHash) of the mapped article
    stats: tuple[bytes, bytes] | None = None  # its counts for the VoID description (graphstats), packed


@dataclass(frozen=True)
class _Failed:
    """A KgbuildError raised in a worker, in a form that survives pickling (AnnotationError is a dataclass)."""

    error: type[KgbuildError]
    fields: dict[str, Any] | None
    args: tuple[Any, ...]

    @classmethod
    def of(cls, exc: KgbuildError) -> _Failed:
        if dataclasses.is_dataclass(exc):
            return cls(type(exc), {f.name: getattr(exc, f.name) for f in dataclasses.fields(exc)}, ())
        return cls(type(exc), None, exc.args)

    def exception(self) -> KgbuildError:
        return self.error(**self.fields) if self.fields is not None else self.error(*self.args)


def _init_worker(registry: Registry | None, existing: dict[str, str], base: str) -> None:
    """Give each worker the registry and the store's build keys once, not once per article."""
    _REGISTRY[:] = [registry] if registry is not None else []
    _EXISTING.clear()
    _EXISTING.update(existing)
    _IRIS[:] = [Iris(base)]


def _map_one(path: str) -> _Mapped | _Failed:
    iris = _IRIS[0]
    try:
        article = loader.load_article(Path(path), _REGISTRY[0])
    except KgbuildError as exc:
        return _Failed.of(exc)
    graph = iris.graph(article.id).value
    key = build_key(article, iris)
    if _EXISTING.get(graph) == key:
        return _Mapped(article.id, graph, None, 0)
    lines = map_article_lines(article, iris)
    stats = graphstats.count_lines(lines, graph, iris.base)
    lines.append("")
    return _Mapped(article.id, graph, " .\n".join(lines).encode("utf-8"), len(lines) - 1, key,
                   stats.pack() if stats is not None else None)


class _Files:
    """The article files as one string: 100,000 Path objects cost 76 MB, as many str 18 MB, and each
    worker, forked from the parent, holds a copy of what the parent holds then."""

    def __init__(self, paths: Iterable[Path]):
        names = [str(p) for p in paths]
        self.text = "\0".join(names)  # no path holds a NUL
        self.starts = array("q", itertools.accumulate((len(n) + 1 for n in names), initial=0))

    def __len__(self) -> int:
        return len(self.starts) - 1

    def __iter__(self) -> Iterator[str]:
        return itertools.chain.from_iterable(self.chunks(1024))

    def chunks(self, size: int) -> Iterator[list[str]]:
        for i in range(0, len(self), size):
            yield self.text[self.starts[i]:self.starts[min(i + size, len(self))] - 1].split("\0")


def _map_chunk(jobs: list[str]) -> list[_Mapped | _Failed]:
    return [_map_one(job) for job in jobs]


def _mapped(jobs: _Files, registry: Registry, existing: dict[str, str],
            base: str, workers: int) -> Generator[_Mapped | _Failed, None, None]:
    """Results in job order. The pool starts (and forks) before this returns, with a bounded window of tasks."""
    if workers <= 1 or len(jobs) < SERIAL_BELOW:
        _init_worker(registry, existing, base)

        def serial() -> Generator[_Mapped | _Failed, None, None]:
            try:
                yield from map(_map_one, jobs)
            finally:
                _init_worker(None, {}, base)

        return serial()
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(registry, existing, base))
    chunks = jobs.chunks(CHUNK)
    window: deque[Future[list[_Mapped | _Failed]]] = deque(
        pool.submit(_map_chunk, chunk) for chunk in itertools.islice(chunks, workers * IN_FLIGHT_PER_WORKER))

    def ordered() -> Generator[_Mapped | _Failed, None, None]:
        try:
            while window:
                done = window.popleft().result()
                following = next(chunks, None)
                if following is not None:
                    window.append(pool.submit(_map_chunk, following))
                yield from done
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    return ordered()


# ---------------------------------------------------------------- the parent's side
class _Changes:
    """Walks the results in file order: raises the first error, reports progress and duplicates,
    records built and skipped articles, keeps their counts in `cache`, and yields (graph, N-Quads)
    of each changed article."""

    def __init__(self, results: Iterator[_Mapped | _Failed], files: _Files, report: BuildReport,
                 progress: Callable[[int, int], None] | None, cache: graphstats.StatsCache | None):
        self.results, self.files, self.report, self.progress, self.cache = results, files, report, progress, cache
        self.ids = ArticleIds()
        self.uncounted: list[str] = []  # built graphs without counts in `cache` (an article with blank nodes)

    def __iter__(self) -> Iterator[tuple[str, bytes]]:
        total = len(self.files)
        for i, (path, result) in enumerate(zip(self.files, self.results, strict=True), 1):
            if isinstance(result, _Failed):
                raise result.exception()
            if self.progress:
                self.progress(i, total)
            duplicate = self.ids.check(result.aid, path)  # keeps the str: no Path per article
            if duplicate is not None:
                raise duplicate
            if result.nquads is None:
                self.report.skipped.append(result.aid)
                continue
            self.report.built.append(result.aid)
            self.report.quads += result.count
            if self.cache is not None and result.stats is not None:
                self.cache.put(result.graph, result.key, result.stats)
            else:
                self.uncounted.append(result.graph)
            yield result.graph, result.nquads
        if self.cache is not None:
            self.cache.flush()


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


def _shared_graphs(registry: Registry, iris: Iris) -> dict[str, bytes]:
    """The corpus-wide graphs, as N-Quads: the ontology and the registry's entity descriptions."""
    return {iris.ontology_graph().value: as_nquads(ontology_quads(iris)),
            iris.registry_graph().value: as_nquads(map_registry(registry, iris))}


def build(
    paths: Iterable[Path] = (),
    *,
    store: KgStore,
    base: str | None = None,
    workers: int | None = None,
    prune: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> BuildReport:
    """Build or update `store` from annotation files (default: the project's data/).

    `base` (default: the base the store was built with, else the default base) mints the IRIs;
    the build records it in the store, and a store keeps the base it was first built with.
    """
    started = time.perf_counter()
    recorded = store.recorded_base()
    if base and recorded and base != recorded:
        raise KgbuildError(f"the store at {store.path or 'memory'} was built with base IRI {recorded}, not {base}; "
                           f"build again with --base {recorded} (or without --base), or into a new --store")
    iris = Iris(base or recorded or DEFAULT_BASE)
    corpus = one_corpus(paths)
    files = _Files(corpus.files)
    corpus.files.clear()
    registry = corpus.registry
    existing = store.graph_hashes()
    fresh = store.is_empty()
    report = BuildReport(bulk=fresh)
    n_workers = workers if workers is not None else (os.cpu_count() or 1)
    report.seconds["prepare"] = time.perf_counter() - started
    results = _mapped(files, registry, existing, iris.base, n_workers)
    counts = graphstats.StatsCache.of(store)
    if fresh and counts is not None:
        counts.clear()  # then it holds the counts of exactly the graphs this build writes
    changes = _Changes(results, files, report, progress, counts)
    # Made when first needed, while the workers map; a broken ontology still fails before the store changes.
    shared = cache(lambda: _shared_graphs(registry, iris))
    try:
        _write(store, changes, fresh=fresh, existing=existing, prune=prune, shared=shared, iris=iris, report=report)
    finally:
        results.close()  # stops the pool at once if writing failed
        if counts is not None:
            counts.close()
    t = time.perf_counter()
    # A fresh build knows which graphs it counted: the description reads only the others from the store.
    uncounted = [ox.NamedNode(g) for g in [*changes.uncounted, *shared()]] if fresh and counts is not None else None
    if report.changed or not store.has_graph(void.void_graph(iris)):
        void.refresh(store, iris, uncounted=uncounted)  # VoID/DCAT self-description of the store as it now is
        store.flush()
        store.mark_generation()  # a read-only `kgbuild serve` of this store re-opens it now
    report.seconds["describe"] = time.perf_counter() - t
    report.seconds["total"] = time.perf_counter() - started
    return report


def _write(store: KgStore, changes: _Changes, *, fresh: bool, existing: dict[str, str], prune: bool,
           shared: Callable[[], dict[str, bytes]], iris: Iris, report: BuildReport) -> None:
    t = time.perf_counter()
    if fresh:
        staging.load_and_swap(store, itertools.chain((nquads for _, nquads in changes), _values(shared)))
        report.seconds["map+load"] = time.perf_counter() - t
    else:
        with tempfile.TemporaryDirectory(prefix="kgbuild-") as tmp, open(Path(tmp) / "changed.nq", "w+b") as spool:
            staged: list[tuple[str, int, int]] = []  # (graph, offset, length) in the spool
            for graph, nquads in changes:
                staged.append((graph, spool.tell(), len(nquads)))
                spool.write(nquads)
            report.seconds["map"] = time.perf_counter() - t
            t = time.perf_counter()
            # Everything validated and mapped: now, and only now, write.
            built_graphs = {iris.graph(aid).value for aid in changes.ids.seen} | set(shared())
            removed = sorted(g for g in existing if g not in built_graphs) if prune else []
            # The VoID description goes before anything changes and comes back last (build() describes the
            # store anew): a build killed in between leaves none, so the next one does not keep a stale one.
            described = void.void_graph(iris)
            if len(staged) >= RESTAGE_MIN and len(staged) >= RESTAGE_FRACTION * len(existing):
                report.bulk = True
                _restage(store, spool, {g for g, _, _ in staged} | set(removed) | {described.value}, shared())
            else:
                changed_shared = {g: n for g, n in shared().items() if not store.holds_graph(g, n)}
                if staged or removed or changed_shared:
                    store.drop_graph(described)
                for graph, nquads in changed_shared.items():
                    store.replace_graph_nquads(graph, nquads)
                    report.shared.append(graph)
                for graph, offset, length in staged:
                    spool.seek(offset)
                    store.replace_graph_nquads(graph, spool.read(length))
                for graph in removed:
                    store.drop_graph(ox.NamedNode(graph))
            report.removed.extend(removed)
            report.seconds["write"] = time.perf_counter() - t


def _values(shared: Callable[[], dict[str, bytes]]) -> Iterator[bytes]:
    yield from shared().values()


def _restage(store: KgStore, spool: BinaryIO, replaced: set[str], shared: dict[str, bytes]) -> None:
    """Rebuild the whole store beside it: the changed articles, every other graph as it is, new shared graphs."""
    replaced = replaced | set(shared)
    keep = [g for g in store.graph_names() if g.value not in replaced]

    def chunks() -> Iterator[bytes]:
        yield from staging.file_chunks(spool)
        for graph in keep:
            yield store.dump_graph(graph)
        yield store.dump_graph(ox.DefaultGraph())
        yield from shared.values()

    staging.load_and_swap(store, chunks())
