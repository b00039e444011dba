"""The bulk paths of server engines: how `kgbuild push` loads many graphs at once.

Each loader does two things, always in this order for a batch of graphs: delete
those graphs on the engine, then load one sharded N-Quads file (`kgbuild.shards`)
that holds them whole. Deleting first makes a reload exact: a file loaded twice
(after a crash) would otherwise mint its blank nodes twice.

* Virtuoso (`virtuoso-opensource-7`): the documented bulk loader, driven through
  `isql`: rows of the graphs go with one `DELETE FROM DB.DBA.RDF_QUAD` per batch of
  graphs; the file's earlier entry leaves `DB.DBA.load_list` (`ld_dir` skips files
  it has seen); `ld_dir` registers the file, `rdf_loader_run()` loads it, and
  `checkpoint` makes it durable (the loader writes no transaction log, so without
  the checkpoint a crash would lose it). Only then does push record the graphs as
  done. The shard file must be in a folder the Virtuoso server can read and that
  its `DirsAllowed` lists (`--load-dir`).
* Oxigraph server: `DROP SILENT GRAPH` for the batch through its SPARQL Update
  endpoint, then the N-Quads POSTed to `/store` (`application/n-quads`), which the
  server adds to its dataset.

Both report refusals in one line (the engine's own message, trimmed) and raise
PushError; the caller records nothing for a batch that failed, so a rerun redoes it.
"""
from __future__ import annotations

import gzip
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from .errors import PushError

DELETE_BATCH = 500  # graphs per DELETE statement or DROP update


def _sql_string(text: str) -> str:
    """A Virtuoso SQL string literal (IRIs and paths never hold a quote, but be exact anyway)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def _batches(items: Sequence[str], size: int = DELETE_BATCH) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


@dataclass
class VirtuosoLoader:
    """Virtuoso's bulk loader over `isql` (host:port of its SQL server, default 1111)."""

    isql_address: str
    user: str
    password: str
    load_dir: Path
    isql: str | None = None
    timeout: float = 3600.0

    def __post_init__(self) -> None:
        self.isql = self.isql or shutil.which("isql-vt") or shutil.which("isql")
        if self.isql is None:
            raise PushError("no isql client found (Debian: apt-get install virtuoso-opensource-7-bin); "
                            "the Virtuoso bulk path needs it")
        if not self.load_dir.is_dir():
            raise PushError(f"--load-dir {self.load_dir} is not a folder; give one the Virtuoso server can read "
                            "and its virtuoso.ini lists under DirsAllowed")

    def run(self, script: str) -> str:
        """Run SQL statements; return isql's output, or raise with the first error it printed."""
        assert self.isql is not None
        command = [self.isql, self.isql_address, self.user, self.password, "VERBOSE=OFF", "BANNER=OFF", "PROMPT=OFF",
                   "ECHO=OFF", "ERRORS=STDOUT"]
        try:
            done = subprocess.run(command, input=script, capture_output=True, text=True, timeout=self.timeout)
        except subprocess.TimeoutExpired:
            raise PushError(f"isql at {self.isql_address} did not finish within {self.timeout:.0f} s") from None
        output = done.stdout + done.stderr
        for line in output.splitlines():
            if line.startswith("*** Error"):
                hint = " (check --isql and the Virtuoso server)" if "connect" in line.lower() else ""
                raise PushError(f"Virtuoso at {self.isql_address}: {line[4:].strip()}{hint}")
        if done.returncode != 0:
            raise PushError(f"isql at {self.isql_address} failed (exit {done.returncode}): {output.strip()[:200]}")
        return output

    def delete_graphs(self, graphs: Sequence[str]) -> None:
        """Remove every quad of these graphs (iri_to_id(.., 0) never mints an id for an unknown graph)."""
        statements = []
        for batch in _batches(graphs):
            ids = ", ".join(f"iri_to_id({_sql_string(g)}, 0)" for g in batch)
            statements.append(f"DELETE FROM DB.DBA.RDF_QUAD WHERE G IN ({ids});")
        if statements:
            self.run("\n".join(statements) + "\n")

    def load(self, file: Path) -> None:
        """Load one N-Quads file with ld_dir + rdf_loader_run, then checkpoint; raise on a per-file error."""
        folder = str(file.parent.resolve())
        path = str(file.resolve())
        output = self.run(
            f"DELETE FROM DB.DBA.load_list WHERE ll_file = {_sql_string(path)};\n"
            f"ld_dir({_sql_string(folder)}, {_sql_string(file.name)}, 'urn:kgbuild:default');\n"
            "rdf_loader_run();\n"
            "checkpoint;\n"
            f"SELECT 'LOADED', ll_state, ll_error FROM DB.DBA.load_list WHERE ll_file = {_sql_string(path)};\n")
        rows = [line.split(None, 2) for line in output.splitlines() if line.startswith("LOADED")]
        if not rows:
            raise PushError(f"Virtuoso did not register {path}: is {folder} under DirsAllowed in its virtuoso.ini, "
                            "and readable by the server?")
        _, state, error = (rows[0] + ["", ""])[:3]
        if state != "2" or error.strip() not in ("", "NULL"):
            raise PushError(f"Virtuoso could not load {file.name}: {error.strip() or 'state ' + state}")


@dataclass
class OxigraphLoader:
    """An Oxigraph server's bulk HTTP path (`oxigraph serve`): POST N-Quads to /store."""

    root: str
    http: httpx.Client
    headers: dict[str, str]
    timeout: float = 3600.0  # one shard is one request: it may take minutes on a busy server

    @staticmethod
    def root_of(url: str) -> str:
        """The server's root from its root URL, its /store, /query or /update URL."""
        parts = urlsplit(url)
        path = parts.path.rstrip("/")
        for tail in ("/store", "/query", "/update"):
            if path.endswith(tail):
                path = path[: -len(tail)]
        return f"{parts.scheme}://{parts.netloc}{path}"

    def _send(self, method: str, path: str, content: bytes | Iterator[bytes], content_type: str) -> None:
        try:
            response = self.http.request(method, self.root + path, content=content,
                                         headers={**self.headers, "Content-Type": content_type},
                                         timeout=httpx.Timeout(self.timeout, connect=10.0))
        except httpx.TransportError as exc:
            raise PushError(f"{method} {self.root}{path}: {type(exc).__name__}: {exc}") from None
        if not response.is_success:
            text = " ".join(response.text.split())[:200]
            raise PushError(f"{method} {self.root}{path}: {response.status_code} {response.reason_phrase}: {text}")

    def delete_graphs(self, graphs: Sequence[str]) -> None:
        for batch in _batches(graphs):
            update = " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in batch)
            self._send("POST", "/update", update.encode("utf-8"), "application/sparql-update")

    def load(self, file: Path) -> None:
        def chunks() -> Iterator[bytes]:
            with gzip.open(file, "rb") as data:
                while chunk := data.read(1 << 20):
                    yield chunk

        self._send("POST", "/store", chunks(), "application/n-quads")
