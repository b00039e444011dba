"""Hostile clients: pathological queries, server-side request forgery, wrong tokens, forced internal errors.

The pathological queries go to a real `kgbuild serve` process: a stack overflow in
pyoxigraph's parser is a segmentation fault that no test inside the server's own
process could survive, so the test checks from outside that the process is alive
and still answering after each one.
"""
from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from server_fixtures import TOKEN, Live, kgbuild_serve, queries_dir, serve, small_store  # noqa: F401

from kgbuild.sparqltext import MAX_DEPTH, MAX_TOKENS, is_allowed_host

SIMPLE = "SELECT ?name WHERE { ?s <http://schema.org/name> ?name } ORDER BY ?name"


def nested_groups(depth: int) -> str:
    return "SELECT * WHERE " + "{" * depth + " ?s ?p ?o " + "}" * depth


def unions(n: int) -> str:
    return "SELECT * WHERE { " + " UNION ".join(f"{{ ?s <http://example.org/p{i}> ?o }}" for i in range(n)) + " }"


# (name, query, expected status): the first ones are refused before pyoxigraph sees them;
# the last ones are within the limits and answer, on the query threads' large stacks
# (each of them overflows a usual 8 MiB thread stack and kills the process there).
PATHOLOGICAL = [
    ("5,000 nested groups", nested_groups(5_000), 400),
    ("100,000 nested groups", nested_groups(100_000), 400),
    ("5,000 nested parentheses in an expression",
     "SELECT (" + "(" * 5_000 + "1" + ")" * 5_000 + " AS ?x) WHERE {}", 400),
    ("2,000 nested blank-node brackets", "SELECT * WHERE { ?s ?p " + "[ <http://e/p> " * 2_000 + "1" + " ]" * 2_000
     + " }", 400),
    ("1 MB of UNIONs", unions(33_000), 400),
    ("unbalanced: 10,000 opening braces", "SELECT * WHERE " + "{" * 10_000, 400),
    ("90,000 negations", "SELECT (" + "!" * 90_000 + "true AS ?x) WHERE {}", 200),
    ("20,000 alternatives in a filter", "SELECT * WHERE { ?s ?p ?o FILTER(" + " || ".join(["?o"] * 20_000)
     + ") } LIMIT 1", 200),
    ("150 nested groups", nested_groups(150), 200),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, subprocess.Popen[bytes], Path]]:
    folder = tmp_path_factory.mktemp("hardening")
    store = small_store(folder / "store")
    store.flush()
    del store
    process: list[subprocess.Popen[bytes]] = []
    # a generous timeout: these queries test parsing limits, and a loaded CI machine is slow to parse them
    with kgbuild_serve("--store", str(folder / "store"), "--timeout", "50", log=folder / "serve.log",
                       process=process) as url:
        yield url, process[0], folder / "serve.log"


@pytest.mark.parametrize("name,query,status", PATHOLOGICAL, ids=[p[0] for p in PATHOLOGICAL])
def test_pathological_queries_do_not_crash_the_server(server: tuple[str, Any, Path], name: str, query: str,
                                                      status: int) -> None:
    url, process, log = server
    try:
        r = httpx.post(url + "/sparql", content=query.encode(), timeout=60,
                       headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"})
        answer: int | str = r.status_code
        text = r.text
    except httpx.HTTPError as exc:  # the connection dropped: the server died under it
        answer, text = f"{type(exc).__name__}", ""
    time.sleep(0.05)
    alive = process.poll() is None
    assert alive, f"{name}: the server died (exit {process.returncode}): {log.read_text()[-500:]}"
    assert answer == status, f"{name}: {answer} {text[:200]}"
    if status == 400:
        assert re.search(r"too long|nested too deeply", text), text
    ok = httpx.get(url + "/sparql", params={"query": SIMPLE}, headers={"Accept": "text/csv"}, timeout=30)
    assert ok.status_code == 200 and "Alice" in ok.text


def test_the_limits_are_far_above_real_queries() -> None:
    saved = sorted((Path(__file__).resolve().parents[1] / "queries").glob("*.rq"))
    from kgbuild.sparqltext import too_complex

    assert saved and all(too_complex(p.read_text("utf-8")) is None for p in saved)
    assert too_complex(nested_groups(MAX_DEPTH - 1)) is None and too_complex(nested_groups(MAX_DEPTH + 1))
    values = "SELECT * WHERE { VALUES ?x { " + " ".join(f"<http://example.org/{i}>" for i in range(20_000)) + " } }"
    assert too_complex(values) is None  # a long VALUES block of 20,000 IRIs is fine
    assert too_complex("ASK {} " + "# }}}}} ((((( \n" * 1000) is None  # comments and strings do not count
    assert MAX_TOKENS >= 50_000


# ------------------------------------------------------------------ SERVICE and LOAD: no server-side request forgery
class Spy:
    """Stands in for the pyoxigraph store: records what reaches it, and lets only allowed queries run.

    Anything that does not name the loopback test server is blocked here (a SyntaxError, so a 400), so
    even with the server's own check removed no test traffic ever leaves this machine.
    """

    def __init__(self, real: Any, allowed: str | None = None):
        self.real, self.allowed = real, allowed
        self.calls: list[str] = []

    def _run(self, method: str, text: str, **kwargs: Any) -> Any:
        self.calls.append(text)
        if re.search(r"(?i)service|load", text) and (self.allowed is None or self.allowed not in text):
            raise SyntaxError("blocked by the test: this would have reached the network")
        return getattr(self.real, method)(text, **kwargs)

    def query(self, text: str, **kwargs: Any) -> Any:
        return self._run("query", text, **kwargs)

    def update(self, text: str, **kwargs: Any) -> Any:
        return self._run("update", text, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


FORGERIES = [
    "SELECT * WHERE { SERVICE <http://10.255.255.1/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { sErViCe <https://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE <http://127.0.0.1@10.255.255.1/sparql> { ?s ?p ?o } }",  # userinfo, not the host
    "SELECT * WHERE { SERVICE <http://167772161/sparql> { ?s ?p ?o } }",  # 10.0.0.1 as one number
    "SELECT * WHERE { SERVICE <http://[::ffff:10.255.255.1]/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE <http://127.0.0.\\u0031.example.org/> { ?s ?p ?o } }",  # escapes hide the host
    "PREFIX ex: <http://10.255.255.1/> SELECT * WHERE { SERVICE ex:sparql { ?s ?p ?o } }",
    "BASE <http://10.255.255.1/> SELECT * WHERE { SERVICE <sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { BIND(<http://10.255.255.1/> AS ?x) SERVICE ?x { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE <file:///etc/passwd> { ?s ?p ?o } }",
]


def spied(live: Live, allowed: str | None = None) -> Spy:
    spy = Spy(live.state.store._store, allowed)  # inside KgStore: what reaches pyoxigraph itself
    live.state.store._store = spy
    return spy


@pytest.fixture()
def default_server(queries_dir: Path) -> Iterator[Live]:  # noqa: F811
    yield from serve(small_store(), queries_dir, write_token=TOKEN)


@pytest.fixture()
def service_server(queries_dir: Path) -> Iterator[Live]:  # noqa: F811
    yield from serve(small_store(), queries_dir, write_token=TOKEN, allow_service=True,
                     service_hosts=["sparql.example.net"])


@pytest.mark.parametrize("query", FORGERIES)
def test_service_is_off_by_default_and_nothing_is_fetched(default_server: Live, query: str) -> None:
    spy = spied(default_server)
    r = default_server.client.get("/sparql", params={"query": query})
    assert r.status_code == 400 and "disabled" in r.text, r.text
    assert spy.calls == []


@pytest.mark.parametrize("query", FORGERIES)
def test_allowed_service_reaches_only_loopback(service_server: Live, query: str) -> None:
    spy = spied(service_server, allowed=service_server.url)
    r = service_server.client.get("/sparql", params={"query": query})
    assert r.status_code == 400 and ("not allowed" in r.text or "written out in full" in r.text), r.text
    assert spy.calls == []  # refused before the store saw it: no connection was attempted


def test_allowed_service_to_loopback_runs(service_server: Live) -> None:
    spied(service_server, allowed=service_server.url)
    query = f"SELECT ?name WHERE {{ SERVICE <{service_server.url}/sparql> {{ ?s <http://schema.org/name> ?name }} }}"
    r = service_server.client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    assert r.status_code == 200 and "Alice" in r.text, r.text


def test_service_allow_names_more_hosts(service_server: Live) -> None:
    spy = spied(service_server)  # blocks everything: the named host is never contacted
    r = service_server.client.get("/sparql", params={
        "query": "SELECT * WHERE { SERVICE <https://sparql.example.net/q> { ?s ?p ?o } }"})
    assert r.status_code == 400 and "blocked by the test" in r.text  # got past the server's check
    assert len(spy.calls) == 1
    assert is_allowed_host("http://SPARQL.example.net./x", ["sparql.example.net"])
    assert not is_allowed_host("http://sparql.example.net.evil.org/x", ["sparql.example.net"])


def test_load_reaches_only_loopback(service_server: Live, default_server: Live) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
    for live in (default_server, service_server):
        spy = spied(live)
        for update in ("LOAD <http://10.255.255.1/data.ttl>", "LOAD SILENT <http://example.org/x.ttl> INTO GRAPH <g:1>"):
            r = live.client.post("/sparql", content=update.encode(), headers=auth)
            assert r.status_code == 400 and ("disabled" in r.text or "not allowed" in r.text), r.text
        assert spy.calls == []


# ------------------------------------------------------------------ the write token
def test_wrong_tokens_of_any_length_are_refused(default_server: Live) -> None:
    live = default_server
    insert = b"INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> <http://example.org/p> 1 } }"
    wrong = [
        "x" * len(TOKEN),  # same length
        TOKEN[:-1] + chr(ord(TOKEN[-1]) ^ 1),  # same length, last character off
        "X" + TOKEN[1:],  # same length, first character off
        TOKEN.upper(),
        TOKEN[:-1],  # a prefix
        TOKEN + "0",  # longer
        TOKEN * 2,
        "t",
        "é" * len(TOKEN),  # not ASCII
    ]
    for token in wrong:
        assert token != TOKEN
        for headers in ({"Authorization": f"Bearer {token}".encode()}, {"Authorization": f"bearer  {token}".encode()}):
            r = live.client.post("/sparql", content=insert, headers={"Content-Type": "application/sparql-update",
                                                                     **headers})
            assert r.status_code == 403, (token, r.status_code)
            r = live.client.put("/rdf-graph-store", params={"graph": "http://example.org/g"},
                                content=b"<http://example.org/s> <http://example.org/p> 2 .",
                                headers={"Content-Type": "application/n-triples", **headers})
            assert r.status_code == 403, (token, r.status_code)
    assert live.client.get("/rdf-graph-store", params={"graph": "http://example.org/g"}).status_code == 404
    r = live.client.post("/sparql", content=insert, headers={"Content-Type": "application/sparql-update",
                                                             "Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 204


# ------------------------------------------------------------------ internal errors
class Exploding:
    """A store whose every use fails the way a broken disk would, with a file path in the message."""

    def __getattr__(self, name: str) -> Any:
        raise OSError(f"IO error: /srv/kgbuild/store/000042.sst: {name} failed")


class BadResult:
    def serialize(self, *args: Any) -> None:
        raise OSError("IO error: /srv/kgbuild/store/000042.sst: read failed")


def assert_no_leak(r: httpx.Response) -> None:
    assert r.status_code == 500, (r.status_code, r.text)
    for secret in ("Traceback", "/srv/kgbuild", 'File "', ".py", "000042", "kgbuild/server"):
        assert secret not in r.text, (secret, r.text)
    assert len(r.text.strip().splitlines()) == 1


def test_internal_errors_never_leak_tracebacks_or_paths(default_server: Live, monkeypatch: pytest.MonkeyPatch,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    live = default_server
    real = live.state.store._store
    live.state.store._store = Exploding()
    for path, params in (("/sparql", {"query": SIMPLE}), ("/queries/names.csv", {}), ("/id/actor/alice", {}),
                         ("/rdf-graph-store", {"graph": "http://example.org/g"}), ("/sparql", {})):
        assert_no_leak(live.client.get(path, params=params, headers={"Accept": "text/turtle"}))
    live.state.store._store = Spy(real)
    monkeypatch.setattr(live.state.store._store, "query", lambda *a, **k: BadResult())
    assert_no_leak(live.client.get("/sparql", params={"query": SIMPLE}, headers={"Accept": "text/csv"}))
    live.state.cache.clear()
    assert_no_leak(live.client.get("/queries/names.csv"))
    monkeypatch.setattr(live.state, "queries", Exploding())
    assert_no_leak(live.client.get("/queries"))
    assert "000042.sst" in caplog.text  # the operator sees the details in the log
