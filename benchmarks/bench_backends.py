"""kgbuild over the embedded store, over Virtuoso and over an Oxigraph server, side by side in one run.

    python benchmarks/bench_backends.py [--articles 10000] [--store DIR] [--repeat 5] [--shards 8]

1. Builds a synthetic corpus (benchmarks/make_corpus.py, seed 1) into an embedded
   store and times the build (the corpus generation is not timed), unless --store
   names a built one.
2. Starts Virtuoso (Debian's virtuoso-opensource-7) and `oxigraph serve
   --union-default-graph` on loopback, each with a fresh database in a temporary
   folder, and times `kgbuild push` into each through its bulk path
   (`--engine virtuoso`: ld_dir/rdf_loader_run via isql; `--engine oxigraph`: POST
   /store), checking that each engine then holds as many quads as the store.
3. Starts three `kgbuild serve` processes: `--store` (embedded), `--backend` Virtuoso
   and `--backend` the Oxigraph server, and asks each for every saved query
   (`/queries/NAME.json`, default parameters; an actor for those that need one)
   `--repeat` times. Each request carries a different, harmless Accept range, so no
   answer comes from kgbuild's answer cache: the figures are the query's cost on
   each engine plus kgbuild's HTTP layer. Prints the median per query and engine,
   and each backend's ratio to the embedded median measured in the same run.

The machine's load average is printed beside the figures: on a shared machine they
are noisy, compare ratios rather than absolute times.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

import make_corpus  # noqa: E402
from common import free_port, stop  # noqa: E402
from engine_servers import ISQL, OXIGRAPH, VIRTUOSO, OxigraphServer, Virtuoso  # noqa: E402

from kgbuild.build import build  # noqa: E402
from kgbuild.push import VirtuosoOptions, push  # noqa: E402
from kgbuild.queries import saved_queries  # noqa: E402
from kgbuild.store import KgStore  # noqa: E402

KGBUILD = [sys.executable, "-c", "from kgbuild.cli import main; main()"]
COUNT = ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
         "FILTER(STRSTARTS(STR(?g), 'https://w3id.org/kgbuild/')) }")


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def start_serve(*args: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen([*KGBUILD, "serve", "--port", str(port), "--timeout", "300", *args], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            httpx.get(url + "/queries", timeout=5).raise_for_status()
            return proc, url
        except httpx.HTTPError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"kgbuild serve {' '.join(args)} did not start") from None
            time.sleep(0.2)


def remote_quads(sparql_url: str) -> int:
    answer = httpx.post(sparql_url, data={"query": COUNT}, headers={"Accept": "application/sparql-results+json"},
                        timeout=600)
    answer.raise_for_status()
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000, help="synthetic articles to build (default 10,000)")
    parser.add_argument("--store", type=Path, help="use this built store instead of building one")
    parser.add_argument("--repeat", type=int, default=5, help="requests per saved query and server (default 5)")
    parser.add_argument("--shards", type=int, default=8, help="bulk files per push (default 8)")
    args = parser.parse_args(argv)
    if VIRTUOSO is None or ISQL is None or OXIGRAPH is None:
        print("needs virtuoso-t and isql-vt (Debian virtuoso-opensource-7) and oxigraph (PyPI)", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="bench-backends-"))
    print(f"load average at start: {load()}")
    if args.store:
        path, build_s = args.store, None
    else:
        corpus = make_corpus.write_corpus(args.articles, work / "corpus", seed=1)
        path = work / "store"
        started = time.perf_counter()
        store = KgStore(path)
        build([corpus], store=store)
        build_s = time.perf_counter() - started
        del store
    store = KgStore(path, read_only=True)
    quads = sum(1 for q in store.quads() if q.graph_name.value.startswith("https://w3id.org/kgbuild/"))
    graphs = len(store.graphs())
    print(f"store: {graphs:,} graphs, {quads:,} quads" + (f"; embedded build {build_s:.1f} s" if build_s else ""))

    vt = Virtuoso(work / "virtuoso")
    ox_server = OxigraphServer(work / "oxigraph", union_default_graph=True)
    servers: list[subprocess.Popen[bytes]] = []
    try:
        vt.start()
        ox_server.start()
        loads = {}
        started = time.perf_counter()
        report = push(store, vt.root, engine="virtuoso", bulk_threshold=1, shards=args.shards,
                      virtuoso=VirtuosoOptions(vt.isql_address, "dba", "dba", vt.load_dir))
        loads["virtuoso"] = time.perf_counter() - started
        assert len(report.pushed) == graphs
        started = time.perf_counter()
        push(store, ox_server.root, engine="oxigraph", bulk_threshold=1, shards=args.shards)
        loads["oxigraph serve"] = time.perf_counter() - started
        for name, url in (("virtuoso", vt.sparql_url), ("oxigraph serve", ox_server.query_url)):
            held = remote_quads(url)
            if held != quads:
                print(f"WARNING: {name} holds {held:,} quads, the store {quads:,}", file=sys.stderr)
        print(f"\nload time (load average {load()})")
        if build_s:
            print(f"  embedded build (validate, map, load, VoID): {build_s:8.1f} s")
        for name, seconds in loads.items():
            ratio = f"  ({seconds / build_s:.2f}x the embedded build)" if build_s else ""
            print(f"  kgbuild push --engine {name:15} {seconds:8.1f} s{ratio}")

        del store  # `kgbuild serve --store` opens it read-only in its own process
        targets = {}
        for name, extra in (("embedded", ("--store", str(path))), ("virtuoso", ("--backend", vt.sparql_url)),
                            ("oxigraph serve", ("--backend", ox_server.query_url))):
            proc, url = start_serve(*extra)
            servers.append(proc)
            targets[name] = url
        queries = saved_queries(REPO / "queries")
        needed = {name: [p.name for p in q.parameters if not p.optional and p.default is None and p.type == "iri"]
                  for name, q in queries.items()}
        actor = httpx.get(targets["embedded"] + "/sparql", params={"query": "SELECT ?a WHERE { ?q a "
                          "<http://schema.org/Quotation> ; <http://schema.org/author> ?a } LIMIT 1"},
                          headers={"Accept": "text/csv"}).text.splitlines()[1]
        params = {name: {k: actor for k in names} for name, names in needed.items()}
        print(f"\nsaved queries: median of {args.repeat} uncached requests, seconds (load average {load()})")
        print(f"  {'query':30} {'rows':>7} {'embedded':>9} {'virtuoso':>9} {'ratio':>6} {'oxigraph':>9} {'ratio':>6}")
        counter = 0
        for name in sorted(queries):
            medians, rows = {}, {}
            for target, url in targets.items():
                times = []
                for _ in range(args.repeat):
                    counter += 1
                    headers = {"Accept": f"application/sparql-results+json, text/x-bench-{counter};q=0.1"}
                    started = time.perf_counter()
                    answer = httpx.get(f"{url}/queries/{name}", params=params[name], headers=headers, timeout=600)
                    times.append(time.perf_counter() - started)
                    answer.raise_for_status()
                    rows[target] = len(answer.json()["results"]["bindings"])
                medians[target] = statistics.median(times)
            same = "" if len(set(rows.values())) == 1 else f"  rows differ: {rows}"
            e, v, o = medians["embedded"], medians["virtuoso"], medians["oxigraph serve"]
            print(f"  {name:30} {rows['embedded']:7,} {e:9.3f} {v:9.3f} {v / e:6.1f} {o:9.3f} {o / e:6.1f}{same}")
        print(f"load average at end: {load()}")
    finally:
        for proc in servers:
            stop(proc)
        ox_server.stop()
        vt.stop()
        shutil.rmtree(work, ignore_errors=True)  # the engines' databases (and the store, unless --store)
    return 0


if __name__ == "__main__":
    sys.exit(main())
