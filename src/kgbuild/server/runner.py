"""Run store work off the event loop: a bounded thread pool, a deadline, and streamed output.

How the per-query timeout is enforced
-------------------------------------
pyoxigraph evaluates a query in Rust and offers no way to cancel it from Python.
It does release the GIL while it works, and it writes results through a Python
file-like object in 8 KiB chunks. So:

1. Every query runs in a worker thread of a pool of `workers` threads. A request
   that finds every thread busy waits in a bounded line (16 per worker) until a
   thread is free or its deadline passes, then gets 503 with Retry-After; past
   the line's length it gets 503 at once. A burst of slow queries cannot queue
   up without bound or starve the event loop, which keeps serving cached saved
   queries, static files and errors.
2. The HTTP side waits for the first output until the deadline. When the deadline
   passes first, the client gets 503 with a readable message and the query is
   marked cancelled.
3. The worker checks the mark (and the deadline) every time pyoxigraph hands it a
   chunk, and stops there by raising out of `serialize`. A query that produces
   rows stops within one chunk of the deadline.
4. A query that computes for a long time before producing any row (a big
   aggregate, a sort) cannot be interrupted: its thread runs to the end and keeps
   its slot until then. The pool bound is what keeps such queries from exhausting
   the server; `workers` (default 4) is also the most CPU they can take.
5. When a result is already streaming (status 200 sent) and the deadline passes,
   the connection is closed without the final chunk, so the client sees a broken
   transfer rather than a truncated result that looks whole.

pyoxigraph parses and plans a query recursively on the calling thread's stack, and
a stack overflow there kills the process. So the worker threads get a large stack
(`WORKER_STACK`, reserved address space: only the pages a query touches are used),
and the protocol layer refuses what would overflow even that
(`kgbuild.sparqltext.too_complex`).

Results up to `prefetch` bytes are buffered and sent with Content-Length (and can
be cached); larger ones stream with backpressure: at most `credits` chunks wait
between the worker and the socket, so memory stays flat however big the result.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio

from ..errors import QueryTimeout, ServerBusy
from ..formats import Format

log = logging.getLogger("kgbuild.server")
T = TypeVar("T")
WORKER_STACK = 256 * 1024 * 1024  # 32 times the usual 8 MiB: about 300,000 nested operators or 60,000 groups


class _Aborted(Exception):
    """Raised inside the worker to stop pyoxigraph's serializer."""


@dataclass
class Outcome:
    """What a producer made: a format, extra headers, and either the whole body or a stream."""

    format: Format
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    stream: AsyncIterator[bytes] | None = None


class Sink:
    """The worker's side of a channel: pyoxigraph's `serialize` writes into it like a file.

    Output is kept here until it passes `prefetch` bytes, so a small result reaches the
    event loop as one finished body (one wake-up, Content-Length, cacheable); past that
    it streams chunk by chunk with backpressure.
    """

    def __init__(self, channel: _Channel, prefetch: int):
        self._channel = channel
        self._prefetch = prefetch
        self._format: Format | None = None
        self._headers: dict[str, str] = {}
        self._buffer: list[bytes] = []
        self._size = 0
        self._streaming = False

    def start(self, fmt: Format, headers: dict[str, str] | None = None) -> None:
        self._format = fmt
        self._headers = headers or {}

    def check(self) -> None:
        """Raise if the request was cancelled or its deadline passed (call it in long loops)."""
        if self._channel.cancelled.is_set() or time.monotonic() > self._channel.deadline:
            self._channel.cancelled.set()
            raise _Aborted()

    def write(self, data: bytes | bytearray | memoryview) -> int:
        self.check()
        chunk = bytes(data)
        if not self._streaming:
            self._buffer.append(chunk)
            self._size += len(chunk)
            if self._size >= self._prefetch:
                if self._format is None:
                    raise RuntimeError("a producer wrote before choosing a format")
                self._streaming = True
                self._channel.put(("start", (self._format, self._headers, self._buffer)))
                self._buffer = []
            return len(chunk)
        while not self._channel.credits.acquire(timeout=0.05):
            self.check()
        self._channel.put(("data", chunk))
        return len(chunk)

    def flush(self) -> None:
        self.check()

    def finish(self) -> None:
        if self._streaming:
            self._channel.put(("done", None))
            return
        if self._format is None:
            raise RuntimeError("a producer finished without choosing a format")
        self._channel.put(("complete", (self._format, self._headers, b"".join(self._buffer))))


class _Channel:
    """Events from one worker thread to the event loop: start, data..., then done or error."""

    def __init__(self, loop: asyncio.AbstractEventLoop, deadline: float, credits: int):
        self.loop = loop
        self.deadline = deadline
        self.queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self.credits = threading.Semaphore(credits)
        self.cancelled = threading.Event()

    def put(self, event: tuple[str, Any]) -> None:
        try:
            self.loop.call_soon_threadsafe(self.queue.put_nowait, event)
        except RuntimeError:  # the loop is closed: the server is shutting down
            self.cancelled.set()

    async def get(self) -> tuple[str, Any]:
        if not self.queue.empty():
            return self.queue.get_nowait()
        remaining = self.deadline - time.monotonic()
        try:
            if remaining <= 0:
                raise TimeoutError
            return await asyncio.wait_for(self.queue.get(), remaining)
        except (asyncio.TimeoutError, TimeoutError):
            self.cancelled.set()
            raise QueryTimeout() from None


class Runner:
    """A bounded pool of worker threads with deadlines (see the module docstring)."""

    def __init__(self, *, timeout: float, workers: int = 4, credits: int = 16, max_waiting: int | None = None):
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.timeout = timeout
        self.workers = workers
        self.max_waiting = 16 * workers if max_waiting is None else max_waiting
        self._credits = credits
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kgbuild-query")
        _start_threads(self._pool, workers, WORKER_STACK)
        self._lock = threading.Lock()
        self._busy = 0
        self._waiters: deque[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = deque()

    @property
    def busy(self) -> int:
        return self._busy

    async def _acquire(self, deadline: float) -> None:
        """Take a worker slot, waiting (in a bounded line) until the deadline at most."""
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._busy < self.workers and not self._waiters:
                self._busy += 1
                return
            if len(self._waiters) >= self.max_waiting:
                raise ServerBusy()
            granted: asyncio.Future[None] = loop.create_future()
            self._waiters.append((loop, granted))
        try:
            await asyncio.wait_for(asyncio.shield(granted), max(0.0, deadline - time.monotonic()))
        except BaseException as exc:
            with self._lock:
                if granted.done() and not granted.cancelled():
                    owned = True
                else:
                    owned = False
                    granted.cancel()
                    try:
                        self._waiters.remove((loop, granted))
                    except ValueError:
                        pass  # already handed a slot: _grant will see the cancel and pass it on
            if owned:
                self._release()
            if isinstance(exc, (asyncio.TimeoutError, TimeoutError)):
                raise ServerBusy() from None
            raise

    def _release(self) -> None:
        """Give the slot to the next waiter, or free it (safe from any thread)."""
        with self._lock:
            while self._waiters:
                loop, granted = self._waiters.popleft()
                if granted.cancelled():
                    continue
                try:
                    loop.call_soon_threadsafe(self._grant, granted)
                    return
                except RuntimeError:  # that loop is closed
                    continue
            self._busy -= 1

    def _grant(self, granted: asyncio.Future[None]) -> None:
        if granted.done():  # the waiter gave up in the meantime: pass the slot on
            self._release()
        else:
            granted.set_result(None)

    async def call(self, fn: Callable[..., T], *args: Any, timeout: float | None = -1.0) -> T:
        """Run `fn(*args)` in a worker; QueryTimeout after `timeout` s (default: the runner's; None: wait)."""
        limit = self.timeout if timeout == -1.0 else timeout
        await self._acquire(time.monotonic() + (self.timeout if limit is None else limit))

        def job() -> T:
            try:
                return fn(*args)
            except BaseException as exc:
                raise _detach(exc) from None
            finally:
                self._release()

        try:
            future = asyncio.get_running_loop().run_in_executor(self._pool, job)
        except BaseException:
            self._release()
            raise
        try:
            return await asyncio.wait_for(asyncio.shield(future), limit)
        except (asyncio.TimeoutError, TimeoutError):
            future.add_done_callback(_consume)
            raise QueryTimeout() from None

    async def stream(self, produce: Callable[[Sink], None], *, prefetch: int = 64 * 1024) -> Outcome:
        """Run `produce(sink)` in a worker; return once the headers can be decided.

        `produce` calls `sink.start(format)` and then writes bytes (or hands the sink
        to pyoxigraph's serialize). Exceptions it raises before the headers go out
        reach the caller, so they become status codes.
        """
        deadline = time.monotonic() + self.timeout
        await self._acquire(deadline)
        loop = asyncio.get_running_loop()
        channel = _Channel(loop, deadline, self._credits)
        sink = Sink(channel, prefetch)

        def job() -> None:
            try:
                produce(sink)
                sink.finish()
            except BaseException as exc:  # noqa: BLE001 - handed to the event loop, re-raised there
                if not channel.cancelled.is_set():
                    channel.put(("error", _detach(exc)))
            finally:
                self._release()

        try:
            loop.run_in_executor(self._pool, job)
        except BaseException:
            self._release()
            raise
        try:
            kind, value = await channel.get()
        except BaseException:
            channel.cancelled.set()
            raise
        if kind == "error":
            raise value
        fmt, headers, head = value
        if kind == "complete":
            return Outcome(fmt, headers, body=head)
        return Outcome(fmt, headers, stream=_rest(channel, head))

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _start_threads(pool: ThreadPoolExecutor, n: int, stack_size: int) -> None:
    """Start all `n` threads of `pool` now, each with a stack of `stack_size` bytes.

    `threading.stack_size` applies to the threads created while it is set, and the
    pool makes a new thread for each task submitted while none is idle: so `n`
    tasks that wait for each other create exactly the pool's `n` threads, and the
    setting is put back at once. Where the system refuses such stacks, the pool
    keeps the default ones (and says so in the log).
    """
    barrier = threading.Barrier(n + 1)
    try:
        previous = threading.stack_size(stack_size)
    except (ValueError, RuntimeError):
        log.warning("cannot give query threads a %d MiB stack; deeply nested queries may crash the server",
                    stack_size >> 20)
        return
    try:
        for _ in range(n):
            pool.submit(barrier.wait)
    except RuntimeError:
        barrier.abort()
        log.warning("cannot start query threads with a %d MiB stack", stack_size >> 20)
    finally:
        threading.stack_size(previous)
    with contextlib.suppress(threading.BrokenBarrierError):
        barrier.wait(timeout=30)


async def _rest(channel: _Channel, head: list[bytes]) -> AsyncIterator[bytes]:
    try:
        for chunk in head:
            yield chunk
        while True:
            kind, value = await channel.get()
            if kind == "data":
                channel.credits.release()
                yield value
            elif kind == "done":
                return
            else:
                raise value
    finally:
        channel.cancelled.set()


EXPECTED: tuple[type[BaseException], ...] = ()


def expected_errors(*types: type[BaseException]) -> None:
    """Exception types that are answers (HTTP errors, user errors), not bugs worth a traceback in the log."""
    global EXPECTED
    EXPECTED = tuple({*EXPECTED, *types})


def _detach(exc: BaseException) -> BaseException:
    """Make an exception safe to hand to the event loop thread.

    pyoxigraph's result iterators must be dropped on the thread that made them, and
    a traceback keeps the worker's frames (and so those iterators) alive. Log
    unexpected errors here, with their traceback, then cut every traceback in the
    chain so the frames die in this thread.
    """
    if not isinstance(exc, (*EXPECTED, _Aborted, QueryTimeout)):
        log.error("error in a query worker", exc_info=exc)
    seen = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        current.__traceback__ = None
        current = current.__cause__ or current.__context__
    exc.__context__ = None
    exc.__cause__ = None
    return exc


def _consume(future: asyncio.Future[Any]) -> None:
    """Retrieve a late result or error so asyncio does not log it as never retrieved."""
    if not future.cancelled():
        future.exception()


class StreamedResult:
    """An ASGI response for a streamed result that closes the connection on a late failure.

    Unlike a plain StreamingResponse, a deadline or an error after the first byte does
    not end with a well-formed final chunk: the server drops the connection, so no
    client mistakes a cut-off result for a complete one.
    """

    def __init__(self, chunks: AsyncIterator[bytes], *, status_code: int = 200,
                 headers: dict[str, str] | None = None):
        self.chunks = chunks
        self.status_code = status_code
        self.headers = headers or {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in self.headers.items()]
        complete = False
        async with anyio.create_task_group() as tg:

            async def watch_disconnect() -> None:
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        tg.cancel_scope.cancel()
                        return

            tg.start_soon(watch_disconnect)
            try:
                await send({"type": "http.response.start", "status": self.status_code, "headers": raw})
                async for chunk in self.chunks:
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
                complete = True
            except QueryTimeout:
                log.warning("query passed its deadline while streaming; closing the connection")
            except Exception:  # noqa: BLE001 - logged here, never sent to the client
                log.exception("result stream failed; closing the connection")
            finally:
                aclose = getattr(self.chunks, "aclose", None)
                if aclose is not None:
                    with anyio.CancelScope(shield=True):
                        await aclose()
            if complete:
                await send({"type": "http.response.body", "body": b"", "more_body": False})
            tg.cancel_scope.cancel()
