"""`kgbuild serve --processes N`: N server processes over one listening socket and one read-only store.

uvicorn's own process supervisor does the work (it binds the socket once, starts
N worker processes with the `spawn` method, restarts one that dies and stops all
on SIGINT/SIGTERM): each process imports this module and builds its app with
`app_from_environment`, from the settings the parent put in the environment.

Why processes: a request's Python work (HTTP parsing, routing, conneg, the hand-off
to a query thread) holds the GIL, so one process uses about one core however many
query threads it has. Each process opens the store read-only (RocksDB allows many
readers), keeps its own answer caches, and watches the store's generation stamp on
its own, so a `kgbuild build` is picked up by every process within its
`watch_interval` (one second), and no process ever serves a cached answer from an
older generation than the store it has open. A writable store is held by one
process, so writes (a write token) need `--processes 1`.
"""
from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

from starlette.applications import Starlette

from ..settings import ServeSettings

ENV = "KGBUILD_SERVE_SETTINGS"


def serve_processes(processes: int, *, host: str, port: int, store: Path, settings: ServeSettings) -> None:
    """Run `processes` server processes over the read-only store at `store`, on host:port, until interrupted."""
    import uvicorn

    os.environ[ENV] = json.dumps({"store": str(store), "settings": dataclasses.asdict(settings)}, default=str)
    uvicorn.run(f"{__name__}:app_from_environment", factory=True, workers=processes, host=host, port=port,
                log_level="warning", server_header=False)


def app_from_environment() -> Starlette:
    """The app of one worker process, from the settings `serve_processes` left in the environment."""
    from ..store import KgStore
    from .app import create_app

    given = json.loads(os.environ[ENV])
    return create_app(KgStore(Path(given["store"]), read_only=True), ServeSettings(**given["settings"]))
