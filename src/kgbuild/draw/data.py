"""What the pictures show, read from the store with SPARQL: actors and their links, events and their times.

Nothing here knows about Graphviz; network.py and timeline.py lay these out. Whether an
event happened comes from the data (the mapper types each event kg:RealizedEvent or
kg:UnrealizedEvent) and a status's name from the ontology graph (skos:prefLabel), so a
status added to the ontology is drawn without a code change.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import combinations

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

    def actor_events(self, var: str) -> str:
        """Start from what the actor takes part in (an index lookup), not from every event in the store."""
        return f"?{var} ?role0 {ox.NamedNode(self.actor)} ." if self.actor else ""


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


ROLES = ("agent", "target", "supporter", "participant", "statusAttributedTo")


def _roles(store: KgStore, where: str) -> dict[str, dict[str, list[str]]]:
    """Event -> role (agent, target, …) -> the IRIs in it, for the events `where` selects."""
    roles: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for r in _select(store, f"""SELECT ?e ?p ?x WHERE {{ {where}
  ?e ?p ?x FILTER(?p IN ({", ".join("kg:" + p for p in ROLES)})) }}"""):
        roles[r["e"].value][r["p"].value.rsplit("#", 1)[-1]].append(r["x"].value)
    return roles


def _speech(store: KgStore, scope: Scope) -> list[dict[str, ox.NamedNode | ox.Literal]]:
    """Quotes and claims in scope: each with its kind, author, text and one thing it is about."""
    details = """?x schema:about ?about ; schema:author ?author ; schema:text ?text ; a ?c .
  FILTER(?c IN (schema:Quotation, schema:Claim))"""
    if not scope.actor:
        return _select(store, f"SELECT ?x ?c ?author ?text ?about WHERE {{ {scope.article_filter('x')} {details} }}")
    node = ox.NamedNode(scope.actor)
    found = {r["x"].value for q in (f"?x schema:author {node}", f"?x schema:about {node}",
                                     f"?e kg:agent|kg:target {node} . ?x schema:about ?e")
             for r in _select(store, f"SELECT ?x WHERE {{ {q} {scope.article_filter('x')} }}")}
    rows: list[dict[str, ox.NamedNode | ox.Literal]] = []
    for values in _chunks(found):  # the actor's quotes and claims, then their details
        rows += _select(store, f"SELECT ?x ?c ?author ?text ?about WHERE {{ VALUES ?x {{ {values} }} {details} }}")
    return rows


def _chunks(iris: set[str], size: int = 2000) -> Iterator[str]:
    """The IRIs as the bodies of VALUES blocks of at most `size` (escaped <IRI>s: nothing is spliced raw)."""
    ordered = sorted(iris)
    for i in range(0, len(ordered), size):
        yield " ".join(str(ox.NamedNode(x)) for x in ordered[i:i + size])


def _actors(store: KgStore, iris: set[str]) -> set[str]:
    """Which of `iris` are actors (kg:Actor), asked for those IRIs only."""
    found: set[str] = set()
    for values in _chunks(iris):
        found |= {r["n"].value for r in _select(store, f"SELECT ?n WHERE {{ VALUES ?n {{ {values} }} ?n a kg:Actor }}")}
    return found


def network(store: KgStore, scope: Scope | None = None, *, max_nodes: int = MAX_NODES,
            max_edges: int = MAX_EDGES) -> Network:
    """Actors linked by what they did to, with and about each other; capped by rank (see `rank`).

    The store is asked only simple, index-friendly questions (an event's status and roles, a
    quote's or claim's author and what it is about); the links are made and counted here,
    which keeps one article or one actor fast on a large store (Oxigraph evaluated the
    grouped UNION queries over the whole store first).
    """
    scope = scope or Scope()
    statuses = status_names(store)
    where = f"{scope.actor_events('e')} {scope.article_filter('e')} ?e kg:status ?status ."
    events: dict[str, dict[str, object]] = {}
    for r in _select(store, f"""SELECT ?e ?status ?label ?c WHERE {{ {where}
  ?e rdfs:label ?label . OPTIONAL {{ ?e a ?c FILTER(?c IN (kg:RealizedEvent, kg:Meeting)) }} }}"""):
        ev = events.setdefault(r["e"].value, {"status": _name(statuses, r["status"].value), "label": r["label"].value,
                                               "realized": False, "meeting": False})
        kind = r["c"].value.rsplit("#", 1)[-1] if "c" in r else ""
        if kind == "RealizedEvent":
            ev["realized"] = True
        elif kind == "Meeting":
            ev["meeting"] = True
    roles = _roles(store, where)
    speech = _speech(store, scope)
    missing = {r["about"].value for r in speech if r["about"].value not in roles}
    if missing:  # events a quote or claim is about, outside the scope: whom they involve
        values = " ".join(str(ox.NamedNode(i)) for i in sorted(missing))
        roles.update(_roles(store, f"VALUES ?e {{ {values} }}"))
    actors = _actors(store, {x for r in roles.values() for xs in r.values() for x in xs}
                     | {r["about"].value for r in speech if r["about"].value not in roles})
    found: dict[tuple[str, str, str, bool, str], list[tuple[str, str]]] = defaultdict(list)

    def link(s: str, t: str, relation: str, realized: bool, status: str, label: str, example: str,
             speaker: bool = False) -> None:
        if s == t or (s not in actors and not speaker):  # any author may speak; only actors act
            return
        if scope.actor and scope.actor not in (s, t):
            return
        found[(s, t, relation, realized, status)].append((label, example))

    for e, ev in events.items():
        r = roles.get(e, {})
        agents, targets = r.get("agent", []), r.get("target", [])
        realized, status, label = bool(ev["realized"]), str(ev["status"]), str(ev["label"])
        for s in agents or r.get("statusAttributedTo", []):
            for t in targets:
                link(s, t, "acted", realized, status, label, e)
        pairs = [*combinations(sorted(set(r.get("participant", []))), 2), *combinations(sorted(set(agents)), 2),
                 *((min(a, b), max(a, b)) for a in r.get("supporter", []) for b in agents)]
        for a, b in pairs:
            if a in actors and b in actors:
                link(a, b, "met" if ev["meeting"] else "together", realized, status, label, e)
    for r in speech:
        kind = "spoke" if r["c"].value.endswith("Quotation") else "claimed"
        about = r["about"].value
        targets = [about] if about in actors else roles.get(about, {}).get("agent", []) + roles.get(about, {}).get("target", [])
        for t in targets:
            if t in actors:
                link(r["author"].value, t, kind, True, "", r["text"].value, r["x"].value, speaker=True)
    edges = []
    for (s, t, relation, realized, status), items in found.items():
        distinct = sorted(set(items), key=lambda i: i[1])
        edges.append(Edge(s, t, relation, realized, status, distinct[0][0], len({i[1] for i in distinct}),
                          distinct[0][1]))
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
