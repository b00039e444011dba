"""The saved-query answer cache: explicit limits, LRU eviction, one computation per key at a time, counters.

An answer is kept under (query, parameters, format, store generation), so a build
or a write (a new generation) makes every older answer unreachable; the server
also clears the cache then. The limits are explicit and shown at
/.well-known/kgbuild-stats:

* `max_bytes`: the largest single answer kept. The default (64 MiB) holds every
  saved query's default answer on a 10,000-article synthetic store (measured there:
  the largest, `sentence`, is 23.8 MB as JSON and 27.5 MB as XML; all fifteen
  default JSON answers together 52.7 MB). An answer over it is streamed to the
  client and recomputed next time (`too_big` counts them). Up to this much of an
  answer is buffered per worker before it is sent, so that it can be kept.
* `budget`: all answers together (default 256 MiB); past it, and past `entries`
  answers, the least recently used answers go first (`evicted` counts them).

Identical requests that arrive while the answer is being computed wait for that
one computation instead of starting their own (`joined` counts them), so a burst
of the same slow query costs the store one evaluation, not one per client.
Every server process has its own cache (see kgbuild.server.processes).
"""
from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

MiB = 1024 * 1024
DEFAULT_MAX_BYTES = 64 * MiB
DEFAULT_BUDGET = 256 * MiB
DEFAULT_ENTRIES = 512
# kgbuild.server.front's cache of whole GET answers: the small and mid-sized ones, where the per-request toll
# matters (bigger saved answers are served from the saved-query cache, behind the router; a saved answer in
# both caches is one bytes object). Ad-hoc /sparql answers are kept only when they arrive whole, i.e. up to the
# runner's prefetch (64 KiB); bigger ones stream.
HTTP_MAX_BYTES = 8 * MiB
HTTP_BUDGET = 64 * MiB
HTTP_ENTRIES = 4096

Key = tuple[object, ...]


class _HasBody(Protocol):
    @property
    def body(self) -> bytes: ...


A = TypeVar("A", bound=_HasBody)


@dataclass(frozen=True)
class CachedAnswer:
    content_type: str
    body: bytes
    etag: str


class AnswerCache(Generic[A]):
    """An LRU of answers, bounded in entries, in bytes per answer and in bytes in all."""

    def __init__(self, *, entries: int = DEFAULT_ENTRIES, max_bytes: int = DEFAULT_MAX_BYTES,
                 budget: int = DEFAULT_BUDGET):
        if max_bytes > budget:
            raise ValueError("the largest cached answer cannot be bigger than the whole cache")
        self.entries = entries
        self.max_bytes = max_bytes
        self.budget = budget
        self._data: OrderedDict[Key, A] = OrderedDict()
        self._bytes = 0
        self._pending: dict[Key, asyncio.Future[A | None]] = {}
        self._lock = threading.Lock()  # the counters are bumped from worker threads too
        self.hits = self.misses = self.computed = self.joined = self.too_big = self.evicted = 0

    def get(self, key: Key) -> A | None:
        answer = self._data.get(key)
        if answer is not None:
            self._data.move_to_end(key)
            self.hits += 1
        return answer

    def put(self, key: Key, answer: A) -> None:
        if len(answer.body) > self.max_bytes or self.entries <= 0:
            self.too_big += len(answer.body) > self.max_bytes
            return
        old = self._data.pop(key, None)
        if old is not None:
            self._bytes -= len(old.body)
        self._data[key] = answer
        self._bytes += len(answer.body)
        while self._data and (len(self._data) > self.entries or self._bytes > self.budget):
            _, dropped = self._data.popitem(last=False)
            self._bytes -= len(dropped.body)
            self.evicted += 1

    async def get_or_compute(self, key: Key, compute: Callable[[], Awaitable[tuple[A | None, Any]]]
                             ) -> tuple[A | None, Any]:
        """The cached answer for `key`, or `compute()`'s, computed once for all who ask meanwhile.

        `compute` returns (answer to keep or None, what to hand the caller when there is
        none, e.g. a stream). A request that joined a computation which kept nothing
        (an answer too big to keep, an error) computes for itself.
        """
        answer = self.get(key)
        if answer is not None:
            return answer, None
        pending = self._pending.get(key)
        if pending is not None:
            self.joined += 1
            shared = await asyncio.shield(pending)
            if shared is not None:
                return shared, None
        self.misses += 1
        future: asyncio.Future[A | None] = asyncio.get_running_loop().create_future()
        self._pending.setdefault(key, future)
        kept: A | None = None
        try:
            kept, other = await compute()
            return kept, other
        finally:
            if self._pending.get(key) is future:
                del self._pending[key]
            future.set_result(kept)

    def count_computation(self) -> None:
        """One evaluation of a saved query against the store (called from the worker thread)."""
        with self._lock:
            self.computed += 1

    def clear(self) -> None:
        self._data.clear()
        self._bytes = 0

    @property
    def size(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._data)

    def stats(self) -> dict[str, object]:
        return {
            "policy": "LRU per store generation", "max_entries": self.entries, "max_answer_bytes": self.max_bytes,
            "budget_bytes": self.budget, "entries": len(self._data), "bytes": self._bytes, "hits": self.hits,
            "misses": self.misses, "joined": self.joined, "computed": self.computed, "too_big": self.too_big,
            "evicted": self.evicted,
        }
