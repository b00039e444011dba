"""`create_app`: the ASGI application over a KgStore, wired from the route modules."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from ..remote import RemoteStore
from ..settings import ServeSettings
from ..store import KgStore
from ..vocab import Iris
from . import backend, described, gsp, pages, protocol, saved, stats
from .cache import HTTP_BUDGET, HTTP_ENTRIES, HTTP_MAX_BYTES, AnswerCache
from .front import AnswerFront
from .replies import EXCEPTION_HANDLERS, BodyLimit, CatchAll
from .runner import Runner
from .state import Generation, ServerState

log = logging.getLogger("kgbuild.server")


def create_app(store: KgStore | RemoteStore, settings: ServeSettings | None = None) -> Starlette:
    """A SPARQL 1.1 endpoint, graph store, saved-query API and linked-data pages over `store`.

    >>> from kgbuild.store import KgStore
    >>> app = create_app(KgStore(), ServeSettings(queries_dirs=(Path("queries"),)))
    >>> # uvicorn.run(app, host="127.0.0.1", port=8000)

    `settings` (ServeSettings, one field per option) say how: SERVICE and LOAD are refused
    unless `allow_service`, and then reach only loopback hosts and those named in
    `service_hosts`. Writes (SPARQL Update, Graph Store PUT/POST/DELETE) are refused unless
    `write_token` is set, and then need `Authorization: Bearer <write_token>`.

    A read-only store on disk is watched every `watch_interval` seconds: when a
    `kgbuild build` of it finishes, the server opens the new store and serves it
    from then on, without a restart and without a failed request.

    With `answer_cache` (the default) a repeated GET query is answered from memory
    within one store generation (kgbuild.server.front).
    """
    s = settings or ServeSettings()
    base = s.base or store.base  # the pages dereference the IRIs the store's build minted
    Iris(base)  # validates the base IRI
    runner = Runner(timeout=s.query_timeout, workers=s.query_workers)
    state = ServerState(
        store=store, base=base, runner=runner, queries_dirs=s.queries_dirs, write_token=s.write_token,
        max_html_rows=s.max_html_rows, allow_service=s.allow_service, ld_prefixes=pages.ld_prefixes(base, s.ld_path),
        generation=(backend.BackendGeneration(store, base, cache_ttl=s.cache_ttl) if isinstance(store, RemoteStore)
                    else Generation(store)),
        cache=AnswerCache(**{k: v for k, v in (("entries", s.cache_entries), ("max_bytes", s.cache_answer_bytes),
                                               ("budget", s.cache_bytes)) if v is not None}),
    )
    state.service_hosts = s.service_hosts
    if s.answer_cache:
        state.http_cache = AnswerCache(entries=HTTP_ENTRIES, max_bytes=HTTP_MAX_BYTES, budget=HTTP_BUDGET)
    state.load_queries()

    async def watch_store() -> None:
        while True:
            await asyncio.sleep(s.watch_interval)
            try:
                fresh = await asyncio.get_running_loop().run_in_executor(None, state.reopened)
            except Exception as error:  # noqa: BLE001 - e.g. a build swapping the folder right now: try again next time
                log.warning("could not re-open the rebuilt store (%s); still serving the previous one", error)
                continue
            if fresh is not None:
                state.swap_store(*fresh)
                log.warning("the store was rebuilt: now serving generation %s", state.generation.token)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        watcher = asyncio.create_task(watch_store()) if state.watches_store and s.watch_interval > 0 else None
        if isinstance(store, RemoteStore) and s.poll_interval > 0:
            watcher = asyncio.create_task(backend.watch(state, s.poll_interval))
        try:
            yield
        finally:
            if watcher is not None:
                watcher.cancel()
            runner.close()
            if isinstance(store, RemoteStore):
                store.close()

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
        *([Middleware(AnswerFront, state=state, cache=state.http_cache)] if state.http_cache is not None else []),
        Middleware(CORSMiddleware, allow_origins=list(s.cors_origins), allow_methods=["GET", "HEAD", "POST", "PUT",
                                                                                    "DELETE", "OPTIONS"],
                   allow_headers=["Accept", "Authorization", "Content-Type", "If-None-Match"],
                   expose_headers=["ETag", "Link", "Location"], max_age=600),
        Middleware(CatchAll),
        Middleware(BodyLimit, max_body=s.max_body),
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan,
                    exception_handlers={**EXCEPTION_HANDLERS, **backend.EXCEPTION_HANDLERS})
    app.state.kg = state
    return app
