"""/.well-known/kgbuild-stats: this server process's answer cache (limits and counters) and store generation.

Operators and the benchmark read it to see whether saved answers are served from
the cache (`hits`) or recomputed (`computed`), how full the cache is, and which
store generation the process serves. With `kgbuild serve --processes N` every
process answers for itself (its `pid` is in the reply).
"""
from __future__ import annotations

import os

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .replies import COMMON_HEADERS
from .state import ServerState


async def stats(request: Request) -> Response:
    state: ServerState = request.app.state.kg
    return JSONResponse({"pid": os.getpid(), "generation": state.generation.token,
                         "query_workers": state.runner.workers, "saved_query_cache": state.cache.stats(),
                         "http_answer_cache": state.http_cache.stats() if state.http_cache is not None else None},
                        headers={**COMMON_HEADERS, "Cache-Control": "no-store"})


def routes() -> list[Route]:
    return [Route("/.well-known/kgbuild-stats", stats, methods=["GET", "HEAD"])]
