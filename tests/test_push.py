"""`kgbuild push` against a real `oxigraph serve` on 127.0.0.1, killed mid-push and restarted.

The remote store must end up equal to the local one, graph by graph, and the second
push must skip what the first one finished. A mock transport checks the HTTP details
(headers, retries, readable refusals) without a server.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from engines import OXIGRAPH, OxigraphServer, synthetic_store
from rdflib.compare import isomorphic
from server_fixtures import free_port

from kgbuild.cli import main
from kgbuild.errors import PushError
from kgbuild.push import push
from kgbuild.store import KgStore

KG = "https://w3id.org/kgbuild/ontology#"


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built from 300 synthetic articles (plus the ontology, registry and VoID graphs)."""
    return synthetic_store(tmp_path_factory.mktemp("push"), 300, seed=5, actors=400)


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[OxigraphServer]:
    if OXIGRAPH is None:
        pytest.skip("the oxigraph server binary (PyPI package oxigraph) is not installed")
    srv = OxigraphServer(tmp_path / "remote")
    yield srv
    srv.stop()


def graphs_of(store: Iterable[ox.Quad]) -> dict[str, list[ox.Quad]]:
    out: dict[str, list[ox.Quad]] = {}
    for quad in store:
        assert not isinstance(quad.graph_name, ox.DefaultGraph), "nothing is pushed into the default graph"
        out.setdefault(quad.graph_name.value, []).append(quad)
    return out


def same_graph(a: list[ox.Quad], b: list[ox.Quad]) -> bool:
    """Equal quads; graphs with blank nodes (the ontology's) are compared up to blank node names."""
    if not any(isinstance(t, ox.BlankNode) for q in a for t in (q.subject, q.object)):
        return {str(q) for q in a} == {str(q) for q in b}
    graphs = []
    for quads in (a, b):
        data = ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in quads), format=ox.RdfFormat.N_TRIPLES)
        graphs.append(rdflib.Graph().parse(data=data, format="nt"))
    return isomorphic(graphs[0], graphs[1])


def test_push_survives_a_killed_server_and_the_remote_equals_the_local_store(
        local: Path, server: OxigraphServer, tmp_path: Path) -> None:
    state = tmp_path / "push.jsonl"
    store = KgStore(local, read_only=True)
    total = len(store.graphs())
    assert total > 300
    server.start()

    def kill_at_100(done: int, _: int) -> None:
        if done == 100:
            server.kill()

    with pytest.raises(PushError, match=r"failed 3 times .*100 of \d+ graphs are pushed: run the same push again"):
        push(store, server.url, state=state, retries=2, backoff=0.01, progress=kill_at_100)
    assert len(state.read_text("utf-8").splitlines()) == 100

    server.start()  # same folder, same port: what survived the kill is still there
    result = CliRunner().invoke(main, ["push", "--to", server.url, "--store", str(local), "--state-file", str(state),
                                       "-q"])
    assert result.exit_code == 0, result.output
    assert re.search(rf"pushed {total - 100} graph\(s\), [\d,]+ bytes; skipped 100 already pushed", result.output)
    again = CliRunner().invoke(main, ["push", "--to", server.url, "--store", str(local), "--state-file", str(state)])
    assert f"pushed 0 graph(s), 0 bytes; skipped {total} already pushed" in again.output
    entries = [json.loads(line) for line in state.read_text("utf-8").splitlines()]
    assert len(entries) == total and {e["endpoint"] for e in entries} == {server.url}

    server.stop()
    remote = graphs_of(ox.Store.read_only(str(server.location)))
    mine = graphs_of(store.quads())
    assert remote.keys() == mine.keys()
    for graph, quads in mine.items():
        assert same_graph(quads, remote[graph]), graph


def _small_store() -> KgStore:
    store = KgStore(None)
    for i in range(3):
        g = ox.NamedNode(f"https://example.org/graph/{i}")
        article = ox.NamedNode(f"https://example.org/article/{i}")
        store.add([ox.Quad(article, ox.NamedNode(KG + "sourceHash"), ox.Literal(f"hash-{i}"), g),
                   ox.Quad(article, ox.NamedNode("http://schema.org/headline"), ox.Literal(f"Article {i}"), g)])
    return store


def test_headers_retries_and_refusals_over_http(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []
    failures = {"https://example.org/graph/1": [503, 502]}

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        pending = failures.get(request.url.params["graph"])
        if pending:
            return httpx.Response(pending.pop(0))
        return httpx.Response(201)

    client = httpx.Client(transport=httpx.MockTransport(handler))
    state = tmp_path / "state.jsonl"
    report = push(_small_store(), "https://remote.example/store", headers={"Authorization": "Bearer s3cret"},
                  state=state, backoff=0.001, client=client)
    assert len(report.pushed) == 3 and report.retries == 2
    assert {r.method for r in seen} == {"PUT"}
    assert all(r.headers["authorization"] == "Bearer s3cret" for r in seen)
    assert all(r.headers["content-type"] == "application/n-triples" for r in seen)
    body = next(r for r in seen if r.url.params["graph"].endswith("/0")).content.decode()
    assert '<https://example.org/article/0> <http://schema.org/headline> "Article 0" .' in body
    assert "s3cret" not in state.read_text("utf-8")

    # A rerun sends nothing; a changed graph is sent again, alone.
    store = _small_store()
    assert push(store, "https://remote.example/store", state=state, client=client).pushed == []
    g2 = ox.NamedNode("https://example.org/graph/2")
    store.remove([ox.Quad(ox.NamedNode("https://example.org/article/2"), ox.NamedNode(KG + "sourceHash"),
                          ox.Literal("hash-2"), g2)])
    store.add([ox.Quad(ox.NamedNode("https://example.org/article/2"), ox.NamedNode(KG + "sourceHash"),
                       ox.Literal("hash-2b"), g2)])
    assert push(store, "https://remote.example/store", state=state, client=client).pushed == [g2.value]

    # Refusals that retrying cannot fix stop at once, with the server's reason and a hint.
    refusing = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(401, text="bad token")))
    with pytest.raises(PushError, match=r"401 Unauthorized: bad token \(hint: check --auth-header\)"):
        push(_small_store(), "https://remote.example/store", client=refusing, backoff=0.001)


def test_cli_reports_bad_headers_and_unreachable_endpoints_in_one_line(local: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["push", "--to", "http://127.0.0.1:9/store", "--store", str(local),
                                       "--auth-header", "no colon here", "--state-file", str(tmp_path / "s")])
    assert result.exit_code == 1 and "is not 'Name: value'" in result.output
    port = free_port()
    result = CliRunner().invoke(main, ["push", "--to", f"http://127.0.0.1:{port}/store", "--store", str(local),
                                       "--retries", "1", "--state-file", str(tmp_path / "s")])
    assert result.exit_code == 1
    assert re.fullmatch(r"Error: PUT \S+ to http://127.0.0.1:\d+/store failed 2 times \(ConnectError[^)]*\); "
                        r"0 of \d+ graphs are pushed: run the same push again to resume\n", result.output)
