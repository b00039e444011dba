"""The embedded, on-disk Oxigraph store: named graphs in, SPARQL and dumps out.

Knows quads and graphs, nothing about annotations. Article graphs are replaced
atomically (one SPARQL update drops and re-inserts), so a reader never sees half
an article and a rebuild never duplicates one.

Large loads go to a *staging* store: a new store in a hidden folder beside this one
(`.NAME.staging-PID-XXXX`), filled by Oxigraph's bulk loader and then swapped in with
one atomic rename (Linux `renameat2(RENAME_EXCHANGE)`; elsewhere two renames, undone
on the next open if a crash falls between them). Oxigraph's bulk loader is not
transactional, so a process killed mid-load leaves only a staging folder, which the
next writer removes; the store itself never holds a partly loaded corpus.

A finished build leaves a *generation stamp* (`kgbuild.generation`, a new random
token each time) inside the store folder. Read-only readers open a snapshot of the
store; `kgbuild serve` watches the stamp and re-opens the store when it changes, so
it serves a build's data as soon as the build is done and never a build in progress.
"""
from __future__ import annotations

import ctypes
import errno
import os
import secrets
import shutil
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from .errors import StoreError
from .sparqltext import has_dataset_clause
from .vocab import KG

DEFAULT_STORE = Path(".kgbuild") / "store"
STORE_ENV = "KGBUILD_STORE"
GENERATION_FILE = "kgbuild.generation"  # in the store folder; RocksDB leaves files it did not make alone


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


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(err, os.strerror(err), str(a))


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class StagingStore:
    """A new, empty store beside a KgStore, filled off to the side and then swapped in whole.

    >>> staging = store.staging()                                  # doctest: +SKIP
    >>> staging.store.bulk_load(path="all.nq", format=ox.RdfFormat.N_QUADS)  # doctest: +SKIP
    >>> store.swap_in(staging)                                     # doctest: +SKIP
    """

    def __init__(self, path: Path | None):
        self.path = path
        self.store: ox.Store | None = ox.Store(str(path)) if path is not None else ox.Store()

    def close(self) -> None:
        """Release the store (on disk: closes the database so the folder can be renamed)."""
        self.store = None

    def discard(self) -> None:
        """Throw the staged data away."""
        self.close()
        if self.path is not None:
            shutil.rmtree(self.path, ignore_errors=True)


class KgStore:
    """A kgbuild store on disk (or in memory when `path` is None)."""

    def __init__(self, path: Path | str | None = None, *, read_only: bool = False):
        self.path = Path(path) if path is not None else None
        self.read_only = read_only
        try:
            if self.path is None:
                self.store = ox.Store()
            elif read_only:
                if not self.path.is_dir():
                    raise StoreError(f"no store at {self.path}; run `kgbuild build` first")
                self.store = ox.Store.read_only(str(self.path))
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._recover()
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
        """SPARQL over the union of all graphs, unless the caller or the query (FROM) names the dataset."""
        return self.store.query(
            sparql,
            substitutions=substitutions,  # type: ignore[arg-type]
            prefixes=prefixes,
            use_default_graph_as_union=default_graph is None and not has_dataset_clause(sparql),
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
        self.store.update(f"DROP SILENT GRAPH <{graph}> ;\nINSERT DATA {{ GRAPH <{graph}> {{\n{body}}} }}")

    def holds_graph(self, graph: str, nquads: bytes) -> bool:
        """Whether `graph` is what storing these N-Quads would make it, up to blank node labels.

        Compared as stored (Oxigraph normalises some literals, e.g. xsd:nonNegativeInteger)
        and canonicalised (a SPARQL update mints its own blank nodes).
        """
        probe = ox.Store()
        probe.load(nquads, format=ox.RdfFormat.N_QUADS)
        name = ox.NamedNode(graph)
        return canonical(self.quads(name)) == canonical(probe.quads_for_pattern(None, None, None, name))

    def dump_graph(self, graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> bytes:
        """One graph as N-Quads, with its graph name on every line (none for the default graph)."""
        return as_nquads(self.store.quads_for_pattern(None, None, None, graph))

    def drop_graph(self, graph: ox.NamedNode) -> None:
        self.store.update(f"DROP SILENT GRAPH <{graph.value}>")

    def bulk_load_nquads(self, path: Path) -> None:
        """Fast path for a fresh store: Oxigraph's bulk loader straight from an N-Quads file."""
        self.store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)

    def flush(self) -> None:
        if self.path is not None:
            self.store.flush()

    def mark_generation(self) -> str | None:
        """Record that a build finished (after `flush`): a new stamp, written atomically, for readers to notice."""
        if self.path is None:
            return None
        stamp = f"{time.time_ns()}-{secrets.token_hex(8)}"
        target = self.path / GENERATION_FILE
        tmp = target.with_name(f"{GENERATION_FILE}.{os.getpid()}.tmp")
        tmp.write_text(stamp + "\n", "ascii")
        os.replace(tmp, target)
        return stamp

    # ------------------------------------------------------------ staging and swapping
    def _siblings(self, kind: str) -> list[tuple[Path, int]]:
        """Hidden staging (or displaced) folders of this store: (path, pid of the process that made them)."""
        assert self.path is not None
        out = []
        for entry in self.path.parent.glob(f".{self.path.name}.{kind}-*"):
            try:
                out.append((entry, int(entry.name.rsplit(f".{kind}-", 1)[1].split("-", 1)[0])))
            except ValueError:
                continue
        return out

    def _recover(self) -> None:
        """Undo what a killed writer left: a store displaced mid-swap comes back; dead staging goes."""
        assert self.path is not None
        if not self.path.exists():
            displaced = sorted((p for p, pid in self._siblings("old") if not _pid_alive(pid)),
                               key=lambda p: p.stat().st_mtime)
            if displaced:
                os.rename(displaced[-1], self.path)
        for kind in ("staging", "old"):
            for entry, pid in self._siblings(kind):
                if not _pid_alive(pid):
                    shutil.rmtree(entry, ignore_errors=True)

    def staging(self) -> StagingStore:
        """A new empty store beside this one (in memory for an in-memory store), for swap_in."""
        if self.path is None:
            return StagingStore(None)
        self._recover()
        path = self.path.parent / f".{self.path.name}.staging-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            return StagingStore(path)
        except OSError as exc:
            raise StoreError(f"cannot create a staging store at {path}: {exc}") from None

    def swap_in(self, staging: StagingStore) -> None:
        """Make the staged store this store, in one atomic step for anyone opening the path.

        Handles on the old store (this object's own is reopened) keep the old data.
        """
        if self.path is None or staging.path is None:
            assert staging.store is not None
            self.store, staging.store = staging.store, None
            return
        staging.close()
        del self.store  # close the database, so nothing writes to the old folder any more
        try:
            if _exchange(staging.path, self.path):
                displaced = staging.path  # now holds the old store
            else:
                displaced = self.path.parent / f".{self.path.name}.old-{os.getpid()}-{secrets.token_hex(4)}"
                os.rename(self.path, displaced)  # a crash between the renames is undone by the next open
                try:
                    os.rename(staging.path, self.path)
                except OSError:
                    os.rename(displaced, self.path)
                    raise
            _fsync_dir(self.path.parent)
        finally:
            self.store = ox.Store(str(self.path))
        shutil.rmtree(displaced, ignore_errors=True)
