"""Saved queries read what they answer about, not the whole store: checked on Oxigraph's own plans.

Wall-clock time is never asserted. Instead `oxigraph query --explain-file --stats` (the
CLI of the PyPI package oxigraph, a test extra) reports how many rows each pattern of
the plan read, over a synthetic store (benchmarks/make_corpus.py) whose annotations
are mostly about other things than what the query asks for. A query whose required
patterns are split from its selective pattern (by an OPTIONAL or a BIND before them)
gets a plan that reads every annotation of the store: actor-relations took 32 s on
10,000 articles that hold no relation at all, what-may-happen read every MainSpan
annotation to answer about one in fourteen.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from engines import OXIGRAPH, synthetic_store

from kgbuild.store import KgStore

QUERIES = Path(__file__).resolve().parents[1] / "queries"
OA = "http://www.w3.org/ns/oa#"
KG = "https://w3id.org/kgbuild/ontology#"
ANNOTATION_PATTERNS = (f"<{OA}hasBody>", f"<{KG}anchorRole>", f"<{OA}hasTarget>")


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if OXIGRAPH is None:
        pytest.skip("the oxigraph CLI (PyPI package oxigraph, a test extra) is not installed")
    return synthetic_store(tmp_path_factory.mktemp("plans"), 150, seed=3, actors=300)


def count(store_path: Path, where: str) -> int:
    store = KgStore(store_path, read_only=True)
    rows = list(store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"))
    return int(rows[0]["n"].value)


def explain(store_path: Path, name: str, tmp_path: Path) -> dict[str, Any]:
    """The plan of saved query `name` with its rows per node (the CLI opens a store for writing: a copy)."""
    copy = tmp_path / "store"
    shutil.copytree(store_path, copy)
    plan = tmp_path / "plan.json"
    assert OXIGRAPH is not None
    subprocess.run([OXIGRAPH, "query", "--location", str(copy), "--query-file", str(QUERIES / f"{name}.rq"),
                    "--union-default-graph", "--results-format", "tsv", "--explain-file", str(plan), "--stats"],
                   check=True, capture_output=True, timeout=120)
    return json.loads(plan.read_text("utf-8"))["plan"]


def patterns(node: dict[str, Any]) -> Iterator[tuple[str, int]]:
    """(pattern, rows it read) of every quad pattern in the plan."""
    if node["name"].startswith("QuadPattern("):
        yield node["name"], node["number of results"]
    for child in node.get("children", ()):
        yield from patterns(child)


def annotation_reads(plan: dict[str, Any]) -> dict[str, int]:
    found = [(name, rows) for name, rows in patterns(plan) if any(p in name for p in ANNOTATION_PATTERNS)]
    assert found, "the plan has no annotation pattern: the query changed, update this test"
    return dict(found)


def test_actor_relations_reads_nothing_when_the_store_holds_no_relation(store_path: Path, tmp_path: Path) -> None:
    assert count(store_path, f"?r a <{KG}ActorRelation>") == 0
    assert count(store_path, f"?a <{OA}hasBody> ?b") > 1000  # annotations it must not read
    plan = explain(store_path, "actor-relations", tmp_path)
    assert plan["number of results"] == 0
    assert {name: rows for name, rows in patterns(plan) if rows} == {}


def test_what_may_happen_reads_only_the_annotations_of_unrealized_events(store_path: Path, tmp_path: Path) -> None:
    wanted = count(store_path, f"?a <{KG}anchorRole> <{KG}MainSpan> ; <{OA}hasBody> ?e . ?e a <{KG}UnrealizedEvent>")
    every = count(store_path, f"?a <{KG}anchorRole> <{KG}MainSpan>")
    assert 0 < 3 * wanted < every  # the bound below tells a good plan from one that reads them all
    plan = explain(store_path, "what-may-happen", tmp_path)
    assert plan["number of results"] > 0
    reads = annotation_reads(plan)
    # Each event's annotations are read once per event (an event has one MainSpan; hasBody also finds its mentions).
    assert max(reads.values()) <= 2 * wanted, reads
