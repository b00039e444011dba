"""Saved SPARQL queries: files with a commented header, run with typed, bound parameters.

Header lines at the top of a .rq file:

    # title: Who said what
    # description: Every direct quote with its speaker.
    # param: speaker iri optional -- restrict to one speaker

Parameter values are bound with Oxigraph's `substitutions` (SEP-0007), never
spliced into the query text, so a value cannot change the query's shape.
Oxigraph substitutes only projected variables, so every parameter must appear
in the SELECT clause (a test checks each saved query).
"""
from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox

from .errors import QueryError, SparqlSyntaxError
from .store import KgStore
from .vocab import PREFIXES, XSD

Resolver = Callable[[str, str], ox.NamedNode]  # (text, what) -> the IRI it names
PARAM_TYPES = ("iri", "string", "integer", "decimal", "boolean", "date", "year")
_HEADER = re.compile(r"^#\s*(title|description|param)\s*:\s*(.*)$")
_PARAM = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<type>\w+)(?P<optional>\s+optional)?"
                    r"(?:\s+default=(?P<default>\S+))?(?:\s+--\s*(?P<doc>.*))?$")


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    optional: bool = False
    default: str | None = None
    description: str = ""

    def bind(self, raw: str, resolve: Resolver | None = None) -> ox.NamedNode | ox.Literal:
        """Turn a user's text into a typed RDF term, or explain why it cannot be one.

        With `resolve`, an iri parameter also takes a prefixed name, a registry id or a label (names.Names).
        """
        if self.type == "iri" and resolve is not None:
            return resolve(raw, f"parameter {self.name!r}:")
        try:
            if self.type == "iri":
                if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$", raw):
                    raise ValueError("not an absolute IRI")
                return ox.NamedNode(raw)
            if self.type == "integer":
                return ox.Literal(str(int(raw)), datatype=XSD.integer)
            if self.type == "decimal":
                return ox.Literal(str(Decimal(raw)), datatype=XSD.decimal)
            if self.type == "boolean":
                if raw.lower() not in ("true", "false"):
                    raise ValueError("use true or false")
                return ox.Literal(raw.lower(), datatype=XSD.boolean)
            if self.type == "date":
                return ox.Literal(_dt.date.fromisoformat(raw).isoformat(), datatype=XSD.date)
            if self.type == "year":
                return ox.Literal(f"{int(raw):04d}", datatype=XSD.gYear)
            return ox.Literal(raw)
        except (ValueError, InvalidOperation) as exc:
            raise QueryError(f"parameter {self.name!r}: {raw!r} is not a valid {self.type} ({exc})") from None


@dataclass(frozen=True)
class SavedQuery:
    name: str
    path: Path
    sparql: str
    title: str
    description: str = ""
    parameters: tuple[Parameter, ...] = field(default_factory=tuple)

    def bindings(self, values: dict[str, str], resolve: Resolver | None = None) -> dict[ox.Variable, ox.NamedNode | ox.Literal]:
        known = {p.name: p for p in self.parameters}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise QueryError(f"query {self.name!r} has no parameter {unknown[0]!r}; "
                             f"it takes: {', '.join(known) or 'none'}")
        out: dict[ox.Variable, ox.NamedNode | ox.Literal] = {}
        for p in self.parameters:
            raw = values.get(p.name, p.default)
            if raw is None:
                if not p.optional:
                    raise QueryError(f"query {self.name!r} needs parameter {p.name!r} ({p.type}): {p.description}")
                continue
            out[ox.Variable(p.name)] = p.bind(raw, resolve)
        return out


def parse_saved_query(path: Path) -> SavedQuery:
    text = path.read_text("utf-8")
    meta: dict[str, str] = {}
    params: list[Parameter] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        match = _HEADER.match(line)
        if not match:
            continue
        key, value = match.groups()
        if key == "param":
            pm = _PARAM.match(value.strip())
            if not pm or pm["type"] not in PARAM_TYPES:
                raise QueryError(f"{path}: bad param line {line!r}; write "
                                 f"'# param: NAME TYPE [optional] [default=V] -- doc' with TYPE one of {', '.join(PARAM_TYPES)}")
            params.append(Parameter(pm["name"], pm["type"], bool(pm["optional"]), pm["default"], pm["doc"] or ""))
        else:
            meta[key] = value.strip()
    if "title" not in meta:
        raise QueryError(f"{path}: saved query has no '# title:' header")
    return SavedQuery(path.stem, path, text, meta["title"], meta.get("description", ""), tuple(params))


def saved_queries(folders: Path | Iterable[Path]) -> dict[str, SavedQuery]:
    """The .rq files of `folders` by name; a later folder's query wins a name (a user's own over the shipped one)."""
    found: dict[str, SavedQuery] = {}
    for folder in [folders] if isinstance(folders, Path) else folders:
        found.update((p.stem, parse_saved_query(p)) for p in sorted(folder.glob("*.rq")))
    return dict(sorted(found.items()))


def find_query(name_or_file: str, folders: Path | Iterable[Path]) -> SavedQuery:
    """A .rq file by path, else a saved query by name (the last folder holding it)."""
    path = Path(name_or_file)
    if path.suffix == ".rq" and path.is_file():
        return parse_saved_query(path)
    searched = [folders] if isinstance(folders, Path) else list(folders)
    for folder in reversed(searched):
        candidate = folder / f"{name_or_file}.rq"
        if candidate.is_file():
            return parse_saved_query(candidate)
    names = ", ".join(saved_queries(searched)) or "none"
    raise QueryError(f"no saved query {name_or_file!r} in {', '.join(map(str, searched))} (saved queries: {names})")


def run_saved_query(store: KgStore, query: SavedQuery, params: dict[str, str] | None = None,
                    resolve: Resolver | None = None) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    """Run a saved query over the union of all graphs with its parameters bound."""
    substitutions = query.bindings(params or {}, resolve)
    try:
        return store.query(query.sparql, substitutions=substitutions, prefixes=PREFIXES)
    except SparqlSyntaxError as exc:
        raise QueryError(f"{query.path}: invalid SPARQL: {exc}") from None
    except (RuntimeError, OSError) as exc:
        raise QueryError(f"{query.path}: query failed: {exc}") from None
