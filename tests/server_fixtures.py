"""Fixtures for the server tests: small stores we fill ourselves, saved queries, a real uvicorn on 127.0.0.1.

Imported by tests/test_server_*.py and tests/test_browser.py (conftest.py belongs to the core tests).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
import uvicorn
from helpers import BASE

from kgbuild.server import ServeSettings, create_app
from kgbuild.store import KgStore

TOKEN = "test-token-5b1d"
SCHEMA = "http://schema.org/"
OA = "http://www.w3.org/ns/oa#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
G1 = ox.NamedNode(BASE + "graph/a1")
G2 = ox.NamedNode(BASE + "graph/a2")
ALICE = ox.NamedNode(BASE + "actor/alice")
BOB = ox.NamedNode(BASE + "actor/bob")
ARTICLE = ox.NamedNode(BASE + "article/a1")
BODY = "Alice met Bob in Paris. <b>Bold</b> & \"quoted\" text stays text."
TRICKY_NAME = 'x"} UNION { ?s ?p ?name } #'

SAVED = {
    "by-name": """# title: People by name
# description: Subjects whose schema:name is exactly the given string.
# param: name string -- the exact name
PREFIX schema: <http://schema.org/>
SELECT ?s ?name WHERE { ?s schema:name ?name }
ORDER BY ?s
""",
    "by-subject": """# title: Everything about one subject
# param: subject iri -- the subject IRI
SELECT ?subject ?p ?o WHERE { ?subject ?p ?o }
ORDER BY ?p ?o
""",
    "names": """# title: All names
# description: Every schema:name with its subject.
SELECT ?s ?name WHERE { ?s <http://schema.org/name> ?name } ORDER BY ?name
""",
    "graph-of": """# title: A CONSTRUCT
# param: subject iri -- whose triples
CONSTRUCT { ?subject ?p ?o } WHERE { ?subject ?p ?o }
""",
}


def n(local: str) -> ox.NamedNode:
    return ox.NamedNode(BASE + local)


def small_store(path: Path | None = None) -> KgStore:
    """Two article graphs: names, a sameAs link, an article body with two anchored spans."""
    store = KgStore(path)
    name = ox.NamedNode(SCHEMA + "name")
    quads = [
        ox.Quad(ALICE, name, ox.Literal("Alice", language="en"), G1),
        ox.Quad(ALICE, RDF_TYPE, ox.NamedNode(SCHEMA + "Person"), G1),
        ox.Quad(ALICE, ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs"),
                ox.NamedNode("http://www.wikidata.org/entity/Q1"), G1),
        ox.Quad(ALICE, ox.NamedNode(SCHEMA + "description"), ox.Literal("<script>alert(1)</script>"), G1),
        ox.Quad(BOB, name, ox.Literal("Bob"), G2),
        ox.Quad(BOB, RDF_TYPE, ox.NamedNode(SCHEMA + "Person"), G2),
        ox.Quad(n("actor/tricky"), name, ox.Literal(TRICKY_NAME), G2),
        ox.Quad(ARTICLE, ox.NamedNode(SCHEMA + "articleBody"), ox.Literal(BODY), G1),
        ox.Quad(ARTICLE, ox.NamedNode(SCHEMA + "headline"), ox.Literal("Alice meets Bob"), G1),
        ox.Quad(ARTICLE, ox.NamedNode(SCHEMA + "mentions"), ALICE, G1),
    ]
    for i, (body, start, end) in enumerate([(ALICE, 0, 5), (BOB, 10, 13)], 1):
        anno = n(f"article/a1/annotation/mention/{i}")
        target, pos = ox.NamedNode(anno.value + "#target"), ox.NamedNode(anno.value + "#position")
        integer = lambda v: ox.Literal(str(v), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#nonNegativeInteger"))  # noqa: E731
        quads += [
            ox.Quad(anno, RDF_TYPE, ox.NamedNode(OA + "Annotation"), G1),
            ox.Quad(anno, ox.NamedNode(OA + "hasBody"), body, G1),
            ox.Quad(anno, ox.NamedNode(OA + "hasTarget"), target, G1),
            ox.Quad(target, ox.NamedNode(OA + "hasSource"), ARTICLE, G1),
            ox.Quad(target, ox.NamedNode(OA + "hasSelector"), pos, G1),
            ox.Quad(pos, RDF_TYPE, ox.NamedNode(OA + "TextPositionSelector"), G1),
            ox.Quad(pos, ox.NamedNode(OA + "start"), integer(start), G1),
            ox.Quad(pos, ox.NamedNode(OA + "end"), integer(end), G1),
        ]
    store.add(quads)
    return store


def write_queries(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in SAVED.items():
        (folder / f"{name}.rq").write_text(text, "utf-8")
    return folder


@dataclass
class Live:
    """A running server: its URL, the app (for its state) and an httpx client."""

    url: str
    app: Any
    client: httpx.Client

    @property
    def state(self) -> Any:
        return self.app.state.kg


class LiveServer:
    """uvicorn serving `app` on 127.0.0.1 (a free port the OS picks) in a background thread."""

    def __init__(self, app: Any):
        self.app = app
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def serve(store: KgStore, queries: Path, **options: Any) -> Iterator[Live]:
    app = create_app(store, ServeSettings(queries_dirs=(queries,), **options))
    with LiveServer(app) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield Live(url, app, client)


@pytest.fixture(scope="module")
def queries_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_queries(tmp_path_factory.mktemp("queries"))


@pytest.fixture(scope="module")
def live(queries_dir: Path) -> Iterator[Live]:
    """A read-only server (no write token) over the small store."""
    yield from serve(small_store(), queries_dir)


@pytest.fixture()
def live_rw(queries_dir: Path) -> Iterator[Live]:
    """A fresh writable server (write token set) over a fresh small store."""
    yield from serve(small_store(), queries_dir, write_token=TOKEN)


# ------------------------------------------------------------------ `kgbuild serve` as a real process
REPO = Path(__file__).resolve().parents[1]
KGBUILD = [sys.executable, "-c", "from kgbuild.cli import main; main()"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def kgbuild_serve(*args: str, env: dict[str, str] | None = None, log: Path | None = None,
                  process: list[subprocess.Popen[bytes]] | None = None) -> Iterator[str]:
    """`kgbuild serve ARGS` on 127.0.0.1 and a free port, from the project folder; yields its URL.

    Its output goes to `log` (default: a pipe read at the end); `process`, if given, receives the Popen.
    """
    port = free_port()
    out = open(log, "wb") if log is not None else subprocess.PIPE  # noqa: SIM115
    proc = subprocess.Popen([*KGBUILD, "serve", "--port", str(port), *args], cwd=REPO,
                            env={**os.environ, **(env or {})}, stdout=out, stderr=subprocess.STDOUT)
    if process is not None:
        process.append(proc)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            if proc.poll() is not None:
                shown = log.read_text() if log is not None else proc.stdout.read().decode() if proc.stdout else ""
                raise AssertionError(f"kgbuild serve exited: {shown}")
            try:
                httpx.get(url + "/sparql", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield url
    finally:
        stop(proc)
        if log is not None:
            out.close()  # type: ignore[union-attr]


def stop(proc: subprocess.Popen) -> None:
    """Stop a server process started by a test: politely, then for sure."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
