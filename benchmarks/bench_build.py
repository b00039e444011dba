"""Build benchmark: `kgbuild build` against Oxigraph's raw bulk load and rdflib, plus saved-query latency.

    python benchmarks/bench_build.py [--sizes 1000,10000] [--with-100k] [--work-dir DIR] [--no-limit]

For each corpus size N (a synthetic corpus from make_corpus.py, seed 1):

  (a) build   `kgbuild build CORPUS --store S -q` in a subprocess, into a fresh store; then
              `describe`: the VoID description recounted on S (void.refresh, as an incremental
              build with changes does), in a subprocess of its own;
  (b) limit   pyoxigraph `Store.bulk_load` of the very N-Quads that build produced (dumped
              from S: article graphs, ontology, registry and VoID), in a subprocess, into a
              fresh store: once as one call on the whole file, then in calls of build's batch
              size (8 MB) and of 64 MB (Oxigraph keeps a call's input in memory, so one call
              on a big file is slower and memory-bound); the fastest of these is the limit;
  (c) rdflib  parsing the same N-Quads into an rdflib Dataset, in a subprocess: what a user
              would write first (ingestion only: no validation, no mapping, so it favours rdflib);

each with wall time, CPU time (user+sys of the process tree), quads/s and peak RSS (the
process tree's resident memory, the sum over its processes, sampled every 20 ms; a child
between vfork and exec shares its parent's memory and is not counted twice). Then the ratios build/limit and
build/rdflib (of quads/s), and for each store each saved query's median latency with
sample parameters, the rows it returns, and Oxigraph's own plan statistics (`oxigraph
query --explain --stats`): the quad pattern that produced the most rows. A query is
flagged when a pattern reads a large share of the store or its time grows with the
store while its answer does not (a scan where an index would do).

The machine may be shared: the load average is printed next to every measurement, and
CPU seconds are a steadier figure than wall time when it is high.
"""
from __future__ import annotations

import argparse
import ctypes
import json
import math
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import make_corpus  # noqa: E402
from common import children  # noqa: E402

from kgbuild.staging import BULK_BATCH_BYTES  # noqa: E402

PY = sys.executable
BIN = Path(sys.executable).parent
# Batch sizes for the limit's batched runs: build's own and a larger one (the faster run is the limit).
BATCHES_MB = sorted({BULK_BATCH_BYTES >> 20, 64})
ONE_CALL_BELOW = 100_000  # one bulk_load call on the whole file held 1.6 GB for 3 million quads
QUERY_TIMEOUT = 60.0  # a saved query slower than this is reported as such, not waited for
EXPLAIN_BELOW = 10.0  # explaining re-runs the query with statistics: only for queries faster than this


# ---------------------------------------------------------------- measuring a child process
_SYS_KCMP = {"x86_64": 312, "aarch64": 272}.get(platform.machine())  # kcmp(2), Linux
_KCMP_VM = 1
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def _same_memory(pid: int, parent: int) -> bool:
    """Whether `pid` runs in its parent's address space: a child between vfork and exec (how Python and
    posix_spawn start programs) shows its parent's RSS as its own, though it holds nothing more."""
    if _LIBC is None or _SYS_KCMP is None:
        return False
    return int(_LIBC.syscall(_SYS_KCMP, pid, parent, _KCMP_VM, 0, 0)) == 0


def _tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (Linux /proc), each address space once."""
    total, stack = 0, [(pid, 0)]
    while stack:
        p, parent = stack.pop()
        try:
            if not (parent and _same_memory(p, parent)):
                with open(f"/proc/{p}/status", encoding="ascii") as f:
                    for line in f:
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1]) * 1024
                            break
            stack.extend((c, p) for c in children(p))
        except (OSError, ValueError):
            continue
    return total


@dataclass
class Run:
    wall: float
    cpu: float
    peak_rss: int
    stdout: str
    returncode: int


def measure(cmd: list[str], *, memory_limit: int | None = None, timeout: float | None = None) -> Run:
    """Run `cmd`, sampling its process tree's RSS; wall and CPU seconds (children's rusage)."""
    def limit() -> None:
        if memory_limit:
            resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=limit)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    done.set()
    sampler.join()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        sys.stderr.write(err[-3000:])
    return Run(wall, cpu, peak[0], out, proc.returncode)


def loadavg() -> str:
    return f"{os.getloadavg()[0]:.1f}"


# ---------------------------------------------------------------- the three ways in
DESCRIBE_SCRIPT = """
import sys
from kgbuild import void
from kgbuild.store import KgStore
from kgbuild.vocab import Iris
store = KgStore(sys.argv[1])
print(len(void.refresh(store, Iris(store.base))))
"""
LIMIT_SCRIPT = """
import sys, pyoxigraph as ox
store = ox.Store(sys.argv[2])
store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_QUADS)
print(len(store))
"""
LIMIT_BATCHED_SCRIPT = """
import sys, pyoxigraph as ox
store = ox.Store(sys.argv[2])
batch = int(sys.argv[3]) << 20
with open(sys.argv[1], "rb") as f:
    while lines := f.readlines(batch):
        store.bulk_load(input=b"".join(lines), format=ox.RdfFormat.N_QUADS)
print(len(store))
"""
RDFLIB_SCRIPT = """
import sys, itertools, rdflib
limit = int(sys.argv[2])
ds = rdflib.Dataset()
if limit:
    with open(sys.argv[1], encoding="utf-8") as f:
        data = "".join(itertools.islice(f, limit))
    ds.parse(data=data, format="nquads")
else:
    ds.parse(sys.argv[1], format="nquads")
print(sum(len(g) for g in ds.graphs()))
"""


def count_lines(path: Path) -> int:
    with open(path, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


def store_size(store: Path) -> int:
    import pyoxigraph as ox

    return len(ox.Store.read_only(str(store)))


def dump_store(store: Path, out: Path) -> int:
    import pyoxigraph as ox

    s = ox.Store.read_only(str(store))
    with open(out, "wb") as f:
        s.dump(f, format=ox.RdfFormat.N_QUADS)
    return len(s)


# ---------------------------------------------------------------- saved queries
QUERY_SCRIPT = r"""
import json, statistics, sys, time
from pathlib import Path
from kgbuild.queries import parse_saved_query, run_saved_query
from kgbuild.store import KgStore
import pyoxigraph as ox
store = KgStore(sys.argv[1], read_only=True)
query = parse_saved_query(Path(sys.argv[2]))
params = json.loads(sys.argv[3])
runs, budget = int(sys.argv[4]), float(sys.argv[5])
def once():
    result = run_saved_query(store, query, params)
    if isinstance(result, ox.QueryBoolean):
        return 1
    return sum(1 for _ in result)
times, rows = [], 0
start = time.perf_counter()
rows = once()  # warm-up: caches, page cache
first = time.perf_counter() - start
for _ in range(runs):
    if first > budget:
        times.append(first)
        break
    t = time.perf_counter()
    rows = once()
    times.append(time.perf_counter() - t)
print(json.dumps({"median": statistics.median(times), "rows": rows, "runs": len(times)}))
"""

SAMPLES = """
PREFIX schema: <http://schema.org/>
SELECT ?author (COUNT(*) AS ?n) WHERE { ?q schema:author ?author } GROUP BY ?author ORDER BY DESC(?n) LIMIT 1
"""


def sample_parameters(store: Path) -> dict[str, str]:
    """Values for saved-query parameters: the most prolific author (the worst case), the first article."""
    import pyoxigraph as ox

    s = ox.Store.read_only(str(store))
    author = next(iter(s.query(SAMPLES, use_default_graph_as_union=True)))["author"].value
    article = next(iter(s.query("SELECT ?a WHERE { ?a a <http://schema.org/NewsArticle> } LIMIT 1",
                                use_default_graph_as_union=True)))["a"].value
    return {"iri": author, "article": article, "string": "occurred", "integer": "1", "decimal": "1",
            "boolean": "true", "date": "2025-06-01", "year": "2025"}


def parameters_for(query: object, samples: dict[str, str]) -> dict[str, str]:
    out = {}
    for p in query.parameters:  # type: ignore[attr-defined]
        if p.default is not None:
            continue
        out[p.name] = samples["article"] if p.name == "article" else samples[p.type]
    return out


def explain(store: Path, query: object, params: dict[str, str]) -> dict[str, object] | None:
    """Oxigraph's plan with row counts (oxigraph CLI); parameters written in as an inline VALUES block."""
    from kgbuild.queries import PREFIXES

    oxigraph = shutil.which("oxigraph", path=str(BIN)) or shutil.which("oxigraph")
    if oxigraph is None:
        return None
    # Comment lines out (their words could look like keywords), then the parameters as a VALUES block.
    sparql = "\n".join("" if line.lstrip().startswith("#") else line
                       for line in query.sparql.splitlines())  # type: ignore[attr-defined]
    if params:
        bound = query.bindings(params)  # type: ignore[attr-defined]
        names = " ".join(f"?{v.value}" for v in bound)
        values = " ".join(str(t) for t in bound.values())
        at = sparql.upper().find("WHERE")
        brace = sparql.find("{", at)
        if at < 0 or brace < 0:
            return None
        sparql = sparql[: brace + 1] + f"\n  VALUES ({names}) {{ ({values}) }}\n" + sparql[brace + 1:]
    prefixes = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())
    with tempfile.TemporaryDirectory() as tmp:
        qf, ef, rf = Path(tmp) / "q.rq", Path(tmp) / "plan.json", Path(tmp) / "out.csv"
        qf.write_text(prefixes + sparql, "utf-8")
        try:
            subprocess.run([oxigraph, "query", "--location", str(store), "--union-default-graph",
                            "--query-file", str(qf), "--results-file", str(rf), "--results-format", "csv",
                            "--explain-file", str(ef), "--stats"],
                           check=True, capture_output=True, timeout=QUERY_TIMEOUT)
        except (subprocess.SubprocessError, OSError):
            return None
        plan = json.loads(ef.read_text("utf-8"))
    patterns: list[tuple[int, str]] = []

    def walk(node: dict[str, object]) -> None:
        name = str(node.get("name", ""))
        if name.startswith("QuadPattern("):
            patterns.append((int(node.get("number of results", 0)), name))  # type: ignore[arg-type]
        for child in node.get("children", []) or []:  # type: ignore[attr-defined]
            walk(child)

    walk(plan.get("plan", {}))
    if not patterns:
        return {"max_rows": 0, "pattern": ""}
    rows, name = max(patterns)
    return {"max_rows": rows, "pattern": name}


def bench_queries(store: Path, quads: int, runs: int) -> dict[str, dict[str, object]]:
    from kgbuild.queries import saved_queries

    samples = sample_parameters(store)
    out: dict[str, dict[str, object]] = {}
    for name, query in saved_queries(REPO / "queries").items():
        params = parameters_for(query, samples)
        cmd = [PY, "-c", QUERY_SCRIPT, str(store), str(query.path), json.dumps(params), str(runs), "5"]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=QUERY_TIMEOUT)
            result = json.loads(proc.stdout) if proc.returncode == 0 else {"error": proc.stderr.strip()[-200:]}
        except subprocess.TimeoutExpired:
            result = {"error": f"over {QUERY_TIMEOUT:.0f} s"}
        fast = "error" not in result and float(result["median"]) < EXPLAIN_BELOW
        plan = explain(store, query, params) if fast else None
        if plan is not None:
            result.update(plan)
            result["scan_share"] = plan["max_rows"] / max(quads, 1)  # type: ignore[operator]
        out[name] = result
        shown = f"{float(result['median']) * 1000:,.1f} ms, {result['rows']:,} rows" if "median" in result \
            else result["error"]
        print(f"  {name}: {shown}", flush=True)
    return out


# ---------------------------------------------------------------- driver
def mb(n: int) -> str:
    return f"{n / 2**20:,.0f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated corpus sizes (default 1000,10000)")
    parser.add_argument("--with-100k", action="store_true", help="also N=100,000 (rdflib on a 1M-quad prefix)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=None, help="kgbuild build --workers (default: all cores)")
    parser.add_argument("--work-dir", type=Path, default=None, help="keep corpora and stores here (default: temp)")
    parser.add_argument("--no-rdflib", action="store_true", help="skip the rdflib comparison")
    parser.add_argument("--no-limit", action="store_true",
                        help="only build and describe (peak RSS): no bulk-load limit, rdflib or saved queries")
    parser.add_argument("--rdflib-memory", type=float, default=12.0, help="address-space cap for rdflib, GiB")
    parser.add_argument("--no-queries", action="store_true", help="skip saved-query latency")
    parser.add_argument("--query-runs", type=int, default=3, help="timed runs per saved query (median)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.with_100k and 100_000 not in sizes:
        sizes.append(100_000)
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="kgbuild-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    import pyoxigraph
    import rdflib

    print(f"machine: {platform.machine()}, os.cpu_count() = {os.cpu_count()}, Python {platform.python_version()}, "
          f"pyoxigraph {pyoxigraph.__version__}, rdflib {rdflib.__version__}; load average {loadavg()}")
    print(f"work dir: {work}")
    rows: list[tuple[int, str, Run, int, str]] = []
    query_results: dict[int, dict[str, dict[str, object]]] = {}
    for n in sizes:
        corpus = work / f"corpus-{n}"
        marker = corpus / ".complete"
        if not marker.is_file() or marker.read_text() != f"{n} {args.seed}":
            shutil.rmtree(corpus, ignore_errors=True)
            t = time.perf_counter()
            make_corpus.write_corpus(n, corpus, seed=args.seed)
            marker.write_text(f"{n} {args.seed}")
            print(f"\nN={n:,}: wrote the corpus in {time.perf_counter() - t:.1f} s")
        store, limit_store, nq = work / f"store-{n}", work / f"limit-{n}", work / f"build-{n}.nq"
        for path in (store, limit_store):
            shutil.rmtree(path, ignore_errors=True)

        # (a) kgbuild build, end to end
        cmd = [str(BIN / "kgbuild"), "build", str(corpus), "--store", str(store), "-q"]
        if args.workers:
            cmd += ["--workers", str(args.workers)]
        la = loadavg()
        run = measure(cmd)
        if run.returncode != 0:
            print(f"kgbuild build failed for N={n}")
            return 1
        quads = store_size(store) if args.no_limit else dump_store(store, nq)
        rows.append((n, "kgbuild build", run, quads, la))
        print(f"N={n:,} build: {run.wall:.1f} s wall, {run.cpu:.1f} s CPU, {quads:,} quads, peak {mb(run.peak_rss)} MB "
              f"(load {la}); {run.stdout.strip()}")
        la = loadavg()
        run = measure([PY, "-c", DESCRIBE_SCRIPT, str(store)])
        rows.append((n, "describe (VoID recount)", run, quads, la))
        print(f"N={n:,} describe: {run.wall:.1f} s wall, {run.cpu:.1f} s CPU, peak {mb(run.peak_rss)} MB (load {la})")

        if args.no_limit:
            continue

        # (b) the physical limit: bulk_load of the same quads
        if n < ONE_CALL_BELOW:
            la = loadavg()
            run = measure([PY, "-c", LIMIT_SCRIPT, str(nq), str(limit_store)])
            rows.append((n, "pyoxigraph bulk_load (one call)", run, quads, la))
            print(f"N={n:,} bulk_load: {run.wall:.1f} s wall, {run.cpu:.1f} s CPU, peak {mb(run.peak_rss)} MB "
                  f"(load {la})")
            shutil.rmtree(limit_store, ignore_errors=True)
        else:
            print(f"N={n:,} bulk_load in one call: skipped (its memory grows with the input: ~16 GB here)")
        for batch_mb in BATCHES_MB:
            la = loadavg()
            run = measure([PY, "-c", LIMIT_BATCHED_SCRIPT, str(nq), str(limit_store), str(batch_mb)])
            rows.append((n, f"pyoxigraph bulk_load ({batch_mb} MB calls)", run, quads, la))
            print(f"N={n:,} bulk_load in {batch_mb} MB calls: {run.wall:.1f} s wall, {run.cpu:.1f} s CPU, "
                  f"peak {mb(run.peak_rss)} MB (load {la})")
            shutil.rmtree(limit_store, ignore_errors=True)

        # (c) rdflib
        if not args.no_rdflib:
            prefix = 1_000_000 if n >= 100_000 else 0
            la = loadavg()
            run = measure([PY, "-c", RDFLIB_SCRIPT, str(nq), str(prefix)],
                          memory_limit=int(args.rdflib_memory * 2**30))
            label = "rdflib Dataset.parse" + (f" (first {prefix:,} quads)" if prefix else "")
            if run.returncode == 0:
                rows.append((n, label, run, prefix or quads, la))
                print(f"N={n:,} rdflib: {run.wall:.1f} s wall, peak {mb(run.peak_rss)} MB (load {la})")
            else:
                print(f"N={n:,} rdflib failed (memory cap {args.rdflib_memory} GiB?)")

        if not args.no_queries and n <= 10_000:
            print(f"N={n:,} saved queries:", flush=True)
            query_results[n] = bench_queries(store, quads, args.query_runs)
        nq.unlink()

    # ------------------------------------------------------------ report
    print(f"\n{'N':>8} {'what':<38} {'wall s':>8} {'CPU s':>8} {'quads':>11} {'quads/s':>10} {'peak RSS MB':>12} {'load':>5}")
    rates: dict[tuple[int, str], float] = {}
    for n, what, run, quads, la in rows:
        rate = quads / run.wall
        key = (n, what.split(" (")[0])
        rates[key] = max(rate, rates.get(key, 0.0))  # the limit: the faster way of calling bulk_load
        print(f"{n:>8,} {what:<38} {run.wall:>8.1f} {run.cpu:>8.1f} {quads:>11,} {rate:>10,.0f} {mb(run.peak_rss):>12} {la:>5}")
    print()
    for n in sizes:
        build, limit = rates.get((n, "kgbuild build")), rates.get((n, "pyoxigraph bulk_load"))
        rdf = rates.get((n, "rdflib Dataset.parse"))
        parts = [f"N={n:,}:"]
        if build and limit:
            parts.append(f"build/limit = {build / limit:.2f}")
        if build and rdf:
            parts.append(f"build/rdflib = {build / rdf:.1f}")
        print("  ".join(parts))
    peaks = {n: run.peak_rss for n, what, run, _, _ in rows if what == "kgbuild build"}
    if len(peaks) > 1:
        first, last = min(peaks), max(peaks)
        print(f"build peak RSS: {mb(peaks[first])} MB at N={first:,} -> {mb(peaks[last])} MB at N={last:,} "
              f"(x{peaks[last] / max(peaks[first], 1):.2f} for x{last / first:.0f} articles)")

    if query_results:
        _print_queries(query_results)
    if args.work_dir is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _print_queries(results: dict[int, dict[str, dict[str, object]]]) -> None:
    sizes = sorted(results)
    big, small = sizes[-1], sizes[0]
    print(f"\nsaved queries on the N={big:,} store (median of timed runs; plan from `oxigraph query --explain --stats`)")
    print(f"{'query':<28} {'median ms':>10} {'rows':>8} {'most rows from one pattern':>27}  flag")
    for name, r in results[big].items():
        if "error" in r:
            print(f"{name:<28} {'-':>10} {'-':>8} {'-':>27}  ERROR {r['error']}")
            continue
        flags = []
        share = float(r.get("scan_share", 0.0))  # type: ignore[arg-type]
        if share >= 0.1:
            flags.append(f"reads {share:.0%} of the store through one pattern")
        if big != small and name in results[small] and "error" not in results[small][name]:
            s = results[small][name]
            growth = math.log(max(float(r["median"]), 1e-4) / max(float(s["median"]), 1e-4)) / math.log(big / small)  # type: ignore[arg-type]
            rows_growth = math.log(max(int(r["rows"]), 1) / max(int(s["rows"]), 1)) / math.log(big / small)  # type: ignore[arg-type]
            if growth > 0.6 and rows_growth < 0.3 and float(r["median"]) > 0.05:  # type: ignore[arg-type]
                flags.append(f"time grows ~N^{growth:.1f} while its answer does not: a scan where an index would do")
        if float(r["median"]) > 1.0:  # type: ignore[arg-type]
            flags.append("not interactive (> 1 s)")
        pattern = f"{int(r.get('max_rows', 0)):,}" if "max_rows" in r else "-"  # type: ignore[arg-type]
        print(f"{name:<28} {float(r['median']) * 1000:>10,.1f} {int(r['rows']):>8,} {pattern:>27}  "  # type: ignore[arg-type]
              f"{'; '.join(flags)}")
        if flags and r.get("pattern"):
            print(f"{'':<28} heaviest pattern: {str(r['pattern'])[:150]}")
    print("\nmedian ms by store size: " + ", ".join(
        f"{name} " + "/".join(f"{float(results[n][name]['median']) * 1000:.0f}" for n in sizes  # type: ignore[arg-type]
                              if "median" in results[n].get(name, {}))
        for name in results[big]))


if __name__ == "__main__":
    sys.exit(main())
