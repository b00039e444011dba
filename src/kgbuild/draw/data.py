"""What the pictures show, read from the store with SPARQL: actors and their links, events and their times.

Nothing here knows about Graphviz; network.py and timeline.py lay these out. Whether an
event happened comes from the data (the mapper types each event kg:RealizedEvent or
kg:UnrealizedEvent) and a status's name from the ontology graph (skos:prefLabel), so a
status added to the ontology is drawn without a code change.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..profile import PROLOGUE
from ..store import KgStore

MAX_NODES = 40
MAX_EDGES = 120
MAX_PER_PERIOD = 12
MAX_APART = 20

# Edge kinds, in legend order: (key, what the legend says).
RELATIONS = {
    "acted": "acted on (agent → target)",
    "together": "took part with",
    "met": "met",
    "spoke": "spoke about",
    "claimed": "claimed about",
}


@dataclass(frozen=True)
class Scope:
    """Which part of the store a picture shows: one article, one actor's neighbourhood, or everything."""

    article: str | None = None
    actor: str | None = None

    def article_filter(self, var: str) -> str:
        # A NamedNode serialises as an escaped <IRI>: a value cannot change the query's shape.
        return f"?{var} prov:wasDerivedFrom {ox.NamedNode(self.article)} ." if self.article else ""

    def actor_filter(self, *variables: str) -> str:
        if not self.actor:
            return ""
        node = ox.NamedNode(self.actor)
        return "FILTER(" + " || ".join(f"?{v} = {node}" for v in variables) + ")"

    def actor_events(self, var: str) -> str:
        """Start from what the actor takes part in (an index lookup), not from every event in the store."""
        return f"?{var} ?role0 {ox.NamedNode(self.actor)} ." if self.actor else ""

    def actor_speech(self, var: str) -> str:
        if not self.actor:
            return ""
        node = ox.NamedNode(self.actor)
        return (f"{{ ?{var} schema:author {node} }} UNION {{ ?{var} schema:about {node} }} "
                f"UNION {{ ?{var} schema:about/(kg:agent|kg:target) {node} }}")


@dataclass
class Node:
    iri: str
    label: str
    kind: str
    score: int = 0


@dataclass
class Edge:
    source: str
    target: str
    relation: str
    realized: bool
    status: str  # the status's name for event links, "" for speech
    label: str
    count: int
    example: str  # one statement/claim/event behind the link


@dataclass
class Network:
    nodes: dict[str, Node]
    edges: list[Edge]
    caption: str = ""


def _select(store: KgStore, sparql: str) -> list[dict[str, ox.NamedNode | ox.Literal]]:
    result = store.query(PROLOGUE + sparql)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: s[n] for n in names if s[n] is not None} for s in result]  # type: ignore[misc]


def status_names(store: KgStore) -> dict[str, str]:
    """Status IRI -> its name in the ontology (the local name when the ontology graph is absent)."""
    rows = _select(store, "SELECT ?s ?name WHERE { ?s a kg:ActionStatus OPTIONAL { ?s skos:prefLabel ?name } }")
    return {r["s"].value: (r["name"].value if "name" in r else r["s"].value.rsplit("#", 1)[-1]) for r in rows}


def _name(statuses: dict[str, str], iri: str) -> str:
    return statuses.get(iri) or iri.rsplit("#", 1)[-1].lower()


def network(store: KgStore, scope: Scope = Scope(), *, max_nodes: int = MAX_NODES,
            max_edges: int = MAX_EDGES) -> Network:
    """Actors linked by what they did to, with and about each other; capped by rank (see `rank`)."""
    statuses = status_names(store)
    edges: list[Edge] = []
    acted = f"""
SELECT ?s ?t ?st ?realized (COUNT(DISTINCT ?e) AS ?n) (SAMPLE(?l) AS ?label) (SAMPLE(?e) AS ?ex) WHERE {{
  {scope.actor_events("e")} ?e kg:target ?t ; kg:status ?st ; rdfs:label ?l . {scope.article_filter("e")}
  {{ ?e kg:agent ?s }} UNION {{ ?e kg:statusAttributedTo ?s FILTER NOT EXISTS {{ ?e kg:agent ?any }} }}
  ?s a kg:Actor . FILTER(?s != ?t) {scope.actor_filter("s", "t")}
  BIND(EXISTS {{ ?e a kg:RealizedEvent }} AS ?realized)
}} GROUP BY ?s ?t ?st ?realized"""
    for r in _select(store, acted):
        edges.append(Edge(r["s"].value, r["t"].value, "acted", r["realized"].value == "true",
                          _name(statuses, r["st"].value), r["label"].value, int(r["n"].value), r["ex"].value))
    together = f"""
SELECT ?a ?b ?st ?realized ?meeting (COUNT(DISTINCT ?e) AS ?n) (SAMPLE(?l) AS ?label) (SAMPLE(?e) AS ?ex) WHERE {{
  {scope.actor_events("e")} ?e kg:status ?st ; rdfs:label ?l . {scope.article_filter("e")}
  {{ ?e kg:participant ?x . ?e kg:participant ?y }} UNION {{ ?e kg:agent ?x . ?e kg:agent ?y }}
  UNION {{ ?e kg:supporter ?x . ?e kg:agent ?y }}
  FILTER(STR(?x) < STR(?y) || EXISTS {{ ?e kg:supporter ?x }})
  FILTER(?x != ?y)
  ?x a kg:Actor . ?y a kg:Actor .
  BIND(IF(STR(?x) < STR(?y), ?x, ?y) AS ?a) BIND(IF(STR(?x) < STR(?y), ?y, ?x) AS ?b)
  {scope.actor_filter("a", "b")}
  BIND(EXISTS {{ ?e a kg:RealizedEvent }} AS ?realized)
  BIND(EXISTS {{ ?e a kg:Meeting }} AS ?meeting)
}} GROUP BY ?a ?b ?st ?realized ?meeting"""
    for r in _select(store, together):
        edges.append(Edge(r["a"].value, r["b"].value, "met" if r["meeting"].value == "true" else "together",
                          r["realized"].value == "true", _name(statuses, r["st"].value), r["label"].value,
                          int(r["n"].value), r["ex"].value))
    speech = f"""
SELECT ?s ?t ?kind (COUNT(DISTINCT ?x) AS ?n) (SAMPLE(?text) AS ?label) (SAMPLE(?x) AS ?ex) WHERE {{
  {scope.actor_speech("x")}
  {{ ?x a schema:Quotation BIND("spoke" AS ?kind) }} UNION {{ ?x a schema:Claim BIND("claimed" AS ?kind) }}
  {scope.article_filter("x")}
  ?x schema:author ?s ; schema:text ?text .
  {{ ?x schema:about ?t }} UNION {{ ?x schema:about/(kg:agent|kg:target) ?t }}
  ?t a kg:Actor . FILTER(?s != ?t) {scope.actor_filter("s", "t")}
}} GROUP BY ?s ?t ?kind"""
    for r in _select(store, speech):
        edges.append(Edge(r["s"].value, r["t"].value, r["kind"].value, True, "", r["label"].value,
                          int(r["n"].value), r["ex"].value))
    return rank(store, edges, scope, max_nodes=max_nodes, max_edges=max_edges)


def rank(store: KgStore, edges: list[Edge], scope: Scope, *, max_nodes: int, max_edges: int) -> Network:
    """Keep the `max_nodes` actors with the most links and the `max_edges` strongest links among them.

    An actor's score is the number of events, quotes and claims that link it to another actor
    (weighted degree); a link's strength is how many of them it stands for. The actor a picture
    is about is always kept. The caption says what was left out.
    """
    score: Counter[str] = Counter()
    for e in edges:
        score[e.source] += e.count
        score[e.target] += e.count
    ranked = [iri for iri, _ in sorted(score.items(), key=lambda kv: (-kv[1], kv[0]))]
    keep = set(ranked[:max_nodes])
    if scope.actor:
        keep.add(scope.actor)
    kept = [e for e in edges if e.source in keep and e.target in keep]
    kept.sort(key=lambda e: (-e.count, e.relation, e.source, e.target))
    shown = kept[:max_edges]
    used = {e.source for e in shown} | {e.target for e in shown}
    if scope.actor:
        used.add(scope.actor)
    nodes = _describe(store, sorted(used))
    for iri, node in nodes.items():
        node.score = score[iri]
    notes = []
    if len(score) > len(used):
        notes.append(f"the {len(used)} of {len(score)} actors with the most events, quotes and claims linking them")
    if len(kept) > len(shown):
        notes.append(f"the {len(shown)} strongest of {len(kept)} links among them")
    caption = ("Showing " + "; ".join(notes) + ".") if notes else ""
    return Network(nodes, shown, caption)


def _describe(store: KgStore, iris: list[str]) -> dict[str, Node]:
    """Label and most specific kg: class of each node."""
    if not iris:
        return {}
    values = " ".join(str(ox.NamedNode(i)) for i in iris)
    rows = _select(store, f"""SELECT ?n ?label ?type WHERE {{ VALUES ?n {{ {values} }}
  OPTIONAL {{ ?n rdfs:label ?label }} OPTIONAL {{ ?n a ?type FILTER(STRSTARTS(STR(?type), STR(kg:))) }} }}""")
    types: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, str] = {}
    for r in rows:
        iri = r["n"].value
        if "label" in r:
            labels.setdefault(iri, r["label"].value)
        if "type" in r:
            types[iri].add(r["type"].value.rsplit("#", 1)[-1])
    return {i: Node(i, labels.get(i, i.rsplit("/", 1)[-1]), kind_of(types[i])) for i in iris}


# Node kinds for the legend: the registry's actor types, grouped as a reader would.
KINDS = {
    "Person": "person", "State": "state", "Government": "organisation", "GovernmentAgency": "organisation",
    "Military": "organisation", "ThinkTank": "organisation", "ArmedGroup": "armed group",
    "MediaOutlet": "media outlet", "CollectiveActor": "collective / unnamed", "UnattributedSource": "collective / unnamed",
}


def kind_of(types: set[str]) -> str:
    for t, kind in KINDS.items():
        if t in types:
            return kind
    return "other"


# ------------------------------------------------------------------ timeline
@dataclass
class Event:
    iri: str
    label: str
    status: str
    realized: bool
    time: str | None  # the lexical time stamp (or begin), e.g. 2025-06
    end: str | None
    parent: str | None
    article: str
    words: str = ""  # for an undated event: the words of the text that place it
    relative: str = ""  # a relative time the text gives it ("just six months later"), with what it counts from
    parts: list[Event] = field(default_factory=list)

    @property
    def period(self) -> str | None:
        return self.time[:7] if self.time else None


@dataclass
class Timeline:
    periods: dict[str, list[Event]]  # period (YYYY or YYYY-MM) -> top-level dated events, parts nested
    undated: list[Event]  # realized, no time stamp
    unrealized: list[Event]
    hidden: int = 0  # events left out by the caps
    caption: str = ""


def timeline(store: KgStore, scope: Scope = Scope(), *, per_period: int = MAX_PER_PERIOD,
             apart: int = MAX_APART) -> Timeline:
    """Events by period, sub-events under their whole; undated and unrealized ones apart with their words."""
    statuses = status_names(store)
    role = ""
    if scope.actor:
        role = (f"?e ?role {ox.NamedNode(scope.actor)} . "
                "VALUES ?role { kg:agent kg:target kg:supporter kg:participant kg:statusAttributedTo }")
    rows = _select(store, f"""
SELECT ?e ?label ?st ?realized ?time ?end ?parent ?article WHERE {{
  ?e kg:status ?st ; rdfs:label ?label ; prov:wasDerivedFrom ?article . {scope.article_filter("e")} {role}
  OPTIONAL {{ ?e sem:hasTimeStamp|sem:hasBeginTimeStamp ?time }}
  OPTIONAL {{ ?e sem:hasEndTimeStamp ?end }}
  OPTIONAL {{ ?e sem:subEventOf ?parent }}
  BIND(EXISTS {{ ?e a kg:RealizedEvent }} AS ?realized)
}} ORDER BY ?time ?label""")
    events: dict[str, Event] = {}
    for r in rows:
        iri = r["e"].value
        if iri in events:
            continue
        events[iri] = Event(iri, r["label"].value, _name(statuses, r["st"].value), r["realized"].value == "true",
                            r["time"].value if "time" in r else None, r["end"].value if "end" in r else None,
                            r["parent"].value if "parent" in r else None, r["article"].value)
    tops: list[Event] = []
    for ev in events.values():
        parent = events.get(ev.parent or "")
        # A part stays under its whole when both are in the same place: the same period, or both
        # undated, and both realized or both not.
        if parent is not None and parent.period == ev.period and parent.realized == ev.realized:
            parent.parts.append(ev)
        else:
            tops.append(ev)
    periods: dict[str, list[Event]] = defaultdict(list)
    undated, unrealized = [], []
    for ev in tops:
        if not ev.realized:
            unrealized.append(ev)
        elif ev.period:
            periods[ev.period].append(ev)
        else:
            undated.append(ev)
    hidden = 0
    for key, evs in periods.items():
        evs.sort(key=lambda e: (-len(e.parts), e.time or "", e.label))
        hidden += max(0, len(evs) - per_period)
        periods[key] = evs[:per_period]
    hidden += max(0, len(undated) - apart) + max(0, len(unrealized) - apart)
    undated, unrealized = undated[:apart], unrealized[:apart]
    _placing_words(store, _with_parts(undated + unrealized))
    caption = f"{hidden} more event(s) not shown." if hidden else ""
    return Timeline(dict(sorted(periods.items())), undated, unrealized, hidden, caption)


def _with_parts(events: list[Event]) -> list[Event]:
    return [x for ev in events for x in (ev, *_with_parts(ev.parts))]


def _placing_words(store: KgStore, events: list[Event], width: int = 150) -> None:
    """Each event's words in the text: the sentence around its first main anchor, cut to `width` characters,
    and the relative time the article gives it (OWL-Time, kg:RelativeTime), if any."""
    if not events:
        return
    values = " ".join(str(ox.NamedNode(e.iri)) for e in events)
    rows = _select(store, f"""SELECT ?e ?start ?sstart ?sentence WHERE {{ VALUES ?e {{ {values} }}
  ?a oa:hasBody ?e ; kg:anchorRole kg:MainSpan ; kg:inSentence ?s ; oa:hasTarget/oa:hasSelector/oa:start ?start .
  ?s schema:text ?sentence ; kg:start ?sstart . }}""")
    first: dict[str, tuple[int, int, str]] = {}
    for r in rows:
        start = int(r["start"].value)
        if r["e"].value not in first or start < first[r["e"].value][0]:
            first[r["e"].value] = (start, int(r["sstart"].value), r["sentence"].value)
    for ev in events:
        if ev.iri in first:
            start, sstart, sentence = first[ev.iri]
            ev.words = _window(sentence, start - sstart, width)
    relative = _select(store, f"""SELECT ?e ?words ?from WHERE {{ VALUES ?e {{ {values} }}
  ?e time:hasTime ?t . ?t a kg:RelativeTime ; rdfs:label ?words . OPTIONAL {{ ?t kg:countsFrom/rdfs:label ?from }} }}""")
    said = {r["e"].value: r["words"].value + (f" (counted from {r['from'].value})" if "from" in r else "")
            for r in relative}
    for ev in events:
        ev.relative = said.get(ev.iri, "")


def _window(sentence: str, at: int, width: int) -> str:
    """About `width` characters of `sentence` around offset `at`, cut at spaces, with ellipses."""
    sentence = " ".join(sentence.split())
    if len(sentence) <= width:
        return sentence
    lo = max(0, min(at - width // 3, len(sentence) - width))
    hi = lo + width
    if lo > 0:
        lo = sentence.find(" ", lo) + 1 or lo
    if hi < len(sentence):
        hi = sentence.rfind(" ", lo, hi) if sentence.rfind(" ", lo, hi) > lo else hi
    return ("…" if lo > 0 else "") + sentence[lo:hi].strip() + ("…" if hi < len(sentence) else "")
