"""Push the store's named graphs to a SPARQL server: Graph Store PUTs, or the engine's bulk loader.

Small changes go as one `PUT <endpoint>?graph=<IRI>` per graph, with the graph's
triples as N-Triples: a PUT replaces the remote graph, so sending a graph twice is
harmless and a push can always be resumed or repeated. Oxigraph server, Apache Jena
Fuseki, GraphDB, Virtuoso and Amazon Neptune all accept it.

Large changes (at least `bulk_threshold` changed graphs, default 1,000) go through the
engine's own bulk path when the engine is named (`engine="virtuoso"` or `"oxigraph"`,
see `kgbuild.bulk`): the changed graphs are written as sharded N-Quads
(`kgbuild.shards`), and each shard is deleted-then-loaded as one batch. One PUT per
graph costs a request and a commit each (about 3 ms per article graph on loopback);
a bulk load pays a fixed cost per batch (a Virtuoso checkpoint, a second or so) and
then loads far faster, so below about a thousand graphs the PUTs win.

Incremental: only graphs whose version changed since the last push to the same
endpoint go over, and graphs pushed before that the store no longer holds (deleted
articles, `kgbuild build --prune`) are deleted there: Graph Store DELETE, or the
engine's own delete.

Resumable: after each graph (or bulk batch) the remote store acknowledged, one line
per graph goes to a state file (JSON Lines: endpoint, graph, version; version null for
a graph deleted there). A rerun skips the graphs already pushed
at the same version to the same endpoint: an article graph's version is its
kg:sourceHash, any other graph's is a digest of its content. Transient failures
(connection refused or reset, timeouts, 408, 429, 5xx) are retried with exponential
backoff and jitter; anything else stops the push with one readable line.

>>> report = push(KgStore("store", read_only=True), "http://127.0.0.1:7878/store")  # doctest: +SKIP
>>> len(report.pushed), len(report.skipped)  # doctest: +SKIP
"""
from __future__ import annotations

import hashlib
import json
import random
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyoxigraph as ox

from .bulk import OxigraphLoader, VirtuosoLoader
from .errors import PushError
from .paths import atomic_write
from .shards import graph_versions, write_shards
from .store import KgStore

CONTENT_TYPE = "application/n-triples"
RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
MAX_BACKOFF = 30.0
ENGINES = ("gsp", "oxigraph", "virtuoso")
DEFAULT_BULK_THRESHOLD = 1000
DEFAULT_BULK_SHARDS = 8
__all__ = ["PushError", "PushReport", "VirtuosoOptions", "push", "parse_header"]


@dataclass
class PushReport:
    """What a push did: graphs sent, skipped as already there, deleted there; bytes sent, retries, bulk batches."""

    pushed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    bytes: int = 0
    retries: int = 0
    batches: int = 0  # bulk loads made (0: every graph went by Graph Store PUT)


@dataclass
class VirtuosoOptions:
    """How to reach Virtuoso's SQL side for its bulk loader (and its Graph Store for small changes)."""

    isql: str = "127.0.0.1:1111"
    user: str = "dba"
    password: str = "dba"
    load_dir: Path | None = None


def parse_header(text: str) -> tuple[str, str]:
    """'Name: value' -> (name, value), as given to --auth-header."""
    name, sep, value = text.partition(":")
    if not sep or not name.strip() or any(c.isspace() for c in name.strip()):
        raise PushError(f"header {name.strip() or text!r} is not 'Name: value' (e.g. 'Authorization: Bearer TOKEN')")
    return name.strip(), value.strip()


class PushState:
    """The graphs already pushed, per endpoint: an append-only JSON Lines file, compacted on close."""

    def __init__(self, path: Path | None, endpoint: str):
        self.path, self.endpoint = path, endpoint
        self.done: dict[str, str] = {}
        self._others: list[dict[str, str]] = []
        if path is not None and path.is_file():
            lines = path.read_text("utf-8").splitlines()
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    entry = json.loads(line)
                    endpoint_, graph, version = entry["endpoint"], entry["graph"], entry["version"]
                except (ValueError, KeyError, TypeError):
                    if number == len(lines):
                        continue  # a line cut short by a crash: that graph is simply pushed again
                    raise PushError(f"{path}:{number}: not a push state line; delete the file to push everything "
                                    "again") from None
                if endpoint_ != endpoint:
                    self._others.append(entry)
                elif version is None:
                    self.done.pop(graph, None)
                else:
                    self.done[graph] = version
        self._log = open(path, "a", encoding="utf-8") if path is not None else None  # noqa: SIM115

    def record(self, graph: str, version: str | None) -> None:
        """`graph` is now at `version` there (None: deleted there)."""
        if version is None:
            self.done.pop(graph, None)
        else:
            self.done[graph] = version
        if self._log is not None:
            self._log.write(json.dumps({"endpoint": self.endpoint, "graph": graph, "version": version}) + "\n")
            self._log.flush()

    def close(self) -> None:
        """Rewrite the file with one line per graph (atomically), so it does not grow with every rerun."""
        if self._log is None or self.path is None:
            return
        self._log.close()
        self._log = None
        entries = self._others + [{"endpoint": self.endpoint, "graph": g, "version": v}
                                  for g, v in sorted(self.done.items())]
        atomic_write(self.path, "".join(json.dumps(e) + "\n" for e in entries))


def _body(store: KgStore, graph: ox.NamedNode | ox.DefaultGraph) -> bytes:
    return store.dump(ox.RdfFormat.N_TRIPLES, graph)


def _describe(response: httpx.Response) -> str:
    reason = f"{response.status_code} {response.reason_phrase}".strip()
    text = " ".join(response.text.split())[:200]
    hint = {401: "check --auth-header", 403: "check --auth-header and the account's rights",
            404: "check the endpoint URL (the Graph Store path, e.g. /store, /DATASET/data, /rdf-graphs/service)",
            405: "this URL does not accept PUT: use the Graph Store endpoint, not the SPARQL query endpoint",
            413: "the server refuses a body this large: raise its request size limit",
            415: "the server does not take N-Triples here"}.get(response.status_code)
    return reason + (f": {text}" if text else "") + (f" (hint: {hint})" if hint else "")


def push(
    store: KgStore,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    state: Path | None = None,
    retries: int = 5,
    backoff: float = 0.5,
    timeout: float = 60.0,
    client: httpx.Client | None = None,
    progress: Callable[[int, int], None] | None = None,
    engine: str = "gsp",
    bulk_threshold: int = DEFAULT_BULK_THRESHOLD,
    shards: int = DEFAULT_BULK_SHARDS,
    virtuoso: VirtuosoOptions | None = None,
) -> PushReport:
    """Bring the server at `url` to the named graphs of `store` (and its default graph, if not empty).

    `engine` is "gsp" (any Graph Store endpoint at `url`: PUT only), "oxigraph"
    (`url` is the server's root or /store) or "virtuoso" (`url` is its HTTP root;
    `virtuoso` says how to reach isql). `state` is the resume file (None: no resume);
    `retries` the attempts after the first per graph; `backoff` the first wait in
    seconds, doubled at each retry (with jitter).
    """
    if not url.startswith(("http://", "https://")):
        raise PushError(f"{url!r} is not an http(s) URL of a Graph Store endpoint")
    if engine not in ENGINES:
        raise PushError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    versions = graph_versions(store)
    if next(store.quads(ox.DefaultGraph()), None) is not None:
        versions[""] = "sha256:" + hashlib.sha256(_body(store, ox.DefaultGraph())).hexdigest()
    report = PushReport()
    progress_state = PushState(state, url)
    own_client = client is None
    http = client or httpx.Client(timeout=timeout, follow_redirects=False)
    target = _Target(url, engine, http, dict(headers or {}), virtuoso or VirtuosoOptions())
    try:
        gone = sorted(g for g in progress_state.done if g not in versions)
        if gone:
            target.delete(gone, retries, backoff, report)
            for graph in gone:
                progress_state.record(graph, None)
                report.deleted.append(graph)
        changed = {g: v for g, v in versions.items() if progress_state.done.get(g) != v}
        report.skipped = sorted(set(versions) - set(changed))
        bulk = sorted(g for g in changed if g) if engine != "gsp" and len(changed) >= bulk_threshold else []
        done = len(report.skipped)
        if bulk:
            done = _push_bulk(store, target, bulk, changed, shards, progress_state, report, done, len(versions),
                              progress)
        for graph in sorted(set(changed) - set(bulk)):
            body = _body(store, ox.NamedNode(graph) if graph else ox.DefaultGraph())
            params = {"graph": graph} if graph else {"default": ""}
            _send(http, "PUT", target.gsp_url, params, body, {"Content-Type": CONTENT_TYPE, **target.headers},
                  graph or "the default graph", retries, backoff, report, done=done, total=len(versions),
                  auth=target.auth)
            progress_state.record(graph, changed[graph])
            report.pushed.append(graph)
            report.bytes += len(body)
            done += 1
            if progress:
                progress(done, len(versions))
    finally:
        progress_state.close()
        if own_client:
            http.close()
    return report


def _push_bulk(store: KgStore, target: _Target, graphs: list[str], versions: dict[str, str], shards: int,
               progress_state: PushState, report: PushReport, done: int, total: int,
               progress: Callable[[int, int], None] | None) -> int:
    """Load `graphs` shard by shard through the engine's bulk path; record each shard's graphs once it is durable."""
    loader = target.loader()
    folder = Path(tempfile.mkdtemp(prefix=".kgbuild-push-", dir=target.shard_dir))
    folder.chmod(0o755)  # the engine's server process, often another user, reads the files
    try:
        manifest = write_shards(store, folder, min(shards, len(graphs)), graphs=graphs, versions=versions,
                                prefix="push")
        for shard in manifest.shards:
            file = folder / shard.file
            loader.delete_graphs(shard.graphs)
            loader.load(file)
            report.batches += 1
            report.bytes += shard.bytes
            for graph in shard.graphs:
                progress_state.record(graph, versions[graph])
                report.pushed.append(graph)
            done += len(shard.graphs)
            file.unlink()
            if progress:
                progress(done, total)
    except PushError as exc:
        raise PushError(f"{exc}; {done} of {total} graphs are pushed: run the same push again to resume") from None
    finally:
        for leftover in folder.iterdir():
            leftover.unlink()
        folder.rmdir()
    return done


class _Target:
    """Where a push goes: the Graph Store URL for PUT and DELETE, and the engine's bulk loader."""

    def __init__(self, url: str, engine: str, http: httpx.Client, headers: dict[str, str],
                 virtuoso: VirtuosoOptions):
        self.engine, self.http, self.headers, self.virtuoso = engine, http, headers, virtuoso
        self.auth: httpx.Auth | None = None
        self.shard_dir: Path | None = None
        if engine == "oxigraph":
            self.root = OxigraphLoader.root_of(url)
            self.gsp_url = self.root + "/store"
        elif engine == "virtuoso":
            self.root = url.rstrip("/")
            self.gsp_url = self.root + "/sparql-graph-crud-auth"
            self.auth = httpx.DigestAuth(virtuoso.user, virtuoso.password)
            self.shard_dir = virtuoso.load_dir
        else:
            self.root = self.gsp_url = url

    def loader(self) -> VirtuosoLoader | OxigraphLoader:
        if self.engine == "virtuoso":
            if self.virtuoso.load_dir is None:
                raise PushError("the Virtuoso bulk path needs --load-dir: a folder Virtuoso can read and its "
                                "virtuoso.ini lists under DirsAllowed")
            return VirtuosoLoader(self.virtuoso.isql, self.virtuoso.user, self.virtuoso.password,
                                  self.virtuoso.load_dir)
        return OxigraphLoader(self.root, self.http, self.headers)

    def delete(self, graphs: list[str], retries: int, backoff: float, report: PushReport) -> None:
        """Delete graphs there: the engine's own batch delete, else one Graph Store DELETE each (404 is fine)."""
        if self.engine != "gsp" and (self.engine != "virtuoso" or self.virtuoso.load_dir is not None):
            self.loader().delete_graphs(graphs)
            return
        for graph in graphs:
            _send(self.http, "DELETE", self.gsp_url, {"graph": graph}, None, self.headers, graph, retries, backoff,
                  report, done=0, total=len(graphs), auth=self.auth, ok=(404,))


def _send(http: httpx.Client, method: str, url: str, params: dict[str, str], body: bytes | None,
          headers: dict[str, str], name: str, retries: int, backoff: float, report: PushReport, *, done: int,
          total: int, auth: httpx.Auth | None = None, ok: tuple[int, ...] = ()) -> None:
    last = ""
    for attempt in range(retries + 1):
        if attempt:
            report.retries += 1
            time.sleep(min(MAX_BACKOFF, backoff * 2 ** (attempt - 1)) * (0.5 + random.random()))
        try:
            response = http.request(method, url, params=params, content=body, headers=headers,
                                    auth=auth or httpx.USE_CLIENT_DEFAULT)
        except httpx.TransportError as exc:
            last = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            continue
        if response.is_success or response.status_code in ok:
            return
        last = _describe(response)
        if response.status_code not in RETRY_STATUS:
            raise PushError(f"{method} {name} to {url}: {last}")
    raise PushError(f"{method} {name} to {url} failed {retries + 1} times ({last}); {done} of {total} graphs are "
                    "pushed: run the same push again to resume")
