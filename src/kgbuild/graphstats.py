"""Counts for the VoID description, kept per graph and combined in bounded memory.

A COUNT(DISTINCT) over the whole store holds every distinct subject and object at once
(1.15 GB at 100,000 articles). Instead each named graph is counted on its own, when the
build maps an article (the workers do it) or, for a graph the build did not map (the
ontology, the registry, graphs written over the Graph Store Protocol), from the store;
`combine` then adds the graphs up:

* A *local* term is an IRI under `<base>article/<id>`: the mapper mints those for the
  article whose graph is `<base>graph/<id>`, its *home*. Local terms are counted as
  numbers, in their home graph only.
* Every other term (registry entities, vocabulary, literals) is *pooled*: the graph keeps
  the 128-bit BLAKE2b digest of each distinct one. `combine` merges the pools of all graphs
  in hash-partitioned buckets (on disk past BUCKET_BYTES each), so one bucket's digests
  at a time are in memory. Oxigraph identifies strings by 128-bit (SipHash) digests too.
* A local term named by another graph (one article pointing into another's, a graph
  written by hand) is kept by name, and `combine` asks the store whether its home graph
  holds it in the same position: if so it is counted there already.

So the totals equal COUNT(DISTINCT) over the store, with literals counted as the store
holds them: Oxigraph stores typed literals by value ("007"^^xsd:nonNegativeInteger
becomes "7"^^xsd:integer), so a mapped article's typed literals are first put through
an in-memory Oxigraph store.

`StatsCache` keeps each graph's counts beside the store (`STORE.void-stats.sqlite`,
SQLite: transactional, in the standard library), keyed by the graph's kg:sourceHash: an
incremental build counts only the articles it maps; a graph whose key no longer matches
(or that has none) is counted from the store again, so the cache can never make the
description wrong, only slower. Memory grows with the largest single graph, not with the store.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import tempfile
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

import pyoxigraph as ox

from .store import KgStore
from .vocab import KGNS

VERSION = "1"  # part of each cached key: bump it when what GraphStats holds changes
DIGEST = 16  # bytes per pooled term
ENTITY, SUBJECT, OBJECT = "e", "s", "o"  # pools of subjects under the base IRI, other subjects, objects;
# the pool of a class's instances is named by the class IRI (which has a scheme, so cannot be one of these)
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
BUCKETS = 256  # digest partitions in `combine` (by the first byte of the digest)
BUCKET_BYTES = 1 << 15  # a bucket's records are written out past this


@dataclass
class GraphStats:
    """What one named graph adds to the description."""

    triples: Counter[str] = field(default_factory=Counter)  # predicate IRI -> triples in this graph
    subjects: int = 0  # distinct local subjects (all are entities: local terms are under the base IRI)
    objects: int = 0  # distinct local objects
    classes: Counter[str] = field(default_factory=Counter)  # class IRI -> distinct local instances
    pools: dict[str, bytes] = field(default_factory=dict)  # pool -> digests of its other distinct terms
    homed: list[tuple[str, str]] = field(default_factory=list)  # (pool, IRI) of terms local to another graph

    def pack(self) -> tuple[bytes, bytes]:
        """(compressed JSON of the counts, the digests): the cache's row, and what a worker sends back."""
        pools = sorted(self.pools.items())
        head = {"t": self.triples, "s": self.subjects, "o": self.objects, "c": self.classes,
                "p": [[name, len(blob) // DIGEST] for name, blob in pools], "h": self.homed}
        return zlib.compress(json.dumps(head, separators=(",", ":")).encode("utf-8")), b"".join(b for _, b in pools)

    @classmethod
    def unpack(cls, head: bytes, digests: bytes) -> GraphStats:
        data = json.loads(zlib.decompress(head))
        pools, at = {}, 0
        for name, n in data["p"]:
            pools[name] = digests[at:at + n * DIGEST]
            at += n * DIGEST
        return cls(Counter(data["t"]), data["s"], data["o"], Counter(data["c"]), pools,
                   [(pool, iri) for pool, iri in data["h"]])


def digest(term: str) -> bytes:
    return hashlib.blake2b(term.encode("utf-8"), digest_size=DIGEST).digest()


class _StoredForm:
    """A typed literal as the store will hold it (cached: a build sees the same offsets and dates again and again)."""

    def __init__(self, limit: int = 200_000):
        self.limit = limit
        self.cache: dict[str, str] = {}

    def __call__(self, term: str) -> str:
        """`term`, a typed literal in N-Triples form, as the store will write it."""
        hit = self.cache.get(term)
        if hit is None:
            probe = KgStore()  # in memory
            probe.load(f"<urn:x:s> <urn:x:p> {term} .\n".encode(), ox.RdfFormat.N_TRIPLES)
            hit = str(next(probe.quads()).object)
            if len(self.cache) >= self.limit:
                self.cache.clear()
            self.cache[term] = hit
        return hit


_STORED_FORM = _StoredForm()


def home_graph(iri: str, base: str) -> str | None:
    """The graph an IRI (in N-Triples form, <...>) is local to: <base>article/<id>... -> <base>graph/<id>."""
    prefix = "<" + base + "article/"
    if not iri.startswith(prefix):
        return None
    end = len(iri) - 1
    for sep in "/#":
        at = iri.find(sep, len(prefix))
        if at != -1:
            end = min(end, at)
    return base + "graph/" + iri[len(prefix):end]


def count(triples: list[tuple[str, str, str]], graph: str, base: str) -> GraphStats:
    """Count one graph from its distinct triples, each term in N-Triples form as the store holds it.

    Each distinct term is looked at once (a build counts every article: this is on its hot path).
    """
    graph_ns = base + "graph/"
    own = "<" + base + "article/" + graph[len(graph_ns):] if graph.startswith(graph_ns) else None
    inside = (own + "/", own + "#") if own is not None else ()
    whole = own + ">" if own is not None else None
    article_ns = "<" + base + "article/"
    ours = "<" + base
    pools: defaultdict[str, set[str]] = defaultdict(set)
    homed: set[tuple[str, str]] = set()

    def local(terms: Iterable[str], pool_of: Callable[[str], str]) -> int:
        """How many of `terms` are local; the others go to their pool."""
        n = 0
        for term in terms:
            if term == whole or (inside and term.startswith(inside)):
                n += 1
            elif term.startswith(article_ns):
                homed.add((pool_of(term), term[1:-1]))
            else:
                pools[pool_of(term)].add(term)
        return n

    by_predicate = Counter(map(itemgetter(1), triples))
    subjects = local(set(map(itemgetter(0), triples)), lambda s: ENTITY if s.startswith(ours) else SUBJECT)
    objects = local(set(map(itemgetter(2), triples)), lambda _: OBJECT)
    typed: defaultdict[str, set[str]] = defaultdict(set)
    for o, s in [(o, s) for s, p, o in triples if p == RDF_TYPE]:
        if o[0] == "<" and o[1] != "<":  # a class IRI, not a triple term
            typed[o[1:-1]].add(s)
    classes = Counter({c: n for c, members in typed.items() if (n := local(members, lambda _, c=c: c))})
    return GraphStats(Counter({p[1:-1]: n for p, n in by_predicate.items()}), subjects, objects, classes,
                      {name: b"".join(sorted(map(digest, terms))) for name, terms in pools.items()}, sorted(homed))


def count_lines(lines: list[str], graph: str, base: str) -> GraphStats | None:
    """Count a mapped article from its N-Quads statements (`str(quad)`, all in `graph`).

    Typed literals are put in the store's form first (and triples that become the same
    dropped). None if the article has blank nodes: the store relabels those, so its graph
    is counted from the store instead.
    """
    lines = list(dict.fromkeys(lines))  # the store holds a statement once
    suffix = f" <{graph}>"
    if not all(line.endswith(suffix) for line in lines):
        raise ValueError(f"not every statement is in {graph}")
    cut = -len(suffix)
    # Subjects and predicates hold no space: the object is the rest of the line.
    triples = [(s, p, rest[:cut]) for s, p, rest in (line.split(" ", 2) for line in lines)]
    if any(s[0] == "_" or o[0] == "_" for s, _, o in triples):
        return None
    typed = {o for _, _, o in triples if o[0] == '"' and o[-1] == ">"}
    stored = {o: _STORED_FORM(o) for o in typed}
    stored = {o: n for o, n in stored.items() if o != n}
    if stored:
        triples = [(s, p, stored.get(o, o)) for s, p, o in triples]
        if len(set(stored.values()) | (typed - stored.keys())) < len(typed):  # two forms of one value
            triples = list(dict.fromkeys(triples))
    return count(triples, graph, base)


def count_stored(store: KgStore, graph: ox.NamedNode, base: str) -> GraphStats:
    """Count a graph as the store holds it."""
    return count([(str(q.subject), str(q.predicate), str(q.object)) for q in store.quads(graph)], graph.value, base)


# ---------------------------------------------------------------- the store's totals
@dataclass
class Totals:
    triples: Counter[str]  # predicate IRI -> triples, summed over graphs
    subjects: int
    entities: int  # distinct subjects that are IRIs under the base IRI
    objects: int
    classes: Counter[str]  # class IRI -> distinct instances


def _held(store: KgStore, pool: str, iri: str, graph: str) -> bool:
    """Whether `graph` holds `iri` where the pool counts it (subject, object, or instance of a class)."""
    term, g = ox.NamedNode(iri), ox.NamedNode(graph)
    if pool in (ENTITY, SUBJECT):
        pattern = (term, None, None, g)
    elif pool == OBJECT:
        pattern = (None, None, term, g)
    else:
        pattern = (term, ox.NamedNode(RDF_TYPE[1:-1]), ox.NamedNode(pool), g)
    return next(store.match(*pattern), None) is not None


class _Buckets:
    """Pooled digests, tagged with their pool, partitioned by digest; spilled to files past BUCKET_BYTES."""

    RECORD = 2 + DIGEST

    def __init__(self, folder: Path):
        self.folder = folder
        self.tags: dict[str, bytes] = {}
        self.buffers = [bytearray() for _ in range(BUCKETS)]
        self.spilled: set[int] = set()

    def add(self, name: str, digests: bytes) -> None:
        tag = self.tags.get(name)
        if tag is None:
            tag = self.tags[name] = len(self.tags).to_bytes(2, "big")
        buffers = self.buffers
        for at in range(0, len(digests), DIGEST):
            d = digests[at:at + DIGEST]
            buf = buffers[d[0]]
            buf += tag
            buf += d
            if len(buf) >= BUCKET_BYTES:
                self._spill(d[0])

    def _spill(self, b: int) -> None:
        with open(self.folder / str(b), "ab") as f:
            f.write(self.buffers[b])
        self.buffers[b] = bytearray()
        self.spilled.add(b)

    def distinct(self) -> Counter[str]:
        """Distinct digests per pool, one bucket in memory at a time."""
        names = {tag: name for name, tag in self.tags.items()}
        counts: Counter[bytes] = Counter()
        size = self.RECORD
        for b in range(BUCKETS):
            data = bytes(self.buffers[b])
            self.buffers[b] = bytearray()
            if b in self.spilled:
                data = (self.folder / str(b)).read_bytes() + data
            records = {data[at:at + size] for at in range(0, len(data), size)}
            counts.update(r[:2] for r in records)
        return Counter({names[tag]: n for tag, n in counts.items()})


def combine(graphs: Iterable[GraphStats], store: KgStore, base: str) -> Totals:
    """The store's totals from its graphs' counts; asks `store` only about terms local to another graph."""
    triples: Counter[str] = Counter()
    classes: Counter[str] = Counter()
    subjects = objects = 0
    homed: set[tuple[str, str]] = set()
    with tempfile.TemporaryDirectory(prefix="kgbuild-void-") as tmp:
        buckets = _Buckets(Path(tmp))
        for stats in graphs:
            triples.update(stats.triples)
            classes.update(stats.classes)
            subjects += stats.subjects
            objects += stats.objects
            for name, digests in stats.pools.items():
                buckets.add(name, digests)
            homed.update(stats.homed)
        for pool, iri in homed:
            home = home_graph(f"<{iri}>", base)
            if home is None or not _held(store, pool, iri, home):
                buckets.add(pool, digest(f"<{iri}>"))
        pooled = buckets.distinct()
    classes.update({c: n for c, n in pooled.items() if c not in (ENTITY, SUBJECT, OBJECT)})
    return Totals(+triples, subjects + pooled[ENTITY] + pooled[SUBJECT], subjects + pooled[ENTITY],
                  objects + pooled[OBJECT], +classes)


# ---------------------------------------------------------------- kept beside the store
class StatsCache:
    """Each graph's counts, beside the store in STORE.void-stats.sqlite, keyed by the graph's kg:sourceHash."""

    SUFFIX = ".void-stats.sqlite"
    BATCH = 500  # rows per transaction

    def __init__(self, path: Path, *, read_only: bool = False):
        self.read_only = read_only
        uri = f"{path.resolve().as_uri()}?mode={'ro' if read_only else 'rwc'}"
        # The build's spooler thread writes while the main thread waits: one thread at a time.
        self.db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        if not read_only:
            self.db.execute("CREATE TABLE IF NOT EXISTS graph_stats (graph TEXT PRIMARY KEY, key TEXT NOT NULL, "
                            "head BLOB NOT NULL, digests BLOB NOT NULL)")
            self.db.commit()
        self.pending: list[tuple[str, str, bytes, bytes]] = []

    @classmethod
    def of(cls, store: KgStore) -> StatsCache | None:
        """The cache of an on-disk store (None for an in-memory store, or a read-only one without a cache)."""
        if store.path is None:
            return None
        path = store.path.with_name(store.path.name + cls.SUFFIX)
        if store.read_only and not path.is_file():
            return None
        try:
            return cls(path, read_only=store.read_only)
        except sqlite3.Error:
            return None  # unreadable: every graph is counted from the store

    def put(self, graph: str, source_hash: str, packed: tuple[bytes, bytes]) -> None:
        self.pending.append((graph, f"{VERSION}:{source_hash}", *packed))
        if len(self.pending) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        if self.pending and not self.read_only:
            with self.db:
                self.db.executemany("INSERT OR REPLACE INTO graph_stats VALUES (?, ?, ?, ?)", self.pending)
        self.pending.clear()

    def rows(self) -> Iterator[tuple[str, str, bytes, bytes]]:
        try:
            yield from self.db.execute("SELECT graph, key, head, digests FROM graph_stats")
        except sqlite3.OperationalError:  # a read-only cache made by an older kgbuild, or none yet
            return

    def clear(self) -> None:
        """Forget every graph's counts (a build into an empty store: none can be one of its graphs)."""
        if not self.read_only:
            with self.db:
                self.db.execute("DELETE FROM graph_stats")

    def forget(self, graphs: Iterable[str]) -> None:
        if not self.read_only:
            with self.db:
                self.db.executemany("DELETE FROM graph_stats WHERE graph = ?", ((g,) for g in graphs))

    def close(self) -> None:
        self.flush()
        self.db.close()


def store_totals(store: KgStore, base: str, *, leave_out: ox.NamedNode,
                 uncounted: Sequence[ox.NamedNode] | None = None) -> Totals:
    """The totals of every named graph of `store` but `leave_out`: cached counts where the graph's
    kg:sourceHash matches, counted from the store (and cached) where not.

    `uncounted` comes from a build that cleared the cache and then filled an empty store: the cache
    holds the counts of exactly the store's other graphs, so only these are read from the store.
    Checking every cached count decodes each graph's name and kg:sourceHash, and at 100,000 articles
    those random lookups fill Oxigraph's 128 MB cache of strings (the build's peak memory).
    """
    cache = StatsCache.of(store)
    trusted = uncounted is not None and cache is not None  # every cached row is a graph of the store
    keys = {} if trusted else store.graph_hashes()
    graphs = list(uncounted or ()) if trusted else [g for g in store.graphs() if g != leave_out]
    names = set() if trusted else {g.value for g in graphs}

    def key_of(graph: ox.NamedNode) -> str | None:
        if not trusted:
            return keys.get(graph.value)
        marked = next(store.match(None, KGNS.sourceHash, None, graph), None)  # the registry's graph has a key
        return marked.object.value if marked is not None else None

    def each() -> Iterator[GraphStats]:
        found: set[str] = set()
        stale: list[str] = []
        for graph, key, head, digests in cache.rows() if cache else ():
            if trusted:
                yield GraphStats.unpack(head, digests)
            elif graph in names and graph in keys and key == f"{VERSION}:{keys[graph]}":
                found.add(graph)
                yield GraphStats.unpack(head, digests)
            else:
                stale.append(graph)
        if cache is not None:
            cache.forget(stale)
        for g in graphs:
            if g.value not in found:
                stats = count_stored(store, g, base)
                key = key_of(g)
                if cache is not None and key is not None:
                    cache.put(g.value, key, stats.pack())
                yield stats

    try:
        return combine(each(), store, base)
    finally:
        if cache is not None:
            cache.close()
