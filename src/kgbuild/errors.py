"""One exception family for the whole library; the CLI and HTTP app turn it into a message."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class KgbuildError(Exception):
    """Base class: anything a user can fix by changing input or options."""


@dataclass
class AnnotationError(KgbuildError):
    """A problem in an annotation file, located precisely enough to fix it by hand."""

    path: Path | str
    message: str
    line: int | None = None
    item_id: str | None = None
    hint: str | None = None

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        where = str(self.path)
        if self.line is not None:
            where += f":{self.line}"
        text = f"{where}: "
        if self.item_id:
            text += f"[{self.item_id}] "
        text += self.message
        if self.hint:
            text += f" (hint: {self.hint})"
        return text


class StoreError(KgbuildError):
    """The store cannot be opened or written (locked, corrupt, wrong path)."""


class QueryError(KgbuildError):
    """A saved query is unknown, malformed, or given bad parameters."""


class SparqlSyntaxError(QueryError):
    """SPARQL (or RDF given to load) that does not parse: pyoxigraph's SyntaxError, mapped once in store.py."""
