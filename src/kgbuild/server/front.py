"""Repeated GET queries answered from memory before routing: the HTTP layer's Python toll paid once per answer.

Profiling a tiny lookup (`py-spy record` on `kgbuild serve` under wrk, README
"Serving speed") showed the store's own work at a few percent of the request:
the rest is Starlette's middleware and routing, query-string parsing, the
hand-off to a worker thread and back, and building the Response. A raw ASGI
reply on the same machine is about eight times faster.

Between two store generations the same GET (path, query string, Accept) has the
same answer: a read-only store changes only by a build, a writable one only by a
write through this server, and each gives a new generation. So this layer keeps
the complete response (status 200, headers, body) of GET /sparql?query=... and
GET /queries/... under (path, query string, Accept, generation), and replays it
to the next identical request without entering the app.

Not kept, always passed to the app: requests with Origin (CORS headers depend on
it), If-None-Match, Range, Authorization or Cookie; queries that call NOW, RAND,
UUID, STRUUID or BNODE or use SERVICE (their answers change without the store
changing); answers that are not 200, that stream (larger than the prefetch), or
that were computed while the generation changed. Turn it off with
`ServeSettings(answer_cache=False)` / `kgbuild serve --no-answer-cache`, e.g.
to measure the uncached path.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .cache import AnswerCache
from .saved import split_name
from .state import ServerState

_BYPASS = frozenset({b"origin", b"if-none-match", b"range", b"authorization", b"cookie"})
_VOLATILE = re.compile(rb"(?i)\b(?:NOW|RAND|UUID|STRUUID|BNODE)\s*\(|\bSERVICE\b")


@dataclass(frozen=True)
class HttpAnswer:
    headers: list[tuple[bytes, bytes]]
    body: bytes


class AnswerFront:
    """ASGI middleware: replay a GET answer from this generation, or run the app and keep its answer."""

    def __init__(self, app: ASGIApp, state: ServerState, cache: AnswerCache[HttpAnswer]):
        self.app = app
        self.state = state
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path != "/sparql" and not path.startswith("/queries/"):
            await self.app(scope, receive, send)
            return
        accept = b""
        for name, value in scope["headers"]:
            if name == b"accept":
                accept = value
            elif name in _BYPASS:
                await self.app(scope, receive, send)
                return
        generation = self.state.generation.token
        key = (path, scope["query_string"], accept, generation)
        hit = self.cache.get(key)
        if hit is not None:
            await send({"type": "http.response.start", "status": 200, "headers": hit.headers})
            await send({"type": "http.response.body", "body": hit.body})
            return
        if not self._stable(path, scope["query_string"]):
            await self.app(scope, receive, send)
            return
        self.cache.misses += 1
        start: Message | None = None
        body: bytes | None = None
        whole = True

        async def capture(message: Message) -> None:
            nonlocal start, body, whole
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                if body is None and not message.get("more_body", False):
                    body = message.get("body", b"")
                else:
                    whole = False
            await send(message)

        await self.app(scope, receive, capture)
        if (whole and start is not None and start["status"] == 200 and body is not None
                and generation == self.state.generation.token):
            self.cache.put(key, HttpAnswer(list(start.get("headers", [])), bytes(body)))

    def _stable(self, path: str, query_string: bytes) -> bool:
        """False for a request whose answer may change while the store does not."""
        if path == "/sparql":
            return b"query=" in query_string and not any(
                _VOLATILE.search(value.encode()) for _, value in parse_qsl(query_string.decode("latin-1")))
        query = self.state.queries.get(split_name(path.removeprefix("/queries/"))[0])
        return query is None or not _VOLATILE.search(query.sparql.encode())
