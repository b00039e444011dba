"""Namespaces, ontology terms and the IRI scheme: one place that names things."""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from pyoxigraph import NamedNode

DEFAULT_BASE = "https://w3id.org/kgbuild/id/"
ONTOLOGY_IRI = "https://w3id.org/kgbuild/ontology"
ONTOLOGY_VERSION = "0.1.0"
KG = ONTOLOGY_IRI + "#"
CAMEO = "https://w3id.org/kgbuild/cameo/"

PREFIXES: dict[str, str] = {
    "kg": KG,
    "cameo": CAMEO,
    "schema": "http://schema.org/",
    "sem": "http://semanticweb.cs.vu.nl/2009/11/sem/",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcterms": "http://purl.org/dc/terms/",
    "time": "http://www.w3.org/2006/time#",
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "wd": "http://www.wikidata.org/entity/",
    "dbr": "http://dbpedia.org/resource/",
}


class _Namespace:
    """Attribute access to terms: KGNS.Claim -> NamedNode(KG + 'Claim')."""

    def __init__(self, iri: str):
        self._iri = iri

    def __getattr__(self, name: str) -> NamedNode:
        return NamedNode(self._iri + name)

    def term(self, name: str) -> NamedNode:
        return NamedNode(self._iri + name)


KGNS = _Namespace(KG)
SCHEMA = _Namespace(PREFIXES["schema"])
SEM = _Namespace(PREFIXES["sem"])
PROV = _Namespace(PREFIXES["prov"])
OA = _Namespace(PREFIXES["oa"])
OWL = _Namespace(PREFIXES["owl"])
RDF = _Namespace(PREFIXES["rdf"])
RDFS = _Namespace(PREFIXES["rdfs"])
SKOS = _Namespace(PREFIXES["skos"])
XSD = _Namespace(PREFIXES["xsd"])
DCTERMS = _Namespace(PREFIXES["dcterms"])
CAMEONS = _Namespace(CAMEO)
TIME = _Namespace(PREFIXES["time"])

WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"
DBPEDIA_RESOURCE = "http://dbpedia.org/resource/"
WIKIDATA_ITEM_IRI = re.compile(r"^http://www\.wikidata\.org/entity/Q[1-9][0-9]*$")

# Registry entity type -> (ontology class, schema.org classes, IRI path segment).
# Organisations carry schema:Organization as well as the narrower schema.org type,
# because most clients do no reasoning.
ENTITY_CLASSES: dict[str, tuple[str, tuple[str, ...], str]] = {
    "Person": ("Person", ("Person",), "actor"),
    "State": ("State", ("Country",), "actor"),
    "Government": ("Government", ("Organization", "GovernmentOrganization"), "actor"),
    "GovernmentAgency": ("GovernmentAgency", ("Organization", "GovernmentOrganization"), "actor"),
    "Military": ("Military", ("Organization",), "actor"),
    "ArmedGroup": ("ArmedGroup", ("Organization",), "actor"),
    "MediaOutlet": ("MediaOutlet", ("Organization", "NewsMediaOrganization"), "actor"),
    "ThinkTank": ("ThinkTank", ("Organization",), "actor"),
    "CollectiveActor": ("CollectiveActor", ("Organization",), "actor"),
    "UnattributedSource": ("UnattributedSource", ("Organization",), "actor"),
    "Place": ("Place", ("Place",), "place"),
    "Facility": ("Facility", ("Place",), "facility"),
    "Programme": ("Programme", ("Project",), "programme"),
    "WeaponType": ("WeaponType", ("Product",), "weapon"),
    "Position": ("Position", ("DefinedTerm",), "position"),
    "Event": ("Event", ("Event",), "event"),
    "Policy": ("Policy", ("CreativeWork",), "policy"),
}

STATUS_TERMS = {
    "occurred": "Occurred",
    "ongoing": "Ongoing",
    "threatened": "Threatened",
    "proposed": "Proposed",
    "planned": "Planned",
    "conditional": "Conditional",
    "reported": "ReportedUnconfirmed",
    "disputed": "Disputed",
    "feared": "Feared",
    "possible": "Possible",
}
MODALITY_TERMS = {
    "asserted": "Asserted",
    "hedged": "Hedged",
    "speculative": "Speculative",
    "insisted": "Insisted",
    "warned": "Warned",
    "denied": "Denied",
    "reported": "Reported",
}
CASUALTY_TERMS = {"killed": "Killed", "wounded": "Wounded"}
VAGUENESS_TERMS = {
    "exact": "Exact",
    "approximate": "Approximate",
    "at-most": "AtMost",
    "at-least": "AtLeast",
    "range": "Range",
    "indefinite": "Indefinite",
}
RELATION_TERMS = {"proxy-of": "ProxyOf", "located-in": "LocatedIn", "allied-with": "AlliedWith"}
TIME_RELATION_TERMS = {"after": "after", "before": "before", "during": "intervalDuring"}  # OWL-Time properties


@dataclass(frozen=True)
class Iris:
    """The IRI scheme under one base IRI: deterministic, readable, and stable across builds."""

    base: str = DEFAULT_BASE

    def __post_init__(self) -> None:
        if not re.match(r"^https?://[^\s<>\"{}|\\^`]+/$", self.base):
            raise ValueError(f"base IRI must be an http(s) IRI ending in '/': {self.base!r}")

    def _node(self, *parts: str) -> NamedNode:
        return NamedNode(self.base + "/".join(quote(p, safe="-._~") for p in parts))

    def entity(self, type_: str, key: str) -> NamedNode:
        return self._node(ENTITY_CLASSES[type_][2], key)

    def article(self, aid: str) -> NamedNode:
        return self._node("article", aid)

    def graph(self, aid: str) -> NamedNode:
        return self._node("graph", aid)

    def item(self, aid: str, section: str, key: str) -> NamedNode:
        return self._node("article", aid, section, key)

    def annotation(self, aid: str, section: str, key: str, n: int) -> NamedNode:
        return self._node("article", aid, "annotation", section, key, str(n))

    def sentence(self, aid: str, n: int) -> NamedNode:
        return self._node("article", aid, "sentence", str(n))

    def ontology_graph(self) -> NamedNode:
        return self._node("graph", "ontology")

    def registry_graph(self) -> NamedNode:
        return self._node("graph", "registry")

    def registry(self) -> NamedNode:
        return self._node("registry")

    def dataset(self) -> NamedNode:
        return self._node("dataset")
