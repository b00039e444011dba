"""Building: atomic per-article replacement, incremental skips, and all-or-nothing on bad input."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from helpers import BASE, SEED_GRAPH

from kgbuild.build import build
from kgbuild.errors import AnnotationError
from kgbuild.store import KgStore, generation_stamp


def dump(store: KgStore) -> set[str]:
    return {str(q) for q in store.quads() if not isinstance(q.subject, ox.BlankNode)
            and not isinstance(q.object, ox.BlankNode)}


def article_graphs(store: KgStore) -> set[str]:
    """Graphs holding an article (the registry graph carries a source hash too)."""
    return {g for g in store.graph_hashes() if g != BASE + "graph/registry"}


def article_path(corpus: Path) -> Path:
    return next((corpus / "articles").glob("*.yaml"))


def test_rebuild_of_an_unchanged_article_is_skipped(corpus: Path, fresh_store: KgStore) -> None:
    first = build([corpus], store=fresh_store, workers=1)
    assert first.built == ["a2fbfe0915b87551"] and first.bulk
    before = dump(fresh_store)
    stamp = generation_stamp(fresh_store.path)
    second = build([corpus], store=fresh_store, workers=1)
    assert second.built == [] and second.skipped == ["a2fbfe0915b87551"]
    assert dump(fresh_store) == before
    # Nothing changed, so nothing was written: not the shared graphs, not the VoID, not the stamp.
    assert not second.changed and second.shared == []
    assert generation_stamp(fresh_store.path) == stamp


def test_changed_article_replaces_its_graph_without_duplicates(corpus: Path, fresh_store: KgStore) -> None:
    build([corpus], store=fresh_store, workers=1)
    path = article_path(corpus)
    text = path.read_text("utf-8").replace("label: Option of U.S.-led assaults", "label: Option of U.S.-led strikes")
    path.write_text(text, "utf-8")
    report = build([corpus], store=fresh_store, workers=1)
    assert report.built == ["a2fbfe0915b87551"] and not report.bulk
    labels = [r["l"].value for r in fresh_store.query(
        "SELECT ?l WHERE { ?e <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(STRSTARTS(?l, 'Option of U.S.-led')) }")]
    assert labels == ["Option of U.S.-led strikes"]
    assert article_graphs(fresh_store) == {SEED_GRAPH}


def test_registry_change_rebuilds_the_articles_that_use_it(corpus: Path, fresh_store: KgStore) -> None:
    build([corpus], store=fresh_store, workers=1)
    registry = corpus / "registry.yaml"
    registry.write_text(registry.read_text("utf-8").replace("label: Haaretz", "label: Haaretz (newspaper)"), "utf-8")
    report = build([corpus], store=fresh_store, workers=1)
    assert report.built == ["a2fbfe0915b87551"] and report.shared == [BASE + "graph/registry"]
    assert fresh_store.query(
        f"ASK {{ <{BASE}actor/haaretz> <http://www.w3.org/2000/01/rdf-schema#label> 'Haaretz (newspaper)'@en }}")


def test_a_different_base_iri_rebuilds_under_that_base(corpus: Path, fresh_store: KgStore) -> None:
    build([corpus], store=fresh_store, workers=1, base="http://example.org/kg/")
    assert fresh_store.query("ASK { GRAPH <http://example.org/kg/graph/a2fbfe0915b87551> { ?s ?p ?o } }")


def test_bad_input_leaves_the_store_untouched(corpus: Path, fresh_store: KgStore) -> None:
    build([corpus], store=fresh_store, workers=1)
    before = dump(fresh_store)
    # A second, valid article plus a broken change to the first: nothing may be written.
    path = article_path(corpus)
    good = corpus / "articles" / "002_second.yaml"
    (corpus / "articles" / "002_second.txt").write_text("Trump met Netanyahu.\nThey talked.", "utf-8")
    good.write_text("kgbuild: 1\nid: second\nmentions:\n  trump: Trump\n", "utf-8")
    path.write_text(path.read_text("utf-8").replace("speaker: trump", "speaker: trumpp", 1), "utf-8")
    with pytest.raises(AnnotationError, match="'trumpp' is not defined in the registry"):
        build([corpus], store=fresh_store, workers=1)
    assert dump(fresh_store) == before


def test_prune_drops_graphs_of_deleted_articles(corpus: Path, fresh_store: KgStore) -> None:
    (corpus / "articles" / "002_second.txt").write_text("Trump met Netanyahu.", "utf-8")
    (corpus / "articles" / "002_second.yaml").write_text("kgbuild: 1\nid: second\nmentions:\n  trump: Trump\n", "utf-8")
    build([corpus], store=fresh_store, workers=1)
    assert len(article_graphs(fresh_store)) == 2
    (corpus / "articles" / "002_second.yaml").unlink()
    report = build([corpus], store=fresh_store, workers=1, prune=True)
    assert report.removed == [BASE + "graph/second"]
    assert article_graphs(fresh_store) == {SEED_GRAPH}
    assert fresh_store.query(f"ASK {{ GRAPH <{BASE}graph/registry> {{ ?s ?p ?o }} }}")  # shared graphs stay


def test_duplicate_article_ids_are_refused(corpus: Path, fresh_store: KgStore) -> None:
    path = article_path(corpus)
    copy = corpus / "articles" / "copy.yaml"
    copy.write_text(path.read_text("utf-8").replace("text: 000_a2fbfe0915b87551.txt",
                                                    "text: 000_a2fbfe0915b87551.txt"), "utf-8")
    with pytest.raises(AnnotationError, match="article id 'a2fbfe0915b87551' is also used by"):
        build([corpus], store=fresh_store, workers=1)
    assert fresh_store.is_empty()


def test_parallel_and_serial_builds_agree(corpus: Path, tmp_path: Path) -> None:
    for i in range(40):
        (corpus / "articles" / f"1{i:02d}.txt").write_text(f"Trump spoke to Netanyahu about Iran, day {i}.", "utf-8")
        (corpus / "articles" / f"1{i:02d}.yaml").write_text(
            f"kgbuild: 1\nid: extra-{i}\nmentions:\n  trump: Trump\n  iran: Iran\n", "utf-8")
    serial, parallel = KgStore(tmp_path / "a"), KgStore(tmp_path / "b")
    build([corpus], store=serial, workers=1)
    build([corpus], store=parallel, workers=2)
    assert dump(serial) == dump(parallel)
    assert len(article_graphs(serial)) == 41


def test_a_shared_graph_that_differs_from_its_source_is_written_again(corpus: Path, fresh_store: KgStore) -> None:
    build([corpus], store=fresh_store, workers=1)
    ontology, claim = BASE + "graph/ontology", "https://w3id.org/kgbuild/ontology#Claim"
    fresh_store.update(f"DELETE WHERE {{ GRAPH <{ontology}> {{ <{claim}> ?p ?o }} }}")
    report = build([corpus], store=fresh_store, workers=1)
    assert report.built == [] and report.shared == [ontology] and report.changed
    assert fresh_store.query(f"ASK {{ GRAPH <{ontology}> {{ <{claim}> ?p ?o }} }}")
    assert build([corpus], store=fresh_store, workers=1).shared == []
