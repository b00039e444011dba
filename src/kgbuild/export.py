"""Serialise the store (or one graph) in any RDF format, deterministically.

Quads are sorted before serialisation, so the same store always gives the
same bytes; Turtle and TriG get the project's prefixes and stay readable.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import IO

import pyoxigraph as ox

from .errors import KgbuildError
from .formats import EXPORT_FORMATS
from .store import KgStore, canonical
from .vocab import PREFIXES


def _triples(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    unique = {ox.Quad(q.subject, q.predicate, q.object) for q in quads}
    return [ox.Triple(q.subject, q.predicate, q.object) for q in canonical(unique)]


def export(store: KgStore, fmt: str = "turtle", *, graph: str | None = None, output: IO[bytes] | None = None,
           ) -> bytes | None:
    """Write the whole dataset or one named graph in `fmt`; return bytes when `output` is None.

    Triple formats (Turtle, N-Triples, RDF/XML) get the union of the selected graphs;
    dataset formats (N-Quads, TriG, JSON-LD) keep the graph names.
    """
    if fmt not in EXPORT_FORMATS:
        raise KgbuildError(f"unknown format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    form = EXPORT_FORMATS[fmt]
    node = None
    if graph is not None:
        node = ox.NamedNode(graph)
        if not store.has_graph(node):
            known = ", ".join(g.value for g in store.graphs()[:5])
            raise KgbuildError(f"no graph {graph!r} in the store (graphs include: {known})")
    quads = store.quads(node)
    prefixes = {**PREFIXES, "id": store.base}  # the base IRI the store was built with
    if form.is_dataset:
        items: list[ox.Quad] | list[ox.Triple] = canonical(quads)
    else:
        items = _triples(quads)
    with_prefixes = prefixes if fmt in ("turtle", "trig", "rdfxml") else None
    return ox.serialize(items, output, format=form.ox_format, prefixes=with_prefixes)
