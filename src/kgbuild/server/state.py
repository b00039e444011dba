"""What every route shares: the store, the limits, the saved queries and the answer cache."""
from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..queries import SavedQuery, saved_queries
from ..store import KgStore, generation_stamp
from .cache import AnswerCache, CachedAnswer
from .runner import Runner


class Generation:
    """A token that changes whenever the data may have changed.

    The store changes on `kgbuild build` (a read-only server holds a snapshot and
    re-opens the store when the build's generation stamp changes, see
    `ServerState.reopened`) or on a write through this server. So the token is a
    digest of the stamp and the graphs' kg:sourceHash values taken when the store
    was opened, plus a counter that every write through this server bumps.
    """

    def __init__(self, store: KgStore, stamp: str | None = None):
        digest = hashlib.sha256(f"{stamp}\n".encode())
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


@dataclass
class ServerState:
    store: KgStore
    base: str
    queries_dirs: tuple[Path, ...]  # later folders win a name
    runner: Runner
    write_token: str | None
    max_html_rows: int
    allow_service: bool
    ld_prefixes: tuple[str, ...]
    generation: Generation
    cache: AnswerCache[CachedAnswer] = field(default_factory=AnswerCache)  # saved-query answers (saved.py)
    http_cache: AnswerCache[Any] | None = None  # whole GET answers (front.py), when that layer is on
    queries: dict[str, SavedQuery] = field(default_factory=dict)
    service_hosts: tuple[str, ...] = ()  # with allow_service: hosts beyond loopback that SERVICE/LOAD may reach
    opened: tuple[str | None, int | None] = (None, None)  # the store's generation stamp when opened

    def __post_init__(self) -> None:
        if self.watches_store:
            assert self.store.path is not None
            self.opened = generation_stamp(self.store.path)

    @property
    def watches_store(self) -> bool:
        """A read-only server of an on-disk store follows `kgbuild build`s of it (a writable one holds its lock)."""
        return self.store.path is not None and self.store.read_only

    def reopened(self) -> tuple[KgStore, Generation, tuple[str | None, int | None]] | None:
        """The store opened afresh, if a build finished since it was last opened; else None. Runs in a thread.

        pyoxigraph's read-only store is a snapshot, so the running one never sees a
        build's writes (and keeps its files open, so a build that swaps the folder
        does not pull them away). Opening it again gives the new data; a store that
        cannot be opened right now (mid-swap) is tried again on the next call.
        """
        assert self.store.path is not None
        seen = generation_stamp(self.store.path)
        if seen == self.opened or None in seen:  # no stamp yet: a swapped-in build is still being finished
            return None
        store = KgStore(self.store.path, read_only=True)
        return store, Generation(store, seen[0]), seen

    def swap_store(self, store: KgStore, generation: Generation, seen: tuple[str | None, int | None]) -> None:
        """Serve `store` from now on (called on the event loop, so between any two requests' steps).

        The store goes first and the generation second: a saved-query answer computed
        across the swap is then never cached under the new generation. Queries already
        running finish on the old store, which closes when the last of them lets go.
        """
        self.store = store
        self.generation = generation
        self.opened = seen
        self.forget_answers()

    def forget_answers(self) -> None:
        self.cache.clear()
        if self.http_cache is not None:
            self.http_cache.clear()

    def load_queries(self) -> None:
        self.queries = saved_queries(self.queries_dirs)

    @property
    def writable(self) -> bool:
        return self.write_token is not None

    def changed(self) -> None:
        """Data changed through this server: forget every cached answer."""
        self.generation.bump()
        self.forget_answers()

    def local_path(self, iri: str) -> str | None:
        """The path on this server where an IRI under the base dereferences, if it is one of ours."""
        if iri.startswith(self.base) and len(iri) > len(self.base):
            return self.ld_prefixes[0] + iri[len(self.base):]
        return None
