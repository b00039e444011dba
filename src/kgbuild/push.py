"""Push the store's named graphs to any SPARQL 1.1 Graph Store HTTP Protocol endpoint.

One `PUT <endpoint>?graph=<IRI>` per graph, with the graph's triples as N-Triples:
a PUT replaces the remote graph, so sending a graph twice is harmless and a push can
always be resumed or repeated. Oxigraph server, Apache Jena Fuseki, GraphDB, Virtuoso
and Amazon Neptune all accept it (see each one's Graph Store endpoint path).

Resumable: after each graph the remote store acknowledged, one line goes to a state
file (JSON Lines: endpoint, graph, version). A rerun skips the graphs already pushed
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
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyoxigraph as ox

from .errors import PushError
from .paths import atomic_write
from .store import KgStore

CONTENT_TYPE = "application/n-triples"
RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
MAX_BACKOFF = 30.0


@dataclass
class PushReport:
    """What a push did: graphs sent, graphs skipped as already there, bytes sent, retries made."""

    pushed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    bytes: int = 0
    retries: int = 0


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
                if endpoint_ == endpoint:
                    self.done[graph] = version
                else:
                    self._others.append(entry)
        self._log = open(path, "a", encoding="utf-8") if path is not None else None  # noqa: SIM115

    def record(self, graph: str, version: str) -> None:
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


def _versions(store: KgStore) -> dict[str, str]:
    """Named graph IRI -> its version: the article's kg:sourceHash, else a digest of the graph's triples."""
    hashes = store.graph_hashes()
    out = {}
    for graph in store.graphs():
        out[graph.value] = hashes.get(graph.value) or "sha256:" + hashlib.sha256(_body(store, graph)).hexdigest()
    return out


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
) -> PushReport:
    """PUT every named graph of `store` (and its default graph, if not empty) to the Graph Store at `url`.

    `state` is the resume file (None: no resume); `retries` the attempts after the first
    per graph; `backoff` the first wait in seconds, doubled at each retry (with jitter).
    """
    if not url.startswith(("http://", "https://")):
        raise PushError(f"{url!r} is not an http(s) URL of a Graph Store endpoint")
    versions = _versions(store)
    if next(store.quads(ox.DefaultGraph()), None) is not None:
        versions[""] = "sha256:" + hashlib.sha256(_body(store, ox.DefaultGraph())).hexdigest()
    report = PushReport()
    progress_state = PushState(state, url)
    own_client = client is None
    http = client or httpx.Client(timeout=timeout, follow_redirects=False)
    send_headers = {"Content-Type": CONTENT_TYPE, **(headers or {})}
    try:
        for i, (graph, version) in enumerate(sorted(versions.items()), 1):
            if progress_state.done.get(graph) == version:
                report.skipped.append(graph)
            else:
                body = _body(store, ox.NamedNode(graph) if graph else ox.DefaultGraph())
                params = {"graph": graph} if graph else {"default": ""}
                _put(http, url, params, body, send_headers, graph or "the default graph", retries, backoff, report,
                     done=len(report.pushed) + len(report.skipped), total=len(versions))
                progress_state.record(graph, version)
                report.pushed.append(graph)
                report.bytes += len(body)
            if progress:
                progress(i, len(versions))
    finally:
        progress_state.close()
        if own_client:
            http.close()
    return report


def _put(http: httpx.Client, url: str, params: dict[str, str], body: bytes, headers: dict[str, str], name: str,
         retries: int, backoff: float, report: PushReport, *, done: int, total: int) -> None:
    last = ""
    for attempt in range(retries + 1):
        if attempt:
            report.retries += 1
            time.sleep(min(MAX_BACKOFF, backoff * 2 ** (attempt - 1)) * (0.5 + random.random()))
        try:
            response = http.put(url, params=params, content=body, headers=headers)
        except httpx.TransportError as exc:
            last = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            continue
        if response.is_success:
            return
        last = _describe(response)
        if response.status_code not in RETRY_STATUS:
            raise PushError(f"PUT {name} to {url}: {last}")
    raise PushError(f"PUT {name} to {url} failed {retries + 1} times ({last}); {done} of {total} graphs are "
                    "pushed: run the same push again to resume")
