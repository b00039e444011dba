"""How a server runs: every option of `kgbuild serve` / `create_app` with its default, declared once.

The CLI's option defaults read these fields, so a default changes in one place. It lives
outside kgbuild.server so that the CLI reads it without importing the web stack.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ServeSettings:
    """What `create_app` needs besides the store."""

    queries_dirs: tuple[Path, ...] = ()  # folders of saved queries; a later folder wins a name
    base: str | None = None  # None: the base IRI the store was built with
    write_token: str | None = None  # None: read-only; else writes need `Authorization: Bearer <token>`
    query_timeout: float = 30.0  # seconds per query (503 past it)
    max_body: int = 10 * 1024 * 1024  # bytes per request body (413 past it)
    max_html_rows: int = 1000  # rows an HTML page or the query page shows
    cors_origins: tuple[str, ...] = ("*",)
    query_workers: int = 4  # queries that run at once
    allow_service: bool = False  # SERVICE and LOAD, to loopback and `service_hosts` only
    service_hosts: tuple[str, ...] = ()
    ld_path: str | None = None  # the short path of the linked-data pages (default: /<last segment of the base>/)
    cache_entries: int | None = None  # None: the answer cache's own defaults (server/cache.py)
    cache_answer_bytes: int | None = None
    cache_bytes: int | None = None
    watch_interval: float = 1.0  # seconds between checks for a rebuilt store (0: do not watch)
    poll_interval: float = 5.0  # over a SPARQL engine (--backend): seconds between checks of its VoID graph
    cache_ttl: float = 60.0  # over a SPARQL engine: the longest a cached answer is served (0: no caching)
    answer_cache: bool = True  # repeated GET queries answered from memory per store generation (server/front.py)

    def __post_init__(self) -> None:
        if self.write_token is not None and not self.write_token.strip():
            raise ValueError("the write token must not be empty")
        object.__setattr__(self, "queries_dirs", tuple(Path(p) for p in self.queries_dirs))
        object.__setattr__(self, "cors_origins", tuple(self.cors_origins))
        object.__setattr__(self, "service_hosts", tuple(self.service_hosts))
