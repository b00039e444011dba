"""SPARQL 1.1 Graph Store HTTP Protocol at /rdf-graph-store (`?graph=IRI` or `?default`).

GET and HEAD are always on. PUT (replace), POST (merge) and DELETE need the
server's write token as a bearer token. `?default` is the store's own default
graph, which a kgbuild build leaves empty (every article has its named graph);
SPARQL queries see the union of all graphs instead.
"""
from __future__ import annotations

import pyoxigraph as ox
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import formats
from ..formats import FORMAT_PARAMS
from .replies import COMMON_HEADERS, outcome_response, require_writer
from .runner import Sink
from .state import ServerState

Target = ox.NamedNode | ox.DefaultGraph


def _target(request: Request) -> Target:
    params = request.query_params
    graphs = params.getlist("graph")
    if "default" in params and graphs:
        raise HTTPException(400, "give either ?graph=IRI or ?default, not both")
    if "default" in params:
        return ox.DefaultGraph()
    if len(graphs) != 1:
        raise HTTPException(400, "name the graph with exactly one ?graph=IRI parameter, or use ?default")
    try:
        return ox.NamedNode(graphs[0])
    except ValueError as exc:
        raise HTTPException(400, f"graph: {graphs[0]!r} is not an absolute IRI ({exc})") from None


def _exists(state: ServerState, target: Target) -> bool:
    return state.store.has_graph(target)


async def graph_store(request: Request) -> Response:
    state: ServerState = request.app.state.kg
    target = _target(request)
    if request.method in ("GET", "HEAD"):
        return await _read(request, state, target)
    if request.method not in ("PUT", "POST", "DELETE"):
        raise HTTPException(405, f"{request.method} is not allowed here",
                            headers={"Allow": "GET, HEAD, PUT, POST, DELETE"})
    require_writer(request, state.write_token)
    if request.method == "DELETE":
        return await _delete(state, target)
    return await _write(request, state, target, replace=request.method == "PUT")


async def _read(request: Request, state: ServerState, target: Target) -> Response:
    names = [v for p in FORMAT_PARAMS for v in request.query_params.getlist(p)]
    fmt = formats.choose(formats.Kind.GRAPH, request.headers.get("accept"), names)
    if not await state.runner.call(_exists, state, target):
        raise HTTPException(404, f"no graph {target.value!r} in this store")  # type: ignore[union-attr]

    def produce(sink: Sink) -> None:
        sink.start(fmt)
        quads = state.store.quads(target)
        if fmt.is_dataset:
            items = (ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in quads)
            ox.serialize(items, sink, fmt.ox_format)  # type: ignore[arg-type]
        else:
            ox.serialize((q.triple for q in quads), sink, fmt.ox_format)  # type: ignore[arg-type]

    outcome = await state.runner.stream(produce)
    return outcome_response(outcome, headers={"Vary": "Accept"})


async def _write(request: Request, state: ServerState, target: Target, *, replace: bool) -> Response:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    rdf_format = ox.RdfFormat.from_media_type(media_type) if media_type else None
    if rdf_format is None:
        offered = ", ".join(f.media_type for f in formats.GRAPH_FORMATS)
        raise HTTPException(415, f"cannot read a body of {media_type or 'no Content-Type'}; send one of {offered}")
    body = await request.body()
    base = target.value if isinstance(target, ox.NamedNode) else str(request.url.replace(query=""))

    def job() -> int:
        try:
            parsed = list(ox.parse(body, rdf_format, base_iri=base, without_named_graphs=True))
        except SyntaxError as exc:
            raise HTTPException(400, f"cannot parse the {rdf_format.name} body: {exc}") from None
        except ValueError as exc:
            raise HTTPException(400, f"cannot parse the body: {exc}") from None
        quads = [ox.Quad(q.subject, q.predicate, q.object, target) for q in parsed]
        existed = _exists(state, target)
        if replace:
            state.store.replace_graph(target, quads)
        else:
            state.store.add(quads, target)
        state.store.flush()
        return 204 if existed else 201

    try:
        status = await state.runner.call(job, timeout=None)
    finally:
        state.changed()
    return Response(status_code=status, headers=COMMON_HEADERS)


async def _delete(state: ServerState, target: Target) -> Response:
    def job() -> None:
        if not state.store.drop_graph(target):
            raise HTTPException(404, f"no graph {target.value!r} in this store")  # type: ignore[union-attr]
        state.store.flush()

    try:
        await state.runner.call(job, timeout=None)
    finally:
        state.changed()
    return Response(status_code=204, headers=COMMON_HEADERS)


def routes() -> list[Route]:
    return [Route("/rdf-graph-store", graph_store, methods=["GET", "HEAD", "PUT", "POST", "DELETE", "PATCH"])]
