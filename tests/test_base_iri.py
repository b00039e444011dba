"""The base IRI belongs to the store: a build records it; serve, export and bundle read it, and no one asks again.

A store built with `--base https://example.org/kg/` is served without `--base`, and its
pages answer at the path of that base (`/kg/actor/trump`), as HTML for people and as RDF
for machines; an export names the base as its `id:` prefix; a rebuild keeps it.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import rdflib
from helpers import SEED_ANNOTATION
from server_fixtures import kgbuild_serve

from kgbuild.store import KgStore
from kgbuild.vocab import DEFAULT_BASE

OTHER = "https://example.org/kg/"
KGBUILD = [str(Path(sys.executable).with_name("kgbuild"))]


def kgbuild(*args: str | Path, ok: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([*KGBUILD, *map(str, args)], capture_output=True, text=True, timeout=300)
    assert (done.returncode == 0) == ok, done.stderr
    return done


@pytest.fixture(scope="module")
def other_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("base") / "store"
    kgbuild("build", SEED_ANNOTATION, "--store", path, "--base", OTHER, "-q", "--workers", "1")
    return path


def test_the_store_records_its_base_and_a_rebuild_keeps_it(other_store: Path) -> None:
    assert KgStore(other_store, read_only=True).base == OTHER
    again = kgbuild("build", SEED_ANNOTATION, "--store", other_store, "-q", "--workers", "1")
    assert "skipped 1 unchanged" in again.stdout  # the same IRIs: nothing to rebuild
    refused = kgbuild("build", SEED_ANNOTATION, "--store", other_store, "--base", DEFAULT_BASE, ok=False)
    assert refused.returncode == 1 and len(refused.stderr.strip().splitlines()) == 1
    assert f"built with base IRI {OTHER}" in refused.stderr and "Traceback" not in refused.stderr
    assert KgStore(other_store, read_only=True).base == OTHER


def test_a_store_with_no_description_has_the_default_base() -> None:
    assert KgStore().recorded_base() is None and KgStore().base == DEFAULT_BASE


def test_export_and_bundle_name_the_stores_base(other_store: Path, tmp_path: Path) -> None:
    turtle = kgbuild("export", "-f", "turtle", "--store", other_store).stdout
    graph = rdflib.Graph().parse(data=turtle, format="turtle")
    assert dict(graph.namespaces())["id"] == rdflib.URIRef(OTHER)
    assert (rdflib.URIRef(OTHER + "actor/trump"), None, None) in graph
    assert not any(str(s).startswith(DEFAULT_BASE) for s in graph.subjects())
    kgbuild("export", "--bundle", tmp_path / "bundle", "--store", other_store)
    manifest = json.loads((tmp_path / "bundle" / "manifest.json").read_text("utf-8"))
    assert manifest["base"] == OTHER


def test_serve_without_base_dereferences_the_stores_own_pages(other_store: Path) -> None:
    with kgbuild_serve("--store", str(other_store)) as url:
        page = httpx.get(url + "/kg/actor/trump", headers={"Accept": "text/html"}, timeout=30)
        assert page.status_code == 200, page.text
        assert "text/html" in page.headers["content-type"] and "Trump" in page.text
        assert f"<code>{OTHER}actor/trump</code>" in page.text
        data = httpx.get(url + "/kg/actor/trump", headers={"Accept": "text/turtle"}, timeout=30)
        assert data.status_code == 200, data.text
        described = rdflib.Graph().parse(data=data.text, format="turtle")
        assert (rdflib.URIRef(OTHER + "actor/trump"), None, None) in described
        assert httpx.get(url + "/id/actor/trump", timeout=30).status_code == 404  # not the default base's path
