"""Reading views: the pages people look at for an article, an actor and an event.

An article reads as its text with every annotation highlighted by kind (quotes coloured by
speaker, claims, events by status, mentions), a legend and hover details, each span a link to
its node; beside it who said what, its timeline and its actor network (inline SVG from
kgbuild.draw). An actor page is its profile with its network; an event page its status,
actors, time, place, parts and its place on the timeline. The raw triples and every RDF
format stay on each page, collapsed. Everything is served from this server: no CDN, no
remote fonts, no inline script or style (the CSP forbids them).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlencode

import pyoxigraph as ox
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..draw import Scope, inline_svg, picture
from ..profile import PROLOGUE, Profile, profile
from ..store import KgStore
from ..vocab import KG, KGNS, OA, RDF, RDFS, SCHEMA, SEM, SKOS
from .anchors import selector_span
from .html import HTML_HEADERS, Linker, esc, page
from .state import ServerState

SPEAKER_COLOURS = 8  # .sp0 … .sp7 in reading.css
STYLES = ("/static/style.css", "/static/reading.css")


@dataclass
class Span:
    start: int
    end: int
    kind: str  # quote claim event mention other
    node: str
    title: str
    css: str  # extra classes: speaker colour, event status


def kind_of_view(outgoing: list[ox.Quad], iri: str) -> str | None:
    """Which reading view fits a resource: article, actor, event, or none (the plain property page)."""
    node = ox.NamedNode(iri)
    types = {q.object for q in outgoing if q.subject == node and q.predicate == RDF.type}
    if any(q.subject == node and q.predicate == SCHEMA.articleBody for q in outgoing):
        return "article"
    if ox.NamedNode(KG + "Actor") in types:
        return "actor"
    if SEM.Event in types or ox.NamedNode(KG + "Event") in types:
        return "event"
    return None


def _select(state: ServerState, sparql: str, **bound: ox.NamedNode) -> list[dict[str, str]]:
    result = state.store.query(PROLOGUE + sparql, substitutions={ox.Variable(k): v for k, v in bound.items()})
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in result]


def _figure(svg: bytes, caption: str, full: str) -> str:
    return (f"<figure class=\"picture\">{inline_svg(svg)}<figcaption>{esc(caption)} · "
            f"<a href=\"{esc(full)}\">full size</a> · <a href=\"{esc(full.replace('.svg', '.png'))}\">PNG</a>"
            "</figcaption></figure>")


CAPTIONS = {"timeline": "Timeline", "network": "Actor network"}


def _pictures(state: ServerState, linker: Linker, scope: Scope, highlight: str | None = None,
              kinds: tuple[str, ...] = ("timeline", "network")) -> str:
    query = urlencode({k: v for k, v in (("article", scope.article), ("actor", scope.actor)) if v})
    out = []
    for kind, caption in ((k, CAPTIONS[k]) for k in kinds):
        svg = picture(state.store, kind, scope, "svg", link=linker.href, highlight=highlight)
        out.append(_figure(svg, caption, f"/draw/{kind}.svg?{query}"))
    return "".join(out)


def _raw(raw_body: str) -> str:
    return (f"<details class=\"raw\"><summary>All triples of this resource (the linked-data view)</summary>"
            f"{raw_body}</details>")


def _head(title: str, iri: str, alternates: str, extra: str = "") -> str:
    """The page's title, its IRI and the links to it in every RDF format."""
    return (f"<h1>{esc(title)}</h1><p class=\"iri\"><code>{esc(iri)}</code>{extra}</p>"
            f"<p class=\"alternates\">This resource as {alternates}</p>")


# ------------------------------------------------------------------ article
def _first(store: KgStore, s: ox.NamedNode | ox.BlankNode, p: ox.NamedNode) -> object | None:
    return next((q.object for q in store.match(s, p)), None)


def _anchor_rows(state: ServerState, iri: str) -> list[dict[str, str]]:
    """Every text anchor of the article: span, role, body and what the body is (kind, label, speaker, status).

    Read with index lookups (as pages.py reads a resource's anchors): the same question in SPARQL
    took a minute on 10,000 articles, Oxigraph evaluating its OPTIONAL parts over the whole store.
    """
    store, doc = state.store, ox.NamedNode(iri)
    rows = []
    info: dict[str, dict[str, str]] = {}
    for t in store.match(None, OA.hasSource, doc):
        span = selector_span(store, t.subject)
        if span is None:
            continue
        for a in store.match(None, OA.hasTarget, t.subject):
            body = _first(store, a.subject, OA.hasBody)
            if not isinstance(body, ox.NamedNode):
                continue
            role = _first(store, a.subject, KGNS.anchorRole)
            row = {"body": body.value, "start": str(span[0]), "end": str(span[1]),
                   "role": role.value.rsplit("#", 1)[-1] if isinstance(role, ox.NamedNode) else "MainSpan"}
            if body.value not in info:  # a body with several anchors is read once
                info[body.value] = _body_info(store, body, doc)
            rows.append({**row, **info[body.value]})
    return rows


def _body_info(store: KgStore, body: ox.NamedNode, doc: ox.NamedNode) -> dict[str, str]:
    types = {q.object for q in store.match(body, RDF.type)}
    kind = ("headline" if body == doc else "quote" if SCHEMA.Quotation in types else "claim" if SCHEMA.Claim in types
            else "event" if SEM.Event in types else "mention" if KGNS.Actor in types else "other")
    out = {"kind": kind, "realized": "true" if KGNS.RealizedEvent in types else "false"}
    for key, node in (("label", _first(store, body, RDFS.label)), ("text", _first(store, body, SCHEMA.text))):
        if isinstance(node, ox.Literal):
            out[key] = node.value
    speaker = _first(store, body, SCHEMA.author) if kind == "quote" else None
    if isinstance(speaker, ox.NamedNode):
        out["speaker"] = speaker.value
        name = _first(store, speaker, RDFS.label)
        out["speakerName"] = name.value if isinstance(name, ox.Literal) else speaker.value
    status = _first(store, body, KGNS.status)
    if isinstance(status, ox.NamedNode):
        name = _first(store, status, SKOS.prefLabel)
        out["status"] = name.value if isinstance(name, ox.Literal) else status.value.rsplit("#", 1)[-1].lower()
    return out


def article_spans(state: ServerState, iri: str
                  ) -> tuple[list[Span], dict[str, tuple[str, int]], dict[str, dict[str, str]]]:
    """Every anchored span of the article with its kind; speaker IRI -> (name, colour index); body -> its facts."""
    rows = _anchor_rows(state, iri)
    info = {r["body"]: r for r in rows}
    speakers: dict[str, tuple[str, int]] = {}
    spans = []
    for r in sorted(rows, key=lambda r: int(r["start"])):
        kind, role = r["kind"], r.get("role", "MainSpan")
        if kind == "headline":
            continue
        if role == "MentionSpan":
            kind = "mention"  # an actor, place, programme … named in the text
        elif role != "MainSpan":  # settings, verbs, hedges, conditions: the words around a node
            kind = "part"
        label = r.get("label", "")
        css = ""
        if kind == "quote" and "speaker" in r:
            name, colour = speakers.setdefault(r["speaker"], (r.get("speakerName", ""), len(speakers)))
            css = f" sp{colour % SPEAKER_COLOURS}"
            title = f"Quote · {name}: {label.split(': ', 1)[-1]}"
        elif kind == "event":
            css = " realized" if r["realized"] == "true" else " unrealized"
            title = f"Event · {r.get('status', '')}: {label}"
        elif kind == "claim":
            title = f"Claim · {label}"
        elif kind == "mention":
            title = f"Mention · {label}"
        else:
            title = f"{role.removesuffix('Span').lower()} · {label}" if kind == "part" else label
            kind = "part" if kind == "other" else kind  # roles, outcomes, casualties: shown like the parts
        spans.append(Span(int(r["start"]), int(r["end"]), kind, r["body"], title, css))
    return spans, speakers, info


def highlight_text(text: str, spans: list[Span], linker: Linker) -> str:
    """The text cut where spans begin and end; each piece wrapped in a mark per span covering it
    (outermost first) and linked to the innermost span's node."""
    n = len(text)
    cuts = sorted({0, n, *(max(0, min(n, s.start)) for s in spans), *(max(0, min(n, s.end)) for s in spans)})
    starts: dict[int, list[Span]] = defaultdict(list)
    for s in spans:
        starts[s.start].append(s)
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        covering = sorted((s for s in spans if s.start <= a and s.end >= b), key=lambda s: (s.start - s.end, s.kind))
        chunk = esc(text[a:b])
        if not covering:
            out.append(chunk)
            continue
        inner = covering[-1]
        href = linker.href(inner.node)
        html = f"<a href=\"{esc(href)}\">{chunk}</a>" if href else chunk
        for s in reversed(covering):
            first = " first" if s.start == a else ""
            html = (f"<mark class=\"hl {s.kind}{s.css}{first}\" data-node=\"{esc(s.node)}\" "
                    f"title=\"{esc(s.title)}\">{html}</mark>")
        out.append(html)
    return "".join(out)


def _legend(speakers: dict[str, tuple[str, int]], linker: Linker) -> str:
    who = "".join(f"<li><span class=\"hl quote sp{c % SPEAKER_COLOURS}\">{linker.iri(iri, name)}</span></li>"
                  for iri, (name, c) in speakers.items())
    return ("<div class=\"legend\"><p><strong>Highlighted:</strong> "
            "<span class=\"hl quote\">quote</span> (coloured by speaker) "
            "<span class=\"hl claim\">claim</span> "
            "<span class=\"hl event realized\">event that happened</span> "
            "<span class=\"hl event unrealized\">threatened, proposed … (did not happen)</span> "
            "<span class=\"hl mention\">actor named</span> "
            "<span class=\"hl part\">setting, verb, hedge, condition</span>. "
            "Hover for details; click to open the node.</p>"
            f"<ul class=\"speakers\">{who}</ul></div>")


def render_article(state: ServerState, iri: str, title: str, linker: Linker, raw_body: str, alternates: str) -> str:
    body_rows = _select(state, "SELECT ?doc ?text WHERE { ?doc schema:articleBody ?text }", doc=ox.NamedNode(iri))
    text = body_rows[0]["text"] if body_rows else ""
    spans, speakers, info = article_spans(state, iri)
    quotes = [s for s in spans if s.kind == "quote"]  # in text order, one per statement
    said = "".join(
        f"<li><span class=\"who sp{speakers[info[q.node]['speaker']][1] % SPEAKER_COLOURS}\">"
        f"{linker.iri(info[q.node]['speaker'], info[q.node]['speakerName'])}</span> "
        f"{linker.iri(q.node, '“' + info[q.node].get('text', '') + '”')}</li>"
        for q in quotes if "speaker" in info[q.node])
    counts = defaultdict(int)
    for s in spans:
        counts[s.kind] += 1
    summary = ", ".join(f"{counts[k]} {name}" for k, name in (("quote", "quotes"), ("claim", "claims"),
                                                               ("event", "event spans"), ("mention", "mentions")))
    body = (f"{_head(title, iri, alternates, ' · ' + summary)}<div class=\"reading\"><article class=\"text\">{_legend(speakers, linker)}"
            f"<div class=\"article-text\">{highlight_text(text, spans, linker)}</div></article>"
            f"<aside class=\"beside\"><section class=\"who-said-what\"><h2>Who said what</h2><ol>{said}</ol></section>"
            f"{_pictures(state, linker, Scope(article=iri))}</aside></div>{_raw(raw_body)}")
    return page(title, body, styles=STYLES)


# ------------------------------------------------------------------ actor
def _profile_html(p: Profile, linker: Linker) -> str:
    parts = [f"<p class=\"kinds\">{esc(', '.join(p.kinds))}"
             + (f" · also {esc(', '.join(p.aliases))}" if p.aliases else "")
             + "".join(f" · {linker.iri(s)}" for s in p.same_as) + "</p>"]
    if p.said:
        items = "".join(f"<li>{linker.iri(s.iri, '“' + s.text + '”')}"
                        + (f" <span class=\"note\">{esc(s.setting)}</span>" if s.setting else "") + "</li>"
                        for s in p.said)
        parts.append(f"<section><h2>Said ({len(p.said)})</h2><ul>{items}</ul></section>")
    if p.claimed:
        items = "".join(f"<li>{linker.iri(c.iri, c.text)} <span class=\"note\">{esc(c.verb or '')}"
                        f"{' · ' + esc(c.modality) if c.modality else ''}</span></li>" for c in p.claimed)
        parts.append(f"<section><h2>Claimed ({len(p.claimed)})</h2><ul>{items}</ul></section>")
    if p.did:
        items = "".join(f"<li><span class=\"status {'realized' if d.realized else 'unrealized'}\">{esc(d.status)}"
                        f"</span> {linker.iri(d.iri, d.label)} <span class=\"note\">{esc(d.role)}"
                        f"{' · ' + esc(d.time) if d.time else ''}</span></li>" for d in p.did)
        parts.append(f"<section><h2>Took part in ({len(p.did)})</h2><ul>{items}</ul></section>")
    if p.mentioned:
        more = f", the first {len(p.mentioned)} shown" if p.mentioned_total > len(p.mentioned) else ""
        items = "".join(f"<li>{linker.iri(m.article, m.headline)} <span class=\"note\">{m.times}×</span></li>"
                        for m in p.mentioned)
        parts.append(f"<section><h2>Named in {p.mentioned_total} article(s){more}</h2><ul>{items}</ul></section>")
    return "".join(parts)


def render_actor(state: ServerState, iri: str, linker: Linker, raw_body: str, alternates: str) -> str | None:
    p = profile(state.store, iri)
    if p is None:
        return None
    pictures = _pictures(state, linker, Scope(actor=iri), highlight=iri, kinds=("network", "timeline"))
    body = (f"{_head(p.label, iri, alternates)}<div class=\"reading\"><div class=\"profile\">{_profile_html(p, linker)}</div>"
            f"<aside class=\"beside\">{pictures}</aside></div>"
            f"{_raw(raw_body)}")
    return page(p.label, body, styles=STYLES)


# ------------------------------------------------------------------ event
ROLES = (("agent", "by"), ("target", "against"), ("supporter", "supported by"), ("participant", "with"),
         ("statusAttributedTo", "status from"), ("weapon", "weapons"))


def render_event(state: ServerState, iri: str, title: str, linker: Linker, raw_body: str, alternates: str) -> str:
    node = ox.NamedNode(iri)
    facts = _select(state, """
SELECT ?e ?p ?o ?name WHERE { ?e ?p ?o . OPTIONAL { ?o rdfs:label|skos:prefLabel|schema:headline ?name } }""",
                    e=node)
    by: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for f in facts:
        by[f["p"]].append((f["o"], f.get("name", "")))
    status = next((name for o, name in by.get(KG + "status", [])), "")
    realized = any(o == KG + "RealizedEvent" for o, _ in by.get(RDF.type.value, []))
    rows = [("status", f"<span class=\"status {'realized' if realized else 'unrealized'}\">{esc(status)}</span>"
             if status else "")]
    for prop, name in ROLES:
        values = dict.fromkeys(linker.iri(o, n or None) for o, n in by.get(KG + prop, []))
        rows.append((name, ", ".join(values)))
    times = [o for p in ("hasTimeStamp", "hasBeginTimeStamp") for o, _ in by.get(SEM.term(p).value, [])]
    ends = [o for o, _ in by.get(SEM.hasEndTimeStamp.value, [])]
    duration = [o for o, _ in by.get(SCHEMA.duration.value, [])]
    rows.append(("time", esc(" – ".join([*times[:1], *ends[:1]]) + (f" ({duration[0]})" if duration else ""))
                 or "<span class=\"note\">not dated in the text</span>"))
    rows.append(("place", ", ".join(dict.fromkeys(linker.iri(o, n or None) for o, n in by.get(SEM.hasPlace.value, [])))))
    rows.append(("part of", ", ".join(linker.iri(o, n or None) for o, n in by.get(SEM.subEventOf.value, []))))
    rows.append(("parts", ", ".join(linker.iri(o, n or None) for o, n in sorted(by.get(SEM.hasSubEvent.value, []),
                                                                                key=lambda x: x[1]))))
    rows.append(("condition", esc(", ".join(o for o, _ in by.get(KG + "condition", [])))))
    rows.append(("about", ", ".join(linker.iri(o, n or None) for o, n in by.get(SCHEMA.about.value, []))))
    rows.append(("account of", ", ".join(linker.iri(o, n or None) for o, n in by.get(KG + "accountOf", []))))
    accounts = _select(state, "SELECT ?e ?acc ?name WHERE { ?acc prov:specializationOf ?e ; rdfs:label ?name }",
                       e=node)
    rows.append(("told in", ", ".join(linker.iri(a["acc"], a["name"]) for a in accounts)))
    articles = [o for o, _ in by.get("http://www.w3.org/ns/prov#wasDerivedFrom", [])]
    rows.append(("article", ", ".join(linker.iri(o, n or None) for o, n in
                                      by.get("http://www.w3.org/ns/prov#wasDerivedFrom", []))))
    table = "".join(f"<tr><th>{esc(k)}</th><td>{v}</td></tr>" for k, v in rows if v)
    scope = Scope(article=articles[0]) if articles else Scope()
    pictures = _pictures(state, linker, scope, highlight=iri, kinds=("timeline",)) if articles else ""
    body = (f"{_head(title, iri, alternates)}<div class=\"reading\"><div class=\"event-facts\"><table class=\"facts\">{table}</table></div>"
            f"<aside class=\"beside\">{pictures}</aside></div>{_raw(raw_body)}")
    return page(title, body, styles=STYLES)


def render_reading(state: ServerState, kind: str, iri: str, title: str, linker: Linker, raw_body: str,
                   alternates: str) -> str | None:
    """The reading view of `kind` (kind_of_view), or None to fall back to the property page."""
    if kind == "article":
        return render_article(state, iri, title, linker, raw_body, alternates)
    if kind == "actor":
        return render_actor(state, iri, linker, raw_body, alternates)
    if kind == "event":
        return render_event(state, iri, title, linker, raw_body, alternates)
    return None


# ------------------------------------------------------------------ /draw/{network,timeline}.{svg,png}
async def draw_route(request: Request) -> Response:
    """A picture on its own, for the pages' "full size" links: ?article=IRI and/or ?actor=IRI."""
    state: ServerState = request.app.state.kg
    kind, fmt = request.path_params["kind"], request.path_params["fmt"]
    if kind not in ("network", "timeline") or fmt not in ("svg", "png"):
        raise HTTPException(404, "draw network or timeline, as .svg or .png")
    try:
        scope = Scope(**{k: ox.NamedNode(request.query_params[k]).value for k in ("article", "actor")
                         if request.query_params.get(k)})
    except ValueError:
        raise HTTPException(400, "article and actor must be IRIs") from None
    linker = Linker(state.base, state.ld_prefixes[0])
    data = await state.runner.call(lambda: picture(state.store, kind, scope, fmt, link=linker.href))
    media = "image/svg+xml" if fmt == "svg" else "image/png"
    return Response(data, media_type=media, headers=HTML_HEADERS)


def routes() -> list[Route]:
    return [Route("/draw/{kind}.{fmt}", draw_route, methods=["GET", "HEAD"])]
