"""The actor network as a Graphviz graph: actors by kind, links by relation, line style by status."""
from __future__ import annotations

import graphviz

from .data import RELATIONS, Network
from .style import HIGHLIGHT, KIND_STYLE, RELATION_COLOUR, Linker, html, line_style, new_graph, no_link, render, shorten


def network_graph(net: Network, title: str, *, link: Linker = no_link, engine: str = "dot",
                  highlight: str | None = None) -> graphviz.Digraph:
    """Build the graph; `link` turns an IRI into the href a node or link points to."""
    g = new_graph(engine, title, rankdir="TB", nodesep="0.3", ranksep="0.8", overlap="false", splines="true",
                  outputorder="edgesfirst", pad="0.2")
    ids = {iri: f"n{i}" for i, iri in enumerate(sorted(net.nodes))}
    for iri, node in sorted(net.nodes.items()):
        fill, border, shape, style = KIND_STYLE.get(node.kind, KIND_STYLE["other"])
        slug = "node-" + iri.rstrip("/").rsplit("/", 2)[-2] + "-" + iri.rsplit("/", 1)[-1]
        mark = {"penwidth": "3", "color": HIGHLIGHT} if iri == highlight else {"color": border}
        g.node(ids[iri], label=node.label, shape=shape, style=style, fillcolor=fill, **mark,
               tooltip=f"{node.label} ({node.kind})", href=link(iri) or "", target="_top", id=slug,
               **{"class": "actor " + node.kind.replace(" / ", "-").replace(" ", "-") + (" highlight" if iri == highlight else "")})
    for i, e in enumerate(net.edges):
        colour = RELATION_COLOUR[e.relation]
        what = RELATIONS[e.relation].split(" (")[0]
        if e.relation in ("spoke", "claimed"):
            # Quotes are a few words: they label their line. Claims are sentences: their words are in the tooltip.
            words = "“" + shorten(e.label, 24) + "”" if e.relation == "spoke" else ""
            label = words if e.count == 1 else f"{words} ×{e.count}".strip()
            tip = f"{what}: “{e.label}”" + (f" and {e.count - 1} more" if e.count > 1 else "")
        else:
            label = shorten(e.label, 28) + ("" if e.realized else f" ({e.status})")
            label += f" ×{e.count}" if e.count > 1 else ""
            tip = f"{what}, {e.status}: {e.label}" + (f" and {e.count - 1} more" if e.count > 1 else "")
        undirected = e.relation in ("together", "met")
        status = e.status.replace(" ", "-").replace(",", "")
        g.edge(ids[e.source], ids[e.target], label=label, color=colour, fontcolor=colour,
               style=line_style(e.realized) + (",bold" if e.relation in ("acted", "met") else ""),
               dir="none" if undirected else "forward", arrowsize="0.7", penwidth=str(min(1 + e.count * 0.4, 4)),
               tooltip=tip, labeltooltip=tip, href=link(e.example) or "", target="_top", id=f"edge-{i}",
               **{"class": f"link {e.relation} {'realized' if e.realized else 'unrealized'} {status}".strip()})
    g.attr(label=_legend(net, title), labelloc="b", labeljust="l")
    return g


def _legend(net: Network, title: str) -> str:
    """The title, what was left out, and a key to the kinds, relations and line styles shown."""
    kinds = sorted({n.kind for n in net.nodes.values()}, key=list(KIND_STYLE).index)
    relations = [r for r in RELATIONS if any(e.relation == r for e in net.edges)]
    unrealized = sorted({e.status for e in net.edges if not e.realized})
    cells = "".join(
        f'<TD BGCOLOR="{KIND_STYLE[k][0]}" BORDER="1" COLOR="{KIND_STYLE[k][1]}">{html(k)}</TD>' for k in kinds)
    rel = "".join(f'<TD><FONT COLOR="{RELATION_COLOUR[r]}">━━ {html(RELATIONS[r])}</FONT></TD>' for r in relations)
    styles = '<TD>━━ happened (occurred, ongoing)</TD>'
    if unrealized:
        styles += f'<TD>- - - did not happen: {html(", ".join(unrealized))}</TD>'
    caption = f'<TR><TD ALIGN="LEFT" COLSPAN="9"><I>{html(net.caption)}</I></TD></TR>' if net.caption else ""
    return (f'<<TABLE BORDER="0" CELLSPACING="4" CELLPADDING="2">'
            f'<TR><TD ALIGN="LEFT"><B>{html(title)}</B></TD></TR>{caption}'
            f'<TR><TD ALIGN="LEFT"><TABLE BORDER="0" CELLSPACING="4"><TR><TD>actors:</TD>{cells}</TR></TABLE></TD></TR>'
            f'<TR><TD ALIGN="LEFT"><TABLE BORDER="0" CELLSPACING="4"><TR><TD>links:</TD>{rel}</TR></TABLE></TD></TR>'
            f'<TR><TD ALIGN="LEFT"><TABLE BORDER="0" CELLSPACING="4"><TR><TD>lines:</TD>{styles}</TR></TABLE></TD></TR>'
            '</TABLE>>')


def draw_network(net: Network, title: str, fmt: str = "svg", *, link: Linker = no_link,
                 highlight: str | None = None) -> bytes:
    return render(network_graph(net, title, link=link, highlight=highlight), fmt)
