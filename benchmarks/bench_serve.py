"""Serve one store with kgbuild, Oxigraph's own server and rdflib-endpoint; drive all with the same load; compare.

    python benchmarks/bench_serve.py [--articles 300] [--store DIR] [--duration 8] [--connections 8]
                                     [--processes 2] [--no-rdflib]

Builds a synthetic corpus (benchmarks/make_corpus.py) into a temporary store unless
--store is given, then for each server in turn -- `kgbuild serve --processes N`
(read-only, answer cache on), the same without its answer cache
(`--no-answer-cache`: every ad-hoc query is evaluated), `oxigraph serve-read-only
--union-default-graph` (PyPI package `oxigraph`) and `rdflib-endpoint` (PyPI; pip-installed
into this Python when missing) on an N-Quads export of the same data -- checks that
every request answers 200 with the same number of rows, then runs three bounded
loopback loads with --connections concurrent connections:

* saved: the project's saved queries (queries/*.rq, parameters left to their
  defaults), as kgbuild's API `/queries/NAME.json` and as the same SPARQL text
  sent to the other servers' query endpoints;
* adhoc: SPARQL queries a client would send (lookups, joins, a GROUP BY count
  over the whole store), to each server's SPARQL endpoint;
* lookup: only the tiny index lookups, where the HTTP layer's own cost shows.

The load generator is Debian's `wrk` (one thread, C; `apt-get install wrk`); without
it an asyncio httpx client stands in and says so. Every run lasts --duration seconds
(rdflib-endpoint: at most 5) and the script stops by itself. Prints the load average
(the machine may be shared), kgbuild's cache limits and counters
(/.well-known/kgbuild-stats), then requests/s and p50/p99 latency side by side with
kgbuild's ratio to Oxigraph's server and to rdflib-endpoint.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from common import build_store, free_port  # noqa: E402

from kgbuild.queries import saved_queries  # noqa: E402
from kgbuild.vocab import PREFIXES  # noqa: E402

ACCEPT = "application/sparql-results+json"
ADHOC = [
    "SELECT ?label WHERE { <https://w3id.org/kgbuild/id/actor/trump> <http://www.w3.org/2000/01/rdf-schema#label> ?label }",
    "SELECT ?s ?label WHERE { ?s a <https://w3id.org/kgbuild/ontology#Claim> ; "
    "<http://www.w3.org/2000/01/rdf-schema#label> ?label } LIMIT 20",
    "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type ORDER BY DESC(?n) LIMIT 10",
    "SELECT ?speaker ?text WHERE { ?q a <http://schema.org/Quotation> ; <http://schema.org/author> ?speaker ; "
    "<http://schema.org/text> ?text } LIMIT 25",
    "ASK { ?s <http://www.w3.org/2002/07/owl#sameAs> ?o }",
    "SELECT ?a ?label WHERE { ?a a <http://semanticweb.cs.vu.nl/2009/11/sem/Actor> ; "
    "<http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?label LIMIT 10",
]
# Tiny queries (index lookups): the HTTP layer's own cost shows most here.
LOOKUP = [
    "SELECT ?label WHERE { <https://w3id.org/kgbuild/id/actor/trump> <http://www.w3.org/2000/01/rdf-schema#label> ?label }",
    "SELECT ?p ?o WHERE { <https://w3id.org/kgbuild/id/actor/trump> ?p ?o } LIMIT 20",
    "ASK { ?s <http://www.w3.org/2002/07/owl#sameAs> ?o }",
    "SELECT ?s WHERE { ?s a <http://schema.org/Quotation> } LIMIT 5",
]
WORKLOADS = ("saved", "adhoc", "lookup")


@dataclass
class Server:
    name: str
    cmd: list[str]
    port: int
    query_path: str  # where ad-hoc SPARQL goes
    saved_style: str  # "api" (kgbuild /queries) or "sparql" (the query text to query_path)
    startup: float = 30.0
    warmup_timeout: float = 120.0
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int
    seconds: float = 0.0  # the run's length


def with_prefixes(sparql: str) -> str:
    """The saved query as a standalone text: kgbuild supplies its prefixes, other servers need them declared."""
    declared = set(re.findall(r"PREFIX\s+([\w-]*):", sparql, re.I))
    lines = [f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items() if p not in declared]
    return "\n".join(lines) + "\n" + sparql


def saved_workload(store: Path, budget: float) -> tuple[list[tuple[str, str]], list[str]]:
    """(kgbuild API path, standalone SPARQL) for every saved query that binds no parameter by default.

    Each is first run once with `kgbuild query` in a child process killed after `budget`
    seconds: a query that cannot answer in that time on this corpus is left out (and named),
    since a load test of it would only measure that one query.
    """
    out, skipped = [], []
    kgbuild = [sys.executable, "-c", "from kgbuild.cli import main; main()"]
    for name, q in saved_queries(REPO / "queries").items():
        if any(p.default is not None or not p.optional for p in q.parameters):
            continue  # other servers cannot bind a parameter: compare only queries that need none
        try:
            subprocess.run([*kgbuild, "query", name, "--store", str(store), "-f", "json"], cwd=REPO, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=budget)
        except (subprocess.TimeoutExpired, subprocess.CalledProcessError):
            skipped.append(name)
            continue
        out.append((f"/queries/{quote(name)}.json", with_prefixes(q.sparql)))
    return out, skipped


def paths_for(server: Server, workload: str, saved: list[tuple[str, str]]) -> list[str]:
    if workload == "saved":
        if server.saved_style == "api":
            return [api for api, _ in saved]
        return [server.query_path + "?" + urlencode({"query": text}) for _, text in saved]
    return [server.query_path + "?" + urlencode({"query": q}) for q in (ADHOC if workload == "adhoc" else LOOKUP)]


def start(server: Server) -> None:
    server.proc = subprocess.Popen(server.cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   start_new_session=True)
    import httpx

    deadline = time.monotonic() + server.startup
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            err = server.proc.stderr.read().decode() if server.proc.stderr else ""
            raise RuntimeError(f"{server.name} exited: {err[-2000:]}")
        try:
            httpx.get(server.url + server.query_path, params={"query": "ASK {}"}, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"{server.name} did not start in {server.startup:.0f}s")


def stop(server: Server) -> None:
    if server.proc is not None and server.proc.poll() is None:
        os.killpg(server.proc.pid, signal.SIGTERM)
        try:
            server.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.proc.pid, signal.SIGKILL)
            server.proc.wait()


def answer_sizes(server: Server, paths: list[str]) -> list[int]:
    """Warm up and check: each path answers 200; return row counts (1 for ASK) to compare servers."""
    import httpx

    sizes = []
    with httpx.Client(base_url=server.url, timeout=server.warmup_timeout) as client:
        for path in paths:
            try:
                r = client.get(path, headers={"Accept": ACCEPT})
            except httpx.TimeoutException:
                raise RuntimeError(f"{server.name}: one query took over {server.warmup_timeout:.0f}s") from None
            if r.status_code != 200:
                raise RuntimeError(f"{server.name} {path[:120]}: {r.status_code} {r.text[:300]}")
            data = r.json()
            sizes.append(len(data["results"]["bindings"]) if "results" in data else 1)
    return sizes


def warm_every_process(server: Server, paths: list[str], processes: int) -> None:
    """Ask each path again on fresh connections, so that (very likely) every server process has answered it once.

    The kernel picks the process that accepts a connection; six tries per process leave
    a given process unasked with a chance of about 2%.
    """
    import httpx

    for _ in range(6 * processes if processes > 1 else 0):
        for path in paths:
            httpx.get(server.url + path, headers={"Accept": ACCEPT, "Connection": "close"},
                      timeout=server.warmup_timeout)


WRK_SCRIPT = """
local paths = {%s}
local n = 0
request = function()
  n = n %% #paths + 1
  return wrk.format("GET", paths[n], {["Accept"] = "%s"})
end
"""


def _ms(value: str) -> float:
    m = re.match(r"([\d.]+)(us|ms|s|m)$", value)
    if not m:
        return float("nan")
    number, unit = float(m.group(1)), m.group(2)
    return number * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def run_wrk(server: Server, paths: list[str], duration: float, connections: int, workdir: Path) -> Result:
    script = workdir / "paths.lua"
    script.write_text(WRK_SCRIPT % (", ".join(json.dumps(p) for p in paths), ACCEPT))
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{duration:.0f}s", "--timeout", "30s", "--latency",
                          "-s", str(script), server.url], capture_output=True, text=True,
                         timeout=duration + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    # the latency distribution's own lines: "     50%    1.26ms" (not a "96.50%" in the Stdev column)
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = int(bad.group(1)) if bad else 0
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if sock:
        errors += sum(int(x) for x in sock.groups())
    return Result(rps, p50, p99, errors, total)


def run_httpx(server: Server, paths: list[str], duration: float, connections: int) -> Result:
    import httpx

    latencies: list[float] = []
    errors = 0

    async def worker(client: httpx.AsyncClient, offset: int, stop_at: float) -> None:
        nonlocal errors
        i = offset
        while time.monotonic() < stop_at:
            t0 = time.perf_counter()
            r = await client.get(paths[i % len(paths)], headers={"Accept": ACCEPT})
            await r.aread()
            latencies.append((time.perf_counter() - t0) * 1000)
            errors += r.status_code >= 400
            i += 1

    async def main() -> float:
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=30) as client:
            t0 = time.monotonic()
            await asyncio.gather(*(worker(client, k, t0 + duration) for k in range(connections)))
            return time.monotonic() - t0

    elapsed = asyncio.run(main())
    qs = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [float("nan")] * 99
    return Result(len(latencies) / elapsed, qs[49], qs[98], errors, len(latencies))


def ensure_rdflib_endpoint(bindir: Path) -> bool:
    """rdflib-endpoint's command, pip-installed into this Python if missing; False if that fails."""
    if (bindir / "rdflib-endpoint").exists():
        return True
    print("installing rdflib-endpoint (pip) for the comparison ...", file=sys.stderr)
    done = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "rdflib-endpoint[cli]"],
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        print(f"  could not install rdflib-endpoint: {done.stderr.strip()[-500:]}", file=sys.stderr)
    return (bindir / "rdflib-endpoint").exists()


def cache_report(server: Server) -> None:
    """Each kgbuild process's cache limits and counters, from /.well-known/kgbuild-stats."""
    import httpx

    seen: dict[int, dict[str, object]] = {}
    for _ in range(50):
        stats = httpx.get(server.url + "/.well-known/kgbuild-stats", headers={"Connection": "close"}).json()
        seen[stats["pid"]] = stats
    for pid, stats in sorted(seen.items()):
        for name in ("saved_query_cache", "http_answer_cache"):
            c = stats[name]
            if not isinstance(c, dict):
                continue
            print(f"  {server.name} pid {pid} {name}: {c['policy']}, at most {c['max_answer_bytes']:,} B per answer,"
                  f" {c['budget_bytes']:,} B and {c['max_entries']} answers in all; holds {c['entries']} answers, "
                  f"{c['bytes']:,} B; hits {c['hits']:,}, misses {c['misses']:,}, computed {c['computed']:,}, "
                  f"too big {c['too_big']}, evicted {c['evicted']}", file=sys.stderr)


def ratio(r: Result, base: Result | None) -> str:
    """r's rate over base's; when no request of base finished in its run, a lower bound (base < 1 per run)."""
    if base is None:
        return "-"
    if base.requests == 0:
        return f"> {r.rps * base.seconds:,.0f}x"
    return f"{r.rps / base.rps:.2f}x"


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=300, help="synthetic articles to build (default 300)")
    parser.add_argument("--store", type=Path, help="use this built store instead of a synthetic one")
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per load run (default 8)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--no-rdflib", action="store_true", help="skip rdflib-endpoint")
    parser.add_argument("--workers", type=int, default=None, help="kgbuild serve --workers (default: its own)")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1,
                        help="kgbuild serve --processes (default: the CPU count, as Oxigraph uses every core)")
    parser.add_argument("--query-budget", type=float, default=5.0,
                        help="leave out saved queries slower than this alone (default 5 s)")
    args = parser.parse_args()
    duration = min(max(args.duration, 1.0), 60.0)  # bounded whatever the arguments
    bindir = Path(sys.executable).parent
    workdir = Path(tempfile.mkdtemp(prefix="kgbuild-bench-"))
    try:
        store = args.store or build_store(args.articles, workdir)
        saved, too_slow = saved_workload(store, args.query_budget)
        if too_slow:
            print(f"left out (over {args.query_budget:.0f}s alone on this corpus): {', '.join(too_slow)}",
                  file=sys.stderr)
        kgbuild = [str(bindir / "kgbuild"), "serve", "--store", str(store), "--port", "0",
                   "--processes", str(args.processes), *(["--workers", str(args.workers)] if args.workers else [])]
        servers = [
            Server("kgbuild", kgbuild, 0, "/sparql", "api"),
            Server("kgbuild-nocache", [*kgbuild, "--no-answer-cache"], 0, "/sparql", "api"),
            Server("oxigraph", [str(bindir / "oxigraph"), "serve-read-only", "--location", str(store),
                                "--union-default-graph"], 0, "/query", "sparql"),
        ]
        if not args.no_rdflib and ensure_rdflib_endpoint(bindir):
            from kgbuild.export import export
            from kgbuild.store import KgStore

            data = workdir / "data.nq"
            with open(data, "wb") as fh:
                export(KgStore(store, read_only=True), "nquads", output=fh)
            servers.append(Server("rdflib-endpoint", [str(bindir / "rdflib-endpoint"), "serve", "--host",
                                                      "127.0.0.1", "--port", "0", str(data)], 0, "/", "sparql",
                                  startup=900.0, warmup_timeout=60.0))
        for s in servers:
            s.port = free_port()
            s.cmd = [c if c != "0" or s.cmd[i - 1] != "--port" else str(s.port) for i, c in enumerate(s.cmd)]
            if s.name == "oxigraph":
                s.cmd += ["--bind", f"127.0.0.1:{s.port}"]
        use_wrk = shutil.which("wrk") is not None
        generator = "wrk (1 thread)" if use_wrk else "asyncio httpx (wrk not installed; may be the bottleneck)"
        print(f"load: {generator}, {args.connections} connections, {duration:.0f}s per run, loopback only; "
              f"kgbuild with {args.processes} processes; load average {load()} on {os.cpu_count()} CPUs",
              file=sys.stderr)
        results: dict[tuple[str, str], Result] = {}
        reference: dict[str, list[int]] = {}
        for server in servers:
            try:
                start(server)
            except RuntimeError as exc:
                print(f"  {server.name}: not measured ({exc})", file=sys.stderr)
                continue
            try:
                for workload in WORKLOADS:
                    paths = paths_for(server, workload, saved)
                    try:
                        sizes = answer_sizes(server, paths)
                    except RuntimeError as exc:
                        print(f"  {server.name:16} {workload:6} not measured: {exc}", file=sys.stderr)
                        continue
                    if workload in reference and sizes != reference[workload]:
                        print(f"warning: {server.name} {workload} row counts {sizes} differ from {reference[workload]}",
                              file=sys.stderr)
                    reference.setdefault(workload, sizes)
                    if server.name.startswith("kgbuild"):
                        warm_every_process(server, paths, args.processes)
                    run_duration = duration if server.name != "rdflib-endpoint" else min(duration, 5.0)
                    results[(server.name, workload)] = (
                        run_wrk(server, paths, run_duration, args.connections, workdir) if use_wrk
                        else run_httpx(server, paths, run_duration, args.connections))
                    r = results[(server.name, workload)]
                    r.seconds = run_duration
                    print(f"  {server.name:16} {workload:6} {r.rps:9.1f} req/s  p50 {r.p50_ms:8.2f} ms  "
                          f"p99 {r.p99_ms:8.2f} ms  ({r.requests} requests, {r.errors} errors)", file=sys.stderr)
                if server.name.startswith("kgbuild"):
                    cache_report(server)
            finally:
                stop(server)
        print(f"\nSaved queries: {len(saved)} ({', '.join(api.split('/')[2] for api, _ in saved)}); "
              f"ad-hoc queries: {len(ADHOC)}; lookups: {len(LOOKUP)}" + (f"; left out as too slow: {', '.join(too_slow)}" if too_slow else ""))
        print(f"Load average {load()} (1, 5, 15 min) on {os.cpu_count()} CPUs at the end; kgbuild: "
              f"--processes {args.processes}; kgbuild-nocache: the same with --no-answer-cache")
        print("| workload | server | req/s | p50 ms | p99 ms | errors | vs oxigraph | vs rdflib-endpoint |")
        print("|---|---|---:|---:|---:|---:|---:|---:|")
        for workload in WORKLOADS:
            base = results.get(("oxigraph", workload))
            peer = results.get(("rdflib-endpoint", workload))
            for server in servers:
                r = results.get((server.name, workload))
                if r is None:
                    continue
                ratios = [ratio(r, b) for b in (base, peer)]
                shown = (f"{r.rps:,.1f} | {r.p50_ms:.2f} | {r.p99_ms:.2f}" if r.requests else
                         f"< {1 / r.seconds:.1f} (none finished in {r.seconds:.0f} s) | - | -")
                print(f"| {workload} | {server.name} | {shown} | {r.errors} | {ratios[0]} | {ratios[1]} |")
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
