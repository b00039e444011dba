"""Read-only by default: updates and graph-store writes need the write token; reads of graphs are always on."""
from __future__ import annotations

import rdflib
from server_fixtures import ALICE, BOB, G1, G2, TOKEN, Live, live, live_rw, queries_dir  # noqa: F401

INSERT = "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> <http://example.org/p> 1 } }"
DROP = "DROP ALL"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def count(live: Live) -> int:
    r = live.client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
                        headers={"Accept": "text/csv"})
    return int(r.text.splitlines()[1])


def update(live: Live, text: str, headers: dict[str, str] | None = None) -> int:
    return live.client.post("/sparql", content=text.encode(), headers={
        "Content-Type": "application/sparql-update", **(headers or {})}).status_code


def test_update_refused_on_a_read_only_server_and_data_intact(live: Live) -> None:
    before = count(live)
    assert update(live, DROP) == 403
    assert update(live, DROP, AUTH) == 403  # no token configured: no token can work
    assert live.client.post("/sparql", data={"update": DROP}).status_code == 403
    assert count(live) == before


def test_update_needs_the_right_bearer_token(live_rw: Live) -> None:
    before = count(live_rw)
    assert update(live_rw, DROP) == 401
    r = live_rw.client.post("/sparql", content=DROP.encode(), headers={"Content-Type": "application/sparql-update"})
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert update(live_rw, DROP, {"Authorization": "Bearer wrong"}) == 403
    assert update(live_rw, DROP, {"Authorization": f"Basic {TOKEN}"}) == 401
    assert count(live_rw) == before
    assert update(live_rw, INSERT, AUTH) == 204
    assert count(live_rw) == before + 1
    assert update(live_rw, DROP, AUTH) == 204
    assert count(live_rw) == 0


def test_update_via_form_and_syntax_error(live_rw: Live) -> None:
    r = live_rw.client.post("/sparql", data={"update": INSERT}, headers=AUTH)
    assert r.status_code == 204
    r = live_rw.client.post("/sparql", data={"update": "INSERT DATA { <a> "}, headers=AUTH)
    assert r.status_code == 400 and "malformed update" in r.text


def test_update_never_by_get(live_rw: Live) -> None:
    assert live_rw.client.get("/sparql", params={"update": DROP}, headers=AUTH).status_code == 400
    assert count(live_rw) > 0


def test_load_is_refused(live_rw: Live) -> None:
    assert update(live_rw, "LOAD <http://127.0.0.1:9/data.ttl>", AUTH) == 400


def test_service_description_advertises_update_when_writable(live_rw: Live) -> None:
    g = rdflib.Graph().parse(data=live_rw.client.get("/sparql", headers={"Accept": "text/turtle"}).text,
                             format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert (None, sd.supportedLanguage, sd.SPARQL11Update) in g


def test_graph_store_get_is_always_on(live: Live) -> None:
    r = live.client.get("/rdf-graph-store", params={"graph": G2.value}, headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    assert (rdflib.URIRef(BOB.value), None, None) in g and (rdflib.URIRef(ALICE.value), None, None) not in g
    r = live.client.get("/rdf-graph-store", params={"graph": G2.value}, headers={"Accept": "application/n-triples"})
    assert len(rdflib.Graph().parse(data=r.text, format="nt")) == len(g)
    assert live.client.get("/rdf-graph-store", params={"graph": "http://example.org/none"}).status_code == 404
    assert live.client.get("/rdf-graph-store", params={"default": ""}).status_code == 200
    assert live.client.get("/rdf-graph-store").status_code == 400


def test_graph_store_writes_refused_without_token(live: Live) -> None:
    body = b"<http://example.org/s> <http://example.org/p> <http://example.org/o> ."
    for method in ("PUT", "POST"):
        r = live.client.request(method, "/rdf-graph-store", params={"graph": G1.value}, content=body,
                                headers={"Content-Type": "text/turtle"})
        assert r.status_code == 403
    assert live.client.delete("/rdf-graph-store", params={"graph": G1.value}).status_code == 403
    assert live.client.get("/rdf-graph-store", params={"graph": G1.value}).status_code == 200


def test_graph_store_put_post_delete_with_token(live_rw: Live) -> None:
    graph = "http://example.org/new-graph"
    turtle = b"@prefix ex: <http://example.org/> . ex:s ex:p ex:o1 ."
    r = live_rw.client.put("/rdf-graph-store", params={"graph": graph}, content=turtle,
                           headers={"Content-Type": "text/turtle"})
    assert r.status_code == 401
    r = live_rw.client.put("/rdf-graph-store", params={"graph": graph}, content=turtle,
                           headers={"Content-Type": "text/turtle", **AUTH})
    assert r.status_code == 201
    r = live_rw.client.put("/rdf-graph-store", params={"graph": graph}, content=turtle,
                           headers={"Content-Type": "text/turtle", **AUTH})
    assert r.status_code == 204  # replaced, not duplicated
    r = live_rw.client.post("/rdf-graph-store", params={"graph": graph},
                            content=b"<http://example.org/s> <http://example.org/p> <http://example.org/o2> .",
                            headers={"Content-Type": "application/n-triples", **AUTH})
    assert r.status_code == 204
    g = rdflib.Graph().parse(data=live_rw.client.get("/rdf-graph-store", params={"graph": graph}).text,
                             format="turtle")
    assert len(g) == 2
    r = live_rw.client.put("/rdf-graph-store", params={"graph": graph}, content=b"not turtle <",
                           headers={"Content-Type": "text/turtle", **AUTH})
    assert r.status_code == 400
    r = live_rw.client.put("/rdf-graph-store", params={"graph": graph}, content=turtle,
                           headers={"Content-Type": "image/png", **AUTH})
    assert r.status_code == 415
    assert live_rw.client.delete("/rdf-graph-store", params={"graph": graph}, headers=AUTH).status_code == 204
    assert live_rw.client.get("/rdf-graph-store", params={"graph": graph}).status_code == 404
    assert live_rw.client.delete("/rdf-graph-store", params={"graph": graph}, headers=AUTH).status_code == 404


def test_write_through_the_server_invalidates_saved_query_cache(live_rw: Live) -> None:
    first = live_rw.client.get("/queries/names.csv")
    assert "Carol" not in first.text
    assert live_rw.client.get("/queries/names.csv").headers["etag"] == first.headers["etag"]  # cached
    insert = f'INSERT DATA {{ GRAPH <{G1.value}> {{ <http://example.org/carol> <http://schema.org/name> "Carol" }} }}'
    assert update(live_rw, insert, AUTH) == 204
    after = live_rw.client.get("/queries/names.csv")
    assert "Carol" in after.text and after.headers["etag"] != first.headers["etag"]
