"""Sharded exports and bulk pushes into real engines: Virtuoso (killed mid-load) and `oxigraph serve`.

The engines' contents are read back over their own SPARQL endpoints and compared
with the local store graph by graph (quad counts; for Oxigraph the quads themselves).
"""
from __future__ import annotations

import gzip
import hashlib
import json
import re
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from engines import OxigraphServer, Virtuoso, oxigraph_server, synthetic_store, virtuoso

from kgbuild.cli import main
from kgbuild.push import PushError, VirtuosoOptions, push
from kgbuild.store import KgStore

COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built from 120 synthetic articles (plus the ontology, registry and VoID graphs)."""
    return synthetic_store(tmp_path_factory.mktemp("bulk"), 120, seed=11, actors=200)


def local_counts(store: KgStore) -> dict[str, int]:
    return Counter(q.graph_name.value for q in store.quads() if isinstance(q.graph_name, ox.NamedNode))


def remote_counts(sparql_url: str, only: set[str]) -> dict[str, int]:
    """Quads per graph as the engine's own SPARQL endpoint counts them (engine system graphs left out)."""
    response = httpx.post(sparql_url, data={"query": COUNTS}, headers={"Accept": "application/sparql-results+json"},
                          timeout=60)
    response.raise_for_status()
    rows = response.json()["results"]["bindings"]
    counts = {row["g"]["value"]: int(row["n"]["value"]) for row in rows}
    return {g: n for g, n in counts.items() if g in only or g.startswith("https://w3id.org/kgbuild/")}


def test_sharded_export_keeps_each_graph_whole_and_is_deterministic(local: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    for name in ("a", "b"):
        result = runner.invoke(main, ["export", "--store", str(local), "--shards", "4", "-f", "nquads",
                                      str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text("utf-8"))
    files = sorted(p.name for p in (tmp_path / "a").glob("*.nq.gz"))
    assert files == sorted(s["file"] for s in manifest["shards"]) and len(files) == 4
    store = KgStore(local, read_only=True)
    expected = local_counts(store)
    seen: Counter[str] = Counter()
    where: dict[str, str] = {}
    for shard in manifest["shards"]:
        raw = (tmp_path / "a" / shard["file"]).read_bytes()
        assert hashlib.sha256(raw).hexdigest() == shard["sha256"] and len(raw) == shard["bytes"]
        assert raw == (tmp_path / "b" / shard["file"]).read_bytes(), "the same store gives the same bytes"
        dataset = rdflib.Dataset()
        dataset.parse(data=gzip.decompress(raw), format="nquads")  # an independent parser
        graphs = Counter(str(ctx.identifier) for ctx in dataset.graphs() for _ in ctx)
        graphs.pop(str(rdflib.graph.DATASET_DEFAULT_GRAPH_ID), None)
        for graph, count in graphs.items():
            assert graph not in where, f"{graph} split across {where.get(graph)} and {shard['file']}"
            where[graph] = shard["file"]
            seen[graph] += count
        assert sorted(graphs) == sorted(shard["graphs"]) and sum(graphs.values()) == shard["quads"]
    assert dict(seen) == dict(expected)
    assert {g: e["shard"] for g, e in manifest["graphs"].items()} == where
    hashes = store.graph_hashes()
    assert all(manifest["graphs"][g]["version"] == h for g, h in hashes.items())


def test_sharded_export_needs_nquads(local: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["export", "--store", str(local), "--shards", "2", str(tmp_path / "x")])
    assert result.exit_code == 2 and "-f nquads" in result.output
    assert not (tmp_path / "x").exists()


@pytest.fixture(scope="module")
def vt(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    server = virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield server
    server.stop()


def test_virtuoso_killed_mid_bulk_load_resumes_with_nothing_lost_or_doubled(local: Path, vt: Virtuoso,
                                                                           tmp_path: Path) -> None:
    store = KgStore(local, read_only=True)
    expected = local_counts(store)
    state = tmp_path / "push.jsonl"
    options = VirtuosoOptions(vt.isql_address, "dba", "dba", vt.load_dir)
    killed = threading.Event()

    def kill_while_a_file_loads() -> None:
        """SIGKILL Virtuoso the moment its loader has a file in progress (load_list state 1) after two
        shards are durable; not during a checkpoint, which this Virtuoso cannot always recover from."""
        while not killed.is_set():
            try:
                loading = re.search(r"STATE\s+[1-9]", vt.isql("SELECT 'STATE', COUNT(*) FROM DB.DBA.load_list "
                                                                "WHERE ll_state = 1;"))
            except AssertionError:
                return
            if loading:
                vt.kill()
                killed.set()

    watcher = threading.Thread(target=kill_while_a_file_loads, daemon=True)

    def start_watching(done: int, total: int) -> None:
        if done >= total // 3 and watcher.ident is None:
            watcher.start()

    with pytest.raises(PushError, match="run the same push again to resume"):  # no raise: no load was caught
        push(store, vt.root, engine="virtuoso", virtuoso=options, state=state, bulk_threshold=1, shards=6,
             progress=start_watching)
    killed.set()
    watcher.join()
    recorded = {json.loads(line)["graph"] for line in state.read_text("utf-8").splitlines()}
    assert 0 < len(recorded) < len(expected)

    vt.start()  # same database: Virtuoso recovers to its last checkpoint
    survived = remote_counts(vt.sparql_url, set(expected))
    assert all(survived.get(g) == expected[g] for g in recorded), "a recorded shard was lost in the crash"

    report = push(store, vt.root, engine="virtuoso", virtuoso=options, state=state, bulk_threshold=1, shards=6)
    assert set(report.skipped) == recorded and set(report.pushed) == set(expected) - recorded
    assert remote_counts(vt.sparql_url, set(expected)) == dict(expected)
    assert not list(vt.load_dir.iterdir()), "shard files are removed once loaded"
    again = push(store, vt.root, engine="virtuoso", virtuoso=options, state=state, bulk_threshold=1)
    assert again.pushed == [] and again.batches == 0


def test_virtuoso_small_changes_go_by_graph_store_put_and_deletions_follow(local: Path, vt: Virtuoso,
                                                                           tmp_path: Path) -> None:
    source = KgStore(local, read_only=True)
    store = KgStore(tmp_path / "copy")
    store.add(source.quads())
    store.flush()
    options = VirtuosoOptions(vt.isql_address, "dba", "dba", vt.load_dir)
    state = tmp_path / "push.jsonl"
    push(store, vt.root, engine="virtuoso", virtuoso=options, state=state, bulk_threshold=1, shards=3)
    articles = sorted(g for g in store.graph_hashes())
    dropped, edited = ox.NamedNode(articles[0]), ox.NamedNode(articles[1])
    store.drop_graph(dropped)
    hash_quad = next(q for q in store.quads(edited) if q.predicate.value.endswith("#sourceHash"))
    store.remove([hash_quad])
    store.add([ox.Quad(hash_quad.subject, hash_quad.predicate, ox.Literal("edited"), edited),
               ox.Quad(hash_quad.subject, ox.NamedNode("http://schema.org/comment"), ox.Literal("new"), edited)])
    store.flush()
    del store  # the command opens it read-only: no writer may hold it meanwhile
    copy = str(tmp_path / "copy")
    result = CliRunner().invoke(main, ["push", "--to", vt.root, "--engine", "virtuoso", "--store", copy,
                                       "--isql", vt.isql_address, "--load-dir", str(vt.load_dir), "--state-file",
                                       str(state), "-q"], env={"KGBUILD_ISQL_PASSWORD": "dba"})
    assert result.exit_code == 0, result.output
    assert "pushed 1 graph(s), " in result.output and "deleted 1;" in result.output
    assert "bulk load" not in result.output  # one changed graph: a Graph Store PUT
    expected = local_counts(KgStore(tmp_path / "copy", read_only=True))
    counts = remote_counts(vt.sparql_url, set(expected) | {dropped.value})
    assert dropped.value not in counts and counts == dict(expected)


def test_oxigraph_bulk_push_then_incremental(local: Path, tmp_path: Path) -> None:
    server: OxigraphServer = oxigraph_server(tmp_path / "remote")
    try:
        source = KgStore(local, read_only=True)
        store = KgStore(tmp_path / "copy")
        store.add(source.quads())
        store.flush()
        state = tmp_path / "push.jsonl"
        report = push(store, server.root, engine="oxigraph", state=state, bulk_threshold=10, shards=4)
        assert report.batches == 4 and len(report.pushed) == len(store.graphs())
        gone = ox.NamedNode(sorted(store.graph_hashes())[3])
        store.drop_graph(gone)
        report = push(store, server.root, engine="oxigraph", state=state, bulk_threshold=10)
        assert report.deleted == [gone.value] and report.pushed == [] and report.batches == 0
        server.stop()
        remote = ox.Store.read_only(str(server.location))
        canon = lambda quads: sorted(str(q) for q in quads if not isinstance(q.subject, ox.BlankNode)  # noqa: E731
                                     and not isinstance(q.object, ox.BlankNode))
        assert canon(remote) == canon(store.quads())
        assert Counter(q.graph_name.value for q in remote) == local_counts(store)
    finally:
        server.stop()
