"""`create_app`: the ASGI application over a KgStore, wired from the route modules."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from ..store import KgStore
from ..vocab import DEFAULT_BASE, Iris
from . import described, gsp, pages, protocol, saved, stats
from .replies import EXCEPTION_HANDLERS, BodyLimit, CatchAll
from .runner import Runner
from .cache import DEFAULT_BUDGET, DEFAULT_ENTRIES, DEFAULT_MAX_BYTES, AnswerCache
from .state import Generation, ServerState

log = logging.getLogger("kgbuild.server")

DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_BODY = 10 * 1024 * 1024
DEFAULT_MAX_HTML_ROWS = 1000
DEFAULT_WORKERS = 4
DEFAULT_WATCH_INTERVAL = 1.0


def create_app(
    store: KgStore,
    *,
    queries_dir: Path | Sequence[Path],
    base: str = DEFAULT_BASE,
    write_token: str | None = None,
    query_timeout: float = DEFAULT_TIMEOUT,
    max_body: int = DEFAULT_MAX_BODY,
    max_html_rows: int = DEFAULT_MAX_HTML_ROWS,
    cors_origins: Sequence[str] = ("*",),
    query_workers: int = DEFAULT_WORKERS,
    allow_service: bool = False,
    service_hosts: Sequence[str] = (),
    ld_path: str | None = None,
    cache_entries: int = DEFAULT_ENTRIES,
    cache_answer_bytes: int = DEFAULT_MAX_BYTES,
    cache_bytes: int = DEFAULT_BUDGET,
    watch_interval: float = DEFAULT_WATCH_INTERVAL,
) -> Starlette:
    """A SPARQL 1.1 endpoint, graph store, saved-query API and linked-data pages over `store`.

    >>> from kgbuild.store import KgStore
    >>> app = create_app(KgStore(), queries_dir=Path("queries"))
    >>> # uvicorn.run(app, host="127.0.0.1", port=8000)

    SERVICE and LOAD are refused unless `allow_service`, and then reach only
    loopback hosts and those named in `service_hosts`.

    Writes (SPARQL Update, Graph Store PUT/POST/DELETE) are refused unless
    `write_token` is set, and then need `Authorization: Bearer <write_token>`.

    A read-only store on disk is watched every `watch_interval` seconds: when a
    `kgbuild build` of it finishes, the server opens the new store and serves it
    from then on, without a restart and without a failed request.
    """
    Iris(base)  # validates the base IRI
    if write_token is not None and not write_token.strip():
        raise ValueError("the write token must not be empty")
    runner = Runner(timeout=query_timeout, workers=query_workers)
    state = ServerState(
        store=store, base=base, runner=runner,
        queries_dirs=(Path(queries_dir),) if isinstance(queries_dir, (str, Path)) else tuple(map(Path, queries_dir)),
        write_token=write_token,
        max_html_rows=max_html_rows, allow_service=allow_service, ld_prefixes=pages.ld_prefixes(base, ld_path),
        generation=Generation(store),
        cache=AnswerCache(entries=cache_entries, max_bytes=cache_answer_bytes, budget=cache_bytes),
    )
    state.service_hosts = tuple(service_hosts)
    state.load_queries()

    async def watch_store() -> None:
        while True:
            await asyncio.sleep(watch_interval)
            try:
                fresh = await asyncio.get_running_loop().run_in_executor(None, state.reopened)
            except Exception:  # noqa: BLE001 - e.g. a build swapping the folder right now: try again next time
                log.warning("could not re-open the rebuilt store; still serving the previous one", exc_info=True)
                continue
            if fresh is not None:
                state.swap_store(*fresh)
                log.warning("the store was rebuilt: now serving generation %s", state.generation.token)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        watcher = asyncio.create_task(watch_store()) if state.watches_store and watch_interval > 0 else None
        try:
            yield
        finally:
            if watcher is not None:
                watcher.cancel()
            runner.close()

    routes = [
        *protocol.routes(),
        *gsp.routes(),
        *saved.routes(),
        *described.routes(),
        *stats.routes(),
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
