"""The edge of the app: errors become a status and one readable line, never a traceback.

Also the two guards every write and every request body pass: the bearer-token
check and the request-size limit.
"""
from __future__ import annotations

import hmac
import logging
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import KgbuildError, NotAcceptable, QueryTimeout, ServerBusy
from .runner import Outcome, StreamedResult, expected_errors

log = logging.getLogger("kgbuild.server")
COMMON_HEADERS = {"X-Content-Type-Options": "nosniff"}


def error(status: int, message: str, headers: dict[str, str] | None = None) -> PlainTextResponse:
    return PlainTextResponse(message.rstrip("\n") + "\n", status_code=status,
                             headers={**COMMON_HEADERS, **(headers or {})})


def outcome_response(outcome: Outcome, *, headers: dict[str, str] | None = None) -> Response:
    """A finished result with Content-Length, or a stream that aborts cleanly on a late failure."""
    all_headers = {**COMMON_HEADERS, **outcome.headers, **(headers or {}),
                   "Content-Type": outcome.format.content_type}
    if outcome.body is not None:
        return Response(outcome.body, headers=all_headers)
    assert outcome.stream is not None
    return StreamedResult(outcome.stream, headers=all_headers)  # type: ignore[return-value]


async def http_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error(exc.status_code, str(exc.detail), dict(exc.headers or {}))


async def not_acceptable(_: Request, exc: Exception) -> Response:
    return error(406, f"Not Acceptable: {exc}")


async def timeout(_: Request, exc: Exception) -> Response:
    return error(503, "the query ran past this server's time limit and was stopped; "
                      "make it more selective (LIMIT, a narrower pattern) or ask the operator for a longer --timeout",
                 {"Retry-After": "5"})


async def busy(_: Request, exc: Exception) -> Response:
    return error(503, "every query worker is busy (long-running queries hold them); try again shortly",
                 {"Retry-After": "5"})


async def user_error(_: Request, exc: Exception) -> Response:
    return error(400, str(exc))


EXCEPTION_HANDLERS: dict[Any, Any] = {
    HTTPException: http_error,
    NotAcceptable: not_acceptable,
    QueryTimeout: timeout,
    ServerBusy: busy,
    KgbuildError: user_error,
}
expected_errors(HTTPException, NotAcceptable, KgbuildError)


class _TrackedSend:
    """Passes messages on and remembers whether the response has begun: before that, an error
    can still be answered cleanly; after it, the connection can only be dropped."""

    def __init__(self, send: Send):
        self.send = send
        self.started = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
        await self.send(message)


class CatchAll:
    """Any other exception: log it with its traceback, answer 500 with one line, keep the connection."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        tracked = _TrackedSend(send)
        try:
            await self.app(scope, receive, tracked)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if tracked.started:
                raise
            await error(500, "internal server error (details are in the server's log)")(scope, receive, send)


def require_writer(request: Request, token: str | None) -> None:
    """Let a write through only with `Authorization: Bearer <the server's write token>`."""
    if token is None:
        raise HTTPException(403, "this server is read-only: writes need `kgbuild serve` started with "
                                 "--write-token-file (or $KGBUILD_WRITE_TOKEN)")
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise HTTPException(401, "writes need an `Authorization: Bearer <token>` header",
                            headers={"WWW-Authenticate": 'Bearer realm="kgbuild"'})
    if not hmac.compare_digest(credentials.strip().encode("utf-8"), token.encode("utf-8")):
        raise HTTPException(403, "the bearer token is not this server's write token",
                            headers={"WWW-Authenticate": 'Bearer realm="kgbuild", error="invalid_token"'})


class _TooLarge(Exception):
    pass


class BodyLimit:
    """413 for a request body over `max_body` bytes, by Content-Length or as it streams in."""

    def __init__(self, app: ASGIApp, max_body: int):
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        has_body = False
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                has_body = True
                try:
                    too_big = int(value) > self.max_body
                except ValueError:
                    too_big = False
                if too_big:
                    await self._reject(scope, receive, send)
                    return
            elif name == b"transfer-encoding":
                has_body = True
        if not has_body:  # nothing to count (most GETs): no wrappers around receive and send
            await self.app(scope, receive, send)
            return
        seen = 0
        tracked = _TrackedSend(send)

        async def counted_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise _TooLarge()
            return message

        try:
            await self.app(scope, counted_receive, tracked)
        except _TooLarge:
            if tracked.started:
                raise
            await self._reject(scope, receive, send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error(413, f"request body too large: this server accepts at most {self.max_body:,} bytes "
                              "(see `kgbuild serve --max-body`)", {"Connection": "close"})
        await response(scope, receive, send)
