"""SPARQL 1.1 Protocol at /sparql: query by GET, form POST and direct POST; update by POST with the token.

The dataset: `default-graph-uri` / `named-graph-uri` when the request gives them
(and then they replace any FROM / FROM NAMED in the query, as the protocol says);
else the query's own FROM clauses; else the union of all graphs as the default
graph, with every named graph available to GRAPH.
"""
from __future__ import annotations

import logging
from urllib.parse import parse_qsl

import pyoxigraph as ox
from starlette.datastructures import MultiDict
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import formats
from ..errors import DatasetConflict, SparqlSyntaxError, StoreError
from ..formats import FORMAT_PARAMS
from ..sparqltext import apply_using, is_allowed_host, network_targets, too_complex
from ..vocab import PREFIXES
from .replies import COMMON_HEADERS, outcome_response, require_writer
from .runner import Sink
from .state import ServerState

log = logging.getLogger("kgbuild.server")
SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
FORM = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
ALLOWED = "GET, HEAD, POST, OPTIONS"


def endpoint_url(request: Request) -> str:
    return str(request.url.replace(query="", fragment="")).rstrip("?")


def _iris(params: MultiDict, name: str) -> list[ox.NamedNode]:
    nodes = []
    for value in params.getlist(name):
        try:
            nodes.append(ox.NamedNode(value))
        except ValueError as exc:
            raise HTTPException(400, f"{name}: {value!r} is not an absolute IRI ({exc})") from None
    return nodes


def _media_type(request: Request) -> tuple[str, dict[str, str]]:
    raw = request.headers.get("content-type", "")
    main, *rest = raw.split(";")
    options = {}
    for item in rest:
        key, _, value = item.partition("=")
        options[key.strip().lower()] = value.strip().strip('"')
    return main.strip().lower(), options


async def _text_body(request: Request) -> str:
    _, options = _media_type(request)
    charset = options.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise HTTPException(415, f"request bodies must be UTF-8, not {charset}")
    body = await request.body()
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPException(400, "the request body is not valid UTF-8") from None


def _one(params: MultiDict, name: str) -> str | None:
    values = params.getlist(name)
    if len(values) > 1:
        raise HTTPException(400, f"give exactly one {name!r} parameter, not {len(values)}")
    return values[0] if values else None


async def sparql(request: Request) -> Response:
    params = request.query_params
    if request.method in ("GET", "HEAD"):
        if "update" in params:
            raise HTTPException(400, "SPARQL updates must be sent with POST, never GET")
        query = _one(params, "query")
        if query is None:
            return await service_description(request)
        return await run_query(request, query, MultiDict(params.multi_items()))
    if request.method != "POST":
        raise HTTPException(405, f"{request.method} is not allowed on /sparql; use GET or POST",
                            headers={"Allow": ALLOWED})
    media_type, _ = _media_type(request)
    if media_type == FORM:
        text = await _text_body(request)
        form = MultiDict(parse_qsl(text, keep_blank_values=True))
        merged = MultiDict([*params.multi_items(), *form.multi_items()])
        query, update = _one(form, "query"), _one(form, "update")
        if query is not None and update is not None:
            raise HTTPException(400, "give either 'query' or 'update', not both")
        if query is not None:
            return await run_query(request, query, merged)
        if update is not None:
            return await run_update(request, update, merged)
        raise HTTPException(400, "the form has neither a 'query' nor an 'update' field")
    if media_type == QUERY_TYPE:
        return await run_query(request, await _text_body(request), MultiDict(params.multi_items()))
    if media_type == UPDATE_TYPE:
        return await run_update(request, await _text_body(request), MultiDict(params.multi_items()))
    shown = media_type or "no Content-Type"
    raise HTTPException(415, f"cannot take a POST body of {shown}; send {QUERY_TYPE}, {UPDATE_TYPE} "
                             f"or {FORM} with a 'query' or 'update' field")


def check_request(state: ServerState, text: str) -> None:
    """Refuse, before pyoxigraph sees it, a request too complex to parse safely or one that reaches
    a host this server may not fetch from (SERVICE, LOAD): no connection is ever attempted for it."""
    reason = too_complex(text)
    if reason is not None:
        raise HTTPException(400, f"{reason}; this endpoint refuses such requests")
    for keyword, iri in network_targets(text):
        what = "SERVICE (federated query)" if keyword == "SERVICE" else "LOAD"
        if not state.allow_service:
            raise HTTPException(400, f"{what} is disabled on this endpoint: it would make this server "
                                     "fetch other URLs on a client's behalf")
        if iri is None:
            raise HTTPException(400, f"{keyword} needs an absolute http(s) IRI written out in full (<http://...>) "
                                     "on this endpoint, so that its host can be checked before anything is fetched")
        if not is_allowed_host(iri, state.service_hosts):
            raise HTTPException(400, f"{keyword} to {iri} is not allowed: this endpoint fetches only from loopback "
                                     "and the hosts its operator lists with --service-allow")


async def run_query(request: Request, query: str, params: MultiDict) -> Response:
    state: ServerState = request.app.state.kg
    check_request(state, query)
    default, named = _iris(params, "default-graph-uri"), _iris(params, "named-graph-uri")
    dataset = {"default_graph": default, "named_graphs": named} if default or named else {}
    base = endpoint_url(request)
    accept = request.headers.get("accept")
    names = [v for p in FORMAT_PARAMS for v in params.getlist(p)]

    def produce(sink: Sink) -> None:
        try:
            result = state.store.query(query, base_iri=base, **dataset)  # type: ignore[arg-type]
        except SparqlSyntaxError as exc:
            raise HTTPException(400, f"malformed query: {exc}") from None
        fmt = formats.choose(formats.kind_of(result), accept, names)
        sink.start(fmt)
        serialize_result(result, sink, fmt)

    outcome = await state.runner.stream(produce)
    return outcome_response(outcome, headers={"Vary": "Accept"})


def serialize_result(result: object, sink: Sink, fmt: formats.Format) -> None:
    """pyoxigraph writes the result straight into the sink, chunk by chunk."""
    try:
        result.serialize(sink, fmt.ox_format)  # type: ignore[attr-defined]
    except (OSError, RuntimeError, ValueError):
        sink.check()  # a cancelled or timed-out query stops here, not with a 500
        log.exception("query evaluation failed")  # store errors name files: the log has them, the client not
        raise HTTPException(500, "query evaluation failed (details are in the server's log)") from None


async def run_update(request: Request, update: str, params: MultiDict) -> Response:
    state: ServerState = request.app.state.kg
    require_writer(request, state.write_token)
    check_request(state, update)
    try:
        text = apply_using(update, _iris(params, "using-graph-uri"), _iris(params, "using-named-graph-uri"))
    except DatasetConflict as exc:
        raise HTTPException(400, str(exc)) from None
    base = endpoint_url(request)

    def job() -> None:
        try:
            state.store.update(text, base_iri=base)
        except SparqlSyntaxError as exc:
            raise HTTPException(400, f"malformed update: {exc}") from None
        except StoreError:
            log.exception("update failed")
            raise HTTPException(500, "the update failed (details are in the server's log)") from None
        state.store.flush()

    try:
        await state.runner.call(job, timeout=None)  # a started write runs to its end: no half-answered commit
    finally:
        state.changed()
    return Response(status_code=204, headers=COMMON_HEADERS)


def description(state: ServerState, endpoint: str) -> list[ox.Triple]:
    """SPARQL 1.1 Service Description of this endpoint."""
    sd = lambda name: ox.NamedNode(SD + name)  # noqa: E731
    rdf_type = ox.NamedNode(PREFIXES["rdf"] + "type")
    service = ox.NamedNode(endpoint)
    dataset, default_graph = ox.BlankNode(), ox.BlankNode()
    triples = [
        ox.Triple(service, rdf_type, sd("Service")),
        ox.Triple(service, sd("endpoint"), service),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, sd("defaultEntailmentRegime"), ox.NamedNode("http://www.w3.org/ns/entailment/Simple")),
        ox.Triple(service, ox.NamedNode(PREFIXES["dcterms"] + "title"), ox.Literal("kgbuild SPARQL endpoint")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, rdf_type, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, rdf_type, sd("Graph")),
    ]
    if state.writable:
        triples.append(ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Update")))
    if state.allow_service:
        triples.append(ox.Triple(service, sd("feature"), sd("BasicFederatedQuery")))
    for fmt in (*formats.TABULAR_FORMATS, *formats.GRAPH_FORMATS):
        triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(fmt.iri)))
    for graph in state.store.graphs()[:10_000]:
        node = ox.BlankNode()
        triples += [ox.Triple(dataset, sd("namedGraph"), node), ox.Triple(node, rdf_type, sd("NamedGraph")),
                    ox.Triple(node, sd("name"), graph)]
    return triples


async def service_description(request: Request) -> Response:
    state: ServerState = request.app.state.kg
    accept = request.headers.get("accept")
    if formats.prefers_html(accept, over=formats.GRAPH_FORMATS + formats.TABULAR_FORMATS):
        from .pages import query_page

        return await query_page(request)
    fmt = formats.choose(formats.Kind.GRAPH, accept, [v for p in FORMAT_PARAMS for v in request.query_params.getlist(p)])
    endpoint = endpoint_url(request)
    body = await state.runner.call(
        lambda: formats.write_graph(description(state, endpoint), fmt, {"sd": SD, "formats": FORMATS_NS,
                                                                        "dcterms": PREFIXES["dcterms"]}))
    return Response(body, headers={**COMMON_HEADERS, "Content-Type": fmt.content_type, "Vary": "Accept"})


def routes() -> list[Route]:
    return [Route("/sparql", sparql, methods=["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"])]
