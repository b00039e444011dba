"""Every format kgbuild reads or writes, in one table built on pyoxigraph's RdfFormat / QueryResultsFormat,
and the one content negotiation over it (RFC 9110 Accept with q-values).

pyoxigraph gives each format's serialiser, media type, file extension and W3C format
IRI; the table adds what kgbuild's users type (`-f turtle`, `?format=csv`, `.ttl`) and
the aliases clients send. Three kinds of answer have their own lists: tabular results
(SELECT, ASK), RDF graphs (CONSTRUCT, DESCRIBE, pages, exports) and HTML pages. A
`format=` URL parameter or a file extension overrides Accept, as in most SPARQL
endpoints (SPARQLWrapper sends `format=json`), and means the same thing per kind:
`json` is SPARQL JSON results for a SELECT, JSON-LD for a CONSTRUCT.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

import pyoxigraph as ox

from .errors import NotAcceptable

FORMAT_PARAMS = ("format", "output", "results")  # URL parameters that name a format
W3C_JSON_LD = "http://www.w3.org/ns/formats/JSON-LD"  # the registered IRI (pyoxigraph names a newer one)


class Kind(Enum):
    TABULAR = "tabular"  # SELECT and ASK
    GRAPH = "graph"  # CONSTRUCT and DESCRIBE


@dataclass(frozen=True)
class Format:
    """One way to write a result: kgbuild's name for it, pyoxigraph's format, and what clients call it."""

    name: str  # the CLI's name: turtle, ntriples, json, csv, ...
    ox_format: ox.QueryResultsFormat | ox.RdfFormat | None  # None: HTML
    extension: str  # in URLs (/queries/NAME.csv, ?format=ttl) and the usual file name
    aliases: tuple[str, ...] = ()

    @property
    def media_type(self) -> str:
        return self.ox_format.media_type.split(";")[0] if self.ox_format is not None else "text/html"

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8" if self.media_type.startswith("text/") else self.media_type

    @property
    def is_dataset(self) -> bool:
        return isinstance(self.ox_format, ox.RdfFormat) and self.ox_format.supports_datasets

    @property
    def title(self) -> str:
        return self.ox_format.name if self.ox_format is not None else "HTML"

    @property
    def iri(self) -> str:
        """The W3C format IRI (http://www.w3.org/ns/formats/...)."""
        assert self.ox_format is not None
        return W3C_JSON_LD if self.ox_format == ox.RdfFormat.JSON_LD else self.ox_format.iri


R = ox.QueryResultsFormat
G = ox.RdfFormat
# Server preference order: the first acceptable format of the highest q wins.
TABULAR_FORMATS = (
    Format("json", R.JSON, "json", ("application/json", "srj")),
    Format("xml", R.XML, "xml", ("application/xml", "text/xml", "srx")),
    Format("csv", R.CSV, "csv"),
    Format("tsv", R.TSV, "tsv"),
)
GRAPH_FORMATS = (
    Format("turtle", G.TURTLE, "ttl", ("application/x-turtle", "turtle", "n3", "text/n3")),
    Format("ntriples", G.N_TRIPLES, "nt", ("ntriples", "n-triples", "text/plain")),
    Format("rdfxml", G.RDF_XML, "rdf", ("rdfxml", "rdf+xml", "xml", "application/xml", "text/xml")),
    Format("jsonld", G.JSON_LD, "jsonld", ("json-ld", "json", "application/json")),
    Format("trig", G.TRIG, "trig"),
    Format("nquads", G.N_QUADS, "nq", ("nquads", "n-quads")),
)
HTML = Format("html", None, "html", ("application/xhtml+xml",))
EXPORT_FORMATS = {f.name: f for f in GRAPH_FORMATS}  # `kgbuild export -f NAME`
RESULT_FORMATS = {f.name: f for f in TABULAR_FORMATS}  # `kgbuild query -f NAME` for SELECT and ASK
# `kgbuild query -f NAME` for CONSTRUCT and DESCRIBE: a result is triples, so no dataset format but JSON-LD.
CONSTRUCT_FORMATS = {name: EXPORT_FORMATS[name] for name in ("turtle", "ntriples", "jsonld", "rdfxml")}
EXTENSIONS = frozenset(f.extension for f in (*TABULAR_FORMATS, *GRAPH_FORMATS))  # suffixes a URL may end in
_FORMATS = {Kind.TABULAR: TABULAR_FORMATS, Kind.GRAPH: GRAPH_FORMATS}


# ---------------------------------------------------------------- Accept
_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_RANGE = re.compile(rf"^\s*({_TOKEN}|\*)/({_TOKEN}|\*)\s*$")


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float
    order: int

    @property
    def specificity(self) -> int:
        return (self.type != "*") + (self.subtype != "*")

    def matches(self, media_type: str) -> bool:
        t, _, s = media_type.partition("/")
        return self.type in ("*", t) and self.subtype in ("*", s)


def parse_accept(header: str | None) -> list[MediaRange]:
    """Media ranges with their q-values; malformed entries are skipped, as clients expect."""
    if not header or not header.strip():
        return [MediaRange("*", "*", 1.0, 0)]
    ranges = []
    for i, item in enumerate(header.split(",")):
        if not item.strip():
            continue
        main, *params = item.split(";")
        m = _RANGE.match(main)
        if not m:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append(MediaRange(m.group(1).lower(), m.group(2).lower(), q, i))
    return ranges or [MediaRange("*", "*", 1.0, 0)]


def quality(ranges: list[MediaRange], media_type: str) -> float:
    """The q the client gives this media type: the most specific matching range decides."""
    best: MediaRange | None = None
    for r in ranges:
        if r.matches(media_type) and (best is None or r.specificity > best.specificity):
            best = r
    return best.q if best else 0.0


def negotiate(accept: str | None, offered: tuple[Format, ...]) -> Format:
    """The acceptable format with the highest q; ties go to the server's order."""
    ranges = parse_accept(accept)
    exact = [r for r in ranges if r.specificity == 2]  # aliases answer only to their exact name, not text/*
    scored = []
    for i, fmt in enumerate(offered):
        q = max([quality(ranges, fmt.media_type), *(quality(exact, a) for a in fmt.aliases if "/" in a)])
        if q > 0:
            scored.append((-q, i, fmt))
    if not scored:
        raise NotAcceptable((f.media_type for f in offered), accept or "")
    return min(scored, key=lambda s: (s[0], s[1]))[2]


def by_name(name: str, offered: tuple[Format, ...]) -> Format:
    """A format named by extension, short name or media type (`format=csv`, `.ttl`, `text/turtle`)."""
    key = name.strip().lower()
    for fmt in offered:
        if key in (fmt.extension, fmt.media_type, *fmt.aliases):
            return fmt
    raise NotAcceptable((f.media_type for f in offered), name)


def choose(kind: Kind, accept: str | None, names: list[str] | tuple[str, ...] = ()) -> Format:
    """By name when the request names a format (the first name this kind knows wins), else by Accept."""
    offered = _FORMATS[kind]
    names = [n for n in names if n.strip()]
    for name in names:
        try:
            return by_name(name, offered)
        except NotAcceptable:
            continue
    if names:
        raise NotAcceptable((f.media_type for f in offered), ", ".join(names))
    return negotiate(accept, offered)


def kind_of(result: object) -> Kind:
    """Triples (pyoxigraph's, or a SPARQL engine's GraphResult, which says so) are a graph; the rest tabular."""
    return Kind.GRAPH if isinstance(result, ox.QueryTriples) or getattr(result, "is_graph", False) else Kind.TABULAR


def prefers_html(accept: str | None, *, over: tuple[Format, ...] = GRAPH_FORMATS) -> bool:
    """True when a browser asks: text/html is acceptable and ranked at least as high as any data format.

    `*/*` alone does not count: curl and most libraries send it and want data.
    """
    ranges = parse_accept(accept)
    explicit = [r for r in ranges if r.type == "text" and r.subtype == "html" and r.q > 0]
    if not explicit:
        return False
    html_q = max(r.q for r in explicit)
    data_q = max((quality([r for r in ranges if r.specificity == 2], f.media_type) for f in over), default=0.0)
    return html_q >= data_q


# ---------------------------------------------------------------- writing
def write_graph(triples: list[ox.Triple], fmt: Format, prefixes: dict[str, str] | None = None) -> bytes:
    """Serialise a small graph we built ourselves (service description, a resource's page)."""
    assert isinstance(fmt.ox_format, ox.RdfFormat)
    items: list[ox.Triple] | list[ox.Quad] = triples
    if fmt.is_dataset:
        items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    kwargs: dict[str, object] = {"format": fmt.ox_format}
    if prefixes and fmt.ox_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML):
        kwargs["prefixes"] = prefixes
    data = ox.serialize(items, **kwargs)
    assert data is not None
    return data
