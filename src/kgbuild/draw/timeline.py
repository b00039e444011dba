"""The timeline as a Graphviz graph: a time axis, what happened hanging under its period (parts inside
their whole), and apart from it what has no time: undated events and those that did not happen, each
with the words of the article that place it."""
from __future__ import annotations

import calendar
import hashlib
import textwrap

import graphviz

from .data import Event, Timeline
from .style import (
    FONT,
    HIGHLIGHT,
    REALIZED_COLOUR,
    UNREALIZED_COLOUR,
    Linker,
    html,
    new_graph,
    no_link,
    render,
    shorten,
)

EVENT_FILL = "#E3F1DF"
PART_FILL = "#F4FAF2"
APART_FILL = "#FFF4E5"


def period_label(period: str) -> str:
    """2025-06 -> June 2025; 2025 -> 2025."""
    if len(period) == 7:
        return f"{calendar.month_name[int(period[5:7])]} {period[:4]}"
    return period


def _slug(iri: str) -> str:
    return "event-" + iri.rstrip("/").rsplit("/", 1)[-1]


def _nid(iri: str) -> str:
    """A Graphviz node name for an IRI (a name with ':' would read as node:port)."""
    return "e" + hashlib.sha1(iri.encode()).hexdigest()[:12]


def _event_node(g: graphviz.Digraph, ev: Event, link: Linker, *, fill: str, highlight: str | None) -> None:
    when = ev.time if ev.time and len(ev.time) > 7 else ""  # a day is worth showing; the month is the axis
    if ev.end:
        when = f"{ev.time} – {ev.end}"
    label = html(shorten(ev.label, 60)) + (f'<BR/><FONT POINT-SIZE="9">{html(when)}</FONT>' if when else "")
    mark = {"color": HIGHLIGHT, "penwidth": "3"} if ev.iri == highlight else {"color": REALIZED_COLOUR}
    g.node(_nid(ev.iri), label=f"<{label}>", shape="box", style="filled,rounded", fillcolor=fill, **mark,
           tooltip=f"{ev.label} ({ev.status}{', ' + ev.time if ev.time else ''})", href=link(ev.iri) or "",
           target="_top", id=_slug(ev.iri), **{"class": f"event realized {ev.status.replace(' ', '-').replace(',', '')}"
                  + (" highlight" if ev.iri == highlight else "")})


def _rows(events: list[Event], link: Linker, highlight: str | None, depth: int = 0) -> list[str]:
    rows = []
    for ev in events:
        colour = REALIZED_COLOUR if ev.realized else UNREALIZED_COLOUR
        words = "<BR ALIGN=\"LEFT\"/>".join(html(line) for line in textwrap.wrap(f"“{ev.words}”", 70)) \
            if ev.words else "<I>(not anchored in the text)</I>"
        if ev.relative:
            words = f'<B>{html(ev.relative)}</B><BR ALIGN="LEFT"/>' + words
        href = link(ev.iri)
        attrs = f' HREF="{html(href)}" TARGET="_top" TITLE="{html(ev.label)}"' if href else ""
        name = html(shorten(ev.label, 70))
        if ev.iri == highlight:
            name = f'<B><FONT COLOR="{HIGHLIGHT}">▶ {name}</FONT></B>'
        rows.append(f'<TR><TD ALIGN="LEFT" VALIGN="TOP"><FONT COLOR="{colour}"><B>{html(ev.status)}</B></FONT></TD>'
                    f'<TD ALIGN="LEFT" VALIGN="TOP"{attrs} ID="{_slug(ev.iri)}">{"↳ " * depth}{name}</TD>'
                    f'<TD ALIGN="LEFT" VALIGN="TOP"><FONT POINT-SIZE="9" COLOR="#444444"><I>{words}'
                    '<BR ALIGN="LEFT"/></I></FONT></TD></TR>')
        rows += _rows(ev.parts, link, highlight, depth + 1)
    return rows


def _table(title: str, note: str, events: list[Event], link: Linker, highlight: str | None) -> str:
    return (f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="3">'
            f'<TR><TD ALIGN="LEFT" COLSPAN="3"><B>{html(title)}</B> <FONT POINT-SIZE="9">{html(note)}</FONT></TD></TR>'
            + "".join(_rows(events, link, highlight)) + "</TABLE>>")


def timeline_graph(tl: Timeline, title: str, *, link: Linker = no_link, highlight: str | None = None
                   ) -> graphviz.Digraph:
    g = new_graph("dot", title, rankdir="TB", nodesep="0.25", ranksep="0.45", pad="0.2", newrank="true",
                  compound="true")
    periods = list(tl.periods)
    if periods:
        with g.subgraph(name="axis") as axis:
            axis.attr(rank="same")
            for p in periods:
                axis.node(f"period-{p}", label=period_label(p), shape="box", style="filled", fillcolor="#333333",
                          fontcolor="white", color="#333333", fontname=FONT, id=f"period-{p}",
                          **{"class": "period"})
        for a, b in zip(periods, periods[1:], strict=False):
            g.edge(f"period-{a}", f"period-{b}", color="#333333", penwidth="2", arrowsize="0.8", minlen="2")
    for p, events in tl.periods.items():
        for ev in events:
            if ev.parts:
                with g.subgraph(name=f"cluster-{_slug(ev.iri)}") as whole:
                    whole.attr(label="", style="filled", fillcolor="#FAFDF9", color=REALIZED_COLOUR,
                               id=f"whole-{_slug(ev.iri)}", **{"class": "whole"})
                    _event_node(whole, ev, link, fill=EVENT_FILL, highlight=highlight)
                    for part in ev.parts:
                        _event_node(whole, part, link, fill=PART_FILL, highlight=highlight)
                        whole.edge(_nid(ev.iri), _nid(part.iri), color="#7A9A7A", arrowhead="none", tooltip="part of")
            else:
                _event_node(g, ev, link, fill=EVENT_FILL, highlight=highlight)
            g.edge(f"period-{p}", _nid(ev.iri), color="#999999", arrowhead="none", style="dotted", tooltip=period_label(p))
    apart = []
    if tl.undated:
        apart.append(("undated", _table("Happened, not dated", "(the words that place it)", tl.undated, link, highlight)))
    if tl.unrealized:
        apart.append(("unrealized", _table("Did not happen", "(threatened, proposed, conditional…; no time)",
                                           tl.unrealized, link, highlight)))
    for key, label in apart:  # stacked below the axis and what hangs from it
        g.node(f"apart-{key}", label=label, shape="box", style="filled,rounded", fillcolor=APART_FILL
               if key == "unrealized" else "#F6F6F6", color="#BBBBBB", id=f"apart-{key}", **{"class": f"apart {key}"})
    above = [f"period-{periods[0]}"] if periods else []
    depth = 1 + max((2 if ev.parts else 1 for evs in tl.periods.values() for ev in evs), default=0)
    for a, b in zip(above + [f"apart-{k}" for k, _ in apart], [f"apart-{k}" for k, _ in apart], strict=False):
        g.edge(a, b, style="invis", minlen=str(depth if a.startswith("period") else 1))
    caption = f'<BR/><I>{html(tl.caption)}</I>' if tl.caption else ""
    g.attr(label=f"<<B>{html(title)}</B>{caption}>", labelloc="t", labeljust="l")
    return g


def draw_timeline(tl: Timeline, title: str, fmt: str = "svg", *, link: Linker = no_link,
                  highlight: str | None = None) -> bytes:
    return render(timeline_graph(tl, title, link=link, highlight=highlight), fmt)
