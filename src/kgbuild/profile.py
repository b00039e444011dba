"""One entity as a person asks about it: what it said, claimed and did (with each event's status), where it is named.

Read from the store with SPARQL; `kgbuild show` prints it and the actor page renders it.
Status and modality names are the ontology's own labels (skos:prefLabel in its graph),
so a status added to the ontology shows up here without a code change.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from .store import KgStore
from .vocab import PREFIXES

PROLOGUE = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
MAX_ARTICLES = 25

_HEAD = PROLOGUE + """
SELECT ?e ?label ?type ?alias ?same WHERE {
  ?e rdfs:label ?label .
  OPTIONAL { ?e a ?type FILTER(STRSTARTS(STR(?type), STR(kg:))) }
  OPTIONAL { ?e skos:altLabel ?alias }
  OPTIONAL { ?e owl:sameAs|skos:exactMatch|skos:closeMatch ?same }
}"""
_SAID = PROLOGUE + """
SELECT ?e ?s ?text ?setting ?article WHERE {
  ?s a schema:Quotation ; schema:author ?e ; schema:text ?text ; schema:isPartOf ?article .
  OPTIONAL { ?s kg:setting ?setting }
} ORDER BY ?article ?s LIMIT 200"""
_CLAIMED = PROLOGUE + """
SELECT ?e ?s ?text ?verb ?modality ?article WHERE {
  ?s a schema:Claim ; schema:author ?e ; schema:text ?text ; schema:appearance ?article .
  OPTIONAL { ?s kg:reportingVerb ?verb }
  OPTIONAL { ?s kg:modality/skos:prefLabel ?modality }
} ORDER BY ?article ?text LIMIT 200"""
_DID = PROLOGUE + """
SELECT ?e ?s ?label ?role ?status ?realized ?time ?article WHERE {
  VALUES ?p { kg:agent kg:target kg:supporter kg:participant kg:statusAttributedTo }
  ?s ?p ?e ; rdfs:label ?label ; kg:status ?st ; prov:wasDerivedFrom ?article .
  ?p rdfs:label ?role .
  OPTIONAL { ?st skos:prefLabel ?status }
  BIND(EXISTS { ?s a kg:RealizedEvent } AS ?realized)
  OPTIONAL { ?s sem:hasTimeStamp|sem:hasBeginTimeStamp ?time }
} ORDER BY ?article ?label LIMIT 300"""
_MENTIONED = PROLOGUE + """
SELECT ?e ?article ?headline (COUNT(DISTINCT ?a) AS ?times) WHERE {
  ?a oa:hasBody ?e ; oa:hasTarget ?t . ?t oa:hasSource ?article . ?article schema:headline ?headline .
} GROUP BY ?e ?article ?headline ORDER BY DESC(?times) ?article LIMIT %d"""
_MENTION_COUNT = PROLOGUE + "SELECT ?e (COUNT(DISTINCT ?article) AS ?n) WHERE { ?article schema:mentions ?e } GROUP BY ?e"


@dataclass(frozen=True)
class Said:
    iri: str
    text: str
    setting: str | None
    article: str


@dataclass(frozen=True)
class Claimed:
    iri: str
    text: str
    verb: str | None
    modality: str | None
    article: str


@dataclass(frozen=True)
class Did:
    iri: str
    label: str
    role: str
    status: str
    realized: bool
    time: str | None
    article: str


@dataclass(frozen=True)
class Mention:
    article: str
    headline: str
    times: int


@dataclass
class Profile:
    iri: str
    label: str
    kinds: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    same_as: list[str] = field(default_factory=list)
    said: list[Said] = field(default_factory=list)
    claimed: list[Claimed] = field(default_factory=list)
    did: list[Did] = field(default_factory=list)
    mentioned: list[Mention] = field(default_factory=list)
    mentioned_total: int = 0


def _rows(store: KgStore, sparql: str, iri: ox.NamedNode) -> list[dict[str, str]]:
    result = store.query(sparql, substitutions={ox.Variable("e"): iri})
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in result]


def profile(store: KgStore, iri: str) -> Profile | None:
    """The entity's profile; None when the store has no label for `iri`."""
    node = ox.NamedNode(iri)
    head = _rows(store, _HEAD, node)
    if not head:
        return None
    p = Profile(iri, head[0]["label"])
    p.kinds = sorted({r["type"].rsplit("#", 1)[-1] for r in head if "type" in r} - {"Actor", "Event"})
    p.aliases = sorted({r["alias"] for r in head if "alias" in r})
    p.same_as = sorted({r["same"] for r in head if "same" in r})
    p.said = [Said(r["s"], r["text"], r.get("setting"), r["article"]) for r in _rows(store, _SAID, node)]
    p.claimed = [Claimed(r["s"], r["text"], r.get("verb"), r.get("modality"), r["article"])
                 for r in _rows(store, _CLAIMED, node)]
    p.did = [Did(r["s"], r["label"], r["role"], r.get("status", ""), r["realized"] == "true", r.get("time"),
                 r["article"]) for r in _rows(store, _DID, node)]
    p.mentioned = [Mention(r["article"], r["headline"], int(r["times"]))
                   for r in _rows(store, _MENTIONED % MAX_ARTICLES, node)]
    total = _rows(store, _MENTION_COUNT, node)
    p.mentioned_total = int(total[0]["n"]) if total else 0
    return p
