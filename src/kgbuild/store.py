"""The embedded, on-disk Oxigraph store, and the only way to reach it: named graphs in, SPARQL and dumps out.

Knows quads and graphs, nothing about annotations. The pyoxigraph store is private:
everything else goes through KgStore, so the union-default-graph rule, the mapping of
pyoxigraph's errors and the staging protocol each live in one place.

Article graphs are replaced atomically (one SPARQL update drops and re-inserts), so a
reader never sees half an article and a rebuild never duplicates one. Large loads go to
a staging store beside this one and are swapped in whole (staging.py).

A finished build leaves a *generation stamp* (`kgbuild.generation`, a new random
token each time) inside the store folder. Read-only readers open a snapshot of the
store; `kgbuild serve` watches the stamp and re-opens the store when it changes, so
it serves a build's data as soon as the build is done and never a build in progress.
"""
from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from . import staging
from .errors import SparqlSyntaxError, StoreError
from .paths import atomic_write
from .sparqltext import has_dataset_clause
from .vocab import DEFAULT_BASE, KG

DEFAULT_STORE = Path(".kgbuild") / "store"
STORE_ENV = "KGBUILD_STORE"
GENERATION_FILE = "kgbuild.generation"  # in the store folder; RocksDB leaves files it did not make alone
# The base IRI a build used, as its VoID description records it: <BASE>graph/void says void:uriSpace "BASE".
_RECORDED_BASE = """SELECT ?b WHERE { GRAPH ?g { ?d <http://rdfs.org/ns/void#uriSpace> ?b }
  FILTER(isLiteral(?b) && STR(?g) = CONCAT(STR(?b), "graph/void")) } LIMIT 1"""
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph
Result = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


def default_store_path() -> Path:
    """$KGBUILD_STORE, else .kgbuild/store under the current directory."""
    return Path(os.environ.get(STORE_ENV) or DEFAULT_STORE)


def _ntriples(quads: Iterable[ox.Quad]) -> str:
    data = ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in quads), format=ox.RdfFormat.N_TRIPLES)
    assert data is not None  # serialize returns bytes when no output is given
    return data.decode("utf-8")


def as_nquads(quads: Iterable[ox.Quad]) -> bytes:
    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    assert data is not None  # serialize returns bytes when no output is given
    return data


def canonical(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """Sorted, distinct quads; blank nodes (the ontology's class expressions) get RDFC-1.0 labels.

    The store relabels blank nodes on load, so without this two builds would differ.
    """
    items = set(quads)
    if any(isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode) for q in items):
        dataset = ox.Dataset(items)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        items = set(dataset)
    return sorted(items, key=str)


def generation_stamp(path: Path) -> tuple[str | None, int | None]:
    """What identifies the store at `path` now: its generation stamp and its folder's inode (a swap changes it)."""
    try:
        inode: int | None = path.stat().st_ino
    except OSError:
        inode = None
    try:
        stamp: str | None = (path / GENERATION_FILE).read_text("ascii").strip()
    except (OSError, UnicodeDecodeError):
        stamp = None
    return stamp, inode


class KgStore:
    """A kgbuild store on disk (or in memory when `path` is None)."""

    def __init__(self, path: Path | str | None = None, *, read_only: bool = False):
        self.path = Path(path) if path is not None else None
        self.read_only = read_only
        try:
            if self.path is None:
                self._store: ox.Store | None = ox.Store()
            elif read_only:
                if not self.path.is_dir():
                    raise StoreError(f"no store at {self.path}; run `kgbuild build` first")
                self._store = ox.Store.read_only(str(self.path))
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                staging.recover(self.path)
                self._store = ox.Store(str(self.path))
        except OSError as exc:
            hint = " (another kgbuild process may hold it: stop it, or open read-only)" if "lock" in str(exc).lower() else ""
            raise StoreError(f"cannot open store at {self.path}: {exc}{hint}") from None

    @property
    def _db(self) -> ox.Store:
        if self._store is None:
            raise StoreError(f"the store at {self.path or 'memory'} is closed")
        return self._store

    # ------------------------------------------------------------ reading
    def graphs(self) -> list[ox.NamedNode]:
        """The named graphs with IRIs, sorted."""
        return sorted((g for g in self._db.named_graphs() if isinstance(g, ox.NamedNode)), key=lambda g: g.value)

    def graph_names(self) -> Iterator[ox.NamedNode | ox.BlankNode]:
        """Every named graph, blank-node names included, in the store's order."""
        return iter(self._db.named_graphs())

    def has_graph(self, graph: GraphName) -> bool:
        """Whether the named graph exists (the default graph always does)."""
        return isinstance(graph, ox.DefaultGraph) or self._db.contains_named_graph(graph)

    def is_empty(self) -> bool:
        return next(iter(self._db.named_graphs()), None) is None and next(iter(self._db), None) is None

    def graph_hashes(self) -> dict[str, str]:
        """Named graph IRI -> the kg:sourceHash its article was built from."""
        rows = self.select(f"SELECT ?g ?h WHERE {{ GRAPH ?g {{ ?a <{KG}sourceHash> ?h }} }}")
        return {row["g"].value: row["h"].value for row in rows}

    def recorded_base(self) -> str | None:
        """The base IRI the build of this store minted its IRIs under (None before a build described it)."""
        for row in self.select(_RECORDED_BASE):
            return str(row["b"].value)
        return None

    @property
    def base(self) -> str:
        """The store's base IRI: what its build recorded, else the default base. Serve, export and bundle read it."""
        return self.recorded_base() or DEFAULT_BASE

    def quads(self, graph: GraphName | None = None) -> Iterator[ox.Quad]:
        """Every quad, or one graph's."""
        return iter(self._db.quads_for_pattern(None, None, None, graph))

    def match(self, subject: ox.NamedNode | ox.BlankNode | ox.Triple | None = None,
              predicate: ox.NamedNode | None = None, object: Term | None = None,  # noqa: A002
              graph: GraphName | None = None) -> Iterator[ox.Quad]:
        """The quads that fit a pattern (None matches anything; graph None means every graph)."""
        return iter(self._db.quads_for_pattern(subject, predicate, object, graph))

    def __len__(self) -> int:
        return len(self._db)

    def __contains__(self, quad: ox.Quad) -> bool:
        return quad in self._db

    def query(
        self,
        sparql: str,
        *,
        substitutions: dict[ox.Variable, ox.NamedNode | ox.Literal] | None = None,
        prefixes: dict[str, str] | None = None,
        default_graph: list[ox.NamedNode | ox.DefaultGraph] | None = None,
        named_graphs: list[ox.NamedNode] | None = None,
        base_iri: str | None = None,
    ) -> Result:
        """SPARQL over the union of all graphs, unless the caller or the query (FROM) names the dataset.

        The one place of that rule: pyoxigraph's union flag would override a query's own FROM,
        and an explicit dataset (the protocol's default-graph-uri) replaces both. A syntax
        error raises SparqlSyntaxError; errors while the answer is read come from the result.
        """
        try:
            return self._db.query(
                sparql,
                substitutions=substitutions,  # type: ignore[arg-type]
                prefixes=prefixes,
                base_iri=base_iri,
                use_default_graph_as_union=default_graph is None and not has_dataset_clause(sparql),
                default_graph=default_graph,  # type: ignore[arg-type]
                named_graphs=named_graphs,  # type: ignore[arg-type]
            )
        except SyntaxError as exc:
            raise SparqlSyntaxError(str(exc)) from None

    def select(self, sparql: str) -> ox.QuerySolutions:
        """A SELECT query's solutions (raises if `sparql` is not a SELECT)."""
        result = self.query(sparql)
        if not isinstance(result, ox.QuerySolutions):
            raise TypeError("expected a SELECT query")
        return result

    def dump(self, fmt: ox.RdfFormat, graph: GraphName | None = None) -> bytes:
        """The store (a dataset format) or one graph, as pyoxigraph writes it (unsorted: fast)."""
        data = self._db.dump(format=fmt, from_graph=graph) if graph is not None else self._db.dump(format=fmt)
        assert data is not None  # dump returns bytes when no output is given
        return data

    def dump_graph(self, graph: GraphName) -> bytes:
        """One graph as N-Quads, with its graph name on every line (none for the default graph)."""
        return as_nquads(self._db.quads_for_pattern(None, None, None, graph))

    # ------------------------------------------------------------ writing
    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """A SPARQL update, in one transaction; a syntax error raises SparqlSyntaxError, a storage one StoreError."""
        try:
            self._db.update(sparql, base_iri=base_iri)
        except SyntaxError as exc:
            raise SparqlSyntaxError(str(exc)) from None
        except OSError as exc:
            raise StoreError(f"the update failed: {exc}") from None

    def replace_graph(self, graph: ox.NamedNode | ox.DefaultGraph, quads: Iterable[ox.Quad]) -> None:
        """Make a graph hold exactly `quads` (their own graph names are ignored); a named graph exists afterwards."""
        if isinstance(graph, ox.DefaultGraph):
            self._db.clear_graph(graph)
            self._db.extend(ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads)
            return
        body = _ntriples(quads)
        self.update(f"DROP SILENT GRAPH <{graph.value}> ;\nINSERT DATA {{ GRAPH <{graph.value}> {{\n{body}}} }}")
        if not body:
            self._db.add_graph(graph)

    def add(self, quads: Iterable[ox.Quad], graph: ox.NamedNode | ox.DefaultGraph | None = None) -> None:
        """Add quads (into `graph` when given, which then exists even if `quads` is empty)."""
        if graph is None:
            self._db.extend(quads)
            return
        if isinstance(graph, ox.NamedNode):
            self._db.add_graph(graph)
        self._db.extend(ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads)

    def remove(self, quads: Iterable[ox.Quad]) -> None:
        for quad in list(quads):
            self._db.remove(quad)

    def replace_graph_nquads(self, graph: str, nquads: bytes) -> None:
        """Swap a named graph's content in one transaction, from N-Quads that are all in `graph`.

        The build's fast path: the mapper's N-Quads become the N-Triples of one
        INSERT DATA by dropping the graph term that ends every line (a literal
        cannot hold a raw line break, so the suffix only matches at line ends).
        """
        suffix = f" <{graph}> .\n"
        text = nquads.decode("utf-8")
        body = text.replace(suffix, " .\n")
        if body.count("\n") != text.count(suffix):
            raise StoreError(f"N-Quads for {graph} hold quads of another graph")
        self.update(f"DROP SILENT GRAPH <{graph}> ;\nINSERT DATA {{ GRAPH <{graph}> {{\n{body}}} }}")

    def holds_graph(self, graph: str, nquads: bytes) -> bool:
        """Whether `graph` is what storing these N-Quads would make it, up to blank node labels.

        Compared as stored (Oxigraph normalises some literals, e.g. xsd:nonNegativeInteger)
        and canonicalised (a SPARQL update mints its own blank nodes).
        """
        probe = KgStore()
        probe.load(nquads, ox.RdfFormat.N_QUADS)
        name = ox.NamedNode(graph)
        return canonical(self.quads(name)) == canonical(probe.quads(name))

    def drop_graph(self, graph: ox.NamedNode | ox.DefaultGraph) -> bool:
        """Remove a named graph (the default graph: empty it); False when there was no such graph."""
        if isinstance(graph, ox.DefaultGraph):
            self._db.clear_graph(graph)
            return True
        if not self._db.contains_named_graph(graph):
            return False
        self._db.remove_graph(graph)
        return True

    def load(self, data: bytes | Path, fmt: ox.RdfFormat, *, graph: ox.NamedNode | None = None,
             base_iri: str | None = None) -> None:
        """Parse and add RDF in one transaction (triple formats into `graph`, else the default graph)."""
        source = {"path": str(data)} if isinstance(data, Path) else {"input": data}
        try:
            self._db.load(**source, format=fmt, to_graph=graph, base_iri=base_iri)  # type: ignore[arg-type]
        except SyntaxError as exc:
            raise SparqlSyntaxError(f"invalid {fmt.name}: {exc}") from None

    def bulk_load_nquads(self, data: bytes | Path) -> None:
        """Oxigraph's bulk loader (not transactional: for a fresh or staging store), from a file or bytes."""
        if isinstance(data, Path):
            self._db.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
        else:
            self._db.bulk_load(data, format=ox.RdfFormat.N_QUADS)

    def flush(self) -> None:
        if self.path is not None:
            self._db.flush()

    def mark_generation(self) -> str | None:
        """Record that a build finished (after `flush`): a new stamp, written atomically, for readers to notice."""
        if self.path is None:
            return None
        stamp = f"{time.time_ns()}-{secrets.token_hex(8)}"
        atomic_write(self.path / GENERATION_FILE, stamp + "\n")
        return stamp

    # ------------------------------------------------------------ staging and swapping (see staging.py)
    def close(self) -> None:
        """Release the database (on disk: its folder can then be renamed or removed)."""
        self._store = None

    def swap_in(self, staged: KgStore | Path) -> None:
        """Make the staged store this one: an in-memory store's contents move over; a closed store
        folder `staged` replaces this store's folder in one atomic step for anyone opening the path.
        Handles on the old store (this object's own is reopened) keep the old data.
        """
        if isinstance(staged, KgStore):
            self._store, staged._store = staged._db, None
            return
        assert self.path is not None
        self.close()  # nothing writes to the old folder any more
        try:
            staging.swap_folders(staged, self.path)
        finally:
            self._store = ox.Store(str(self.path))
