"""The SPARQL endpoint: `create_app(store, ServeSettings(...))` gives an ASGI app to run with uvicorn.

Modules by responsibility: protocol (/sparql), gsp (/rdf-graph-store), saved
(/queries, /openapi.json), pages (/ and the linked-data pages), kgbuild.formats (Accept),
runner (worker threads, deadlines, streaming), replies (errors, auth, body limit),
kgbuild.settings (every option and its default).
"""
from ..settings import ServeSettings
from .app import create_app

__all__ = ["ServeSettings", "create_app"]
