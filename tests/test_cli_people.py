"""The CLI for people: names not IRIs in tables that fit the terminal, entities named the way people name them."""
from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from helpers import BASE, select

from kgbuild.cli import main
from kgbuild.errors import QueryError
from kgbuild.names import Names, compact, store_prefixes
from kgbuild.results import fit_widths, fold_labels
from kgbuild.store import KgStore

KGBUILD = Path(sys.executable).with_name("kgbuild")


def kgbuild(*args: str, columns: int = 80) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": str(columns)}
    return subprocess.run([str(KGBUILD), *args], env=env, capture_output=True, text=True, timeout=120)


def test_who_said_what_in_80_columns_shows_names_not_iris(seed_store_path: Path) -> None:
    done = kgbuild("query", "who-said-what", "--store", str(seed_store_path), "-f", "table")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "https://" not in done.stdout and "<http" not in done.stdout
    header = lines[1]
    assert "speaker" in header and "speakerName" not in header  # the IRI column is folded into its label
    speakers = {line.split("│")[1].strip() for line in lines if line.startswith("│")}
    assert {"Donald Trump", "Benjamin Netanyahu", "Israeli officials"} <= speakers  # each name whole, on one line


def test_the_default_format_is_a_table_only_on_a_terminal(seed_store_path: Path) -> None:
    done = kgbuild("query", "who-said-what", "--store", str(seed_store_path))  # stdout is a pipe here
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert rows and rows[0]["speaker"].startswith(BASE + "actor/")  # scripts keep full IRIs
    assert {r["speakerName"] for r in rows} >= {"Donald Trump"}


@pytest.mark.parametrize("value", ["trump", "actor:trump", "Donald Trump", "donald trump", BASE + "actor/trump",
                                   f"<{BASE}actor/trump>"])
def test_an_iri_parameter_takes_an_id_a_prefixed_name_a_label_or_an_iri(seed_store_path: Path, value: str) -> None:
    result = CliRunner().invoke(main, ["query", "actor-profile", "-p", f"actor={value}", "--store",
                                       str(seed_store_path), "-f", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {r["actor"] for r in rows} == {BASE + "actor/trump"}
    assert any(r["text"] == "there will definitely be an Israeli attack" for r in rows)


def test_an_unknown_name_is_refused_with_candidates(seed_store_path: Path) -> None:
    result = CliRunner().invoke(main, ["query", "actor-profile", "-p", "actor=Netanyahoo", "--store",
                                       str(seed_store_path)])
    assert result.exit_code == 1
    assert "parameter 'actor': 'Netanyahoo' names nothing" in result.stderr
    assert "actor:netanyahu (Benjamin Netanyahu)" in result.stderr and "Traceback" not in result.stderr


def test_an_ambiguous_label_is_refused_with_each_candidate(tmp_path: Path) -> None:
    store = KgStore(tmp_path / "store")
    registry = ox.NamedNode(BASE + "graph/registry")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    alias = ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
    for key, name in (("john-smith", "John Smith"), ("john-smith-jr", "John Smith Jr.")):
        store.add([ox.Quad(ox.NamedNode(BASE + f"actor/{key}"), label, ox.Literal(name, language="en"), registry),
                   ox.Quad(ox.NamedNode(BASE + f"actor/{key}"), alias, ox.Literal("Smith", language="en"), registry)])
    names = Names(store, BASE)
    assert names.resolve("John Smith").value == BASE + "actor/john-smith"
    with pytest.raises(QueryError) as refused:
        names.resolve("smith", "parameter 'speaker':")
    message = str(refused.value)
    assert "ambiguous" in message and "actor:john-smith (John Smith)" in message
    assert "actor:john-smith-jr (John Smith Jr.)" in message


def test_show_prints_what_an_actor_said_claimed_and_did(seed_store_path: Path) -> None:
    done = kgbuild("show", "Donald Trump", "--store", str(seed_store_path), columns=160)
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert text.startswith("Donald Trump") and "actor:trump" in text and "wd:Q22686" in text
    said = select(KgStore(seed_store_path, read_only=True), "SELECT (COUNT(?q) AS ?n) WHERE { ?q a "
                  f"<http://schema.org/Quotation> ; <http://schema.org/author> <{BASE}actor/trump> }}")[0]["n"]
    assert f"Said ({said})" in text and "“there will definitely be an Israeli attack”" in text
    assert "Claimed (3)" in text and "warned" in text
    assert "Netanyahu–Trump meeting at Mar-a-Lago" in text and "participant" in text
    assert "conditional" in text and "occurred" in text
    assert "Netanyahu URGES Trump To Strike Iran’s Ballistic Missile Program" in text
    missing = kgbuild("show", "nobody-at-all", "--store", str(seed_store_path))
    assert missing.returncode == 1 and missing.stderr.startswith("Error: entity 'nobody-at-all' names nothing")


def test_compaction_prefers_the_longest_namespace() -> None:
    prefixes = store_prefixes(BASE)
    assert compact(BASE + "actor/trump", prefixes) == "actor:trump"
    assert compact(BASE + "article/x/statement/q", prefixes) == "article:x/statement/q"
    assert compact("http://schema.org/Person", prefixes) == "schema:Person"
    assert compact("urn:x:y", prefixes) == "<urn:x:y>"


def test_folding_keeps_the_iri_where_the_label_is_missing() -> None:
    a, b = ox.NamedNode(BASE + "actor/a"), ox.NamedNode(BASE + "actor/b")
    names, rows, folded = fold_labels(["who", "whoName", "n"], [[a, ox.Literal("A"), ox.Literal("1")],
                                                                 [b, None, ox.Literal("2")]])
    assert names == ["who", "n"] and folded == {"who"}
    assert rows == [[ox.Literal("A"), ox.Literal("1")], [b, ox.Literal("2")]]


def test_widths_fit_and_names_give_way_last() -> None:
    widths = fit_widths([18, 40, 24, 5], [18, 12, 24, 5], 50, keep={0, 3}, first={2})
    assert sum(widths) <= 50 and widths[0] == 18 and widths[3] == 5 and widths[2] >= 10
    assert fit_widths([5, 6], [5, 6], 80) == [5, 6]
