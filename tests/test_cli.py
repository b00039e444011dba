"""The real CLI, as a user runs it: build, query in every format, export, stats."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import rdflib
from click.testing import CliRunner
from helpers import REPO, SEED_ANNOTATION

from kgbuild.cli import main


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_build_query_export_end_to_end_with_the_installed_command(tmp_path: Path) -> None:
    """The console script itself, in a subprocess, from a clean working directory."""
    env = {**os.environ, "KGBUILD_STORE": str(tmp_path / "store")}
    exe = Path(sys.executable).with_name("kgbuild")
    build = subprocess.run([exe, "build"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert build.returncode == 0, build.stderr
    assert "built" in build.stdout and "quads" in build.stdout
    query = subprocess.run([exe, "query", "who-said-what", "-f", "csv"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=60)
    assert query.returncode == 0, query.stderr
    assert "there will definitely be an Israeli attack" in query.stdout


def test_query_formats(seed_store_path: Path) -> None:
    store = str(seed_store_path)
    code, out, _ = run("query", "reporting-chains", "--store", store, "-f", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["sourceName"] for r in rows} == {"NBC News", "The Washington Post", "Haaretz"}
    code, out, _ = run("query", "reporting-chains", "--store", store, "-f", "tsv")
    assert code == 0 and out.splitlines()[0].startswith("?sourceName\t")
    code, out, _ = run("query", "reporting-chains", "--store", store, "-f", "json")
    assert len(json.loads(out)["results"]["bindings"]) == 4  # The Washington Post has two links
    code, out, _ = run("query", "reporting-chains", "--store", store, "-f", "xml")
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    assert len(ElementTree.fromstring(out).findall(".//r:result", ns)) == 4
    code, out, _ = run("query", "reporting-chains", "--store", store, "-f", "table")
    assert code == 0 and "4 row(s)" in out and "Haaretz" in out


def test_query_a_file_with_construct_as_turtle(seed_store_path: Path, tmp_path: Path) -> None:
    rq = tmp_path / "speakers.rq"
    rq.write_text("# title: speakers\nPREFIX schema: <http://schema.org/>\n"
                  "CONSTRUCT { ?q schema:author ?a } WHERE { ?q a schema:Quotation ; schema:author ?a }", "utf-8")
    code, out, err = run("query", str(rq), "--store", str(seed_store_path), "-f", "turtle")
    assert code == 0, err
    graph = rdflib.Graph().parse(data=out, format="turtle")
    assert len(graph) == 11


def test_query_parameters_and_errors(seed_store_path: Path) -> None:
    store = str(seed_store_path)
    code, out, _ = run("query", "military-actions-by-status", "-p", "status=conditional", "--store", store, "-f", "csv")
    assert code == 0 and len(out.strip().splitlines()) == 4
    code, _, err = run("query", "no-such-query", "--store", store)
    assert code == 1 and "no saved query 'no-such-query'" in err and "who-said-what" in err
    code, _, err = run("query", "sentence", "-p", "n=abc", "--store", store)
    assert code == 1 and "'abc' is not a valid integer" in err and "Traceback" not in err
    code, _, err = run("query", "who-said-what", "--store", str(Path(store).parent / "missing"))
    assert code == 1 and "no store at" in err


def test_export_to_a_file_and_stats(seed_store_path: Path, tmp_path: Path) -> None:
    out_file = tmp_path / "seed.ttl"
    code, _, err = run("export", "--store", str(seed_store_path), "-o", str(out_file))
    assert code == 0, err
    assert len(rdflib.Graph().parse(out_file, format="turtle")) > 4000
    code, out, _ = run("stats", "--store", str(seed_store_path))
    assert code == 0 and "kg:Claim" in out and "schema:Quotation" in out


def test_queries_lists_saved_queries() -> None:
    code, out, _ = run("queries")
    assert code == 0
    assert "who-said-what" in out and "actor:iri" in out and len(out.splitlines()) == len(list((REPO / "queries").glob("*.rq")))


def test_build_of_an_explicit_file(tmp_path: Path) -> None:
    code, out, err = run("build", str(SEED_ANNOTATION), "--store", str(tmp_path / "s"), "-q")
    assert code == 0, err
    assert out.startswith("built 1 article(s)")
