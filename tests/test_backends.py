"""`kgbuild serve --backend URL` over a real Virtuoso and a real `oxigraph serve`, against the embedded store.

The same store is pushed into each engine with `kgbuild push` (their bulk paths),
then three `kgbuild serve` processes answer: one over the embedded store, one over
each engine. Every saved query must give the same rows through each, compared as
multisets of rows of typed terms (parsed from SPARQL JSON with the json module).

Normalised, because SPARQL 1.1 leaves it to the engine:
* GROUP_CONCAT results are compared as the sorted list of their non-empty values:
  the order of the values is unspecified (18.5.1.7); over a group whose values are
  all unbound, Oxigraph leaves the result unbound and Virtuoso gives ""; and when
  every value has the same language tag, Oxigraph keeps it while Virtuoso returns a
  plain string.
  Virtuoso also writes a non-ASCII separator as '?' (" … " comes back as " ? "),
  even when the query spells it as a \\u escape; over Virtuoso the values are split
  on that.
* xsd:duration: Virtuoso 7.2 keeps a duration as a number (seconds for a day-time
  duration, months for a year-month one) and returns "P12D" as "1.0368e+06"
  (openlink/virtuoso-opensource issue #936, open); durations are compared as that number.
* booleans: Virtuoso returns a computed boolean (EXISTS, a comparison, even `true` in a
  BIND) as xsd:integer 1 or 0; for the comparison with Virtuoso, the embedded store's
  xsd:boolean answers are read as those integers.
* language tags: compared lower-cased (they are case-insensitive, BCP 47; Virtuoso
  returns them lower-cased).
Nothing else is normalised: datatypes, lexical forms, IRIs and row counts must match.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
from engines import OxigraphServer, Virtuoso, oxigraph_server, virtuoso
from hypothesis import given, settings
from hypothesis import strategies as st
from server_fixtures import REPO, TOKEN, kgbuild_serve

from kgbuild.build import build
from kgbuild.push import VirtuosoOptions, push
from kgbuild.queries import saved_queries
from kgbuild.remote import ascii_escaped, bind_values
from kgbuild.store import KgStore

TRUMP = "https://w3id.org/kgbuild/id/actor/trump"
PARAMS: dict[str, list[dict[str, str]]] = {
    "actor-profile": [{"actor": TRUMP}],
    "claims-by-actor": [{}, {"claimant": TRUMP}],
    "military-actions-by-status": [{}, {"status": "occurred"}],
    "sentence": [{}, {"n": "3"}],
    "who-said-what": [{}, {"speaker": TRUMP}],
    "actor-relations": [{}, {"actor": "https://w3id.org/kgbuild/id/actor/hezbollah"}],
    "what-may-happen": [{}, {"status": "threatened"}],
    "quantities": [{}, {"vagueness": "approximate"}],
    "relative-times": [{}, {"article": "https://w3id.org/kgbuild/id/article/a2fbfe0915b87551"}],
}
CONCAT = re.compile(r'GROUP_CONCAT\s*\((?:[^()]|\([^()]*\))*?separator\s*=\s*"([^"]*)"\s*\)\s+AS\s+\?(\w+)',
                    re.I | re.S)


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's corpus (data/: the annotated articles every saved query has rows for), built on disk."""
    path = tmp_path_factory.mktemp("backends-store") / "store"
    store = KgStore(path)
    build([REPO / "data"], store=store, workers=2)
    del store
    return path


@pytest.fixture(scope="module")
def vt(tmp_path_factory: pytest.TempPathFactory, local: Path) -> Iterator[Virtuoso]:
    server = virtuoso(tmp_path_factory.mktemp("virtuoso"))
    try:
        push(KgStore(local, read_only=True), server.root, engine="virtuoso", bulk_threshold=1, shards=4,
             virtuoso=VirtuosoOptions(server.isql_address, "dba", "dba", server.load_dir))
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def ox_server(tmp_path_factory: pytest.TempPathFactory, local: Path) -> Iterator[OxigraphServer]:
    server = oxigraph_server(tmp_path_factory.mktemp("oxigraph") / "data")
    try:
        push(KgStore(local, read_only=True), server.root, engine="oxigraph", bulk_threshold=1, shards=4)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def embedded(local: Path) -> Iterator[str]:
    with kgbuild_serve("--store", str(local)) as url:
        yield url


@pytest.fixture(scope="module")
def over_virtuoso(vt: Virtuoso) -> Iterator[str]:
    with kgbuild_serve("--backend", vt.sparql_url) as url:
        yield url


@pytest.fixture(scope="module")
def over_oxigraph(ox_server: OxigraphServer) -> Iterator[str]:
    with kgbuild_serve("--backend", ox_server.query_url, env={"KGBUILD_WRITE_TOKEN": TOKEN}) as url:
        yield url


DURATION = "http://www.w3.org/2001/XMLSchema#duration"
ISO_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def duration_number(text: str) -> float:
    """A duration as Virtuoso keeps it: months if it has only years and months, else seconds."""
    match = ISO_DURATION.match(text)
    if match is None:
        return float(text)
    y, mo, d, h, mi, s = (float(g or 0) for g in match.groups())
    if not (d or h or mi or s):
        return y * 12 + mo
    assert not (y or mo), f"{text}: a duration mixing months and seconds has no single number"
    return ((d * 24 + h) * 60 + mi) * 60 + s


def term(value: dict[str, str]) -> tuple[Any, ...]:
    kind = "literal" if value["type"] == "typed-literal" else value["type"]
    if kind != "literal":
        return (kind, value["value"])
    if "xml:lang" in value:
        return ("literal", value["value"], "@" + value["xml:lang"].lower())
    if value.get("datatype") == DURATION:
        return ("literal", duration_number(value["value"]), DURATION)
    return ("literal", value["value"], value.get("datatype", "http://www.w3.org/2001/XMLSchema#string"))


BOOLEAN, INTEGER = "http://www.w3.org/2001/XMLSchema#boolean", "http://www.w3.org/2001/XMLSchema#integer"


def as_virtuoso(expected: Counter[Any]) -> Counter[Any]:
    """Rows with xsd:boolean values as Virtuoso gives computed booleans: xsd:integer 1 or 0."""
    def fix(t: tuple[Any, ...]) -> tuple[Any, ...]:
        return ("literal", "1" if t[1] == "true" else "0", INTEGER) if t[0] == "literal" and t[2:] == (BOOLEAN,) else t

    return Counter({tuple((var, fix(t)) for var, t in row): n for row, n in expected.items()})


def rows(url: str, name: str, params: dict[str, str], concat: dict[str, str], *, virtuoso: bool = False
         ) -> Counter[Any]:
    response = httpx.get(f"{url}/queries/{name}.json", params=params, timeout=60)
    assert response.status_code == 200, (url, name, response.text)
    data = json.loads(response.content)
    out: Counter[Any] = Counter()
    for binding in data["results"]["bindings"]:
        row = [(var, term(value)) for var, value in binding.items() if var not in concat]
        for var, separator in concat.items():
            text = binding.get(var, {}).get("value", "")
            if virtuoso:
                separator = "".join(c if c.isascii() else "?" for c in separator)
            row.append((var, ("group_concat", *sorted(v for v in text.split(separator) if v))))
        out[tuple(sorted(row))] += 1
    return out


def test_every_saved_query_answers_the_same_rows_over_each_backend(embedded: str, over_virtuoso: str,
                                                                  over_oxigraph: str) -> None:
    queries = saved_queries(REPO / "queries")
    assert len(queries) >= 10
    nonempty = 0
    for name, query in sorted(queries.items()):
        concat = {var: sep for sep, var in CONCAT.findall(query.sparql)}
        for params in PARAMS.get(name, [{}]):
            expected = rows(embedded, name, params, concat)
            nonempty += bool(expected)
            for backend, url in (("virtuoso", over_virtuoso), ("oxigraph serve", over_oxigraph)):
                got = rows(url, name, params, concat, virtuoso=backend == "virtuoso")
                expected_here = as_virtuoso(expected) if backend == "virtuoso" else expected
                assert got == expected_here, (f"{name} {params} over {backend}: missing "
                                              f"{list((expected_here - got).items())[:3]}, "
                                              f"extra {list((got - expected_here).items())[:3]}")
    assert nonempty >= len(queries) - 2, "most saved queries must have rows on this corpus, or the test shows little"


def test_sparql_passthrough_keeps_the_protocol(embedded: str, over_virtuoso: str) -> None:
    query = ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?label WHERE { <" + TRUMP
             + "> rdfs:label ?label }")
    for url in (embedded, over_virtuoso):
        csv = httpx.get(url + "/sparql", params={"query": query}, headers={"Accept": "text/csv"})
        assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
        assert csv.text.splitlines() == ["label", "Donald Trump"]
        construct = httpx.post(url + "/sparql", data={"query": f"CONSTRUCT {{ <{TRUMP}> ?p ?o }} WHERE {{ <{TRUMP}> "
                                                               "?p ?o }"}, headers={"Accept": "text/turtle"})
        assert construct.status_code == 200 and construct.headers["content-type"].startswith("text/turtle")
        assert "Donald Trump" in construct.text
        assert httpx.get(url + "/sparql", params={"query": query}, headers={"Accept": "image/png"}).status_code == 406
    refusals = []
    for url in (embedded, over_virtuoso):
        bad = httpx.get(url + "/sparql", params={"query": "SELECT * WHERE { ?s ?p "})
        service = httpx.get(url + "/sparql", params={"query": "SELECT * WHERE { SERVICE <http://example.org/sparql>"
                                                              " { ?s ?p ?o } }"})
        update = httpx.post(url + "/sparql", data={"update": "DROP ALL"})
        refusals.append((bad.status_code, bad.text, service.status_code, service.text, update.status_code))
    assert refusals[0] == refusals[1], "the same refusals, word for word, over the store and over Virtuoso"
    assert refusals[0][0] == 400 and refusals[0][2] == 400 and refusals[0][4] == 403
    assert "virtuoso" not in json.dumps(refusals).lower()


def test_linked_data_page_void_and_service_description_over_a_backend(over_oxigraph: str, embedded: str) -> None:
    for url in (embedded, over_oxigraph):
        page = httpx.get(url + "/id/actor/trump", headers={"Accept": "text/html"})
        assert page.status_code == 200 and "Donald Trump" in page.text and "Referenced by" in page.text
        void = httpx.get(url + "/.well-known/void")
        assert void.status_code == 200 and "void:triples" in void.text and url + "/sparql" in void.text
        sd = httpx.get(url + "/sparql", headers={"Accept": "text/turtle"})
        assert sd.status_code == 200 and "sd:namedGraph" in sd.text
    page = httpx.get(over_oxigraph + "/id/actor/trump", headers={"Accept": "application/n-triples"})
    mine = httpx.get(embedded + "/id/actor/trump", headers={"Accept": "application/n-triples"})
    assert sorted(page.text.splitlines()) == sorted(mine.text.splitlines())


def test_writes_through_kgbuild_reach_the_engine_with_the_token(over_oxigraph: str, ox_server: OxigraphServer
                                                                ) -> None:
    graph = "https://w3id.org/kgbuild/id/graph/test-write"
    body = '<https://w3id.org/kgbuild/id/x> <http://schema.org/name> "written through kgbuild" .\n'
    denied = httpx.put(over_oxigraph + "/rdf-graph-store", params={"graph": graph}, content=body,
                       headers={"Content-Type": "application/n-triples"})
    assert denied.status_code == 401
    put = httpx.put(over_oxigraph + "/rdf-graph-store", params={"graph": graph}, content=body,
                    headers={"Content-Type": "application/n-triples", "Authorization": f"Bearer {TOKEN}"})
    assert put.status_code in (201, 204), put.text
    direct = httpx.post(ox_server.query_url, data={"query": f"SELECT ?n WHERE {{ GRAPH <{graph}> {{ ?s ?p ?n }} }}"},
                        headers={"Accept": "text/csv"})
    assert direct.text.splitlines()[1] == "written through kgbuild"
    gone = httpx.delete(over_oxigraph + "/rdf-graph-store", params={"graph": graph},
                        headers={"Authorization": f"Bearer {TOKEN}"})
    assert gone.status_code == 204
    assert httpx.get(over_oxigraph + "/rdf-graph-store", params={"graph": graph}).status_code == 404


def test_an_unreachable_backend_stops_serve_with_one_line() -> None:
    import subprocess

    from server_fixtures import KGBUILD, free_port

    done = subprocess.run([*KGBUILD, "serve", "--port", str(free_port()), "--backend",
                           f"http://127.0.0.1:{free_port()}/sparql"], cwd=REPO, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.splitlines()[-1] == ("Error: the SPARQL engine behind this server cannot be reached; "
                                            "try again shortly")


NAME = ox.NamedNode("http://schema.org/name")
_store = KgStore()
_store.add([ox.Quad(ox.NamedNode(f"https://example.org/{i}"), NAME, ox.Literal(v), ox.NamedNode("https://g"))
                     for i, v in enumerate(["a", 'x"} UNION { ?s ?p ?name } #', "b\\n", "é \U0001f600"])])


@settings(max_examples=200, deadline=None)
@given(value=st.one_of(st.sampled_from(["a", 'x"} UNION { ?s ?p ?name } #', "b\\n", "é \U0001f600"]),
                       st.text(max_size=30)),
       lang=st.sampled_from([None, "en"]))
def test_values_binding_gives_the_rows_substitution_gives(value: str, lang: str | None) -> None:
    """The backend's VALUES binding (sent \\u-escaped) and pyoxigraph's substitutions agree, whatever the value."""
    query = "# a comment with { braces }\nSELECT ?s ?name WHERE { ?s <http://schema.org/name> ?name } ORDER BY ?s"
    term = ox.Literal(value, language=lang) if lang else ox.Literal(value)
    by_values = [tuple(r) for r in _store.query(ascii_escaped(bind_values(query, {ox.Variable("name"): term})))]
    by_substitution = [tuple(r) for r in _store.query(query, substitutions={ox.Variable("name"): term})]
    assert by_values == by_substitution
