"""Saved queries as an API: /queries (the list), /queries/{name}[.ext] (run one), /openapi.json.

Parameters come from the URL query string and are bound by kgbuild.queries as
typed RDF terms through pyoxigraph's `substitutions` (never spliced into the
text), so no value can change a query's shape. Answers are cached per store
generation: the store only changes on build or on a write through this server,
and either gives a new generation.
"""
from __future__ import annotations

import hashlib
import logging
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import formats
from ..errors import QueryError
from ..formats import FORMAT_PARAMS
from ..queries import SavedQuery, run_saved_query
from .cache import CachedAnswer
from .protocol import serialize_result
from .replies import COMMON_HEADERS, outcome_response
from .runner import Outcome, Sink
from .state import ServerState

log = logging.getLogger("kgbuild.server")
_OPENAPI_TYPES = {
    "iri": {"type": "string", "format": "iri"},
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "decimal": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "year": {"type": "integer", "minimum": 0, "maximum": 9999},
}


def describe(query: SavedQuery) -> dict[str, Any]:
    return {
        "name": query.name,
        "title": query.title,
        "description": query.description,
        "parameters": [{"name": p.name, "type": p.type, "optional": p.optional, "default": p.default,
                        "description": p.description} for p in query.parameters],
        "sparql": query.sparql,
        "url": f"/queries/{query.name}",
    }


async def list_queries(request: Request) -> Response:
    state: ServerState = request.app.state.kg
    return JSONResponse([describe(q) for q in state.queries.values()], headers=COMMON_HEADERS)


def split_name(raw: str) -> tuple[str, str | None]:
    """'actors.csv' -> ('actors', 'csv'): a saved query's name and the format its extension asks for."""
    stem, dot, ext = raw.rpartition(".")
    if dot and ext.lower() in formats.EXTENSIONS:
        return stem, ext.lower()
    return raw, None


async def run_query(request: Request) -> Response:
    state: ServerState = request.app.state.kg
    name, ext = split_name(request.path_params["name"])
    query = state.queries.get(name)
    if query is None:
        known = ", ".join(sorted(state.queries)) or "none"
        raise HTTPException(404, f"no saved query {name!r} (saved queries: {known})")
    params: dict[str, str] = {}
    names = [ext] if ext else []
    for key, value in request.query_params.multi_items():
        if key in FORMAT_PARAMS:
            names.append(value)
        elif key in params:
            raise HTTPException(400, f"parameter {key!r} is given more than once")
        else:
            params[key] = value
    query.bindings(params)  # validates names and types now: a QueryError becomes 400 before any work
    accept = request.headers.get("accept")
    generation = state.generation.token
    key = (name, tuple(sorted(params.items())), tuple(names), accept if not names else None, generation)
    cache = state.cache

    def produce(sink: Sink) -> None:
        cache.count_computation()
        try:
            result = run_saved_query(state.store, query, params)
        except QueryError:  # the parameters were checked above: the query file or the store failed
            log.exception("saved query %s failed", name)  # its message names the file: for the log only
            raise HTTPException(500, f"the saved query {name!r} failed (details are in the server's log)") from None
        fmt = formats.choose(formats.kind_of(result), accept, names)
        sink.start(fmt)
        serialize_result(result, sink, fmt)

    async def compute() -> tuple[CachedAnswer | None, Outcome]:
        outcome = await state.runner.stream(produce, prefetch=cache.max_bytes + 1)
        if outcome.body is None:  # over the cache's limit: streamed, not kept
            cache.too_big += 1
            return None, outcome
        etag = '"' + hashlib.sha256(repr(key).encode() + outcome.body).hexdigest()[:32] + '"'
        answer = CachedAnswer(outcome.format.content_type, outcome.body, etag)
        if generation == state.generation.token:  # not computed across a rebuild or a write
            cache.put(key, answer)
        return answer, outcome

    answer, outcome = await cache.get_or_compute(key, compute)
    if answer is not None:
        return _cached_response(request, answer)
    return outcome_response(outcome, headers={"Vary": "Accept"})


def _cached_response(request: Request, answer: CachedAnswer) -> Response:
    headers = {**COMMON_HEADERS, "ETag": answer.etag, "Vary": "Accept", "Cache-Control": "no-cache"}
    if request.headers.get("if-none-match") == answer.etag:
        return Response(status_code=304, headers=headers)
    return Response(answer.body, headers={**headers, "Content-Type": answer.content_type})


def _typed(kind: str, value: str) -> object:
    """A parameter's default as the JSON value its OpenAPI schema type expects."""
    try:
        if kind in ("integer", "year"):
            return int(value)
        if kind == "decimal":
            return float(value)
        if kind == "boolean":
            return value.lower() == "true"
    except ValueError:
        pass
    return value


_RESULT_SCHEMAS: dict[str, Any] = {
    "SparqlResultsJson": {  # SPARQL 1.1 Query Results JSON Format: a SELECT's bindings or an ASK's boolean
        "type": "object", "required": ["head"],
        "properties": {
            "head": {"type": "object", "properties": {"vars": {"type": "array", "items": {"type": "string"}},
                                                      "link": {"type": "array", "items": {"type": "string"}}}},
            "results": {"type": "object", "required": ["bindings"], "properties": {"bindings": {
                "type": "array", "items": {"type": "object",
                                           "additionalProperties": {"$ref": "#/components/schemas/RdfTerm"}}}}},
            "boolean": {"type": "boolean"},
        },
    },
    "RdfTerm": {"type": "object", "required": ["type", "value"], "properties": {
        "type": {"enum": ["uri", "literal", "bnode", "triple"]}, "value": {},
        "xml:lang": {"type": "string"}, "datatype": {"type": "string"}}},
}


def _body_schema(media_type: str) -> dict[str, Any]:
    """What a response body of `media_type` is, in the terms of the OpenAPI description (JSON is parsed)."""
    if media_type == "application/sparql-results+json":
        return {"$ref": "#/components/schemas/SparqlResultsJson"}
    if media_type.endswith("json"):  # JSON-LD: a document, an array of nodes, or a graph object
        return {"type": ["object", "array"]}
    return {"type": "string"}


def openapi(state: ServerState, server_url: str) -> dict[str, Any]:
    """OpenAPI 3.1 for the saved-query API, the SPARQL endpoint and the graph store, built from the queries."""
    tabular = {f.media_type: {"schema": _body_schema(f.media_type)} for f in formats.TABULAR_FORMATS}
    graph = {f.media_type: {"schema": _body_schema(f.media_type)} for f in formats.GRAPH_FORMATS}
    error = {"description": "a readable error message", "content": {"text/plain": {"schema": {"type": "string"}}}}
    paths: dict[str, Any] = {
        "/queries": {"get": {
            "summary": "List the saved queries", "operationId": "listQueries",
            "responses": {"200": {"description": "the saved queries", "content": {"application/json": {
                "schema": {"type": "array", "items": {"$ref": "#/components/schemas/SavedQuery"}}}}}},
        }},
        "/sparql": {
            "get": {"summary": "SPARQL 1.1 query (or the service description without `query`)",
                    "operationId": "sparqlQuery",
                    "parameters": [
                        {"name": "query", "in": "query", "schema": {"type": "string"}},
                        {"name": "default-graph-uri", "in": "query", "schema": {"type": "array", "items": {
                            "type": "string"}}, "style": "form", "explode": True},
                        {"name": "named-graph-uri", "in": "query", "schema": {"type": "array", "items": {
                            "type": "string"}}, "style": "form", "explode": True},
                    ],
                    "responses": {"200": {"description": "results", "content": {**tabular, **graph}},
                                  "400": error, "406": error, "503": error}},
            "post": {"summary": "SPARQL 1.1 query or update (update needs the bearer token)",
                     "operationId": "sparqlPost",
                     "requestBody": {"content": {
                         "application/sparql-query": {"schema": {"type": "string"}},
                         "application/sparql-update": {"schema": {"type": "string"}},
                         "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
                             "query": {"type": "string"}, "update": {"type": "string"}}}}}},
                     "responses": {"200": {"description": "results", "content": {**tabular, **graph}},
                                   "204": {"description": "update applied"}, "400": error, "401": error,
                                   "403": error, "406": error, "413": error, "415": error, "503": error}},
        },
        "/rdf-graph-store": {
            "get": {"summary": "Read a graph (SPARQL 1.1 Graph Store Protocol)", "operationId": "getGraph",
                    "parameters": [{"name": "graph", "in": "query", "schema": {"type": "string", "format": "iri"}},
                                   {"name": "default", "in": "query", "schema": {"type": "string"},
                                    "allowEmptyValue": True}],
                    "responses": {"200": {"description": "the graph", "content": graph}, "400": error,
                                  "404": error, "406": error, "503": error}},
        },
    }
    for q in state.queries.values():
        parameters = [{
            "name": p.name, "in": "query", "required": not p.optional and p.default is None,
            "description": p.description, "schema": {**_OPENAPI_TYPES[p.type],
                                                     **({"default": _typed(p.type, p.default)}
                                                        if p.default is not None else {})},
        } for p in q.parameters]
        paths[f"/queries/{q.name}"] = {"get": {
            "summary": q.title, "description": q.description, "operationId": f"query_{q.name}",
            "parameters": parameters,
            "responses": {"200": {"description": "the answer; pick the format with Accept or a .json/.csv/.tsv/"
                                                 ".xml/.ttl extension on the path", "content": {**tabular, **graph}},
                          "304": {"description": "not modified (If-None-Match)"},
                          "400": error, "404": error, "406": error, "503": error},
        }}
    return {
        "openapi": "3.1.0",
        "info": {"title": "kgbuild knowledge graph API", "version": "0.1.0",
                 "description": "Saved SPARQL queries with typed, bound parameters, a SPARQL 1.1 endpoint "
                                "and the Graph Store Protocol over the kgbuild store."},
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {"schemas": {**_RESULT_SCHEMAS, "SavedQuery": {"type": "object", "properties": {
            "name": {"type": "string"}, "title": {"type": "string"}, "description": {"type": ["string", "null"]},
            "parameters": {"type": "array", "items": {"type": "object", "properties": {
                "name": {"type": "string"}, "type": {"type": "string", "enum": list(_OPENAPI_TYPES)},
                "optional": {"type": "boolean"}, "default": {"type": ["string", "null"]},
                "description": {"type": "string"}}}},
            "sparql": {"type": "string"}, "url": {"type": "string"}}}}},
    }


async def openapi_json(request: Request) -> Response:
    state: ServerState = request.app.state.kg
    server_url = str(request.base_url).rstrip("/")
    return JSONResponse(openapi(state, server_url), headers=COMMON_HEADERS)


def routes() -> list[Route]:
    return [
        Route("/queries", list_queries, methods=["GET", "HEAD"]),
        Route("/queries/{name}", run_query, methods=["GET", "HEAD"]),
        Route("/openapi.json", openapi_json, methods=["GET", "HEAD"]),
    ]
