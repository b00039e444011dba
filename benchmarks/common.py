"""What the server benchmarks share: a free loopback port, and a store built from a synthetic corpus."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import make_corpus

from kgbuild.build import build
from kgbuild.store import KgStore


def children(pid: int) -> list[int]:
    """Linux: the child processes of `pid`, from /proc (OSError once it is gone)."""
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as f:
            found.extend(int(c) for c in f.read().split())
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build_store(articles: int, workdir: Path) -> Path:
    """A synthetic corpus of `articles` (seed 1) built into `workdir`/store; returns the store's path."""
    corpus, path = workdir / "corpus", workdir / "store"
    make_corpus.write_corpus(articles, corpus, seed=1)
    store = KgStore(path)
    report = build([corpus], store=store)
    print(f"built {len(report.built)} articles, {len(store):,} quads into {path}", file=sys.stderr)
    return path


def stop(proc: subprocess.Popen, grace: float = 10.0) -> None:
    """Stop a server the benchmark started: politely, then for sure."""
    proc.terminate()
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
