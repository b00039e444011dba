"""`kgbuild draw`: the pictures Graphviz lays out, read back with an XML parser."""
from __future__ import annotations

import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner
from helpers import SEED_ARTICLE, select

from kgbuild.cli import main
from kgbuild.draw import Scope, picture
from kgbuild.draw.data import network
from kgbuild.store import KgStore

pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz (Debian's graphviz package) is missing")
SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"
ARTICLE = "a2fbfe0915b87551"


def draw(store: Path, tmp_path: Path, *args: str, name: str = "out.svg") -> Path:
    out = tmp_path / name
    result = CliRunner().invoke(main, ["draw", *args, "--store", str(store), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def groups(svg: ElementTree.Element, cls: str) -> list[ElementTree.Element]:
    return [g for g in svg.iter(SVG + "g") if cls in (g.get("class") or "").split()]


def text(el: ElementTree.Element) -> str:
    return " ".join(" ".join((t.text or "") for t in el.iter(SVG + "text")).split())


def dashed(edge: ElementTree.Element) -> bool:
    return any(p.get("stroke-dasharray") for p in edge.iter(SVG + "path"))


def box(el: ElementTree.Element) -> tuple[float, float, float, float]:
    points = [tuple(map(float, p.split(","))) for p in el.find(SVG + "polygon").get("points").split()]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def test_article_network_has_the_actors_and_draws_the_threat_dashed(seed_store_path: Path, tmp_path: Path) -> None:
    svg = ElementTree.parse(draw(seed_store_path, tmp_path, "network", "--article", ARTICLE)).getroot()
    nodes = {text(g) for g in groups(svg, "node")}
    assert {"Donald Trump", "Benjamin Netanyahu", "Iran", "Israel"} <= nodes
    edges = groups(svg, "edge")
    titles = {e: " ".join(a.get(XLINK + "title") or "" for a in e.iter(SVG + "a")) for e in edges}
    threat = [e for e, t in titles.items() if "Israeli attack threatened by Trump" in t]
    assert threat and all(dashed(e) for e in threat)
    war = [e for e, t in titles.items() if "acted on, occurred: Twelve-Day War" in t]
    assert war and not any(dashed(e) for e in war)
    legend = text(svg)
    assert "happened (occurred, ongoing)" in legend
    unrealized = legend.split("did not happen: ", 1)[1]
    assert "conditional" in unrealized and "proposed" in unrealized and "occurred" not in unrealized


def test_timeline_puts_the_war_and_its_parts_in_june_2025_and_the_meeting_apart(seed_store_path: Path,
                                                                                tmp_path: Path) -> None:
    svg = ElementTree.parse(draw(seed_store_path, tmp_path, "timeline", "--article", ARTICLE)).getroot()
    period = next(g for g in groups(svg, "period") if text(g) == "June 2025")
    period_name = period.find(SVG + "title").text
    events = {g.find(SVG + "title").text: text(g) for g in groups(svg, "event")}
    war = next(name for name, label in events.items() if label == "Twelve-Day War (June 2025)")
    edge_titles = {g.find(SVG + "title").text for g in groups(svg, "edge")}
    assert f"{period_name}->{war}" in edge_titles  # the war hangs from June 2025 on the axis
    whole = next(g for g in groups(svg, "cluster") if "whole" in g.get("class"))
    x0, y0, x1, y1 = box(whole)
    war_iri = f"{SEED_ARTICLE}/event/june-2025-war"
    parts = {r["part"] for r in select(KgStore(seed_store_path, read_only=True), f"""SELECT ?part WHERE {{
        <{war_iri}> <http://semanticweb.cs.vu.nl/2009/11/sem/hasSubEvent> ?part }}""")}
    assert len(parts) >= 2
    inside = set()
    for g in groups(svg, "event"):
        t = g.find(f".//{SVG}text")
        if x0 <= float(t.get("x")) <= x1 and y0 <= float(t.get("y")) <= y1:
            inside.add(g.find(f".//{SVG}a").get(XLINK + "href"))  # a file's picture links each node to its IRI
    assert parts | {war_iri} <= inside  # the parts nested with their war, under June 2025
    undated = text(next(g for g in groups(svg, "undated")))
    assert "Netanyahu–Trump meeting at Mar-a-Lago" in undated
    assert "In a high-stakes meeting at President Donald Trump’s Mar-a-Lago resort in Florida" in undated
    assert "Netanyahu–Trump meeting" not in " ".join(events.values())  # undated: not on the axis
    unrealized = text(next(g for g in groups(svg, "unrealized")))
    assert "Israeli attack threatened by Trump" in unrealized and "conditional" in unrealized


def test_png_and_an_actors_neighbourhood(seed_store_path: Path, tmp_path: Path) -> None:
    png = draw(seed_store_path, tmp_path, "network", "--actor", "Benjamin Netanyahu", name="bibi.png")
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000
    svg = ElementTree.parse(draw(seed_store_path, tmp_path, "network", "--actor", "netanyahu")).getroot()
    nodes = {text(g) for g in groups(svg, "node")}
    assert {"Benjamin Netanyahu", "Donald Trump"} <= nodes and "Houthis" not in nodes


def test_whole_corpus_network_is_capped_by_rank(seed_store_path: Path) -> None:
    store = KgStore(seed_store_path, read_only=True)
    full = network(store)
    capped = network(store, max_nodes=4, max_edges=5)
    assert len(capped.nodes) <= 4 and len(capped.edges) <= 5
    ranked = sorted(full.nodes.values(), key=lambda n: (-n.score, n.iri))
    assert set(capped.nodes) <= {n.iri for n in ranked[:4]}
    assert "Iran" in {n.label for n in capped.nodes.values()}  # the most linked actor in the seed article
    assert capped.caption.startswith("Showing the ") and f"of {len(full.nodes)} actors" in capped.caption


def test_errors_are_one_line(seed_store_path: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["draw", "network", "--store", str(seed_store_path), "-o",
                                       str(tmp_path / "x.pdf")])
    assert result.exit_code == 2 and "write a .svg or .png file" in result.output
    result = CliRunner().invoke(main, ["draw", "timeline", "--store", str(seed_store_path), "--actor", "nobody",
                                       "-o", str(tmp_path / "x.svg")])
    assert result.exit_code == 1 and "actor 'nobody' names nothing" in result.stderr
    assert not (tmp_path / "x.svg").exists()
    with pytest.raises(ValueError):
        picture(KgStore(seed_store_path, read_only=True), "map", Scope())
