"""How long the pictures and the reading pages take, against baselines measured in the same run.

    python benchmarks/bench_draw.py [--articles 10000] [--store DIR] [--repeat 3]

Builds a synthetic corpus (benchmarks/make_corpus.py, seed 1) into a temporary store unless
--store is given. Then, for the whole corpus, one article and the most-mentioned actor:

* draw: what `kgbuild.draw.picture` does (the SPARQL reads and the ranking, then Graphviz's
  layout to SVG) for the network and the timeline, timed as data and layout, against a plain
  SPARQL fetch of the same raw rows (every agent/target pair or every event with its time) as
  the baseline;
* pages: the article, actor and event pages (reading views, HTML) from a running
  `kgbuild serve` on 127.0.0.1 (with --timeout 600: the busiest actor's page is slow), against the same resource as Turtle (`?format=ttl`: the same
  resource read, no view) as the baseline.

Prints the median of --repeat runs (after one warm-up), the ratio to the baseline, and the
load average: the machine may be shared, so the figures are noisy.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from common import build_store, free_port, stop  # noqa: E402

from kgbuild.draw import Scope, data  # noqa: E402
from kgbuild.draw.network import network_graph  # noqa: E402
from kgbuild.draw.style import render  # noqa: E402
from kgbuild.draw.timeline import timeline_graph  # noqa: E402
from kgbuild.profile import PROLOGUE  # noqa: E402
from kgbuild.store import KgStore  # noqa: E402

RAW_NETWORK = PROLOGUE + "SELECT ?e ?s ?t WHERE { ?e kg:agent ?s ; kg:target ?t }"
RAW_TIMELINE = PROLOGUE + "SELECT ?e ?label ?time WHERE { ?e kg:status ?st ; rdfs:label ?label " \
                          "OPTIONAL { ?e sem:hasTimeStamp ?time } }"


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    fn()  # warm-up: caches, imports
    runs, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs), out


def raw_rows(store: KgStore, sparql: str, scope: Scope) -> int:
    """The baseline: materialise every row of a plain SELECT (no grouping, no ranking, no layout)."""
    if scope.article:
        sparql = sparql.replace("WHERE {", f"WHERE {{ ?e prov:wasDerivedFrom <{scope.article}> .", 1)
    if scope.actor:
        sparql = sparql.replace("WHERE {", f"WHERE {{ ?e ?role <{scope.actor}> .", 1)
    return sum(1 for _ in store.query(sparql))  # type: ignore[union-attr]


def pick(store: KgStore) -> tuple[str, str, str]:
    """The first article, the actor named in most articles, and an event of that article."""
    article = next(iter(store.query(PROLOGUE + "SELECT ?a WHERE { ?a schema:articleBody ?b } ORDER BY ?a LIMIT 1"
                                    )))["a"].value  # type: ignore[index]
    actor = next(iter(store.query(PROLOGUE + "SELECT ?x (COUNT(?a) AS ?n) WHERE { ?a schema:mentions ?x . "
                                  "?x a kg:Actor } GROUP BY ?x ORDER BY DESC(?n) LIMIT 1")))["x"].value  # type: ignore[index]
    event = next(iter(store.query(PROLOGUE + f"SELECT ?e WHERE {{ ?e prov:wasDerivedFrom <{article}> ; kg:status ?s }}"
                                  " ORDER BY ?e LIMIT 1")))["e"].value  # type: ignore[index]
    return article, actor, event


def bench_draw(store: KgStore, scopes: dict[str, Scope], repeat: int) -> None:
    print(f"{'picture':<10}{'scope':<9}{'baseline':>10}{'data':>9}{'layout':>9}{'total':>9}{'ratio':>8}"
          f"{'nodes/events':>14}{'SVG KB':>8}")
    for kind in ("network", "timeline"):
        for name, scope in scopes.items():
            base, rows = timed(lambda s=scope, k=kind: raw_rows(store, RAW_NETWORK if k == "network" else RAW_TIMELINE,
                                                                s), repeat)
            if kind == "network":
                t_data, got = timed(lambda s=scope: data.network(store, s), repeat)
                size = f"{len(got.nodes)}/{len(got.edges)}e"  # type: ignore[union-attr]
                graph = network_graph(got, "bench")  # type: ignore[arg-type]
            else:
                t_data, got = timed(lambda s=scope: data.timeline(store, s), repeat)
                shown = sum(len(v) for v in got.periods.values()) + len(got.undated) + len(got.unrealized)  # type: ignore[union-attr]
                size = f"{shown}"
                graph = timeline_graph(got, "bench")  # type: ignore[arg-type]
            t_layout, svg = timed(lambda g=graph: render(g, "svg"), repeat)
            t_total = t_data + t_layout  # what picture() does: read, then lay out
            print(f"{kind:<10}{name:<9}{base * 1000:>8.0f}ms{t_data * 1000:>7.0f}ms{t_layout * 1000:>7.0f}ms"
                  f"{t_total * 1000:>7.0f}ms{t_total / base:>7.1f}x{size:>14}{len(svg) / 1024:>8.0f}"  # type: ignore[arg-type]
                  f"   (baseline: {rows:,} raw rows)")


def bench_pages(store_path: Path, article: str, actor: str, event: str, repeat: int) -> None:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", "from kgbuild.cli import main; main()", "serve", "--store",
                             str(store_path), "--port", str(port), "--timeout", "600"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=120) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    client.get("/sparql")
                    break
                except httpx.HTTPError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
            base = "https://w3id.org/kgbuild/id/"
            print(f"\n{'page':<10}{'Turtle (baseline)':>18}{'reading view':>14}{'ratio':>8}{'HTML KB':>9}")
            for name, iri in (("article", article), ("actor", actor), ("event", event)):
                path = "/id/" + iri[len(base):]

                def get(params: dict[str, str], path: str = path) -> bytes:
                    r = client.get(path, params=params, headers={"Accept": "text/html"})
                    r.raise_for_status()
                    return r.content

                t_ttl, _ = timed(lambda: get({"format": "ttl"}), repeat)
                t_html, html = timed(lambda: get({}), repeat)
                print(f"{name:<10}{t_ttl * 1000:>16.0f}ms{t_html * 1000:>12.0f}ms{t_html / t_ttl:>7.1f}x"
                      f"{len(html) / 1024:>9.0f}")  # type: ignore[arg-type]
    finally:
        stop(proc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--store", type=Path, default=None, help="use this built store instead of building one")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=("draw", "pages"), default=None, help="run one half of the benchmark")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-draw-") as tmp:
        path = args.store or build_store(args.articles, Path(tmp))
        store = KgStore(path, read_only=True)
        article, actor, event = pick(store)
        print(f"store {path}: {len(store):,} quads; article {article}, actor {actor}")
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores\n")
        scopes = {"corpus": Scope(), "article": Scope(article=article), "actor": Scope(actor=actor)}
        if args.only != "pages":
            bench_draw(store, scopes, args.repeat)
        del store
        if args.only != "draw":
            bench_pages(path, article, actor, event, args.repeat)
        print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
