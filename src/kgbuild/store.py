"""The embedded, on-disk Oxigraph store: named graphs in, SPARQL and dumps out.

Knows quads and graphs, nothing about annotations. Article graphs are replaced
atomically (one SPARQL update drops and re-inserts), so a reader never sees half
an article and a rebuild never duplicates one.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from .errors import StoreError
from .vocab import KG

DEFAULT_STORE = Path(".kgbuild") / "store"
STORE_ENV = "KGBUILD_STORE"


def default_store_path() -> Path:
    """$KGBUILD_STORE, else .kgbuild/store under the current directory."""
    return Path(os.environ.get(STORE_ENV) or DEFAULT_STORE)


def _ntriples(quads: Iterable[ox.Quad]) -> str:
    data = ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in quads), format=ox.RdfFormat.N_TRIPLES)
    assert data is not None  # serialize returns bytes when no output is given
    return data.decode("utf-8")


class KgStore:
    """A kgbuild store on disk (or in memory when `path` is None)."""

    def __init__(self, path: Path | str | None = None, *, read_only: bool = False):
        self.path = Path(path) if path is not None else None
        try:
            if self.path is None:
                self.store = ox.Store()
            elif read_only:
                if not self.path.is_dir():
                    raise StoreError(f"no store at {self.path}; run `kgbuild build` first")
                self.store = ox.Store.read_only(str(self.path))
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.store = ox.Store(str(self.path))
        except OSError as exc:
            hint = " (another kgbuild process may hold it: stop it, or open read-only)" if "lock" in str(exc).lower() else ""
            raise StoreError(f"cannot open store at {self.path}: {exc}{hint}") from None

    # ------------------------------------------------------------ reading
    def graphs(self) -> list[ox.NamedNode]:
        return sorted((g for g in self.store.named_graphs() if isinstance(g, ox.NamedNode)), key=lambda g: g.value)

    def is_empty(self) -> bool:
        return next(iter(self.store.named_graphs()), None) is None and next(iter(self.store), None) is None

    def graph_hashes(self) -> dict[str, str]:
        """Named graph IRI -> the kg:sourceHash its article was built from."""
        rows = self.select(f"SELECT ?g ?h WHERE {{ GRAPH ?g {{ ?a <{KG}sourceHash> ?h }} }}")
        return {row["g"].value: row["h"].value for row in rows}

    def quads(self, graph: ox.NamedNode | None = None) -> Iterator[ox.Quad]:
        return iter(self.store.quads_for_pattern(None, None, None, graph))

    def __len__(self) -> int:
        return len(self.store)

    def query(
        self,
        sparql: str,
        *,
        substitutions: dict[ox.Variable, ox.NamedNode | ox.Literal] | None = None,
        prefixes: dict[str, str] | None = None,
        default_graph: list[ox.NamedNode | ox.DefaultGraph] | None = None,
        named_graphs: list[ox.NamedNode] | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """SPARQL over the union of all graphs, unless the caller names the default graph."""
        return self.store.query(
            sparql,
            substitutions=substitutions,  # type: ignore[arg-type]
            prefixes=prefixes,
            use_default_graph_as_union=default_graph is None,
            default_graph=default_graph,  # type: ignore[arg-type]
            named_graphs=named_graphs,  # type: ignore[arg-type]
        )

    def select(self, sparql: str) -> ox.QuerySolutions:
        """A SELECT query's solutions (raises if `sparql` is not a SELECT)."""
        result = self.query(sparql)
        if not isinstance(result, ox.QuerySolutions):
            raise TypeError("expected a SELECT query")
        return result

    # ------------------------------------------------------------ writing
    def replace_graph(self, graph: ox.NamedNode, quads: Iterable[ox.Quad]) -> None:
        """Swap a named graph's content in one transaction."""
        body = _ntriples(quads)
        update = f"DROP SILENT GRAPH <{graph.value}> ;\nINSERT DATA {{ GRAPH <{graph.value}> {{\n{body}}} }}"
        self.store.update(update)

    def drop_graph(self, graph: ox.NamedNode) -> None:
        self.store.update(f"DROP SILENT GRAPH <{graph.value}>")

    def bulk_load_nquads(self, path: Path) -> None:
        """Fast path for a fresh store: Oxigraph's bulk loader straight from an N-Quads file."""
        self.store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)

    def flush(self) -> None:
        if self.path is not None:
            self.store.flush()
