"""`kgbuild link check`: unlinked entities reported, malformed links refused with exit 1."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from helpers import DATA

from kgbuild import loader
from kgbuild.cli import main
from kgbuild.errors import AnnotationError
from kgbuild.linking import check_links, dbpedia_problem, wikidata_problem
from kgbuild.vocab import WIKIDATA_ITEM_IRI


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["link", "check", *args])
    return result.exit_code, result.output


def write_links(corpus: Path, links: dict[str, dict[str, str]]) -> None:
    (corpus / "links.yaml").write_text(yaml.safe_dump({"kgbuild": 1, "links": links}, sort_keys=False), "utf-8")


def test_the_curated_links_pass(corpus: Path) -> None:
    report = check_links(DATA)
    assert report.ok and not report.problems and not report.warnings
    linked = {row.entity for row in report.links}
    assert {"netanyahu", "trump", "israel", "iran", "united-states", "hamas", "hezbollah"} <= linked
    for row in report.links:
        for target in row.targets:
            if "wikidata" in target:
                assert WIKIDATA_ITEM_IRI.match(target), target
    # Unlinked: allowed, reported; collective actors are among them and flagged as such.
    unlinked = {u.entity: u for u in report.unlinked}
    assert unlinked["israeli-officials"].note == "collective: no item expected"
    assert not linked & set(unlinked)
    assert all(u.type not in ("Position", "Programme", "Policy") for u in report.unlinked)
    code, out = run("--data", str(corpus))
    assert code == 0, out
    assert "Entities with no link" in out and "0 malformed" in out


def test_cli_defaults_to_the_project_data() -> None:
    code, out = run()
    assert code == 0 and str(DATA / "links.yaml") in out.replace("\n", "")


@pytest.mark.parametrize("field,value,message", [
    ("wikidata", "43723", "not a Wikidata item id"),
    ("wikidata", "Q043723", "not a Wikidata item id"),
    ("wikidata", "P39", "properties, P…, and lexemes, L…, are not items"),
    ("wikidata", "http://www.wikidata.org/entity/Q43723", "not an IRI"),
    ("dbpedia", "Benjamin Netanyahu", "use '_' for spaces"),
    ("dbpedia", "benjamin_Netanyahu", "not a DBpedia resource title"),
    ("dbpedia", "Benjamin_Netanyahu#early_life", "not a DBpedia resource title"),
    ("dbpedia", "http://dbpedia.org/resource/Benjamin_Netanyahu", "not an IRI"),
])
def test_malformed_targets_exit_1_with_entity_line_and_reason(corpus: Path, field: str, value: str,
                                                               message: str) -> None:
    links = yaml.safe_load((corpus / "links.yaml").read_text("utf-8"))["links"]
    links["netanyahu"][field] = value
    write_links(corpus, links)
    report = check_links(corpus)
    assert [(p.entity, p.field, p.value) for p in report.problems] == [("netanyahu", field, value)]
    assert message in report.problems[0].message
    assert report.problems[0].line is not None
    code, out = run("--data", str(corpus / "articles"))  # any folder inside the corpus will do
    assert code == 1
    assert "Malformed links" in out and "1 malformed" in out


def test_collective_actors_may_not_be_same_as_an_item(corpus: Path) -> None:
    write_links(corpus, {"israeli-officials": {"label": "Israel", "wikidata": "Q801", "match": "same"}})
    report = check_links(corpus)
    assert [p.entity for p in report.problems] == ["israeli-officials"]
    assert "must not be owl:sameAs" in report.problems[0].message
    assert run("--data", str(corpus))[0] == 1
    # The loader refuses the same file, so a build can never emit that owl:sameAs.
    with pytest.raises(AnnotationError, match="collective actor cannot be owl:sameAs"):
        loader.load_registry(corpus)
    write_links(corpus, {"israeli-officials": {"label": "Israel", "wikidata": "Q801", "match": "close"}})
    assert check_links(corpus).ok


def test_other_problems_are_reported_together(corpus: Path) -> None:
    write_links(corpus, {
        "nobody": {"label": "Nobody", "wikidata": "Q1", "match": "same"},
        "trump": {"label": "Donald Trump", "match": "same"},
        "iran": {"wikidata": "Q794", "match": "identical", "source": "memory"},
    })
    problems = {(p.entity, p.field) for p in check_links(corpus).problems}
    assert problems == {("nobody", None), ("trump", None), ("iran", "label"), ("iran", "match"), ("iran", "source")}


def test_two_entities_same_as_one_item_is_a_warning(corpus: Path) -> None:
    write_links(corpus, {"israel": {"label": "Israel", "wikidata": "Q801", "match": "same"},
                         "gaza": {"label": "Israel", "wikidata": "Q801", "match": "same"}})
    report = check_links(corpus)
    assert report.ok and len(report.warnings) == 1
    code, out = run("--data", str(corpus))
    assert code == 0 and "Warnings" in out


def test_target_checks_accept_real_identifiers() -> None:
    for q in ("Q1", "Q43723", "Q134900605"):
        assert wikidata_problem(q) is None
    for title in ("Benjamin_Netanyahu", "Iran–Israel_proxy_conflict", "Mar-a-Lago", "The_Washington_Post",
                  "Hamas_(organization)"):
        assert dbpedia_problem(title) is None, title
