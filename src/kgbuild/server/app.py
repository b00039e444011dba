"""`create_app`: the ASGI application over a KgStore, wired from the route modules."""
from __future__ import annotations

import logging
from collections.abc import Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from ..store import KgStore
from ..vocab import DEFAULT_BASE, Iris
from . import described, gsp, pages, protocol, saved
from .replies import EXCEPTION_HANDLERS, BodyLimit, CatchAll
from .runner import Runner
from .state import AnswerCache, Generation, ServerState

log = logging.getLogger("kgbuild.server")

DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_BODY = 10 * 1024 * 1024
DEFAULT_MAX_HTML_ROWS = 1000
DEFAULT_WORKERS = 4


def create_app(
    store: KgStore,
    *,
    queries_dir: Path,
    base: str = DEFAULT_BASE,
    write_token: str | None = None,
    query_timeout: float = DEFAULT_TIMEOUT,
    max_body: int = DEFAULT_MAX_BODY,
    max_html_rows: int = DEFAULT_MAX_HTML_ROWS,
    cors_origins: Sequence[str] = ("*",),
    query_workers: int = DEFAULT_WORKERS,
    allow_service: bool = False,
    ld_path: str | None = None,
    cache_entries: int = 512,
) -> Starlette:
    """A SPARQL 1.1 endpoint, graph store, saved-query API and linked-data pages over `store`.

    >>> from kgbuild.store import KgStore
    >>> app = create_app(KgStore(), queries_dir=Path("queries"))
    >>> # uvicorn.run(app, host="127.0.0.1", port=8000)

    Writes (SPARQL Update, Graph Store PUT/POST/DELETE) are refused unless
    `write_token` is set, and then need `Authorization: Bearer <write_token>`.
    """
    Iris(base)  # validates the base IRI
    if write_token is not None and not write_token.strip():
        raise ValueError("the write token must not be empty")
    runner = Runner(timeout=query_timeout, workers=query_workers)
    state = ServerState(
        store=store, base=base, queries_dir=Path(queries_dir), runner=runner, write_token=write_token,
        max_html_rows=max_html_rows, allow_service=allow_service, ld_prefixes=pages.ld_prefixes(base, ld_path),
        generation=Generation(store), cache=AnswerCache(entries=cache_entries),
    )
    state.load_queries()

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        runner.close()

    routes = [
        *protocol.routes(),
        *gsp.routes(),
        *saved.routes(),
        *described.routes(),
        Mount("/static", StaticFiles(directory=pages.STATIC_DIR), name="static"),
        *pages.routes(state),
    ]
    middleware = [
        Middleware(CORSMiddleware, allow_origins=list(cors_origins), allow_methods=["GET", "HEAD", "POST", "PUT",
                                                                                    "DELETE", "OPTIONS"],
                   allow_headers=["Accept", "Authorization", "Content-Type", "If-None-Match"],
                   expose_headers=["ETag", "Link", "Location"], max_age=600),
        Middleware(CatchAll),
        Middleware(BodyLimit, max_body=max_body),
    ]
    app = Starlette(routes=routes, middleware=middleware, exception_handlers=EXCEPTION_HANDLERS, lifespan=lifespan)
    app.state.kg = state
    return app
