"""The SPARQL 1.1 Protocol at /sparql, driven over real HTTP and read back with independent parsers (rdflib)."""
from __future__ import annotations

import io
import json

import httpx
import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from server_fixtures import ALICE, BOB, G1, G2, Live, live, queries_dir  # noqa: F401
from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

SELECT_ALL = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"
NAMES = "SELECT ?s ?name WHERE { ?s <http://schema.org/name> ?name } ORDER BY ?s"
CONSTRUCT = "CONSTRUCT { ?s <http://schema.org/name> ?name } WHERE { ?s <http://schema.org/name> ?name }"


def get(live: Live, query: str, accept: str | None = None, **params: object) -> httpx.Response:
    headers = {"Accept": accept} if accept else {}
    return live.client.get("/sparql", params={"query": query, **params}, headers=headers)


def parse_results(response: httpx.Response, fmt: str) -> rdflib.query.Result:
    return rdflib.query.Result.parse(io.BytesIO(response.content), format=fmt)


@pytest.mark.parametrize("accept,rdflib_format", [
    ("application/sparql-results+json", "json"),
    ("application/sparql-results+xml", "xml"),
    ("text/csv", "csv"),
    ("text/tab-separated-values", "tsv"),
])
def test_select_in_every_results_format(live: Live, accept: str, rdflib_format: str) -> None:
    r = get(live, NAMES, accept)
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == accept
    rows = list(parse_results(r, rdflib_format))
    names = sorted(str(row[1]) for row in rows)
    assert "Alice" in names and "Bob" in names and len(rows) == 3


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml"])
def test_ask_in_json_and_xml(live: Live, accept: str) -> None:
    r = get(live, f"ASK {{ <{ALICE.value}> ?p ?o }}", accept)
    assert r.status_code == 200 and r.headers["content-type"].startswith(accept)
    assert parse_results(r, accept.rsplit("+", 1)[1]).askAnswer is True


@pytest.mark.parametrize("accept,rdflib_format", [
    ("text/turtle", "turtle"),
    ("application/n-triples", "nt"),
    ("application/rdf+xml", "xml"),
    ("application/ld+json", "json-ld"),
    ("application/trig", "trig"),
    ("application/n-quads", "nquads"),
])
def test_construct_in_every_rdf_format(live: Live, accept: str, rdflib_format: str) -> None:
    r = get(live, CONSTRUCT, accept)
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == accept
    graph = rdflib.Dataset() if rdflib_format in ("trig", "nquads") else rdflib.Graph()
    graph.parse(data=r.content, format=rdflib_format)
    names = {str(o) for _, _, o in (graph.triples((None, None, None)) if rdflib_format not in ("trig", "nquads")
                                     else (q[:3] for q in graph.quads((None, None, None, None))))}
    assert {"Alice", "Bob"} <= names


def test_describe_answers_rdf(live: Live) -> None:
    r = get(live, f"DESCRIBE <{ALICE.value}>", "text/turtle")
    assert r.status_code == 200
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    assert (rdflib.URIRef(ALICE.value), rdflib.URIRef("http://schema.org/name"), None) in g


def test_accept_q_values_pick_the_preferred_format(live: Live) -> None:
    r = get(live, NAMES, "application/sparql-results+xml;q=0.5, text/csv;q=0.9, */*;q=0.1")
    assert r.headers["content-type"].startswith("text/csv")
    r = get(live, NAMES, "text/csv;q=0, */*")  # q=0 means "not this one"
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    r = get(live, NAMES, "text/*")
    assert r.headers["content-type"].startswith("text/csv")
    assert get(live, NAMES).headers["content-type"].startswith("application/sparql-results+json")
    assert get(live, CONSTRUCT).headers["content-type"].startswith("text/turtle")


def test_format_parameter_overrides_accept(live: Live) -> None:
    r = get(live, NAMES, "application/sparql-results+xml", format="csv")
    assert r.headers["content-type"].startswith("text/csv")
    assert get(live, CONSTRUCT, format="json").headers["content-type"].startswith("application/ld+json")


def test_406_when_nothing_acceptable(live: Live) -> None:
    r = get(live, NAMES, "image/png")
    assert r.status_code == 406
    assert "application/sparql-results+json" in r.text  # tells what it can produce
    assert get(live, CONSTRUCT, "application/sparql-results+json").status_code == 406
    assert get(live, NAMES, "text/turtle").status_code == 406


def test_malformed_query_is_400_with_the_parser_message(live: Live) -> None:
    r = get(live, "SELECT * WHERE { ?s ?p ")
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("text/plain")
    assert "malformed query" in r.text and "1:" in r.text  # the parser's position
    assert "Traceback" not in r.text


def test_service_description(live: Live) -> None:
    r = live.client.get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    endpoint = rdflib.URIRef(live.url + "/sparql")
    assert (endpoint, rdflib.RDF.type, sd.Service) in g
    assert (endpoint, sd.endpoint, endpoint) in g
    assert (endpoint, sd.supportedLanguage, sd.SPARQL11Query) in g
    assert (endpoint, sd.supportedLanguage, sd.SPARQL11Update) not in g  # read-only server
    assert (endpoint, sd.feature, sd.UnionDefaultGraph) in g
    names = {str(o) for o in g.objects(None, sd.name)}
    assert {G1.value, G2.value} <= names
    r = live.client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert r.status_code == 200 and len(rdflib.Graph().parse(data=r.text, format="json-ld")) > 5


def test_browser_on_bare_endpoint_gets_the_query_page(live: Live) -> None:
    r = live.client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 200 and "<textarea" in r.text


def test_default_graph_is_the_union_of_named_graphs(live: Live) -> None:
    rows = list(parse_results(get(live, NAMES), "json"))
    assert {str(r[0]) for r in rows} >= {ALICE.value, BOB.value}


def test_default_graph_uri_and_named_graph_uri(live: Live) -> None:
    only_g1 = parse_results(get(live, NAMES, **{"default-graph-uri": G1.value}), "json")
    assert {str(r[0]) for r in only_g1} == {ALICE.value}
    both = parse_results(get(live, NAMES, **{"default-graph-uri": [G1.value, G2.value]}), "json")
    assert {str(r[0]) for r in both} >= {ALICE.value, BOB.value}
    q = "SELECT ?g ?s WHERE { GRAPH ?g { ?s <http://schema.org/name> ?n } }"
    named = parse_results(get(live, q, **{"named-graph-uri": G2.value}), "json")
    assert {str(r[0]) for r in named} == {G2.value}
    # With only named graphs given, the default graph is empty (the protocol's dataset replaces all).
    empty = parse_results(get(live, NAMES, **{"named-graph-uri": G2.value}), "json")
    assert list(empty) == []


def test_query_own_from_clause_is_respected(live: Live) -> None:
    q = f"SELECT ?s FROM <{G2.value}> WHERE {{ ?s <http://schema.org/name> ?n }}"
    rows = parse_results(get(live, q), "json")
    assert ALICE.value not in {str(r[0]) for r in rows} and BOB.value in {str(r[0]) for r in rows}


def test_post_form_and_direct_post(live: Live) -> None:
    r = live.client.post("/sparql", data={"query": NAMES}, headers={"Accept": "text/csv"})
    assert r.status_code == 200 and "Alice" in r.text
    r = live.client.post("/sparql", content=NAMES.encode(), headers={"Content-Type": "application/sparql-query",
                                                                      "Accept": "text/csv"})
    assert r.status_code == 200 and "Bob" in r.text
    r = live.client.post("/sparql", content=NAMES.encode(), headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    r = live.client.post("/sparql", data={"query": [NAMES, NAMES]})
    assert r.status_code == 400


def test_other_methods_are_405(live: Live) -> None:
    r = live.client.request("PATCH", "/sparql", params={"query": "ASK {}"})
    assert r.status_code == 405 and "GET" in r.headers["allow"]


def test_head_has_headers_and_no_body(live: Live) -> None:
    r = live.client.head("/sparql", params={"query": NAMES}, headers={"Accept": "text/csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv") and r.content == b""


def test_service_clause_is_refused(live: Live) -> None:
    r = get(live, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert r.status_code == 400 and "SERVICE" in r.text
    # the keyword inside a string is not SERVICE
    assert get(live, 'SELECT ("SERVICE" AS ?x) WHERE {}').status_code == 200


def test_large_result_streams_and_parses(live: Live) -> None:
    q = "SELECT ?i WHERE { VALUES ?a {0 1 2 3 4 5 6 7 8 9} VALUES ?b {0 1 2 3 4 5 6 7 8 9} " \
        "VALUES ?c {0 1 2 3 4 5 6 7 8 9} VALUES ?d {0 1 2 3 4 5 6 7 8 9} BIND(?a*1000+?b*100+?c*10+?d AS ?i) }"
    with live.client.stream("GET", "/sparql", params={"query": q}) as r:
        assert r.status_code == 200
        assert "content-length" not in r.headers  # streamed, not buffered
        body = r.read()
    data = json.loads(body)
    assert sorted(int(b["i"]["value"]) for b in data["results"]["bindings"]) == list(range(10_000))


def test_cors_headers(live: Live) -> None:
    r = get(live, "ASK {}", headers=None) if False else live.client.get(
        "/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://yasgui.example"})
    assert r.headers["access-control-allow-origin"] == "*"
    pre = live.client.options("/sparql", headers={"Origin": "https://yasgui.example",
                                                  "Access-Control-Request-Method": "POST",
                                                  "Access-Control-Request-Headers": "content-type"})
    assert pre.status_code == 200 and "POST" in pre.headers["access-control-allow-methods"]


def test_sparqlwrapper_client(live: Live) -> None:
    sparql = SPARQLWrapper(live.url + "/sparql")
    sparql.setQuery(NAMES)
    sparql.setReturnFormat(JSON)
    result = sparql.query().convert()
    assert {b["name"]["value"] for b in result["results"]["bindings"]} >= {"Alice", "Bob"}
    sparql.setMethod("POST")
    sparql.setQuery(CONSTRUCT)
    sparql.setReturnFormat(TURTLE)
    turtle = sparql.query().convert()
    assert len(rdflib.Graph().parse(data=turtle, format="turtle")) == 3
    sparql.setQuery(CONSTRUCT)
    sparql.setReturnFormat("xml")  # the default: RDF/XML for a graph, parsed by SPARQLWrapper itself
    graph = sparql.query().convert()
    assert len(graph) == 3


def test_rdflib_sparqlstore_client(live: Live) -> None:
    store = SPARQLStore(live.url + "/sparql", returnFormat="json")
    graph = rdflib.Graph(store=store)
    rows = list(graph.query(NAMES))
    assert {str(r.name) for r in rows} >= {"Alice", "Bob"}
    assert (rdflib.URIRef(ALICE.value), None, None) in graph
    assert bool(graph.query(f"ASK {{ <{BOB.value}> ?p ?o }}").askAnswer)
    counted = live.state.store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert len(graph) == int(next(iter(counted))["n"].value) > 0  # rdflib counts with its own COUNT query


def test_errors_never_leak_tracebacks(live: Live) -> None:
    for r in (get(live, "SELECT"), live.client.get("/sparql", params={"query": "ASK {}", "default-graph-uri": "no iri"}),
              live.client.post("/sparql", content=b"\xff\xfe", headers={"Content-Type": "application/sparql-query"})):
        assert 400 <= r.status_code < 500, r.text
        assert "Traceback" not in r.text and 'File "' not in r.text
