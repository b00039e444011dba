"""Pages for people: the query page at / and a linked-data page for every IRI under the base.

An IRI `BASE + rest` dereferences at `PREFIX + rest` on this server, where PREFIX
is `/` + the base IRI's last path segment + `/` (`/id/` for the default base
https://w3id.org/kgbuild/id/, so a w3id redirect of `/kgbuild/(.*)` to this
server's `/$1` lands on the page), and also at the base IRI's full path. Browsers
get HTML; other clients Turtle, JSON-LD or any RDF format by Accept or `?format=`.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from urllib.parse import quote, urlsplit

import pyoxigraph as ox
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from .. import formats
from ..formats import FORMAT_PARAMS
from ..store import KgStore
from ..vocab import OA, OWL, PREFIXES, RDFS, SCHEMA, SKOS
from . import reading
from .anchors import objects as _objects
from .anchors import selector_span as _selector_span
from .html import HTML_HEADERS, Linker, esc, highlight, page
from .state import ServerState

STATIC_DIR = Path(__file__).parent / "static"
LABELS = (RDFS.label, SCHEMA.name, SCHEMA.headline, SKOS.prefLabel)
SAME_AS = (OWL.sameAs, SKOS.exactMatch, SKOS.closeMatch)
MAX_ARTICLES = 20
DEFAULT_QUERY = """SELECT ?graph (COUNT(*) AS ?triples)
WHERE { GRAPH ?graph { ?s ?p ?o } }
GROUP BY ?graph
ORDER BY DESC(?triples)
LIMIT 25"""


def ld_prefixes(base: str, override: str | None = None) -> tuple[str, ...]:
    """The server paths where IRIs under `base` dereference: the short one first."""
    path = urlsplit(base).path or "/"
    segments = [s for s in path.split("/") if s]
    short = override or (f"/{segments[-1]}/" if segments else "/id/")
    if not short.startswith("/") or not short.endswith("/") or short == "/":
        raise ValueError(f"linked-data path must look like /name/, not {short!r}")
    prefixes = [short]
    if path not in prefixes and path != "/":
        prefixes.append(path)
    return tuple(prefixes)


# ------------------------------------------------------------------ reading a resource
@dataclass
class Anchor:
    start: int
    end: int
    href: str | None
    title: str


@dataclass
class ArticleText:
    doc: str
    title: str
    body: str
    anchors: list[Anchor] = field(default_factory=list)


@dataclass
class ResourceView:
    iri: str
    label: str | None
    outgoing: list[ox.Quad]
    incoming: list[ox.Quad]
    truncated_in: bool
    is_graph: bool
    texts: list[ArticleText]
    more_texts: int
    labels: dict[str, str]

    def triples(self) -> list[ox.Triple]:
        return sorted({q.triple for q in self.outgoing}, key=str)


def _label(store: KgStore, node: ox.NamedNode) -> str | None:
    for p in LABELS:
        for o in _objects(store, node, p):
            if isinstance(o, ox.Literal):
                return o.value
    return None


def read_resource(state: ServerState, iri: str, linker: Linker, limit: int) -> ResourceView | None:
    """Everything a page about `iri` shows; None when the store does not know it."""
    store = state.store
    node = ox.NamedNode(iri)
    outgoing = list(store.match(node, None, None, None))
    # Hash sub-resources (#target, #quote, #position of an annotation) belong to this page.
    todo = [q.object for q in outgoing]
    seen: set[str] = set()
    while todo:
        obj = todo.pop()
        if isinstance(obj, ox.NamedNode) and obj.value.startswith(iri + "#") and obj.value not in seen:
            seen.add(obj.value)
            more = list(store.match(obj, None, None, None))
            outgoing += more
            todo += [q.object for q in more]
    incoming = []
    for q in store.match(None, None, node, None):
        incoming.append(q)
        if len(incoming) > limit:
            break
    is_graph = store.has_graph(node)
    if not outgoing and not incoming and not is_graph:
        return None
    texts, more_texts = _texts(state, node, outgoing, linker)
    labels: dict[str, str] = {}
    for q in [*outgoing[:limit], *incoming[:limit]]:
        for term in (q.subject, q.object):
            if isinstance(term, ox.NamedNode) and term.value not in labels and linker.local(term.value):
                found = _label(store, term)
                if found:
                    labels[term.value] = found
    return ResourceView(iri, _label(store, node), outgoing, incoming[:limit], len(incoming) > limit, is_graph,
                        texts, more_texts, labels)


def _texts(state: ServerState, node: ox.NamedNode, outgoing: list[ox.Quad], linker: Linker
           ) -> tuple[list[ArticleText], int]:
    """The article text(s) this resource is anchored in, with its spans (or, for an article, all spans)."""
    store = state.store
    by_doc: dict[str, list[Anchor]] = defaultdict(list)
    if any(q.predicate == SCHEMA.articleBody for q in outgoing):
        for t in store.match(None, OA.hasSource, node, None):
            span = _selector_span(store, t.subject)
            if span is None:
                continue
            for a in store.match(None, OA.hasTarget, t.subject, None):
                for body in _objects(store, a.subject, OA.hasBody):
                    if isinstance(body, ox.NamedNode) and body != node:
                        title = _label(store, body) or linker.short(body.value)
                        by_doc[node.value].append(Anchor(*span, linker.href(body.value), title))
                    elif body == node:
                        by_doc[node.value].append(Anchor(*span, None, "this article"))
    else:
        for a in store.match(None, OA.hasBody, node, None):
            for target in _objects(store, a.subject, OA.hasTarget):
                if not isinstance(target, (ox.NamedNode, ox.BlankNode)):
                    continue
                span = _selector_span(store, target)
                docs = [d for d in _objects(store, target, OA.hasSource) if isinstance(d, ox.NamedNode)]
                if span and docs:
                    anno = a.subject
                    href = linker.href(anno.value) if isinstance(anno, ox.NamedNode) else None
                    by_doc[docs[0].value].append(Anchor(*span, href, "annotation " + linker.short(str(anno.value))))
    texts = []
    for doc in sorted(by_doc)[:MAX_ARTICLES]:
        doc_node = ox.NamedNode(doc)
        bodies = [o for o in _objects(store, doc_node, SCHEMA.articleBody) if isinstance(o, ox.Literal)]
        if bodies:
            anchors = sorted(by_doc[doc], key=lambda an: (an.start, an.end))
            texts.append(ArticleText(doc, _label(store, doc_node) or doc, bodies[0].value, anchors))
    return texts, max(0, len(by_doc) - MAX_ARTICLES)


def used_prefixes(triples: list[ox.Triple], prefixes: dict[str, str]) -> dict[str, str]:
    """Only the prefixes the triples use, so a small description does not open with twenty declarations."""
    iris = set()
    for t in triples:
        for term in (t.subject, t.predicate, t.object):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal):
                iris.add(term.datatype.value)
    return {p: ns for p, ns in prefixes.items() if any(i.startswith(ns) for i in iris)}


# ------------------------------------------------------------------ rendering
def render_resource(view: ResourceView, linker: Linker, *, limit: int, alternates: str) -> str:
    title = view.label or linker.short(view.iri)
    return page(title, resource_body(view, linker, limit=limit, alternates=alternates))


def resource_body(view: ResourceView, linker: Linker, *, limit: int, alternates: str, head: bool = True) -> str:
    """The property page's content: the triples, the anchored text, what refers to it (`head`: title first)."""
    title = view.label or linker.short(view.iri)
    parts = [f"<h1>{esc(title)}</h1>", f"<p class=\"iri\"><code>{esc(view.iri)}</code></p>",
             f"<p class=\"alternates\">This resource as {alternates}</p>"] if head else []
    same = [q for q in view.outgoing if q.predicate in SAME_AS and q.subject.value == view.iri]
    if same:
        items = "".join(f"<li>{linker.term(q.predicate)} {linker.term(q.object)}</li>" for q in same)
        parts.append(f"<section class=\"same-as\"><h2>Same as</h2><ul>{items}</ul></section>")
    if view.is_graph:
        gsp = "/rdf-graph-store?graph=" + quote(view.iri, safe="")
        parts.append(f"<p class=\"graph\">This IRI names a graph in the store: "
                     f"<a href=\"{esc(gsp)}\">its triples (Turtle)</a>.</p>")
    rows = []
    ordered = sorted(view.outgoing, key=lambda q: (q.subject.value != view.iri, str(q.subject), str(q.predicate),
                                                   str(q.object)))
    for q in ordered[:limit]:
        subject = "" if q.subject.value == view.iri else linker.term(q.subject)
        rows.append(f"<tr><td>{subject}</td><td>{linker.term(q.predicate)}</td>"
                    f"<td>{linker.term(q.object, view.labels.get(getattr(q.object, 'value', '')))}</td>"
                    f"<td class=\"graph\">{linker.term(q.graph_name)}</td></tr>")
    if rows:
        more = f"<p class=\"note\">Showing {limit} of {len(ordered)} triples.</p>" if len(ordered) > limit else ""
        parts.append("<section><h2>Properties</h2><table class=\"triples\"><thead><tr><th>sub-resource</th>"
                     "<th>property</th><th>value</th><th>graph</th></tr></thead><tbody>"
                     + "".join(rows) + f"</tbody></table>{more}</section>")
    for text in view.texts:
        spans = [(a.start, a.end, a.href, a.title) for a in text.anchors]
        parts.append(f"<section class=\"text\"><h2>In the text of {linker.iri(text.doc, text.title)}</h2>"
                     f"<p class=\"note\">{len(text.anchors)} anchored span(s) highlighted.</p>"
                     f"<div class=\"article-body\">{highlight(text.body, spans)}</div></section>")
    if view.more_texts:
        parts.append(f"<p class=\"note\">…and {view.more_texts} more article(s) not shown.</p>")
    if view.incoming:
        rows = [f"<tr><td>{linker.term(q.subject, view.labels.get(q.subject.value))}</td>"
                f"<td>{linker.term(q.predicate)}</td><td class=\"graph\">{linker.term(q.graph_name)}</td></tr>"
                for q in view.incoming]
        more = f"<p class=\"note\">Showing the first {limit}.</p>" if view.truncated_in else ""
        parts.append("<section><h2>Referenced by</h2><table class=\"triples\"><thead><tr><th>resource</th>"
                     "<th>property</th><th>graph</th></tr></thead><tbody>" + "".join(rows)
                     + f"</tbody></table>{more}</section>")
    return "".join(parts)


def render_page(state: ServerState, view: ResourceView, linker: Linker, *, limit: int, alternates: str) -> str:
    """An article, actor or event gets its reading view (reading.py), anything else the property page."""
    kind = reading.kind_of_view(view.outgoing, view.iri)
    if kind is not None:  # an article's reading view shows its text: the raw part need not repeat it
        raw = resource_body(replace(view, texts=[]) if kind == "article" else view, linker, limit=limit,
                            alternates=alternates, head=False)
        html = reading.render_reading(state, kind, view.iri, view.label or linker.short(view.iri), linker, raw,
                                      alternates)
        if html is not None:
            return html
    return render_resource(view, linker, limit=limit, alternates=alternates)


async def resource(request: Request) -> Response:
    state: ServerState = request.app.state.kg
    raw_path = request.scope.get("raw_path") or request.url.path.encode()
    path = raw_path.decode("latin-1").split("?", 1)[0]
    prefix = next((p for p in state.ld_prefixes if path.startswith(p)), None)
    if prefix is None or len(path) == len(prefix):
        raise HTTPException(404, "no resource here")
    iri = state.base + path[len(prefix):]
    try:
        ox.NamedNode(iri)
    except ValueError:
        raise HTTPException(404, f"{iri!r} is not an IRI this server mints") from None
    names = [v for p in FORMAT_PARAMS for v in request.query_params.getlist(p)]
    accept = request.headers.get("accept")
    want_html = (names and names[0].lower() in ("html", "text/html")) or (not names and formats.prefers_html(accept))
    linker = Linker(state.base, state.ld_prefixes[0])
    limit = state.max_html_rows
    fmt = None if want_html else formats.choose(formats.Kind.GRAPH, accept, names)
    view = await state.runner.call(read_resource, state, iri, linker, limit)
    if view is None:
        raise HTTPException(404, f"nothing is known about {iri}")
    headers = {"Vary": "Accept", "Link": f"<{iri}>; rel=\"canonical\""}
    if fmt is None:
        here = request.url.path
        alternates = ", ".join(f"<a href=\"{esc(here)}?format={f.extension}\">{f.title}</a>"
                               for f in (formats.EXPORT_FORMATS[n] for n in ("turtle", "jsonld", "ntriples", "rdfxml")))
        body = await state.runner.call(partial(render_page, state, view, linker, limit=limit, alternates=alternates))
        return HTMLResponse(body, headers={**HTML_HEADERS, **headers})
    if view.is_graph and not view.outgoing:
        return RedirectResponse("/rdf-graph-store?graph=" + quote(iri, safe="") + f"&format={fmt.extension}",
                                status_code=303, headers=headers)
    triples = view.triples()
    body = await state.runner.call(formats.write_graph, triples, fmt, used_prefixes(triples, {"id": state.base,
                                                                                           **PREFIXES}))
    return Response(body, headers={**headers, "Content-Type": fmt.content_type, "X-Content-Type-Options": "nosniff"})


# ------------------------------------------------------------------ the query page
def render_query_page(state: ServerState) -> str:
    items = []
    for q in state.queries.values():
        params = ", ".join(f"{p.name}: {p.type}{'' if not p.optional else ' (optional)'}" for p in q.parameters)
        items.append(
            f"<li><button type=\"button\" class=\"saved-query\" data-name=\"{esc(q.name)}\">{esc(q.title)}</button>"
            f"<p class=\"desc\">{esc(q.description)}</p>"
            + (f"<p class=\"params\">parameters: {esc(params)}</p>" if params else "")
            + f"<p class=\"links\"><a href=\"/queries/{esc(quote(q.name))}.json\">JSON</a> "
              f"<a href=\"/queries/{esc(quote(q.name))}.csv\">CSV</a></p></li>")
    saved = "".join(items) or "<li class=\"note\">No saved queries (queries/*.rq).</li>"
    body = f"""
<div class="query-page">
<div class="work">
<section class="editor">
<h1>Query the knowledge graph</h1>
<form id="query-form" action="/sparql" method="get">
<label for="query">SPARQL query <span class="note">(the default graph is the union of all graphs;
Ctrl+Enter runs)</span></label>
<textarea id="query" name="query" rows="14" spellcheck="false" autocomplete="off">{esc(DEFAULT_QUERY)}</textarea>
<div id="params" class="params"></div>
<p><button type="submit" id="run">Run query</button> <span id="status" role="status" aria-live="polite"></span></p>
</form>
<nav id="downloads" class="downloads" hidden></nav>
</section>
<section id="results" class="results" aria-label="results"></section>
</div>
<aside class="saved"><h2>Saved queries</h2><ul id="saved-list">{saved}</ul></aside>
</div>"""
    attrs = (f" data-max-rows=\"{state.max_html_rows}\" data-base=\"{esc(state.base)}\""
             f" data-ld-prefix=\"{esc(state.ld_prefixes[0])}\"")
    return page("kgbuild · SPARQL", body, body_attrs=attrs, scripts=("/static/app.js",))


async def query_page(request: Request) -> Response:
    state: ServerState = request.app.state.kg
    return HTMLResponse(render_query_page(state), headers=HTML_HEADERS)


def routes(state: ServerState) -> list[Route]:
    out = [Route("/", query_page, methods=["GET", "HEAD"]), *reading.routes()]
    for prefix in state.ld_prefixes:
        out.append(Route(prefix + "{rest:path}", resource, methods=["GET", "HEAD"]))
    return out
