"""Pictures of the graph: the actor network and the timeline, laid out by Graphviz, as SVG or PNG.

`picture(store, "network" | "timeline", scope)` is what `kgbuild draw` and the pages call;
data.py reads the store, network.py and timeline.py build the Graphviz graphs, style.py
holds the look and renders.
"""
from __future__ import annotations

from ..names import Names
from ..store import KgStore
from . import data
from .data import MAX_EDGES, MAX_NODES, Scope
from .network import draw_network
from .style import FORMATS, Linker, inline_svg, no_link
from .timeline import draw_timeline

KINDS = ("network", "timeline")
__all__ = ["FORMATS", "KINDS", "Scope", "inline_svg", "picture", "title_for"]


def title_for(store: KgStore, kind: str, scope: Scope) -> str:
    names = Names(store)
    what = "Actor network" if kind == "network" else "Timeline"
    parts = []
    if scope.article:
        parts.append(names.label(scope.article) or names.short(scope.article))
    if scope.actor:
        parts.append(("around " if kind == "network" else "of ") + (names.label(scope.actor) or names.short(scope.actor)))
    return f"{what}: {' · '.join(parts)}" if parts else f"{what} of the whole corpus"


def picture(store: KgStore, kind: str, scope: Scope | None = None, fmt: str = "svg", *, link: Linker = no_link,
            max_nodes: int = MAX_NODES, max_edges: int = MAX_EDGES, title: str | None = None,
            highlight: str | None = None) -> bytes:
    """The picture as SVG or PNG bytes; `highlight` marks one node (the page's own actor or event)."""
    scope = scope or Scope()
    title = title or title_for(store, kind, scope)
    if kind == "network":
        return draw_network(data.network(store, scope, max_nodes=max_nodes, max_edges=max_edges), title, fmt, link=link,
                            highlight=highlight)
    if kind == "timeline":
        return draw_timeline(data.timeline(store, scope), title, fmt, link=link, highlight=highlight)
    raise ValueError(f"no picture called {kind!r}; choose one of {', '.join(KINDS)}")
