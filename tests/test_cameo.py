"""CAMEO event codes: every seed military action, threat and meeting is tagged, with a code of the shipped scheme.

ontology/cameo.ttl is read with rdflib; its codes and labels are compared with the
codebook labels below, which were checked against the CAMEO event code list.
"""
from __future__ import annotations

import pytest
import rdflib
from helpers import BASE, DATA, REPO, SEED_ANNOTATION, select
from rdflib.namespace import RDF, SKOS

from kgbuild import cameo, loader
from kgbuild import model as m
from kgbuild.store import KgStore
from kgbuild.vocab import CAMEO

SCHEME = rdflib.URIRef(CAMEO)
# Code -> label in the CAMEO codebook (1.1b3) / GDELT event code list.
CODEBOOK = {
    "04": "Consult",
    "040": "Consult, not specified below",
    "08": "Yield",
    "087": "De-escalate military engagement",
    "0871": "Declare truce, ceasefire",
    "13": "Threaten",
    "138": "Threaten with military force, not specified below",
    "1384": "Threaten conventional attack",
    "15": "Exhibit force posture",
    "150": "Demonstrate military or police power, not specified below",
    "154": "Mobilize or increase armed forces",
    "19": "Fight",
    "190": "Use conventional military force, not specified below",
    "195": "Employ aerial weapons, not specified below",
    "1952": "Employ remotely piloted aerial munitions",
}
EVENT = BASE + "article/a2fbfe0915b87551/event/"


@pytest.fixture(scope="module")
def scheme() -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(REPO / "ontology" / "cameo.ttl", format="turtle")
    return graph


@pytest.fixture(scope="module")
def seed_events() -> tuple[m.Event, ...]:
    return loader.load_article(SEED_ANNOTATION, loader.load_registry(DATA)).events


def scheme_codes(scheme: rdflib.Graph) -> dict[str, str]:
    codes = {}
    for concept in scheme.subjects(SKOS.inScheme, SCHEME):
        notation = str(scheme.value(concept, SKOS.notation))
        assert str(concept) == CAMEO + notation, "the IRI ends with the code"
        assert (concept, RDF.type, SKOS.Concept) in scheme
        label = scheme.value(concept, SKOS.prefLabel)
        assert label.language == "en"
        codes[notation] = str(label)
    return codes


def test_scheme_holds_the_codebook_codes_and_labels(scheme: rdflib.Graph) -> None:
    assert (SCHEME, RDF.type, SKOS.ConceptScheme) in scheme
    assert scheme_codes(scheme) == CODEBOOK


def test_every_code_reaches_a_top_concept_by_its_prefix(scheme: rdflib.Graph) -> None:
    tops = {str(t)[len(CAMEO):] for t in scheme.objects(SCHEME, SKOS.hasTopConcept)}
    assert tops == {"04", "08", "13", "15", "19"}
    for code in CODEBOOK:
        node = rdflib.URIRef(CAMEO + code)
        while code not in tops:
            broader = scheme.value(node, SKOS.broader)
            assert broader is not None, code
            parent = str(broader)[len(CAMEO):]
            assert code.startswith(parent), (code, parent)  # CAMEO codes nest by prefix
            assert (broader, SKOS.narrower, node) in scheme
            code, node = parent, broader


def test_every_code_the_mapper_can_emit_is_in_the_scheme(scheme: rdflib.Graph) -> None:
    emitted = {c for codes in cameo.KIND_CODES.values() for c in codes} | {cameo.THREAT_CODE, cameo.THREAT_ATTACK_CODE}
    assert emitted <= set(scheme_codes(scheme))
    assert set(cameo.KIND_CODES) <= set(m.EVENT_KINDS)


def test_every_seed_military_action_threat_and_meeting_has_a_code(seed_events: tuple[m.Event, ...],
                                                                    scheme: rdflib.Graph) -> None:
    tagged = [ev for ev in seed_events if cameo.is_tagged_kind(ev)]
    assert len(tagged) >= 15
    assert any(ev.status in cameo.THREAT_STATUSES for ev in tagged)
    for ev in tagged:
        codes = cameo.event_codes(ev)
        assert codes, ev.id
        assert set(codes) <= set(scheme_codes(scheme)), ev.id


def test_threats_are_coded_as_threats_not_as_force(seed_events: tuple[m.Event, ...]) -> None:
    for ev in seed_events:
        codes = cameo.event_codes(ev)
        if ev.status in cameo.THREAT_STATUSES and ev.is_military:
            assert codes in (("138",), ("1384",)), ev.id
        else:
            assert not {"138", "1384"} & set(codes), ev.id


@pytest.mark.parametrize("event,codes", [
    (EVENT + "mar-a-lago-meeting", {"040"}),
    (EVENT + "israeli-airstrikes", {"195"}),
    (EVENT + "iran-retaliation", {"190", "1952"}),
    (EVENT + "threatened-israeli-attack", {"138"}),
    (EVENT + "threatened-iranian-response", {"138"}),
    (EVENT + "urged-us-strike", {"190"}),  # "Strike": a military action, no more specific
    (EVENT + "iran-missile-tests", {"150"}),
    (EVENT + "iran-missile-rebuilding", {"154"}),
    (EVENT + "gaza-ceasefire-next-phase", {"0871"}),
    (EVENT + "hamas-disarmament", set()),
    (BASE + "article/a2fbfe0915b87551/event/june-2025-war", {"190"}),
    (BASE + "article/a2fbfe0915b87551/event/us-bunker-buster-bombs", {"195"}),
])
def test_the_store_carries_sem_event_type(seed_store: KgStore, event: str, codes: set[str]) -> None:
    rows = select(seed_store, f"""SELECT ?code WHERE {{
        <{event}> <http://semanticweb.cs.vu.nl/2009/11/sem/eventType> ?c .
        ?c <http://www.w3.org/2004/02/skos/core#notation> ?code ;
           <http://www.w3.org/2004/02/skos/core#inScheme> <{CAMEO}> }}""")
    assert {r["code"] for r in rows} == codes


def test_no_tagged_event_in_the_store_lacks_a_code(seed_store: KgStore) -> None:
    missing = select(seed_store, """PREFIX kg: <https://w3id.org/kgbuild/ontology#>
        SELECT ?e WHERE { { ?e a kg:MilitaryAction } UNION { ?e a kg:Meeting }
        FILTER NOT EXISTS { ?e <http://semanticweb.cs.vu.nl/2009/11/sem/eventType> ?c } }""")
    assert missing == []
