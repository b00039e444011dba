"""Crossing from kgbuild into a second graph: one SPARQL query over both, in one store and over SERVICE.

The second graph is a small Wikidata-shaped fixture of truthy statements (wd: items,
wdt: direct properties) that this test writes. kgbuild's owl:sameAs links are the only
bridge, so the join finds exactly the kgbuild people whose linked item holds an office
that kgbuild also links, and whose citizenship is a state kgbuild links. The Wikidata
sandbox item (Q4115189) claims the same office but no kgbuild entity links to it, so it
must not appear.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest
from helpers import BASE
from server_fixtures import free_port, stop

from kgbuild.store import KgStore

OXIGRAPH = Path(sys.executable).parent / "oxigraph"
KGBUILD = Path(sys.executable).parent / "kgbuild"

FIXTURE = """\
@prefix wd:   <http://www.wikidata.org/entity/> .
@prefix wdt:  <http://www.wikidata.org/prop/direct/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

wd:Q43723 rdfs:label "Benjamin Netanyahu"@en ;
    wdt:P39 wd:Q208487 ;        # position held: Prime Minister of Israel
    wdt:P27 wd:Q801 .           # country of citizenship: Israel
wd:Q22686 rdfs:label "Donald Trump"@en ;
    wdt:P39 wd:Q11696 ;         # position held: President of the United States
    wdt:P27 wd:Q30 .            # country of citizenship: United States of America
wd:Q208487 rdfs:label "Prime Minister of Israel"@en .
wd:Q11696 rdfs:label "President of the United States"@en .
wd:Q801 rdfs:label "Israel"@en .
wd:Q30 rdfs:label "United States of America"@en .

# Distractor: the Wikidata sandbox item, linked from nothing in kgbuild.
wd:Q4115189 rdfs:label "Wikidata Sandbox"@en ;
    wdt:P39 wd:Q208487 ;
    wdt:P27 wd:Q801 .
"""

PREFIXES = """PREFIX kg: <https://w3id.org/kgbuild/ontology#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
"""
# kgbuild side and Wikidata side of the join, so each query below can put either behind SERVICE.
KG_SIDE = """?person a kg:Person ; rdfs:label ?name ; owl:sameAs ?item ; kg:holdsPosition ?position .
    ?position owl:sameAs ?office .
    ?state a kg:State ; owl:sameAs ?country ."""
WD_SIDE = """?item wdt:P39 ?office ; wdt:P27 ?country .
    ?office rdfs:label ?officeLabel ."""
SELECT = "SELECT ?person ?name ?office ?officeLabel ?position ?state"
ONE_STORE = f"{PREFIXES}{SELECT} WHERE {{\n    {KG_SIDE}\n    {WD_SIDE}\n}}"

WD = "http://www.wikidata.org/entity/"
EXPECTED = {
    (BASE + "actor/netanyahu", "Benjamin Netanyahu", WD + "Q208487", "Prime Minister of Israel",
     BASE + "position/prime-minister-of-israel", BASE + "actor/israel"),
    (BASE + "actor/trump", "Donald Trump", WD + "Q11696", "President of the United States",
     BASE + "position/president-of-the-united-states", BASE + "actor/united-states"),
}
COLUMNS = ("person", "name", "office", "officeLabel", "position", "state")


def rows_from_solutions(solutions: ox.QuerySolutions) -> set[tuple[str, ...]]:
    return {tuple(s[c].value for c in COLUMNS) for s in solutions}


def rows_from_json(data: bytes) -> set[tuple[str, ...]]:
    bindings = json.loads(data)["results"]["bindings"]
    return {tuple(b[c]["value"] for c in COLUMNS) for b in bindings}


@pytest.fixture(scope="module")
def fixture_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("wikidata") / "wikidata-fixture.ttl"
    path.write_text(FIXTURE, "utf-8")
    return path


def test_one_store_joins_kgbuild_and_the_wikidata_fixture(seed_store: KgStore, fixture_file: Path) -> None:
    store = ox.Store()
    store.extend(seed_store.quads())
    store.load(path=str(fixture_file), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("urn:fixture:wikidata"))
    rows = rows_from_solutions(store.query(ONE_STORE, use_default_graph_as_union=True))
    assert rows == EXPECTED
    # Without the bridge there is no answer: the join really goes through kgbuild's owl:sameAs.
    no_links = ONE_STORE.replace("owl:sameAs ?item", "kg:belongsTo ?item")
    assert rows_from_solutions(store.query(no_links, use_default_graph_as_union=True)) == set()


# ---------------------------------------------------------------- two endpoints on 127.0.0.1

def sparql(endpoint: str, query: str) -> bytes:
    body = urllib.parse.urlencode({"query": query}).encode()
    request = urllib.request.Request(endpoint, data=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()


@contextmanager
def running(args: list[str], endpoint: str, log: Path) -> Iterator[str]:
    """Start a server process, wait until `endpoint` answers, stop it (that process only) afterwards."""
    with open(log, "wb") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "NO_PROXY": "*"})
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                sparql(endpoint, "ASK {}")
                break
            except OSError as exc:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"{args[0]} did not start: {log.read_text(errors='replace')[-2000:]}") from exc
                time.sleep(0.1)
        yield endpoint
    finally:
        stop(proc)


def oxigraph_endpoint(tmp: Path, name: str, data: Path) -> tuple[list[str], str]:
    location = tmp / name
    subprocess.run([str(OXIGRAPH), "load", "--location", str(location), "--file", str(data)],
                   check=True, capture_output=True)
    port = free_port()
    args = [str(OXIGRAPH), "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}",
            "--union-default-graph"]
    return args, f"http://127.0.0.1:{port}/query"


@pytest.fixture(scope="module")
def endpoints(seed_store_path: Path, fixture_file: Path,
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Three local endpoints: the fixture (oxigraph), kgbuild data in oxigraph, and `kgbuild serve`."""
    if not OXIGRAPH.exists():
        pytest.skip(f"no oxigraph server at {OXIGRAPH} (PyPI package `oxigraph`, in the test extras)")
    tmp = tmp_path_factory.mktemp("endpoints")
    seed = KgStore(seed_store_path, read_only=True)
    dump = tmp / "kgbuild.nq"
    dump.write_bytes(ox.serialize(list(seed.quads()), format=ox.RdfFormat.N_QUADS))
    del seed
    wd_args, wd_url = oxigraph_endpoint(tmp, "wikidata", fixture_file)
    kg_args, kg_url = oxigraph_endpoint(tmp, "kgbuild", dump)
    port = free_port()
    serve_args = [str(KGBUILD), "serve", "--store", str(seed_store_path), "--port", str(port), "--allow-service"]
    with running(wd_args, wd_url, tmp / "wikidata.log"), running(kg_args, kg_url, tmp / "kgbuild-oxigraph.log"), \
            running(serve_args, f"http://127.0.0.1:{port}/sparql", tmp / "kgbuild-serve.log") as serve_url:
        yield {"wikidata": wd_url, "kgbuild-oxigraph": kg_url, "kgbuild-serve": serve_url}


def kgbuild_calls_wikidata(wikidata: str) -> str:
    return f"{PREFIXES}{SELECT} WHERE {{\n    {KG_SIDE}\n    SERVICE <{wikidata}> {{ {WD_SIDE} }}\n}}"


def wikidata_calls_kgbuild(kgbuild: str) -> str:
    return f"{PREFIXES}{SELECT} WHERE {{\n    {WD_SIDE}\n    SERVICE <{kgbuild}> {{ {KG_SIDE} }}\n}}"


@pytest.mark.parametrize("kgbuild", ["kgbuild-oxigraph", "kgbuild-serve"])
def test_service_from_kgbuild_to_the_wikidata_endpoint(endpoints: dict[str, str], kgbuild: str) -> None:
    data = sparql(endpoints[kgbuild], kgbuild_calls_wikidata(endpoints["wikidata"]))
    assert rows_from_json(data) == EXPECTED


@pytest.mark.parametrize("kgbuild", ["kgbuild-oxigraph", "kgbuild-serve"])
def test_service_from_the_wikidata_endpoint_to_kgbuild(endpoints: dict[str, str], kgbuild: str) -> None:
    data = sparql(endpoints["wikidata"], wikidata_calls_kgbuild(endpoints[kgbuild]))
    assert rows_from_json(data) == EXPECTED
