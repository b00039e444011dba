"""A bounded loopback load test of `kgbuild serve`: many clients, good and bad requests, nothing may break.

    python benchmarks/bench_load.py [--requests 20000] [--concurrency 32] [--articles 300] [--store DIR]

Builds a synthetic corpus (benchmarks/make_corpus.py N DIR, then `kgbuild build DIR/articles
--store S`) unless --store is given, starts `kgbuild serve` on it as a child process on
127.0.0.1, and sends a fixed number of requests from an asyncio client (httpx) with a fixed
number in flight. The mix (seeded, so runs compare):

* saved queries with parameters, GET /queries/NAME[.ext]?params, with values drawn from the
  store (actor and article IRIs, statuses, sentence numbers): answers 200 (or 304);
* ad-hoc SPARQL lookups at /sparql: 200;
* bad requests: malformed SPARQL, SERVICE to another host, a query nested 5,000 deep, unknown
  saved-query names, parameters of the wrong type or unknown ones, an Accept nothing satisfies:
  each must get its 4xx, never a 5xx.

It reports the requests, the status counts, 5xx and dropped connections (both expected to be
zero), p50/p90/p99/max latency and the server's resident memory after a warm-up and at the
end (flat memory: the answer cache and the worker pool are bounded). It stops by itself after
--requests or --max-seconds, and exits 1 if any request got a 5xx, an unexpected status, or
lost its connection. `run_load` is also what tests/test_load_small.py runs, smaller.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from common import build_store, free_port, stop

REPO = Path(__file__).resolve().parents[1]
KGBUILD = [sys.executable, "-c", "from kgbuild.cli import main; main()"]
KG = "https://w3id.org/kgbuild/ontology#"
ALLOWED = {"ok": {200, 304}, "bad": {400}, "missing": {404}, "unacceptable": {406}}


@dataclass(frozen=True)
class Request:
    kind: str  # a key of ALLOWED: the statuses this request may get
    label: str  # for the per-label counts
    path: str
    params: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()


@dataclass
class Report:
    requests: int = 0
    seconds: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)
    by_label: Counter[tuple[str, int]] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    rss_warm_kb: int | None = None
    rss_end_kb: int | None = None

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def percentile(self, p: float) -> float:
        data = sorted(self.latencies)
        return data[min(len(data) - 1, int(p / 100 * len(data)))] * 1000 if data else 0.0

    def summary(self) -> str:
        lines = [
            f"requests: {self.requests:,} in {self.seconds:.1f} s ({self.requests / max(self.seconds, 1e-9):,.0f}/s)",
            "statuses: " + ", ".join(f"{s}: {n:,}" for s, n in sorted(self.statuses.items())),
            f"5xx: {self.server_errors}; dropped connections: {len(self.dropped)}; "
            f"unexpected statuses: {len(self.unexpected)}",
            f"latency ms: p50 {self.percentile(50):.1f}, p90 {self.percentile(90):.1f}, "
            f"p99 {self.percentile(99):.1f}, max {max(self.latencies, default=0) * 1000:.1f}, "
            f"mean {statistics.fmean(self.latencies) * 1000 if self.latencies else 0:.1f}",
        ]
        if self.rss_warm_kb and self.rss_end_kb:
            lines.append(f"server RSS: {self.rss_warm_kb / 1024:.1f} MiB after warm-up, {self.rss_end_kb / 1024:.1f} MiB "
                         f"at the end ({(self.rss_end_kb - self.rss_warm_kb) / 1024:+.1f} MiB)")
        for label in sorted({label for label, _ in self.by_label}):
            counts = ", ".join(f"{s}: {n:,}" for (lab, s), n in sorted(self.by_label.items()) if lab == label)
            lines.append(f"  {label:28} {counts}")
        for problem in (self.unexpected + self.dropped)[:10]:
            lines.append(f"  ! {problem}")
        return "\n".join(lines)


def rss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def sample_values(url: str) -> dict[str, list[str]]:
    """IRIs and values that exist in the served store, for the saved queries' parameters."""
    def column(query: str) -> list[str]:
        r = httpx.get(url + "/sparql", params={"query": query}, headers={"Accept": "text/csv"}, timeout=60)
        r.raise_for_status()
        return [line.strip() for line in r.text.splitlines()[1:] if line.strip()]

    return {
        "actor": column("SELECT DISTINCT ?a WHERE { ?q a <http://schema.org/Quotation> ; <http://schema.org/author> ?a }"
                        " LIMIT 200") or ["https://w3id.org/kgbuild/id/actor/nobody"],
        "claimant": column(f"SELECT DISTINCT ?a WHERE {{ ?c a <{KG}Claim> ; <http://schema.org/author> ?a }} LIMIT 200")
        or ["https://w3id.org/kgbuild/id/actor/nobody"],
        "article": column("SELECT ?a WHERE { ?a a <http://schema.org/NewsArticle> } LIMIT 200")
        or ["https://w3id.org/kgbuild/id/article/none"],
    }


def request_mix(values: dict[str, list[str]], rng: random.Random) -> Callable[[], Request]:
    """A function drawing the next request: about 70% good saved queries, 10% ad-hoc SPARQL, 20% bad requests."""
    statuses = ["occurred", "ongoing", "threatened", "proposed", "conditional", "reported"]
    deep = "SELECT * WHERE " + "{" * 5000 + "}" * 5000
    good: list[Callable[[], Request]] = [
        lambda: Request("ok", "who-said-what", "/queries/who-said-what.json"),
        lambda: Request("ok", "who-said-what?speaker", "/queries/who-said-what.csv",
                        (("speaker", rng.choice(values["actor"])),)),
        lambda: Request("ok", "claims-by-actor?claimant", "/queries/claims-by-actor.json",
                        (("claimant", rng.choice(values["claimant"])),)),
        lambda: Request("ok", "military-actions?status", "/queries/military-actions-by-status.tsv",
                        (("status", rng.choice(statuses)),)),
        lambda: Request("ok", "sentence?n&article", "/queries/sentence.json",
                        (("n", str(rng.randint(1, 12))), ("article", rng.choice(values["article"])))),
        lambda: Request("ok", "actor-profile?actor", "/queries/actor-profile.csv",
                        (("actor", rng.choice(values["actor"])),)),
        lambda: Request("ok", "threats-and-red-lines", "/queries/threats-and-red-lines.xml"),
        lambda: Request("ok", "queries list", "/queries"),
    ]
    adhoc: list[Callable[[], Request]] = [
        lambda: Request("ok", "sparql lookup", "/sparql", (("query", f"SELECT ?p ?o WHERE {{ <{rng.choice(values['actor'])}>"
                                                                      " ?p ?o } LIMIT 20"),),
                        (("Accept", "application/sparql-results+json"),)),
        lambda: Request("ok", "sparql ask", "/sparql", (("query", "ASK { ?s a <http://schema.org/Quotation> }"),)),
    ]
    bad: list[Callable[[], Request]] = [
        lambda: Request("bad", "malformed SPARQL", "/sparql", (("query", "SELECT ?s WHERE { ?s ?p"),)),
        lambda: Request("bad", "SPARQL garbage", "/sparql", (("query", rng.choice(["}{", "\x00", "SELECT", "#"])),)),
        lambda: Request("bad", "SERVICE elsewhere", "/sparql",
                        (("query", "SELECT * WHERE { SERVICE <http://10.255.255.1/sparql> { ?s ?p ?o } }"),)),
        lambda: Request("bad", "5,000 nested groups", "/sparql", (("query", deep),)),
        lambda: Request("missing", "unknown saved query", f"/queries/no-such-query-{rng.randint(0, 99)}"),
        lambda: Request("bad", "parameter of the wrong type", "/queries/sentence.json", (("n", "three"),)),
        lambda: Request("bad", "IRI parameter not an IRI", "/queries/actor-profile.csv",
                        (("actor", 'x" } UNION { ?s ?p ?o } #'),)),
        lambda: Request("bad", "unknown parameter", "/queries/who-said-what.json", (("speeker", "x"),)),
        lambda: Request("bad", "missing parameter", "/queries/actor-profile.csv"),
        lambda: Request("unacceptable", "nothing acceptable", "/queries/who-said-what",
                        headers=(("Accept", "image/png"),)),
    ]

    def draw() -> Request:
        roll = rng.random()
        pool = good if roll < 0.7 else adhoc if roll < 0.8 else bad
        return rng.choice(pool)()

    return draw


async def _run(url: str, total: int, concurrency: int, draw: Callable[[], Request], report: Report,
               pid: int | None, max_seconds: float) -> None:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    deadline = time.monotonic() + max_seconds
    sent = 0
    warm_at = max(1, total // 10)

    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:
        async def worker() -> None:
            nonlocal sent
            while sent < total and time.monotonic() < deadline:
                sent += 1
                if sent == warm_at and pid is not None:
                    report.rss_warm_kb = rss_kb(pid)
                req = draw()
                start = time.perf_counter()
                try:
                    r = await client.get(req.path, params=req.params, headers=dict(req.headers))
                    await r.aread()
                except httpx.TimeoutException as exc:
                    report.dropped.append(f"{req.label}: timeout {type(exc).__name__}")
                    continue
                except httpx.TransportError as exc:  # reset, refused, closed mid-answer
                    report.dropped.append(f"{req.label}: {type(exc).__name__}: {exc}")
                    continue
                report.latencies.append(time.perf_counter() - start)
                report.requests += 1
                report.statuses[r.status_code] += 1
                report.by_label[(req.label, r.status_code)] += 1
                if r.status_code not in ALLOWED[req.kind]:
                    report.unexpected.append(f"{req.label}: {r.status_code} {r.text[:120]!r}")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        report.seconds = time.perf_counter() - started
    if pid is not None:
        report.rss_end_kb = rss_kb(pid)


def run_load(url: str, *, requests: int, concurrency: int, pid: int | None = None, seed: int = 6,
             max_seconds: float = 600.0) -> Report:
    """Send `requests` mixed requests to the server at `url`, `concurrency` at a time; report what came back."""
    rng = random.Random(seed)
    report = Report()
    asyncio.run(_run(url, requests, concurrency, request_mix(sample_values(url), rng), report, pid, max_seconds))
    return report


# ------------------------------------------------------------------ the command
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--articles", type=int, default=300, help="synthetic corpus size (without --store)")
    parser.add_argument("--store", type=Path, default=None, help="serve this store instead of a synthetic one")
    parser.add_argument("--max-seconds", type=float, default=600.0, help="stop sending after this long")
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kgbuild-load-") as tmp:
        store = args.store or build_store(args.articles, Path(tmp))
        port = free_port()
        log = open(Path(tmp) / "serve.log", "wb")  # noqa: SIM115
        server = subprocess.Popen([*KGBUILD, "serve", "--store", str(store), "--port", str(port)], cwd=REPO,
                                  stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                if server.poll() is not None:
                    raise SystemExit(f"kgbuild serve exited: {(Path(tmp) / 'serve.log').read_text()}")
                try:
                    httpx.get(url + "/sparql", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            print(f"kgbuild serve (pid {server.pid}) on {url}, store {store}; {args.requests:,} requests, "
                  f"{args.concurrency} concurrent", file=sys.stderr)
            report = run_load(url, requests=args.requests, concurrency=args.concurrency, pid=server.pid,
                              seed=args.seed, max_seconds=args.max_seconds)
            alive = server.poll() is None
        finally:
            stop(server)
            log.close()
        print(report.summary())
        print(f"server alive at the end: {alive}")
        logged = (Path(tmp) / "serve.log").read_text(errors="replace")
        if "Traceback" in logged:
            print("server log has tracebacks:\n" + logged[-2000:])
    failed = report.server_errors or report.dropped or report.unexpected or not alive
    return 1 if failed else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
