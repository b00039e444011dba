"""Concurrent use: `kgbuild build` into the store a `kgbuild serve` is serving, while clients keep reading.

Both run as real processes on 127.0.0.1. A reader thread queries the server all through
the build (the SPARQL endpoint and a cached saved query): every answer must be a 200,
with no dropped connection, and once the build is done the server must answer with the
new data (it notices the build's generation stamp and re-opens the store) and never with
the old data again. Two builds: an update in place (a few articles changed) and a first
build into an empty store, which loads off to the side and swaps the store's folder.
"""
from __future__ import annotations

import csv
import io
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import make_corpus
import pytest
from server_fixtures import KGBUILD, kgbuild_serve

from kgbuild.build import build
from kgbuild.store import GENERATION_FILE, KgStore

N = 120
MARK = "Updated: "
CHANGED = "ASK { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(STRSTARTS(STR(?l), \"Updated: \")) }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@dataclass
class Reader:
    """Queries the server in a loop until stopped; records every status, error and answer."""

    url: str
    probe: Callable[[httpx.Client, str], object]
    statuses: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    answers: list[object] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=30) as client:
            while not self.stop.is_set() and len(self.statuses) < 20_000:
                try:
                    self.answers.append(self.probe(client, self.url))
                except AssertionError as exc:
                    self.errors.append(str(exc))
                except httpx.HTTPError as exc:  # a dropped or refused connection
                    self.errors.append(f"{type(exc).__name__}: {exc}")

    def get(self, client: httpx.Client, path: str, **params: str) -> httpx.Response:
        r = client.get(path, params=params, headers={"Accept": "text/csv"})
        self.statuses.append(r.status_code)
        assert r.status_code == 200, f"{r.status_code} {r.text[:200]}"
        return r


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def run_build_while_reading(corpus: Path, store: Path, reader: Reader, done: Callable[[object], bool]) -> float:
    """Start the reader, run `kgbuild build` to its end, then read on until `done(answer)` (at most 30 s)."""
    thread = threading.Thread(target=reader.run, daemon=True)
    thread.start()
    while not reader.answers and thread.is_alive():
        time.sleep(0.01)
    before = len(reader.statuses)
    started = time.monotonic()
    proc = subprocess.run([*KGBUILD, "build", str(corpus / "articles"), "--store", str(store), "-q",
                           "--workers", "1"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    during = len(reader.statuses) - before
    deadline = time.monotonic() + 30
    while not (reader.answers and done(reader.answers[-1])) and time.monotonic() < deadline:
        time.sleep(0.05)
    settled = len(reader.answers)
    time.sleep(0.3)  # and it stays new
    reader.stop.set()
    thread.join(timeout=60)
    print(f"build took {time.monotonic() - started:.1f} s; {during} requests answered during it; "
          f"{len(reader.statuses)} in all")
    assert during >= 5, "the reader should have been answered while the build ran"
    assert done(reader.answers[-1]), "the server never served the new data"
    assert all(done(a) for a in reader.answers[settled - 1:]), "the server went back to the old data"
    return time.monotonic() - started


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_corpus.write_corpus(N, tmp_path_factory.mktemp("rebuild") / "corpus", seed=7, actors=300)


def changed_copy(corpus: Path, target: Path) -> list[str]:
    """A copy of `corpus` with the first event label of a few articles changed; returns the new labels."""
    import shutil

    shutil.copytree(corpus, target)
    labels = []
    for path in sorted((target / "articles").glob("*.yaml"))[:N:10]:
        text = path.read_text("utf-8")
        assert '    label: "' in text
        path.write_text(text.replace('    label: "', '    label: "' + MARK, 1), "utf-8")
        line = next(line for line in path.read_text("utf-8").splitlines() if MARK in line)
        labels.append(line.split('"', 1)[1].rsplit('"', 1)[0])
    return labels


def test_serve_keeps_answering_through_an_update_and_then_serves_it(corpus: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    build([corpus / "articles"], store=KgStore(store), workers=1)
    changed = tmp_path / "changed"
    labels = changed_copy(corpus, changed)
    happened = [label for label in labels if label.endswith("(occurred)") or label.endswith("(ongoing)")]
    assert happened, "the synthetic corpus should change at least one realized action"

    def probe(client: httpx.Client, _: str) -> object:
        ask = reader.get(client, "/sparql", query=CHANGED).text.strip().splitlines()[-1]
        saved = reader.get(client, "/queries/actions-that-happened.csv").text
        shown = {row["label"] for row in csv_rows(saved)}
        return ask == "true", bool(shown & set(happened)), not (shown & set(happened)) or set(happened) <= shown

    reader = Reader("", probe)
    with kgbuild_serve("--store", str(store), log=tmp_path / "serve.log") as url:
        reader.url = url
        assert reader.get(httpx.Client(base_url=url), "/sparql", query=CHANGED).text.strip().endswith("false")
        run_build_while_reading(changed, store, reader, done=lambda a: a == (True, True, True))
        assert reader.errors == [] and set(reader.statuses) == {200}
        assert all(a[2] for a in reader.answers)  # never a half-updated saved-query answer
    assert "Traceback" not in (tmp_path / "serve.log").read_text()


def test_serve_an_empty_store_through_its_first_build(corpus: Path, tmp_path: Path) -> None:
    """A first build loads off to the side and swaps the folder in: the server follows the swap."""
    store = tmp_path / "store"
    KgStore(store).flush()  # an empty store, as `kgbuild serve` can open one before anything is built
    inode = store.stat().st_ino

    def probe(client: httpx.Client, _: str) -> object:
        return int(csv_rows(reader.get(client, "/sparql", query=COUNT).text)[0]["n"])

    reader = Reader("", probe)
    with kgbuild_serve("--store", str(store), log=tmp_path / "serve.log") as url:
        reader.url = url
        run_build_while_reading(corpus, store, reader, done=lambda n: n > 10_000)
        assert reader.errors == [] and set(reader.statuses) == {200}
        assert set(reader.answers) <= {0, reader.answers[-1]}  # nothing in between: empty, then the whole build
        assert store.stat().st_ino != inode and (store / GENERATION_FILE).is_file()
        r = httpx.get(url + "/queries/mentions-per-entity.csv")
        assert r.status_code == 200 and len(csv_rows(r.text)) > 10
