"""The corpus of two articles: shared actors are one IRI, and saved queries span both articles."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import BASE, DATA, select

from kgbuild import loader
from kgbuild.build import build
from kgbuild.draft import pending_reviews
from kgbuild.queries import find_query, run_saved_query
from kgbuild.store import KgStore

SEED_ID = "a2fbfe0915b87551"
SECOND_ID = "badf2c7030e6eeb6"
SECOND_TEXT = DATA / "articles" / f"001_{SECOND_ID}.txt"
SECOND_ANNOTATION = DATA / "articles" / f"001_{SECOND_ID}.yaml"
QUERIES = Path(__file__).resolve().parents[1] / "queries"
SHARED_ACTORS = ("netanyahu", "trump", "iran", "israel", "hezbollah", "israeli-officials", "iranian-officials")


@pytest.fixture(scope="module")
def corpus_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KgStore]:
    path = tmp_path_factory.mktemp("corpus") / "store"
    report = build([DATA / "articles" / f"000_{SEED_ID}.yaml", SECOND_ANNOTATION], store=KgStore(path), workers=1)
    assert sorted(report.built) == sorted([SEED_ID, SECOND_ID])
    yield KgStore(path, read_only=True)


def rows(store: KgStore, name: str, **params: str) -> list[dict[str, str]]:
    result = run_saved_query(store, find_query(name, QUERIES), params)
    names = [v.value for v in result.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in result]


def test_the_second_article_is_a_marked_synthetic_sample_and_fully_reviewed() -> None:
    first_line = SECOND_TEXT.read_text(encoding="utf-8").split("\n", 1)[0]
    assert "SYNTHETIC SAMPLE" in first_line and "not real reporting" in first_line
    assert pending_reviews(SECOND_ANNOTATION.read_text(encoding="utf-8")) == 0
    article = loader.load_article(SECOND_ANNOTATION, loader.load_registry(DATA))
    assert article.headline.exact.startswith("Israeli Officials Warn")  # not the notice line


def test_one_actor_is_one_iri_across_the_articles(corpus_store: KgStore) -> None:
    for key in SHARED_ACTORS:
        iri = f"{BASE}actor/{key}"
        graphs = select(corpus_store, f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?a <http://schema.org/mentions> <{iri}> }} }}")
        assert {r["g"] for r in graphs} == {f"{BASE}graph/{SEED_ID}", f"{BASE}graph/{SECOND_ID}"}, key
    same_name = select(corpus_store, """
        SELECT DISTINCT ?s WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> "Benjamin Netanyahu"@en }""")
    assert [r["s"] for r in same_name] == [f"{BASE}actor/netanyahu"]
    # The June 2025 war is one registry event, described once in the registry; each article tells it
    # in an account of its own that points at it.
    war = select(corpus_store, f"""
        SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?account <http://www.w3.org/ns/prov#specializationOf> <{BASE}event/twelve-day-war> }} }}""")
    assert {r["g"] for r in war} == {f"{BASE}graph/{SEED_ID}", f"{BASE}graph/{SECOND_ID}"}
    labels = select(corpus_store, f"""SELECT ?g WHERE {{ GRAPH ?g {{ <{BASE}actor/netanyahu>
        <http://www.w3.org/2000/01/rdf-schema#label> ?l }} }}""")
    assert [r["g"] for r in labels] == [f"{BASE}graph/registry"]  # one description, not one per article


def test_who_said_what_spans_both_articles(corpus_store: KgStore) -> None:
    found = rows(corpus_store, "who-said-what")
    articles = {r["article"] for r in found}
    assert articles == {f"{BASE}article/{SEED_ID}", f"{BASE}article/{SECOND_ID}"}
    by_officials = {(r["article"].rsplit("/", 1)[1], r["quote"])
                    for r in rows(corpus_store, "who-said-what", speaker=f"{BASE}actor/israeli-officials")}
    assert (SEED_ID, "historic victory") in by_officials
    assert (SECOND_ID, "hundreds of new rockets") in by_officials


def test_mentions_per_entity_counts_shared_actors_in_both_articles(corpus_store: KgStore) -> None:
    counts = {r["entity"].rsplit("/", 1)[1]: int(r["articles"]) for r in rows(corpus_store, "mentions-per-entity")}
    for key in SHARED_ACTORS:
        assert counts[key] == 2, key
    assert counts["israel-defense-forces"] == 1 and counts["houthis"] == 1


def test_an_actor_profile_gathers_both_articles(corpus_store: KgStore) -> None:
    profile = rows(corpus_store, "actor-profile", actor=f"{BASE}actor/iranian-officials")
    quotes = {r["text"] for r in profile if r["what"] == "quote"}
    assert {"beyond imagination", "crushing response", "does not take orders"} <= quotes
