"""How the pictures look (colours, shapes, line styles, legend) and how Graphviz renders them.

Graphviz (Debian's `graphviz` package, driven through the `graphviz` PyPI binding) does the
layout: a maintained engine rather than a hand-written one. Colours are the Okabe-Ito
palette, readable with the common colour-vision deficiencies. Line style carries the one
distinction that must never be missed: solid for what happened, dashed for what did not
(threatened, proposed, conditional and every other unrealized status).
"""
from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from html import escape

import graphviz

from ..errors import KgbuildError

FONT = "DejaVu Sans"
FORMATS = ("svg", "png")

# node kind -> (fill, border, shape, style)
KIND_STYLE: dict[str, tuple[str, str, str, str]] = {
    "person": ("#FCE3B9", "#A85F00", "ellipse", "filled"),
    "state": ("#D3E6F8", "#1F5F99", "box", "filled,bold"),
    "organisation": ("#D9EAD3", "#3B7A2A", "box", "filled,rounded"),
    "armed group": ("#F6D2D2", "#A61C1C", "octagon", "filled"),
    "media outlet": ("#E8D8F2", "#6A3D9A", "note", "filled"),
    "collective / unnamed": ("#EFEFEF", "#666666", "ellipse", "filled,dashed"),
    "other": ("#FFFFFF", "#999999", "box", "filled,dotted"),
}
# relation -> colour
RELATION_COLOUR = {
    "acted": "#D55E00",
    "together": "#009E73",
    "met": "#333333",
    "spoke": "#0072B2",
    "claimed": "#CC79A7",
}
HIGHLIGHT = "#1F5FBF"  # the node a page is about
REALIZED_COLOUR = "#1B5E20"
UNREALIZED_COLOUR = "#B45309"

Linker = Callable[[str], "str | None"]


def no_link(iri: str) -> str | None:
    """Pictures written to files link each node to its IRI (which dereferences once the base is served)."""
    return iri


def line_style(realized: bool) -> str:
    return "solid" if realized else "dashed"


def shorten(text: str, limit: int = 34) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def html(text: str) -> str:
    """Text for a Graphviz HTML-like label."""
    return escape(text, quote=True)


def new_graph(engine: str, title: str, **attrs: str) -> graphviz.Digraph:
    g = graphviz.Digraph(engine=engine)
    g.attr(fontname=FONT, fontsize="11", label=title, labelloc="t", labeljust="l", bgcolor="white", **attrs)
    g.attr("node", fontname=FONT, fontsize="11")
    g.attr("edge", fontname=FONT, fontsize="9")
    return g


def render(graph: graphviz.Digraph, fmt: str) -> bytes:
    """SVG or PNG bytes; a clear error when Graphviz is missing."""
    if fmt not in FORMATS:
        raise KgbuildError(f"cannot draw {fmt!r}; use one of {', '.join(FORMATS)}")
    if shutil.which("dot") is None:
        raise KgbuildError("Graphviz is not installed: install Debian's graphviz package (apt-get install graphviz)")
    try:
        return graph.pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise KgbuildError("Graphviz is not installed: install Debian's graphviz package") from None
    except graphviz.CalledProcessError as exc:
        raise KgbuildError(f"Graphviz failed: {exc.stderr.decode(errors='replace').strip()[:300]}") from None


_PROLOG = re.compile(r"^.*?(?=<svg)", re.S)


def inline_svg(svg: bytes) -> str:
    """The SVG element alone (no XML declaration or DOCTYPE), to put inside an HTML page."""
    return _PROLOG.sub("", svg.decode("utf-8"), count=1)
