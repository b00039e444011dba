"""Reading text anchors from the store: where a Web Annotation's TextPositionSelector puts a span.

Shared by the property pages (pages.py) and the reading views (reading.py).
"""
from __future__ import annotations

import pyoxigraph as ox

from ..store import KgStore
from ..vocab import OA, RDF


def objects(store: KgStore, s: ox.NamedNode | ox.BlankNode, p: ox.NamedNode) -> list[object]:
    return [q.object for q in store.match(s, p, None, None)]


def _int(term: object) -> int | None:
    try:
        return int(term.value) if isinstance(term, ox.Literal) else None
    except ValueError:
        return None


def selector_span(store: KgStore, target: ox.NamedNode | ox.BlankNode) -> tuple[int, int] | None:
    """The (start, end) of a target's TextPositionSelector, when it has a sound one."""
    for sel in objects(store, target, OA.hasSelector):
        if not isinstance(sel, (ox.NamedNode, ox.BlankNode)):
            continue
        if OA.TextPositionSelector not in objects(store, sel, RDF.type):
            continue
        starts, ends = objects(store, sel, OA.start), objects(store, sel, OA.end)
        start, end = (_int(starts[0]) if starts else None), (_int(ends[0]) if ends else None)
        if start is not None and end is not None and 0 <= start <= end:
            return start, end
    return None
