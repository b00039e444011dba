"""Render SPARQL results for people (a table) and programs (the W3C result formats)."""
from __future__ import annotations

import pyoxigraph as ox
from rich.console import Console
from rich.table import Table

from .errors import QueryError
from .vocab import PREFIXES

RESULT_FORMATS = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
}
GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
Result = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


def short(term: object) -> str:
    """A compact, prefixed rendering of a term for tables."""
    if isinstance(term, ox.NamedNode):
        for prefix, ns in PREFIXES.items():
            if term.value.startswith(ns) and len(term.value) > len(ns):
                return f"{prefix}:{term.value[len(ns):]}"
        return f"<{term.value}>"
    if isinstance(term, ox.Literal):
        return term.value
    return "" if term is None else str(term)


def rows(result: ox.QuerySolutions) -> tuple[list[str], list[list[object]]]:
    names = [v.value for v in result.variables]
    return names, [[solution[n] for n in names] for solution in result]


def render(result: Result, fmt: str, console: Console) -> bytes | None:
    """Return bytes for machine formats; print a table for 'table'."""
    if isinstance(result, ox.QueryBoolean):
        if fmt == "table":
            console.print("yes" if bool(result) else "no")
            return None
        if fmt not in ("json", "xml", "csv", "tsv"):
            raise QueryError(f"an ASK result cannot be written as {fmt}")
        return result.serialize(format=RESULT_FORMATS[fmt])
    if isinstance(result, ox.QueryTriples):
        if fmt == "table":
            fmt = "turtle"
        if fmt not in GRAPH_FORMATS:
            raise QueryError(f"a CONSTRUCT/DESCRIBE result cannot be written as {fmt}; use {', '.join(GRAPH_FORMATS)}")
        triples = sorted(result, key=str)
        return ox.serialize(triples, format=GRAPH_FORMATS[fmt], prefixes=PREFIXES if fmt == "turtle" else None)
    if fmt == "table":
        names, data = rows(result)
        table = Table(*names, show_lines=False)
        for row in data:
            table.add_row(*(short(v) for v in row))
        console.print(table)
        console.print(f"{len(data)} row(s)", style="dim")
        return None
    if fmt not in RESULT_FORMATS:
        raise QueryError(f"a SELECT result cannot be written as {fmt}; use table, {', '.join(RESULT_FORMATS)}")
    return result.serialize(format=RESULT_FORMATS[fmt])
