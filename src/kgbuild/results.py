"""Render SPARQL results for people (a table) and programs (the W3C result formats)."""
from __future__ import annotations

import pyoxigraph as ox
from rich.console import Console
from rich.table import Table

from .errors import QueryError
from .formats import CONSTRUCT_FORMATS, RESULT_FORMATS
from .names import compact
from .vocab import PREFIXES

Result = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


def short(term: object, prefixes: dict[str, str] = PREFIXES) -> str:
    """A compact, prefixed rendering of a term for tables."""
    if isinstance(term, ox.NamedNode):
        return compact(term.value, prefixes)
    if isinstance(term, ox.Literal):
        return term.value
    return "" if term is None else str(term)


def rows(result: ox.QuerySolutions) -> tuple[list[str], list[list[object]]]:
    names = [v.value for v in result.variables]
    return names, [[solution[n] for n in names] for solution in result]


def _label_column(column: str, names: list[str], taken: set[str]) -> str | None:
    """The column holding `column`'s label: speaker -> speakerName / speakerLabel / speaker_label."""
    for suffix in ("Name", "Label", "_name", "_label"):
        if column + suffix in names and column + suffix not in taken:
            return column + suffix
    return None


def fold_labels(names: list[str], data: list[list[object]]) -> tuple[list[str], list[list[object]], set[str]]:
    """Show each IRI column through its label column when the query returns both (one column, the label).

    A column is an IRI column when every bound value in it is an IRI; its label column is
    NAMEName/NAMELabel, or a lone `label`/`name` column when only one IRI column lacks a pair.
    Rows whose label is unbound keep the IRI. Returns the columns, the rows and the folded columns.
    """
    iri_cols = [c for i, c in enumerate(names)
                if any(r[i] is not None for r in data)
                and all(isinstance(r[i], ox.NamedNode) for r in data if r[i] is not None)]
    pairs: dict[str, str] = {}
    for c in iri_cols:
        found = _label_column(c, names, set(pairs.values()))
        if found:
            pairs[c] = found
    lone = [c for c in iri_cols if c not in pairs]
    generic = [c for c in ("label", "name") if c in names and c not in pairs.values()]
    if len(lone) == 1 and generic:
        pairs[lone[0]] = generic[0]
    if not pairs:
        return names, data, set()
    index = {c: i for i, c in enumerate(names)}
    keep = [c for c in names if c not in pairs.values()]
    out = []
    for r in data:
        row = []
        for c in keep:
            value = r[index[c]]
            if c in pairs and r[index[pairs[c]]] is not None:
                value = r[index[pairs[c]]]
            row.append(value)
        out.append(row)
    return keep, out, set(pairs)


def fit_widths(natural: list[int], minimum: list[int], available: int, keep: set[int] | None = None,
               first: set[int] | None = None) -> list[int]:
    """Column widths within `available`: each gets its minimum (whole words), the rest goes where text is long.

    When even the minimums do not fit, the columns in `first` (IRIs, which fold anyway) give way down
    to 10 characters, then the widest columns, and the columns in `keep` (names) only when nothing else can.
    """
    if sum(natural) <= available:
        return natural
    widths = list(minimum)
    keep, first = keep or set(), first or set()
    while sum(widths) > available:
        pool = ([i for i in first if widths[i] > 10]
                or [i for i in range(len(widths)) if i not in keep and widths[i] > 6]
                or [i for i in range(len(widths)) if widths[i] > 6])
        if not pool:
            break
        widest = max(pool, key=lambda i: widths[i])
        widths[widest] -= 1
    spare = available - sum(widths)
    if spare > 0:
        want = [max(0, n - w) for n, w in zip(natural, widths, strict=True)]
        widths = [w + spare * x // max(1, sum(want)) for w, x in zip(widths, want, strict=True)]
    return widths


def table(names: list[str], data: list[list[object]], prefixes: dict[str, str] = PREFIXES,
          width: int = 80) -> Table:
    """A rich table `width` columns wide at most: names kept whole where they can be, long text wrapped at words.

    rich's own shrinking crops the last column when minimum widths are set, so widths are chosen here.
    """
    names, data, folded = fold_labels(names, data)
    shown = [i for i in range(len(names)) if any(r[i] is not None and short(r[i]) for r in data)] or list(range(len(names)))
    names, data = [names[i] for i in shown], [[r[i] for i in shown] for r in data]  # no all-empty columns
    cells = [[short(v, prefixes) for v in r] for r in data]
    natural, minimum, numeric, iris = [], [], [], set()
    for i, name in enumerate(names):
        column = [r[i] for r in cells]
        natural.append(max([len(name), *(len(v) for v in column)]))
        words = max([len(name), *(len(w) for v in column for w in v.split())])
        iri = any(isinstance(r[i], ox.NamedNode) for r in data)
        if iri and name not in folded:
            iris.add(i)
        whole = 18 if name in folded else 24 if iri else max(len(name), min(words, 16))  # names stay on one line
        minimum.append(min(natural[-1], whole))
        numeric.append(all(isinstance(r[i], ox.Literal) and r[i].value.lstrip("-").isdigit()
                           for r in data if r[i] is not None))
    chrome = 3 * len(names) + 1  # borders and one space of padding each side
    keep = {i for i, name in enumerate(names) if name in folded} | {i for i, num in enumerate(numeric) if num}
    widths = fit_widths(natural, minimum, max(len(names) * 3, width - chrome), keep, iris)
    t = Table(show_lines=False)
    for name, w, num in zip(names, widths, numeric, strict=True):
        t.add_column(name, overflow="fold", width=w, justify="right" if num else "left")
    for r in cells:
        t.add_row(*r)
    return t


def default_format(result: Result, terminal: bool) -> str:
    """A table for a person at a terminal; for a script, CSV (Turtle for a CONSTRUCT/DESCRIBE)."""
    if terminal:
        return "table"
    return "turtle" if isinstance(result, ox.QueryTriples) else "csv"


def render(result: Result, fmt: str, console: Console, prefixes: dict[str, str] = PREFIXES) -> bytes | None:
    """Return bytes for machine formats; print a table for 'table' (IRIs compacted with `prefixes`)."""
    if isinstance(result, ox.QueryBoolean):
        if fmt == "table":
            console.print("yes" if bool(result) else "no")
            return None
        if fmt not in RESULT_FORMATS:
            raise QueryError(f"an ASK result cannot be written as {fmt}")
        return result.serialize(format=RESULT_FORMATS[fmt].ox_format)
    if isinstance(result, ox.QueryTriples):
        if fmt == "table":
            fmt = "turtle"
        if fmt not in CONSTRUCT_FORMATS:
            raise QueryError(f"a CONSTRUCT/DESCRIBE result cannot be written as {fmt}; use {', '.join(CONSTRUCT_FORMATS)}")
        triples = sorted(result, key=str)
        return ox.serialize(triples, format=CONSTRUCT_FORMATS[fmt].ox_format, prefixes=PREFIXES if fmt == "turtle" else None)
    if fmt == "table":
        names, data = rows(result)
        console.print(table(names, data, prefixes, console.width))
        console.print(f"{len(data)} row(s)", style="dim")
        return None
    if fmt not in RESULT_FORMATS:
        raise QueryError(f"a SELECT result cannot be written as {fmt}; use table, {', '.join(RESULT_FORMATS)}")
    return result.serialize(format=RESULT_FORMATS[fmt].ox_format)
