"""Any SPARQL 1.1 Protocol endpoint as kgbuild's store: what `kgbuild serve --backend URL` reads.

The backend protocol
--------------------
The server reads data through a small interface that the embedded `KgStore` has
and `RemoteStore` has too: `query(sparql, substitutions=, prefixes=, base_iri=,
default_graph=, named_graphs=)` returning pyoxigraph result objects (solutions,
a boolean, or triples, each with `serialize(output, format)`), `graphs()`,
`graph_hashes()`, `quads(graph)`, `match`, `has_graph` and `base`, plus `update` and
the graph writes (`replace_graph`, `add`, `drop_graph`) when a write token allows them. Over a backend each
call is one SPARQL request (httpx, keep-alive, a connection pool):

* a query is first parsed by pyoxigraph on an empty in-memory store: a malformed
  one is refused with the same message as over the embedded store, and its form
  (SELECT/ASK or CONSTRUCT/DESCRIBE) decides what to ask the engine for:
  SPARQL JSON results, or N-Triples (Turtle accepted). The answer is parsed as it
  streams and re-serialised by pyoxigraph in the format the client negotiated, so
  conneg, formats and streaming are the embedded server's own.
* non-ASCII characters in the query's strings and IRIs are sent as \\u escapes
  (`ascii_escaped`): the same query for SPARQL, and Virtuoso keeps them.
* saved-query parameters cannot use pyoxigraph's `substitutions` there: they are
  bound by a `VALUES` block at the start of the query's WHERE clause, built from
  pyoxigraph terms (N-Triples syntax, escaped), never spliced as raw text. For the
  saved queries (parameters are projected, see kgbuild.queries) this gives the
  same rows: a test compares every saved query over Virtuoso and an Oxigraph
  server with the embedded store.
* the engine must treat its default graph as the union of its named graphs
  (Virtuoso does; `oxigraph serve --union-default-graph`; Fuseki's
  `tdb2:unionDefaultGraph true`; QLever does).
* an engine that cannot be reached, refuses, fails or is too slow raises
  `BackendError` with a message for people that names no engine internals (the
  engine's own text goes to the log); its `status` is the HTTP status to answer.
"""
from __future__ import annotations

import io
import logging
import time
from collections.abc import Iterable, Iterator
from typing import Any

import httpx
import pyoxigraph as ox

from .errors import KgbuildError, QueryError
from .sparqltext import tokens
from .store import KgStore
from .vocab import DEFAULT_BASE

log = logging.getLogger("kgbuild.remote")
RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.5"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.8, text/plain;q=0.5"
_RESULT_FORMATS = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
                   "application/json": ox.QueryResultsFormat.JSON,
                   "application/sparql-results+xml": ox.QueryResultsFormat.XML}
_GRAPH_FORMATS = {"application/n-triples": ox.RdfFormat.N_TRIPLES, "text/plain": ox.RdfFormat.N_TRIPLES,
                  "text/turtle": ox.RdfFormat.TURTLE}
_PROBE = KgStore()  # in memory, always empty: parses queries and tells their form, never holds data


class BackendError(KgbuildError):
    """The SPARQL engine behind kgbuild could not answer; `status` is what the HTTP server answers."""

    def __init__(self, message: str, status: int = 502, *, timeout: bool = False):
        super().__init__(message)
        self.status = status
        self.timeout = timeout


class GraphResult:
    """A CONSTRUCT or DESCRIBE answer from the engine: triples, parsed as they arrive."""

    is_graph = True  # formats.kind_of: negotiate an RDF format for it

    def __init__(self, triples: Iterator[ox.Triple]):
        self._triples = triples

    def __iter__(self) -> Iterator[ox.Triple]:
        return self._triples

    def serialize(self, output: Any = None, format: ox.RdfFormat | None = None) -> bytes | None:
        fmt = format or ox.RdfFormat.N_TRIPLES
        items: Iterable[ox.Triple] | Iterable[ox.Quad] = self._triples
        if fmt.supports_datasets:
            items = (ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in self._triples)
        return ox.serialize(items, output, format=fmt)


class _Body(io.RawIOBase):
    """An httpx streaming response as a file pyoxigraph's parsers read from; closed at its end."""

    def __init__(self, response: httpx.Response):
        self._response = response
        self._chunks = response.iter_bytes()
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        while not self._buffer:
            try:
                self._buffer = next(self._chunks)
            except StopIteration:
                self._response.close()
                return 0
            except httpx.TimeoutException:
                self._response.close()
                raise BackendError("the SPARQL engine stopped sending the answer in time", 503, timeout=True) from None
            except httpx.TransportError as exc:
                self._response.close()
                log.warning("backend stream broke: %s", exc)
                raise BackendError("the connection to the SPARQL engine broke while it was answering", 502) from None
        n = min(len(target), len(self._buffer))
        target[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n

    def close(self) -> None:
        self._response.close()
        super().close()


def bind_values(sparql: str, values: dict[ox.Variable, Any] | None) -> str:
    """The query with a VALUES block binding `values` at the start of its WHERE clause."""
    if not values:
        return sparql
    toks = list(tokens(sparql))
    start = None
    for i, tok in enumerate(toks):
        if tok.depth == 0 and tok.is_word("WHERE"):
            start = next((t for t in toks[i + 1:] if t.kind == "open"), None)
            break
    if start is None:
        start = next((t for t in toks if t.kind == "open" and t.depth == 0), None)
    if start is None:
        raise QueryError("this query has no WHERE clause to bind its parameters in")
    names = " ".join(str(v) for v in values)
    row = " ".join(str(t) for t in values.values())
    block = f" VALUES ({names}) {{ ({row}) }} "
    at = start.start + 1
    return sparql[:at] + block + sparql[at:]


def ascii_escaped(sparql: str) -> str:
    """The text with every non-ASCII character in its strings and IRIs written as a \\u or \\U escape.

    SPARQL 1.1 (19.2) reads such escapes before parsing, so the query means the same;
    Virtuoso 7.2 turns non-ASCII characters of a query's own literals into '?'.
    """
    if sparql.isascii():
        return sparql
    out, last = [], 0
    for tok in tokens(sparql):
        if tok.kind in ("string", "iri") and not tok.text.isascii():
            out.append(sparql[last:tok.start])
            out.append("".join(c if ord(c) < 128 else f"\\u{ord(c):04X}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08X}"
                               for c in tok.text))
            last = tok.start + len(tok.text)
    return "".join(out) + sparql[last:]


def _prologue(prefixes: dict[str, str] | None, base_iri: str | None) -> str:
    lines = [f"BASE <{ox.NamedNode(base_iri).value}>"] if base_iri else []
    lines += [f"PREFIX {name}: <{ox.NamedNode(iri).value}>" for name, iri in (prefixes or {}).items()]
    return "".join(line + "\n" for line in lines)


def _term(node: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None, var: str) -> str:
    return var if node is None else str(node)


class RemoteStore:
    """A SPARQL 1.1 Protocol endpoint that kgbuild serves from (see the module docstring).

    `url` is the engine's query endpoint (Virtuoso: http://HOST:8890/sparql; Oxigraph
    server: http://HOST:7878/query; Fuseki: http://HOST:3030/DATASET/sparql).
    `update_url` (default: /update beside an Oxigraph /query, else `url`) takes SPARQL
    Update when the kgbuild server allows writes; `auth` (user, password) is sent there
    as HTTP Digest (Virtuoso's /sparql-auth) or Basic (`basic=True`).
    """

    path = None  # not a folder: nothing to watch for rebuilds

    def __init__(self, url: str, *, update_url: str | None = None, timeout: float = 30.0,
                 auth: tuple[str, str] | None = None, basic: bool = False, headers: dict[str, str] | None = None,
                 graphs_ttl: float = 60.0, transport: httpx.BaseTransport | None = None):
        if not url.startswith(("http://", "https://")):
            raise KgbuildError(f"--backend {url!r} is not the http(s) URL of a SPARQL endpoint")
        self.url = url
        self.update_url = update_url or (url[: -len("/query")] + "/update" if url.endswith("/query") else url)
        self.read_only = False  # writes are the server's to allow (its write token), the engine's to refuse
        self.http = httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)), headers=headers,
                                 limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
                                 transport=transport)
        self.update_auth: httpx.Auth | None = None
        if auth is not None:
            self.update_auth = httpx.BasicAuth(*auth) if basic else httpx.DigestAuth(*auth)
        self.graphs_ttl = graphs_ttl
        self._graphs: tuple[float, list[ox.NamedNode]] | None = None

    # ------------------------------------------------------------ the HTTP exchange
    def _request(self, data: dict[str, Any], accept: str, *, url: str | None = None,
                 auth: httpx.Auth | None = None) -> httpx.Response:
        request = self.http.build_request("POST", url or self.url, data=data, headers={"Accept": accept})
        try:
            response = self.http.send(request, stream=True, auth=auth or httpx.USE_CLIENT_DEFAULT)
        except httpx.TimeoutException:
            raise BackendError("the SPARQL engine did not answer in time", 503, timeout=True) from None
        except httpx.TransportError as exc:
            log.warning("backend %s unreachable: %s", self.url, exc)
            raise BackendError("the SPARQL engine behind this server cannot be reached; try again shortly",
                               503) from None
        if response.is_success:
            return response
        try:
            detail = " ".join(response.read()[:2000].decode("utf-8", "replace").split())
        except httpx.HTTPError:
            detail = ""
        finally:
            response.close()
        log.warning("backend %s answered %s: %s", url or self.url, response.status_code, detail)
        if response.status_code in (401, 403):
            raise BackendError("the SPARQL engine refused this server's credentials (see the server's log)", 502)
        if 400 <= response.status_code < 500:
            raise BackendError(f"the SPARQL engine behind this server refused the request (HTTP "
                               f"{response.status_code}); it is valid SPARQL 1.1, so it may use a feature that "
                               "engine lacks (details are in the server's log)", 400)
        if response.status_code in (503, 504):
            raise BackendError("the SPARQL engine is busy or timed out; try again shortly", 503,
                               timeout=response.status_code == 504)
        raise BackendError(f"the SPARQL engine failed (HTTP {response.status_code}; details are in the server's "
                           "log)", 502)

    def _parse(self, response: httpx.Response, graph: bool) -> Any:
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        formats: dict[str, Any] = _GRAPH_FORMATS if graph else _RESULT_FORMATS
        fmt = formats.get(media)
        if fmt is None:
            response.close()
            log.warning("backend %s answered with %r", self.url, media)
            raise BackendError(f"the SPARQL engine answered in {media or 'no media type'}, which this server "
                               "does not read", 502)
        body = io.BufferedReader(_Body(response), 1 << 16)
        if graph:
            return GraphResult(t.triple if isinstance(t, ox.Quad) else t for t in ox.parse(body, fmt))
        return ox.parse_query_results(body, fmt)

    # ------------------------------------------------------------ queries
    def query(self, sparql: str, *, substitutions: dict[ox.Variable, Any] | None = None,
              prefixes: dict[str, str] | None = None, base_iri: str | None = None,
              default_graph: list[Any] | None = None, named_graphs: list[Any] | None = None,
              use_default_graph_as_union: bool | None = None) -> Any:
        """Run a query on the engine; the answer as pyoxigraph objects. SparqlSyntaxError for malformed SPARQL."""
        form = _PROBE.query(sparql, base_iri=base_iri, prefixes=prefixes)  # SparqlSyntaxError if malformed
        graph = not isinstance(form, (ox.QuerySolutions, ox.QueryBoolean))
        text = _prologue(prefixes, base_iri) + bind_values(sparql, substitutions)
        data: dict[str, Any] = {"query": ascii_escaped(text)}
        if default_graph:
            data["default-graph-uri"] = [g.value for g in default_graph if isinstance(g, ox.NamedNode)]
        if named_graphs:
            data["named-graph-uri"] = [g.value for g in named_graphs]
        response = self._request(data, GRAPH_ACCEPT if graph else RESULTS_ACCEPT)
        return self._parse(response, graph)

    # The same over any store that answers `query`: the embedded store's, not written twice.
    select = KgStore.select
    graph_hashes = KgStore.graph_hashes

    def match(self, subject: Any = None, predicate: Any = None, object: Any = None,
              graph_name: Any = None) -> Iterator[ox.Quad]:
        """The quads of the named graphs that match; the default graph is empty in a kgbuild store."""
        if isinstance(graph_name, ox.DefaultGraph) or any(
                isinstance(t, ox.BlankNode) for t in (subject, object, graph_name)):
            return iter(())  # an engine's blank node labels do not survive from one request to the next
        s, p, o = _term(subject, "?s"), _term(predicate, "?p"), _term(object, "?o")
        g = _term(graph_name, "?g")
        rows = self.select(f"SELECT * WHERE {{ GRAPH {g} {{ {s} {p} {o} }} }}")
        return (ox.Quad(subject or row["s"], predicate or row["p"], object or row["o"], graph_name or row["g"])
                for row in rows)

    def has_graph(self, graph: ox.NamedNode | ox.DefaultGraph) -> bool:
        if isinstance(graph, ox.DefaultGraph):
            return True
        return bool(self.query(f"ASK {{ GRAPH {graph} {{ ?s ?p ?o }} }}"))

    @property
    def base(self) -> str:
        """The base IRI the pushed store was built with, read from its graph names (else the default)."""
        for graph in self.graphs():
            for tail in ("graph/void", "graph/ontology"):
                if graph.value.endswith("/" + tail):
                    return graph.value[: -len(tail)]
        return DEFAULT_BASE

    def graphs(self) -> list[ox.NamedNode]:
        """Every named graph (the engine's own system graphs too), remembered for `graphs_ttl` seconds."""
        now = time.monotonic()
        if self._graphs is None or now - self._graphs[0] > self.graphs_ttl:
            # GROUP BY, not DISTINCT: Virtuoso 7.2 takes 15-20 s for DISTINCT ?g even over a tiny store.
            rows = self.select("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
            self._graphs = (now, sorted((r["g"] for r in rows if isinstance(r["g"], ox.NamedNode)),
                                        key=lambda g: g.value))
        return list(self._graphs[1])

    def forget(self) -> None:
        """Drop what is remembered (the data changed)."""
        self._graphs = None

    def quads(self, graph: ox.NamedNode | None = None) -> Iterator[ox.Quad]:
        return self.match(None, None, None, graph)

    # ------------------------------------------------------------ writes (only when the server allows them)
    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        text = _prologue(None, base_iri) + sparql
        self._request({"update": ascii_escaped(text)}, "*/*", url=self.update_url, auth=self.update_auth).close()
        self.forget()

    def replace_graph(self, graph: ox.NamedNode | ox.DefaultGraph, quads: Iterable[ox.Quad]) -> None:
        drop = "CLEAR SILENT DEFAULT" if isinstance(graph, ox.DefaultGraph) else f"DROP SILENT GRAPH {graph}"
        create = "" if isinstance(graph, ox.DefaultGraph) else f" ;\nCREATE SILENT GRAPH {graph}"
        self.update(f"{drop}{create} ;\n" + self._insert(graph, quads))

    def add(self, quads: Iterable[ox.Quad], graph: ox.NamedNode | ox.DefaultGraph | None = None) -> None:
        by_graph: dict[Any, list[ox.Quad]] = {}
        if isinstance(graph, ox.NamedNode):
            by_graph[graph] = []
        for q in quads:
            by_graph.setdefault(q.graph_name if graph is None else graph, []).append(q)
        parts = [(f"CREATE SILENT GRAPH {g}" if not qs else self._insert(g, qs)) for g, qs in by_graph.items()]
        if parts:
            self.update(" ;\n".join(parts))

    @staticmethod
    def _insert(graph: Any, quads: Iterable[ox.Quad]) -> str:
        triples = "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in quads)
        if isinstance(graph, ox.DefaultGraph):
            return f"INSERT DATA {{\n{triples}\n}}"
        return f"INSERT DATA {{ GRAPH {graph} {{\n{triples}\n}} }}"

    def drop_graph(self, graph: ox.NamedNode | ox.DefaultGraph) -> bool:
        """Remove a named graph (the default graph: empty it); False when there was no such graph."""
        if isinstance(graph, ox.DefaultGraph):
            self.update("CLEAR SILENT DEFAULT")
            return True
        if not self.has_graph(graph):
            return False
        self.update(f"DROP SILENT GRAPH {graph}")
        return True

    def flush(self) -> None:
        """Nothing to flush: the engine commits each update."""

    def close(self) -> None:
        self.http.close()
