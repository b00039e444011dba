"""The dataset and the ontology describe themselves: /.well-known/void and the ontology's IRIs.

The ontology IRI https://w3id.org/kgbuild/ontology (and its version IRI
.../ontology/VERSION) resolves to this server's /ontology path: HTML for
browsers, Turtle, RDF/XML, JSON-LD or N-Triples for machines (ontology_docs).
"""
from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..errors import NotAcceptable, UnknownVersion
from ..ontology_docs import ontology_document, version_from_path
from ..void import void_turtle
from .replies import COMMON_HEADERS, error
from .state import ServerState


async def void_description(request: Request) -> Response:
    """VoID + DCAT, naming this server's own /sparql as the endpoint."""
    state: ServerState = request.app.state.kg
    body = await run_in_threadpool(void_turtle, state.store, endpoint_url=str(request.url_for("sparql")))
    return Response(body, media_type="text/turtle; charset=utf-8", headers=COMMON_HEADERS)


async def ontology(request: Request) -> Response:
    try:
        body, media_type = await run_in_threadpool(
            ontology_document, request.headers.get("accept", "*/*"), version=version_from_path(request.url.path))
    except UnknownVersion as exc:
        return error(404, str(exc))
    except NotAcceptable as exc:
        return error(406, f"Not Acceptable: {exc}", {"Vary": "Accept"})
    return Response(body, media_type=media_type, headers={**COMMON_HEADERS, "Vary": "Accept"})


def routes() -> list[Route]:
    return [
        Route("/.well-known/void", void_description, methods=["GET", "HEAD"]),
        Route("/ontology", ontology, methods=["GET", "HEAD"]),
        Route("/ontology/{version}", ontology, methods=["GET", "HEAD"]),
    ]
