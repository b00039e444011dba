"""Serving from a SPARQL engine (`kgbuild serve --backend URL`): generations, polling, and errors.

Stateless processes, one engine
-------------------------------
Any number of `kgbuild serve --backend URL` processes can stand in front of one
engine: none holds data, each keeps only its own answer cache. What keeps their
caches honest is the generation token, computed the same way in every process
from what the engine holds, so the same answer gets the same ETag from any of them:

    token = sha256(the VoID graph, <base>graph/void, as the engine has it)[:16]
            + "-" + the wall-clock time bucket of `cache_ttl` seconds (0: a new token per request, no caching)
            + "-" + writes made through this process

* Every build rewrites the VoID graph when the counts change, and `kgbuild push`
  sends it; each process re-reads it every `poll` seconds (one small query) and,
  when it changed, drops its cache and the engine's remembered graph list.
* A change the VoID description does not show (an edit that keeps every count, a
  write straight into the engine) is seen when the time bucket turns: no cached
  answer is older than `cache_ttl` seconds. Clocks of the processes should agree
  (NTP) for their ETags to agree across the bucket boundary.
* A write through one process bumps only that process's counter; the others see
  it through the two rules above.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..remote import BackendError, RemoteStore
from ..vocab import Iris
from ..void import void_graph
from .replies import error
from .runner import expected_errors

log = logging.getLogger("kgbuild.server")


class BackendGeneration:
    """The generation token of an engine's data (see the module docstring)."""

    def __init__(self, store: RemoteStore, base: str, *, cache_ttl: float):
        self.store = store
        self.graph = void_graph(Iris(base))
        self.cache_ttl = cache_ttl
        self._digest = "unread"
        self._writes = 0
        self._lock = threading.Lock()
        try:
            self.refresh()
        except BackendError as exc:  # the engine may come up after us: serve, and say why answers will fail
            log.warning("cannot read the VoID graph from the backend yet: %s", exc)

    def refresh(self) -> bool:
        """Re-read the VoID graph; True when it changed. Runs in a thread (one request to the engine)."""
        lines = sorted(str(q) for q in self.store.quads(self.graph))
        digest = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()[:16]
        changed = digest != self._digest
        self._digest = digest
        return changed

    @property
    def token(self) -> str:
        bucket = int(time.time() // self.cache_ttl) if self.cache_ttl > 0 else time.monotonic_ns()
        return f"{self._digest}-{bucket}-{self._writes}"

    def bump(self) -> None:
        with self._lock:
            self._writes += 1


async def watch(state: Any, interval: float) -> None:
    """Poll the engine's VoID graph every `interval` seconds; on a change, forget cached answers and graphs."""
    loop = asyncio.get_running_loop()
    while True:
        await asyncio.sleep(interval)
        try:
            changed = await loop.run_in_executor(None, state.generation.refresh)
        except Exception as exc:  # noqa: BLE001 - the engine may be restarting: keep serving, try again
            log.warning("could not poll the backend: %s", exc)
            continue
        if changed:
            state.store.forget()
            state.forget_answers()
            log.warning("the backend's data changed: now generation %s", state.generation.token)


async def backend_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, BackendError)
    headers = {"Retry-After": "5"} if exc.status == 503 else {}
    return error(exc.status, str(exc), headers)


EXCEPTION_HANDLERS: dict[Any, Any] = {BackendError: backend_error}
expected_errors(BackendError)
