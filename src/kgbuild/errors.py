"""Every exception kgbuild raises, in one place: the KgbuildError family the CLI and the HTTP app turn into
one readable line (and a status), and the few signals modules raise to each other and turn into those."""
from __future__ import annotations

from collections.abc import Iterable
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


class PushError(KgbuildError):
    """The endpoint refused a graph, or stayed unreachable after every retry."""


class UnknownVersion(KgbuildError):
    """A version of the ontology this server does not have (HTTP 404)."""


class NotAcceptable(KgbuildError):
    """Nothing the client accepts can be produced (HTTP 406); the message lists what can."""

    def __init__(self, offered: Iterable[str], asked: str):
        self.offered = tuple(offered)  # media types
        super().__init__(f"cannot produce any of {asked!r}; this result is available as " + ", ".join(self.offered))


# ---------------------------------------------------------------- signals, turned into the above where caught
class AnchorNotFound(ValueError):
    """The quote is not in the text (message says what to check)."""


class AnchorAmbiguous(ValueError):
    """The quote occurs more than once; `starts` lists where, for the hint."""

    def __init__(self, message: str, starts: list[int]):
        super().__init__(message)
        self.starts = starts


class BratSyntaxError(ValueError):
    """An .ann line that is not brat standoff."""


class DatasetConflict(ValueError):
    """using-graph-uri / using-named-graph-uri given for an update that names its own dataset."""


class QueryTimeout(Exception):
    """The deadline passed before the work finished (HTTP 503)."""


class ServerBusy(Exception):
    """Every worker thread is taken, possibly by queries that outlived their deadline (HTTP 503)."""
