"""`kgbuild serve --processes 2`: two real server processes on one port; a rebuild is seen by both.

Which process answers a connection is the kernel's choice, so the test opens fresh
connections until both processes (told apart by the pid in /.well-known/kgbuild-stats)
have answered, each time, and checks each one's store generation.
"""
from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx
import make_corpus
from server_fixtures import KGBUILD, REPO, TOKEN, kgbuild_serve
from test_serve_rebuild import CHANGED, changed_copy

from kgbuild.build import build
from kgbuild.store import KgStore


def generations(url: str, tries: int = 200) -> dict[int, str]:
    """The generation each server process reports, by pid (fresh connections until two have answered)."""
    seen: dict[int, str] = {}
    for _ in range(tries):
        stats = httpx.get(url + "/.well-known/kgbuild-stats", headers={"Connection": "close"}).json()
        seen[stats["pid"]] = stats["generation"]
        if len(seen) == 2:
            break
    return seen


def asked(url: str) -> str:
    r = httpx.get(url + "/sparql", params={"query": CHANGED}, headers={"Accept": "text/csv", "Connection": "close"})
    assert r.status_code == 200, r.text
    return r.text.split()[-1]


def test_a_rebuild_is_seen_by_both_processes(tmp_path: Path) -> None:
    corpus = make_corpus.write_corpus(20, tmp_path / "corpus", seed=3, actors=60)
    store = tmp_path / "store"
    build([corpus / "articles"], store=KgStore(store), workers=1)
    with kgbuild_serve("--store", str(store), "--processes", "2", log=tmp_path / "serve.log") as url:
        before = generations(url)
        assert len(before) == 2 and len(set(before.values())) == 1, before
        assert {asked(url) for _ in range(20)} == {"false"}  # now cached in the processes that answered
        changed_copy(corpus, tmp_path / "changed")
        proc = subprocess.run([*KGBUILD, "build", str(tmp_path / "changed" / "articles"), "--store", str(store),
                               "-q", "--workers", "1"], capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        deadline = time.monotonic() + 30
        after = generations(url)
        while (len(after) < 2 or set(after.values()) & set(before.values())) and time.monotonic() < deadline:
            time.sleep(0.2)
            after = generations(url)
        assert len(after) == 2 and not set(after.values()) & set(before.values()), (before, after)
        assert len(set(after.values())) == 1  # both processes agree on what they serve
        assert {asked(url) for _ in range(40)} == {"true"}  # and no process replays its cached "false"
    assert "Traceback" not in (tmp_path / "serve.log").read_text()


def test_several_processes_refuse_a_write_token(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text(TOKEN)
    r = subprocess.run([*KGBUILD, "serve", "--store", str(tmp_path / "store"), "--processes", "2",
                        "--write-token-file", str(token)], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and r.stderr.startswith("Error:") and "--processes 1" in r.stderr
    assert "Traceback" not in r.stderr
