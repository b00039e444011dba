"""A small, bounded loopback load: 1,000 mixed requests, 16 at a time, against `kgbuild serve` on the seed store.

The same client as benchmarks/bench_load.py (saved queries with parameters, ad-hoc SPARQL,
and bad requests of every kind). Nothing may get a 5xx or an unexpected status, no
connection may drop, and the server must be alive afterwards.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

from bench_load import run_load
from server_fixtures import kgbuild_serve


def test_a_thousand_mixed_requests_get_no_5xx_and_drop_nothing(seed_store_path: Path, tmp_path: Path) -> None:
    process: list[subprocess.Popen[bytes]] = []
    with kgbuild_serve("--store", str(seed_store_path), log=tmp_path / "serve.log", process=process) as url:
        report = run_load(url, requests=1000, concurrency=16, pid=process[0].pid, max_seconds=120)
        alive = process[0].poll() is None
    print(report.summary())
    assert report.requests == 1000
    assert report.server_errors == 0 and report.dropped == [] and report.unexpected == []
    assert alive
    kinds = {label for label, _ in report.by_label}
    assert {"malformed SPARQL", "5,000 nested groups", "unknown saved query", "who-said-what?speaker"} <= kinds
    assert "Traceback" not in (tmp_path / "serve.log").read_text(errors="replace")
