"""Crash safety: `kgbuild build` killed with SIGKILL at random points never leaves half an article.

Each trial starts the real CLI on a synthetic corpus, kills its whole process group at a
seeded random moment (stratified over the build's duration, so some trials land while
articles are mapped, some while Oxigraph loads, some while graphs are swapped or
replaced), reopens the store the way the next build would, and checks that every
article graph in it is byte for byte a graph a clean build makes (or, for an update,
the graph as it was before). Then a normal build must finish the job: the store equals
a clean build, and no staging folder is left behind.
"""
from __future__ import annotations

import hashlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import make_corpus
import pyoxigraph as ox
import pytest
from helpers import leftovers

from kgbuild.build import build
from kgbuild.store import KgStore

KGBUILD = str(Path(sys.executable).parent / "kgbuild")
N = 200
TRIALS = 4
SEED = 20251125

pytestmark = pytest.mark.skipif(not hasattr(os, "killpg"), reason="needs POSIX process groups")


def digests(path: Path) -> dict[str, str]:
    """Graph -> SHA-256 of its sorted N-Quads, read after opening the store for writing (as a build would).

    Article graphs have no blank nodes; the ontology's (OWL lists, restrictions) get store-specific
    labels, so they are written as `_:b` here: its digest then checks the graph is whole, not isomorphism.
    """
    store = KgStore(path)
    out = {}
    for graph in store.graph_names():
        data = store.dump_graph(graph)
        lines = sorted(re.sub(rb"_:[A-Za-z0-9]+", b"_:b", line) for line in data.splitlines())
        out[graph.value] = hashlib.sha256(b"\n".join(lines)).hexdigest()
    assert not list(store.quads(ox.DefaultGraph()))
    del store
    return out


def run_build(corpus: Path, store: Path, kill_after: float | None = None) -> bool:
    """Run `kgbuild build`; with kill_after, SIGKILL its process group then. True if it was killed.

    Bulk loads go in 1 MB batches (a dozen for this corpus), so a kill can fall between two of them.
    """
    proc = subprocess.Popen([KGBUILD, "build", str(corpus), "--store", str(store), "-q", "--workers", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
                            env={**os.environ, "KGBUILD_BULK_BATCH_MB": "1"})
    try:
        _, err = proc.communicate(timeout=kill_after if kill_after is not None else 600)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the build and its worker processes: the group this test started
        proc.communicate()
        return True
    assert proc.returncode == 0, err.decode()
    return False


def timed_build(corpus: Path, store: Path) -> float:
    start = time.perf_counter()
    run_build(corpus, store)
    return time.perf_counter() - start


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_corpus.write_corpus(N, tmp_path_factory.mktemp("crash") / "corpus", seed=11, actors=600)


def test_killed_fresh_builds_leave_an_empty_or_whole_store(corpus: Path, tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    duration = timed_build(corpus, reference)
    expected = digests(reference)
    assert sum(g.startswith("https://w3id.org/kgbuild/id/graph/syn11-") for g in expected) == N
    rng = random.Random(SEED)
    killed = 0
    for trial in range(TRIALS):
        store = tmp_path / f"store-{trial}"
        delay = duration * (trial + rng.random()) / TRIALS  # stratified: one moment in each quarter of the build
        killed += run_build(corpus, store, kill_after=delay)
        found = digests(store)
        assert set(found) <= set(expected)
        for graph, digest in found.items():
            assert digest == expected[graph], f"trial {trial} (killed after {delay:.2f} s): {graph} is not whole"
        articles = {g for g in found if g.startswith("https://w3id.org/kgbuild/id/graph/syn11-")}
        assert len(articles) in (0, N), f"trial {trial}: a killed first build left {len(articles)} of {N} articles"
        assert leftovers(store) == []  # the dead build's staging folder is gone
        report = build([corpus], store=KgStore(store), workers=2)
        assert len(report.built) + len(report.skipped) == N
        assert digests(store) == expected
        assert leftovers(store) == []
    assert killed >= TRIALS // 2


def test_killed_updates_leave_each_article_old_or_new_and_whole(corpus: Path, tmp_path: Path) -> None:
    # The store holds the first half of the corpus; the update adds the second half and changes 20 articles.
    first_half = [corpus / "articles" / f"{i:06d}.yaml" for i in range(N // 2)]
    template = tmp_path / "template"
    store = KgStore(template)
    build(first_half, store=store, workers=2)
    del store
    before = digests(template)
    changed = tmp_path / "corpus"
    shutil.copytree(corpus, changed)
    for i in range(0, N // 2, 5):
        path = changed / "articles" / f"{i:06d}.yaml"
        text = path.read_text("utf-8")
        assert '    label: "' in text
        path.write_text(text.replace('    label: "', '    label: "Updated: ', 1), "utf-8")
    reference = tmp_path / "reference"
    timed_build(changed, reference)
    expected = digests(reference)
    probe = tmp_path / "probe"
    shutil.copytree(template, probe)
    duration = timed_build(changed, probe)
    assert digests(probe) == expected  # an uninterrupted update equals a clean build
    rng = random.Random(SEED + 1)
    killed = 0
    for trial in range(TRIALS):
        path = tmp_path / f"store-{trial}"
        shutil.copytree(template, path)
        delay = duration * (trial + rng.random()) / TRIALS
        killed += run_build(changed, path, kill_after=delay)
        found = digests(path)
        assert set(found) <= set(before) | set(expected)
        for graph, digest in found.items():
            assert digest in (before.get(graph), expected.get(graph)), \
                f"trial {trial} (killed after {delay:.2f} s): {graph} is neither the old nor the new article"
        build([changed], store=KgStore(path), workers=2)
        assert digests(path) == expected
        assert leftovers(path) == []
    assert killed >= TRIALS // 2


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_swap_cut_between_its_two_renames_is_undone_on_the_next_open(tmp_path: Path) -> None:
    # Where renameat2(RENAME_EXCHANGE) is missing, a swap is two renames; a crash between them leaves
    # the old store under a hidden name and no store at the path. The next open puts it back.
    path = tmp_path / "store"
    store = KgStore(path)
    quad = ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.Literal("old"), ox.NamedNode("urn:x:g"))
    store.add([quad])
    store.flush()
    del store
    pid = dead_pid()
    path.rename(tmp_path / f".store.old-{pid}-0000")
    (tmp_path / f".store.staging-{pid}-0001").mkdir()  # what the dead build was loading
    reopened = KgStore(path)
    assert list(reopened.quads()) == [quad]
    assert leftovers(path) == []


def test_builds_swap_stores_without_renameat2(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kgbuild import staging

    monkeypatch.setattr(staging, "_exchange", lambda a, b: False)
    files = [corpus / "articles" / f"{i:06d}.yaml" for i in range(40)]
    store = KgStore(tmp_path / "store")
    build(files, store=store, workers=1)
    assert len([g for g in store.graph_hashes() if "/graph/syn11-" in g]) == 40
    assert leftovers(tmp_path / "store") == []
