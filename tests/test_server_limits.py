"""Limits: per-query timeout, bounded workers, request size, CORS configuration."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from server_fixtures import Live, queries_dir, serve, small_store  # noqa: F401

from kgbuild.store import KgStore

# Over 250 triples this counts 15 million solutions: seconds of work before the first (only) row.
SLOW_AGGREGATE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
# The same join, streamed row by row: output starts at once and would go on for minutes.
ENDLESS_ROWS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SIMPLE = "SELECT ?s WHERE { ?s <http://example.org/p> ?o } LIMIT 1"


def store_250() -> KgStore:
    store = KgStore()
    g = ox.NamedNode("http://example.org/g")
    store.add(ox.Quad(ox.NamedNode(f"http://example.org/s{i}"), ox.NamedNode("http://example.org/p"),
                      ox.Literal(str(i)), g) for i in range(250))
    return store


@pytest.fixture()
def slow(queries_dir: Path) -> Iterator[Live]:  # noqa: F811
    yield from serve(store_250(), queries_dir, query_timeout=0.3, query_workers=2)


def wait_idle(live: Live, seconds: float) -> float:
    start = time.monotonic()
    while live.state.runner.busy and time.monotonic() - start < seconds:
        time.sleep(0.02)
    return time.monotonic() - start


def statuses_of_concurrent(url: str, query: str, n: int) -> list[int]:
    """Send `query` to /sparql from `n` threads at once; the status codes, in order of arrival."""
    statuses: list[int] = []
    threads = [threading.Thread(target=lambda: statuses.append(
        httpx.get(url + "/sparql", params={"query": query}, timeout=30).status_code)) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


def test_timeout_answers_503_and_the_server_still_answers(slow: Live) -> None:
    t0 = time.monotonic()
    r = slow.client.get("/sparql", params={"query": SLOW_AGGREGATE})
    elapsed = time.monotonic() - t0
    assert r.status_code == 503
    assert "time limit" in r.text and r.headers["retry-after"]
    assert elapsed < 1.5  # answered at the deadline, not when the query ends
    ok = slow.client.get("/sparql", params={"query": SIMPLE}, headers={"Accept": "text/csv"})
    assert ok.status_code == 200 and "http://example.org/s" in ok.text
    wait_idle(slow, 30)  # the uninterruptible aggregate finishes in its thread, then frees its slot


def test_streaming_query_is_cut_at_the_deadline(slow: Live) -> None:
    try:
        with slow.client.stream("GET", "/sparql", params={"query": ENDLESS_ROWS}) as r:
            status = r.status_code
            for _ in r.iter_bytes():
                pass
        complete = True
    except httpx.HTTPError:  # the connection is dropped mid-stream: the client cannot take it for complete
        complete = False
    print(f"streamed query past its deadline: status {status}, transfer complete: {complete}")
    assert status == 503 or not complete
    # Cancellation is cooperative at each chunk: the worker stops right after the deadline.
    assert wait_idle(slow, 5) < 2
    assert slow.client.get("/sparql", params={"query": SIMPLE}).status_code == 200


def test_busy_workers_give_503_after_a_bounded_wait(slow: Live) -> None:
    assert statuses_of_concurrent(slow.url, SLOW_AGGREGATE, 2) == [503, 503]
    # Both slots are held by aggregates past their deadline: a new query waits until its own deadline, then 503.
    if slow.state.runner.busy == 2:
        r = slow.client.get("/sparql", params={"query": SIMPLE})
        assert r.status_code == 503 and "busy" in r.text
    wait_idle(slow, 30)
    assert slow.client.get("/sparql", params={"query": SIMPLE}).status_code == 200


def test_request_body_limit_413(queries_dir: Path) -> None:  # noqa: F811
    for live in serve(small_store(), queries_dir, max_body=1000):
        big = "ASK { " + "#" * 2000 + "\n }"
        r = live.client.post("/sparql", content=big.encode(), headers={"Content-Type": "application/sparql-query"})
        assert r.status_code == 413 and "1,000 bytes" in r.text

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
            for _ in range(10):
                yield b"#" * 200

        r = live.client.post("/sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"})
        assert r.status_code == 413
        ok = live.client.post("/sparql", content=b"ASK {}", headers={"Content-Type": "application/sparql-query"})
        assert ok.status_code == 200


def test_cors_is_configurable(queries_dir: Path) -> None:  # noqa: F811
    for live in serve(small_store(), queries_dir, cors_origins=["https://allowed.example"]):
        ok = live.client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://allowed.example"})
        assert ok.headers["access-control-allow-origin"] == "https://allowed.example"
        other = live.client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
    for live in serve(small_store(), queries_dir, cors_origins=[]):
        r = live.client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://a.example"})
        assert "access-control-allow-origin" not in r.headers


def test_requests_wait_in_line_for_a_free_worker(queries_dir: Path) -> None:  # noqa: F811
    for live in serve(store_250(), queries_dir, query_workers=1, query_timeout=20):
        query = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"
        assert statuses_of_concurrent(live.url, query, 6) == [200] * 6
        deadline = time.monotonic() + 10  # a worker frees its slot just after it hands over the last answer
        while live.state.runner.busy and time.monotonic() < deadline:
            time.sleep(0.01)
        assert live.state.runner.busy == 0  # no slot leaked
