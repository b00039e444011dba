"""The SPARQL endpoint: `create_app(store, queries_dir=...)` gives an ASGI app to run with uvicorn.

Modules by responsibility: protocol (/sparql), gsp (/rdf-graph-store), saved
(/queries, /openapi.json), pages (/ and the linked-data pages), kgbuild.formats (Accept),
runner (worker threads, deadlines, streaming), replies (errors, auth, body limit).
"""
from .app import create_app

__all__ = ["create_app"]
