"""What every route shares: the store, the limits, the saved queries and the answer cache."""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from ..queries import SavedQuery, saved_queries
from ..store import KgStore
from .runner import Runner


class Generation:
    """A token that changes whenever the data may have changed.

    The store only changes on `kgbuild build`, which a read-only server does not
    see until it is restarted (pyoxigraph's read-only store is a snapshot), so the
    token is a digest of the graphs' kg:sourceHash values taken at start-up plus a
    counter that every write through this server bumps.
    """

    def __init__(self, store: KgStore):
        digest = hashlib.sha256()
        try:
            for graph, source_hash in sorted(store.graph_hashes().items()):
                digest.update(f"{graph}\x00{source_hash}\n".encode())
            for graph in store.graphs():
                digest.update(graph.value.encode() + b"\n")
        except OSError:
            pass
        self._base = digest.hexdigest()[:16]
        self._writes = 0
        self._lock = threading.Lock()

    @property
    def token(self) -> str:
        return f"{self._base}-{self._writes}"

    def bump(self) -> None:
        with self._lock:
            self._writes += 1


@dataclass(frozen=True)
class CachedAnswer:
    content_type: str
    body: bytes
    etag: str


class AnswerCache:
    """An LRU of saved-query answers keyed on (query, params, format, generation), bounded in entries and bytes."""

    def __init__(self, *, entries: int = 512, max_bytes: int = 1024 * 1024, budget: int = 64 * 1024 * 1024):
        self.entries = entries
        self.max_bytes = max_bytes  # the largest single answer kept
        self.budget = budget  # all answers together
        self._data: OrderedDict[tuple[object, ...], CachedAnswer] = OrderedDict()
        self._bytes = 0

    def get(self, key: tuple[object, ...]) -> CachedAnswer | None:
        answer = self._data.get(key)
        if answer is not None:
            self._data.move_to_end(key)
        return answer

    def put(self, key: tuple[object, ...], answer: CachedAnswer) -> None:
        if len(answer.body) > self.max_bytes or self.entries <= 0:
            return
        old = self._data.pop(key, None)
        if old is not None:
            self._bytes -= len(old.body)
        self._data[key] = answer
        self._bytes += len(answer.body)
        while self._data and (len(self._data) > self.entries or self._bytes > self.budget):
            _, dropped = self._data.popitem(last=False)
            self._bytes -= len(dropped.body)

    def clear(self) -> None:
        self._data.clear()
        self._bytes = 0

    @property
    def size(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._data)


@dataclass
class ServerState:
    store: KgStore
    base: str
    queries_dir: Path
    runner: Runner
    write_token: str | None
    max_html_rows: int
    allow_service: bool
    ld_prefixes: tuple[str, ...]
    generation: Generation
    cache: AnswerCache = field(default_factory=AnswerCache)
    queries: dict[str, SavedQuery] = field(default_factory=dict)

    def load_queries(self) -> None:
        self.queries = saved_queries(self.queries_dir) if self.queries_dir.is_dir() else {}

    @property
    def writable(self) -> bool:
        return self.write_token is not None

    def changed(self) -> None:
        """Data changed through this server: forget every cached answer."""
        self.generation.bump()
        self.cache.clear()

    def local_path(self, iri: str) -> str | None:
        """The path on this server where an IRI under the base dereferences, if it is one of ours."""
        if iri.startswith(self.base) and len(iri) > len(self.base):
            return self.ld_prefixes[0] + iri[len(self.base):]
        return None
