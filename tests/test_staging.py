"""Bulk loads into a staging store run in short-lived child processes, and fail or die without touching the store.

These drive `staging.load_and_swap` on real on-disk stores (the path a fresh build takes)
and the real CLI; N-Quads are made up here. The loader children are found through /proc,
so the tests that look for them need Linux.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import make_corpus
import pyoxigraph as ox
import pytest
from common import children
from helpers import leftovers

from kgbuild import staging
from kgbuild.errors import StoreError
from kgbuild.store import KgStore

KGBUILD = str(Path(sys.executable).parent / "kgbuild")
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="finds child processes through /proc")


def nquads(graph: int, n: int = 50) -> bytes:
    """`n` quads in graph number `graph`, one N-Quads line each."""
    return "".join(f'<http://ex.org/s{graph}-{i}> <http://ex.org/p> "v{i}" <http://ex.org/g{graph}> .\n'
                   for i in range(n)).encode()


def loader_children(pid: int) -> list[int]:
    """The loader processes (`python -m kgbuild.loadchild`) among the descendants of `pid`."""
    found, stack = [], [pid]
    while stack:
        p = stack.pop()
        try:
            stack.extend(children(p))
            with open(f"/proc/{p}/cmdline", "rb") as f:
                if b"kgbuild.loadchild" in f.read():
                    found.append(p)
        except OSError:
            continue
    return found


def alive(pid: int) -> bool:
    """Running and not a zombie."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture
def old_store(tmp_path: Path) -> KgStore:
    """A store that already holds one graph: what a failed load must leave in place."""
    store = KgStore(tmp_path / "store")
    store.bulk_load_nquads(nquads(0))
    return store


def test_batches_are_loaded_by_child_processes_not_by_the_build(
        old_store: KgStore, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: KgStore, data: bytes | Path) -> None:
        raise AssertionError("the building process bulk-loaded a batch itself")

    monkeypatch.setattr(KgStore, "bulk_load_nquads", refuse)
    monkeypatch.setattr(staging, "BATCHES_PER_LOADER", 2)
    started: list[subprocess.Popen[str]] = []
    start = staging._Children._start

    def spy(self: staging._Children) -> subprocess.Popen[str]:
        started.append(start(self))
        return started[-1]

    monkeypatch.setattr(staging._Children, "_start", spy)
    staging.load_and_swap(old_store, (nquads(g) for g in range(1, 8)), batch=1)  # one batch per chunk: 7
    assert len(old_store) == 7 * 50 and not old_store.has_graph(ox.NamedNode("http://ex.org/g0"))
    assert len(started) == 4  # 2 batches per child
    assert all(child.returncode == 0 for child in started)  # each one exited, cleanly, before the swap
    assert leftovers(old_store.path) == []  # type: ignore[arg-type]


def test_a_batch_the_loader_rejects_is_one_error_and_the_store_is_unchanged(old_store: KgStore) -> None:
    bad = b'<http://ex.org/s> <http://ex.org/p> "unterminated <http://ex.org/g9> .\n'
    with pytest.raises(StoreError) as caught:
        staging.load_and_swap(old_store, iter([nquads(1), nquads(2), bad, nquads(3)]), batch=1)
    message = str(caught.value)
    assert "\n" not in message and "the store is unchanged" in message and "SyntaxError" in message
    assert {q.graph_name.value for q in old_store.quads()} == {"http://ex.org/g0"}  # type: ignore[union-attr]
    assert leftovers(old_store.path) == []  # type: ignore[arg-type]


def test_a_loader_that_stops_without_answering_is_an_error_even_with_exit_status_0(
        old_store: KgStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "quitter.py").write_text("import sys\nsys.exit(0)\n")  # reads nothing, loads nothing
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setattr(staging, "LOADER", "quitter")
    with pytest.raises(StoreError, match=r"failed: it did not load 0\.nq; the store is unchanged$"):
        staging.load_and_swap(old_store, iter([nquads(1), nquads(2)]), batch=1)
    assert {q.graph_name.value for q in old_store.quads()} == {"http://ex.org/g0"}  # type: ignore[union-attr]
    assert leftovers(old_store.path) == []  # type: ignore[arg-type]


@linux_only
def test_a_killed_loader_is_one_error_and_the_store_is_unchanged(old_store: KgStore) -> None:
    def chunks() -> Iterator[bytes]:
        yield nquads(1)
        yield nquads(2)
        deadline = time.monotonic() + 30
        while not (children := loader_children(os.getpid())) and time.monotonic() < deadline:
            time.sleep(0.01)
        for child in children:  # the loader, at work on the first batch or waiting for the next one
            os.kill(child, signal.SIGKILL)
        yield nquads(3)
        yield nquads(4)

    with pytest.raises(StoreError, match=r"exit status -9; the store is unchanged$"):
        staging.load_and_swap(old_store, chunks(), batch=1)
    assert len(old_store) == 50 and old_store.has_graph(ox.NamedNode("http://ex.org/g0"))
    assert leftovers(old_store.path) == []  # type: ignore[arg-type]


@linux_only
def test_a_build_killed_alone_takes_its_loader_with_it(tmp_path: Path) -> None:
    """Only the build process is killed (not its group): its loader child must not go on writing."""
    corpus = make_corpus.write_corpus(200, tmp_path / "corpus", seed=5)
    store = tmp_path / "store"
    env = {**os.environ, "KGBUILD_BULK_BATCH_MB": "1", "KGBUILD_LOADER_BATCHES": "1"}
    proc = subprocess.Popen([KGBUILD, "build", str(corpus), "--store", str(store), "-q", "--workers", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    children: list[int] = []
    deadline = time.monotonic() + 120
    while not children and proc.poll() is None and time.monotonic() < deadline:
        children = loader_children(proc.pid)
        time.sleep(0.005)
    proc.kill()
    proc.wait()
    assert children, "the build ended before a loader child was seen"
    deadline = time.monotonic() + 10
    while any(alive(c) for c in children) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(c) for c in children), "a loader child outlived the build"
    reopened = KgStore(store)  # the next writer removes the dead build's staging folder
    assert len(reopened) == 0 and leftovers(store) == []
