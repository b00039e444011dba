"""The alignment contract: what a linked-data client that does no reasoning sees in the seed graph.

Every query here uses only standard vocabularies (schema.org, SEM, PROV-O, Web
Annotation, OWL, RDFS, XSD) except where a test is explicitly about kg: terms.
"""
from __future__ import annotations

import pytest
from helpers import SEED_ARTICLE, SEED_GRAPH, SEED_TEXT, select

from kgbuild.store import KgStore

P = """
PREFIX schema: <http://schema.org/>
PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX kg: <https://w3id.org/kgbuild/ontology#>
"""
BODY = SEED_TEXT.read_text("utf-8")


def test_article_is_a_news_article_with_exact_body_in_its_own_graph(seed_store: KgStore) -> None:
    rows = select(seed_store, P + """
        SELECT ?g ?headline ?body WHERE { GRAPH ?g { ?a a schema:NewsArticle ; schema:headline ?headline ;
                                                     schema:articleBody ?body } }""")
    assert len(rows) == 1
    assert rows[0]["g"] == SEED_GRAPH
    assert rows[0]["body"] == BODY
    assert rows[0]["headline"] == "Netanyahu URGES Trump To Strike Iran’s Ballistic Missile Program"


def test_every_article_triple_is_in_the_article_graph(seed_store: KgStore) -> None:
    graphs = {g.value for g in seed_store.graphs()}
    assert SEED_GRAPH in graphs
    default = select(seed_store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    # The union default graph equals the sum of named graphs: nothing lives in the real default graph.
    real_default = list(seed_store.quads(__import__("pyoxigraph").DefaultGraph()))
    assert real_default == []
    assert int(default[0]["n"]) > 1000


@pytest.mark.parametrize("actor,schema_type,wikidata", [
    ("netanyahu", "Person", "Q43723"),
    ("trump", "Person", "Q22686"),
    ("israel", "Country", "Q801"),
    ("iran", "Country", "Q794"),
    ("united-states", "Country", "Q30"),
    ("hamas", "Organization", "Q38799"),
    ("hezbollah", "Organization", "Q41053"),
    ("washington-post", "Organization", "Q166032"),
])
def test_actors_have_schema_types_labels_and_wikidata(seed_store: KgStore, actor: str, schema_type: str,
                                                      wikidata: str) -> None:
    iri = f"https://w3id.org/kgbuild/id/actor/{actor}"
    assert seed_store.query(P + f"""ASK {{ <{iri}> a schema:{schema_type} ; rdfs:label ?l ;
        owl:sameAs <http://www.wikidata.org/entity/{wikidata}> . FILTER(LANG(?l) = "en") }}""")


def test_every_actor_has_a_standard_type_and_english_label(seed_store: KgStore) -> None:
    # The article's own voice is its schema:author and a prov:Agent; the text does not say whether
    # it is a person or an organisation, so it claims neither.
    rows = select(seed_store, P + """
        SELECT ?a WHERE { ?a a kg:Actor .
          FILTER NOT EXISTS { ?a a ?t VALUES ?t { schema:Person schema:Organization schema:Country } }
          FILTER NOT EXISTS { ?doc a schema:NewsArticle ; schema:author ?a . ?a a prov:Agent }
        }""")
    assert rows == []
    unlabeled = select(seed_store, P + """SELECT ?a WHERE { ?a a kg:Actor .
        FILTER NOT EXISTS { ?a rdfs:label ?l FILTER(LANG(?l) = "en") } }""")
    assert unlabeled == []


def test_collective_actors_are_never_same_as_anything(seed_store: KgStore) -> None:
    assert not seed_store.query(P + "ASK { ?a a kg:CollectiveActor ; owl:sameAs ?x }")
    rows = select(seed_store, P + """SELECT ?label ?parent WHERE { ?a a kg:CollectiveActor ; rdfs:label ?label ;
        kg:belongsTo/rdfs:label ?parent }""")
    assert {"label": "Israeli officials", "parent": "Israel"} in rows
    assert {"label": "Some Trump advisers", "parent": "Donald Trump"} in rows


def test_quotations_have_exact_words_and_speaker(seed_store: KgStore) -> None:
    rows = select(seed_store, P + """SELECT ?text ?who WHERE { ?q a schema:Quotation ; schema:text ?text ;
        schema:author/rdfs:label ?who }""")
    assert len(rows) == 11  # "America First" names a policy; it is not a quote
    pairs = {(r["text"], r["who"]) for r in rows}
    assert ("there will definitely be an Israeli attack", "Donald Trump") in pairs
    assert ("greatest friend", "Benjamin Netanyahu") in pairs
    assert ("beyond imagination", "Iranian officials") in pairs
    assert ("severely damaged", "Israeli officials") in pairs
    assert all(r["text"] in BODY for r in rows)


def test_claims_have_text_and_author(seed_store: KgStore) -> None:
    rows = select(seed_store, P + """SELECT ?c ?text ?who WHERE { ?c a schema:Claim ; schema:text ?text ;
        schema:author/rdfs:label ?who }""")
    claims = {r["c"] for r in rows}
    assert len(claims) == 27
    assert all(r["text"] in BODY for r in rows)
    critics = {r["who"] for r in rows if r["text"].startswith("Israel is shifting goalposts")}
    assert critics == {"Critics", "Responsible Statecraft", "Quincy Institute"}


def test_statements_claims_events_derive_from_the_article(seed_store: KgStore) -> None:
    missing = select(seed_store, P + f"""SELECT ?x WHERE {{
        GRAPH <{SEED_GRAPH}> {{ ?x a ?t VALUES ?t {{ schema:Quotation schema:Claim sem:Event }} }}
        FILTER NOT EXISTS {{ ?x prov:wasDerivedFrom <{SEED_ARTICLE}> }} }}""")
    assert missing == []
    # Corpus-wide events live in the registry graph; the article tells each in an account of its own.
    accounts = select(seed_store, P + """SELECT ?event ?account WHERE { ?account kg:accountOf ?event ;
        prov:specializationOf ?event ; prov:wasDerivedFrom ?article }""")
    assert {r["event"].rsplit("/", 1)[1] for r in accounts} == {
        "twelve-day-war", "iran-israel-proxy-conflict", "gaza-ceasefire"}


def test_events_have_actors_places_and_typed_timestamps(seed_store: KgStore) -> None:
    rows = select(seed_store, P + """SELECT ?label ?time (DATATYPE(?time) AS ?dt) WHERE {
        ?e a sem:Event ; rdfs:label ?label ; sem:hasTimeStamp ?time }""")
    assert rows, "some events carry a time stamp"
    assert {r["dt"] for r in rows} <= {str(x) for x in (
        "http://www.w3.org/2001/XMLSchema#date", "http://www.w3.org/2001/XMLSchema#gYearMonth",
        "http://www.w3.org/2001/XMLSchema#gYear")}
    war = select(seed_store, P + """SELECT ?actor ?place ?time WHERE {
        ?war prov:specializationOf <https://w3id.org/kgbuild/id/event/twelve-day-war> ;
             sem:hasActor/rdfs:label ?actor ; sem:hasPlace/rdfs:label ?place ; sem:hasTimeStamp ?time }""")
    assert {r["actor"] for r in war} == {"Israel", "United States", "Iran"}  # agents and the target
    assert {r["place"] for r in war} == {"Iran", "Israel"}
    assert {r["time"] for r in war} == {"2025-06"}
    meeting = select(seed_store, P + """SELECT ?who ?where WHERE { ?m a sem:Event ; rdfs:label ?l ;
        sem:hasActor/rdfs:label ?who ; sem:hasPlace/rdfs:label ?where FILTER(CONTAINS(?l, "Mar-a-Lago")) }""")
    assert {r["who"] for r in meeting} == {"Benjamin Netanyahu", "Donald Trump"}
    assert {r["where"] for r in meeting} == {"Mar-a-Lago", "Florida"}


def test_threatened_or_proposed_actions_never_read_as_happened(seed_store: KgStore) -> None:
    # No unrealized event has a time stamp, nor the realized class.
    assert not seed_store.query(P + """ASK { ?e kg:status ?s . FILTER(?s NOT IN (kg:Occurred, kg:Ongoing))
        { ?e sem:hasTimeStamp ?t } UNION { ?e sem:hasBeginTimeStamp ?t } UNION { ?e a kg:RealizedEvent } }""")
    rows = select(seed_store, P + """SELECT ?label ?s WHERE { ?e a kg:MilitaryAction ; kg:status ?s ; rdfs:label ?label }""")
    status = {r["label"]: r["s"].split("#")[1] for r in rows}
    assert status["Israeli attack threatened by Trump if Iran continues developing ballistic missiles"] == "Conditional"
    assert status["Option of U.S.-led assaults"] == "Proposed"
    assert status["Israeli airstrikes on Iran, June 2025"] == "Occurred"
    assert status["Reported Iranian missile tests, followed by denials"] == "Disputed"


def test_every_selector_satisfies_the_anchoring_invariant(seed_store: KgStore) -> None:
    rows = select(seed_store, P + """SELECT ?a ?exact ?start ?end ?prefix ?suffix ?source WHERE {
        ?a a oa:Annotation ; oa:hasBody ?b ; oa:hasTarget ?t . ?t oa:hasSource ?source ;
           oa:hasSelector ?q , ?p . ?q a oa:TextQuoteSelector ; oa:exact ?exact ; oa:prefix ?prefix ; oa:suffix ?suffix .
        ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end }""")
    assert len(rows) > 150
    for r in rows:
        start, end = int(r["start"]), int(r["end"])
        assert BODY[start:end] == r["exact"], r["a"]
        assert BODY[:start].endswith(r["prefix"]) and BODY[end:].startswith(r["suffix"])
        assert r["source"] == SEED_ARTICLE


def test_every_node_the_article_yields_is_anchored(seed_store: KgStore) -> None:
    unanchored = select(seed_store, P + f"""SELECT ?x WHERE {{ GRAPH <{SEED_GRAPH}> {{
        ?x a ?t VALUES ?t {{ schema:Quotation schema:Claim sem:Event kg:PositionHolding kg:Outcome kg:Casualties
                            schema:QuantitativeValue kg:RelativeTime kg:ActorRelation kg:ArticleVoice }} }}
        FILTER NOT EXISTS {{ ?a oa:hasBody ?x }} }}""")
    assert unanchored == []
    mentioned_but_unanchored = select(seed_store, P + """SELECT ?x WHERE { ?doc schema:mentions ?x
        FILTER NOT EXISTS { ?a oa:hasBody ?x ; oa:motivatedBy oa:identifying } }""")
    assert mentioned_but_unanchored == []
