"""`kgbuild validate`: every bad annotation file reported at once; SHACL and HermiT pass the seed
graph and catch deliberate mistakes, naming the shape or the node to fix."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import owlready2
import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from helpers import SEED_ANNOTATION, SEED_GRAPH, select

from kgbuild.cli import main
from kgbuild.errors import KgbuildError
from kgbuild.paths import shapes_file
from kgbuild.store import KgStore
from kgbuild.validate import ShaclReport, check_annotations, check_owl, check_shacl

KG = "https://w3id.org/kgbuild/ontology#"
SEM = "http://semanticweb.cs.vu.nl/2009/11/sem/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
P = f"""PREFIX kg: <{KG}> PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX schema: <http://schema.org/>
"""
IRAN = "https://w3id.org/kgbuild/id/actor/iran"
GRAPH = ox.NamedNode(SEED_GRAPH)


def quad(s: str, p: str, o: str | ox.Literal) -> ox.Quad:
    obj = o if isinstance(o, ox.Literal) else ox.NamedNode(o)
    return ox.Quad(ox.NamedNode(s), ox.NamedNode(p), obj, GRAPH)


def offset(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#nonNegativeInteger"))


def copy_of(seed: KgStore, *, add: Iterable[ox.Quad] = (), remove: Iterable[tuple[str, str]] = ()) -> KgStore:
    """The seed graph in memory, with triples added and (subject, predicate) pairs removed."""
    store = KgStore()
    store.add(seed.quads())
    for s, p in remove:
        store.remove(store.match(ox.NamedNode(s), ox.NamedNode(p), None, GRAPH))
    store.add(add)
    return store


def first(seed: KgStore, sparql: str) -> dict[str, str]:
    rows = select(seed, P + sparql)
    assert rows, sparql
    return rows[0]


def proposed_event(seed: KgStore) -> str:
    return first(seed, "SELECT ?e WHERE { ?e kg:status kg:Proposed } ORDER BY ?e LIMIT 1")["e"]


def statement(seed: KgStore) -> str:
    return first(seed, "SELECT ?s WHERE { ?s a kg:Statement } ORDER BY ?s LIMIT 1")["s"]


def violation(report: ShaclReport, shape: str, focus: str) -> bool:
    return any(line.startswith(f"Violation {shape}: <{focus}>") for line in report.results)


# ---------------------------------------------------------------- annotations
def write_variant(corpus: Path, name: str, *replacements: tuple[str, str]) -> Path:
    text = SEED_ANNOTATION.read_text("utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = corpus / "articles" / name
    path.write_text(text, "utf-8")
    return path


@pytest.fixture()
def broken_corpus(corpus: Path) -> tuple[Path, dict[str, Path]]:
    """The seed article plus three copies, each wrong in its own way."""
    bad = {
        "quote": write_variant(corpus, "100_quote.yaml", ("id: a2fbfe0915b87551", "id: b100"),
                               ("- the Israeli leader", "- the Israeli premier")),
        "reference": write_variant(corpus, "200_reference.yaml", ("id: a2fbfe0915b87551", "id: b200"),
                                   ("speaker: israeli-officials", "speaker: israeli-oficials")),
        "duplicate": write_variant(corpus, "300_duplicate.yaml"),
    }
    return corpus, bad


def test_check_annotations_reports_every_bad_file(broken_corpus: tuple[Path, dict[str, Path]]) -> None:
    corpus, bad = broken_corpus
    seen: list[Path] = []
    errors = check_annotations([corpus], on_file=seen.append)
    assert len(seen) == 4
    assert sorted(Path(e.path).name for e in errors) == sorted(p.name for p in bad.values())
    by_file = {Path(e.path).name: e for e in errors}
    quote = by_file["100_quote.yaml"]
    assert quote.line is not None and "the Israeli premier" in str(quote)
    assert "israeli-oficials" in str(by_file["200_reference.yaml"])
    assert "did you mean 'israeli-officials'" in str(by_file["200_reference.yaml"])
    assert "a2fbfe0915b87551" in str(by_file["300_duplicate.yaml"]) and "also used by" in str(by_file["300_duplicate.yaml"])
    assert all("\n" not in str(e) for e in errors)  # one line each


def test_check_annotations_reports_a_broken_registry_once(corpus: Path) -> None:
    registry = corpus / "registry.yaml"
    registry.write_text(registry.read_text("utf-8") + "  ghost:\n    type: Spectre\n    label: Ghost\n", "utf-8")
    write_variant(corpus, "100_copy.yaml", ("id: a2fbfe0915b87551", "id: b100"))
    errors = check_annotations([corpus])
    assert [Path(e.path).name for e in errors] == ["registry.yaml"]
    assert "Spectre" in str(errors[0])


def test_check_annotations_passes_the_seed_corpus(corpus: Path) -> None:
    assert check_annotations([corpus]) == []
    assert [Path(e.path).name for e in check_annotations([corpus / "nowhere"])] == ["nowhere"]


# ---------------------------------------------------------------- SHACL
def test_seed_store_conforms_to_the_shapes(seed_store: KgStore) -> None:
    report = check_shacl(seed_store, shapes_file())
    assert report.results == []
    assert report.conforms


@pytest.fixture(scope="module")
def corruptions(seed_store: KgStore) -> dict[str, tuple[str, str]]:
    """Deliberate mistakes, each on its own node: name -> (shape that must catch it, focus node)."""
    return {
        "selector shifted by one": ("kgsh:AnchoringShape",
                                    first(seed_store, "SELECT ?a WHERE { ?a a schema:NewsArticle }")["a"]),
        "threatened action with a time stamp": ("kgsh:TimeOnlyWhenRealizedShape", proposed_event(seed_store)),
        "link to a Wikipedia page": ("kgsh:Link-target", IRAN),
        "quote without a speaker": ("kgsh:Statement-author", statement(seed_store)),
        "claim with a status as modality": ("kgsh:Claim-modality",
                                            first(seed_store, "SELECT ?c WHERE { ?c a kg:Claim } ORDER BY ?c LIMIT 1")["c"]),
    }


@pytest.fixture(scope="module")
def corrupted_report(seed_store: KgStore, corruptions: dict[str, tuple[str, str]]) -> ShaclReport:
    headline = first(seed_store, """SELECT ?p ?start ?end WHERE { ?a kg:anchorRole kg:HeadlineSpan ; oa:hasTarget ?t ;
        oa:hasBody/a <http://schema.org/NewsArticle> .
        ?t oa:hasSelector ?p . ?p oa:start ?start ; oa:end ?end }""")
    store = copy_of(
        seed_store,
        remove=[(headline["p"], "http://www.w3.org/ns/oa#start"), (headline["p"], "http://www.w3.org/ns/oa#end"),
                (corruptions["quote without a speaker"][1], "http://schema.org/author"),
                (corruptions["claim with a status as modality"][1], KG + "modality")],
        add=[quad(headline["p"], "http://www.w3.org/ns/oa#start", offset(int(headline["start"]) + 1)),
             quad(headline["p"], "http://www.w3.org/ns/oa#end", offset(int(headline["end"]) + 1)),
             quad(corruptions["threatened action with a time stamp"][1], SEM + "hasTimeStamp",
                  ox.Literal("2025-06", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYearMonth"))),
             quad(IRAN, "http://www.w3.org/2002/07/owl#sameAs", "https://en.wikipedia.org/wiki/Iran"),
             quad(corruptions["claim with a status as modality"][1], KG + "modality", KG + "Threatened")],
    )
    return check_shacl(store, shapes_file())


def test_shacl_catches_each_mistake_with_the_right_shape(corrupted_report: ShaclReport,
                                                         corruptions: dict[str, tuple[str, str]]) -> None:
    assert not corrupted_report.conforms
    for name, (shape, focus) in corruptions.items():
        assert violation(corrupted_report, shape, focus), f"{name}: no {shape} result for {focus}"
    # ... and nothing else fires.
    assert set(corrupted_report.shapes) == {shape for shape, _ in corruptions.values()}


def test_shacl_anchoring_message_shows_the_text_found_and_quoted(corrupted_report: ShaclReport) -> None:
    [line] = [r for r in corrupted_report.results if r.startswith("Violation kgsh:AnchoringShape")]
    assert 'not the quoted "Netanyahu URGES Trump' in line
    assert "/annotation/headline/headline/1#target" in line


def test_shacl_needs_the_shapes_file(seed_store: KgStore, tmp_path: Path) -> None:
    with pytest.raises(KgbuildError, match="no SHACL shapes"):
        check_shacl(seed_store, tmp_path / "missing.ttl")


# ---------------------------------------------------------------- OWL
def test_hermit_finds_the_seed_store_consistent(seed_store: KgStore) -> None:
    report = check_owl(seed_store)
    assert report.consistent, report.message
    assert report.message.startswith("consistent")


@pytest.mark.parametrize("mistake,expected", [
    ("event both realized and unrealized", "kg:RealizedEvent and kg:UnrealizedEvent, which are disjoint"),
    ("quote typed as a person", "kg:Actor and kg:Statement, which are disjoint"),
    ("threatened action with a time stamp", "but has sem:hasTimeStamp"),
])
def test_hermit_finds_a_deliberate_mistake_inconsistent(seed_store: KgStore, mistake: str, expected: str) -> None:
    event, quote = proposed_event(seed_store), statement(seed_store)
    wrong = {
        "event both realized and unrealized": quad(event, RDF_TYPE, KG + "RealizedEvent"),
        "quote typed as a person": quad(quote, RDF_TYPE, KG + "Person"),
        "threatened action with a time stamp": quad(event, SEM + "hasTimeStamp", ox.Literal(
            "2025-06-01", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))),
    }[mistake]
    report = check_owl(copy_of(seed_store, add=[wrong]))
    assert not report.consistent
    assert report.message.startswith("INCONSISTENT")
    assert expected in report.message
    assert f"<{wrong.subject.value}>" in report.message  # names the node to fix


def test_owl_check_says_how_to_get_java(seed_store: KgStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(owlready2, "JAVA_EXE", "/nonexistent/bin/java")
    with pytest.raises(KgbuildError, match="apt-get install default-jre-headless"):
        check_owl(seed_store)


# ---------------------------------------------------------------- CLI
def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_cli_validate_passes_the_seed(corpus: Path, seed_store_path: Path) -> None:
    # HermiT on the seed runs in test_hermit_finds_the_seed_store_consistent; here the wiring.
    code, out, err = run("validate", str(corpus), "--store", str(seed_store_path), "--no-owl")
    assert code == 0, out + err
    assert out.splitlines() == ["annotations: 1 file(s), no errors", "shacl: conforms"]


def test_cli_validate_lists_every_bad_file_and_fails(broken_corpus: tuple[Path, dict[str, Path]],
                                                     seed_store_path: Path) -> None:
    corpus, bad = broken_corpus
    code, out, _ = run("validate", str(corpus), "--store", str(seed_store_path), "--no-shacl", "--no-owl")
    assert code == 1
    lines = out.splitlines()
    assert lines[-1] == "annotations: 4 file(s), 3 with errors"
    for path in bad.values():
        assert sum(line.startswith(str(path)) for line in lines) == 1, path


def test_cli_validate_reports_shacl_and_owl_failures(corpus: Path, seed_store: KgStore, tmp_path: Path) -> None:
    path = tmp_path / "store"
    store = KgStore(path)
    quote = statement(seed_store)
    store.add(copy_of(seed_store, add=[
        quad(IRAN, "http://www.w3.org/2002/07/owl#sameAs", "https://www.wikidata.org/wiki/Q794"),  # a page, not an item
        quad(quote, RDF_TYPE, KG + "Person"),  # a quote is no person
    ]).quads())
    store.flush()
    del store
    code, out, _ = run("validate", str(corpus), "--store", str(path))
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "annotations: 1 file(s), no errors"
    assert any(line.startswith(f"Violation kgsh:Link-target: <{IRAN}> (owl:sameAs|skos:exactMatch|skos:closeMatch): "
                               "a link target is a Wikidata item IRI") for line in lines)
    assert "shacl: 1 result(s) from 1 shape(s): kgsh:Link-target" in lines
    assert "owl: INCONSISTENT" in out
    assert f"<{quote}> is both kg:Actor and kg:Statement, which are disjoint" in out


def test_cli_validate_without_a_store_checks_annotations_only(corpus: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KGBUILD_STORE", raising=False)
    code, out, _ = run("validate", str(corpus))
    assert code == 0
    assert "SHACL and OWL checks skipped" in out
    code, out, _ = run("validate", str(corpus), "--store", str(tmp_path / "absent"))
    assert code == 1  # a store asked for by name must exist
