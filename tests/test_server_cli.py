"""`kgbuild serve` as a user runs it: a real process on 127.0.0.1 over the seed store and the project's queries."""
from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest
import rdflib
from server_fixtures import KGBUILD, REPO, TOKEN, kgbuild_serve, small_store


def test_serve_seed_store_read_only(seed_store_path: Path) -> None:
    with kgbuild_serve("--store", str(seed_store_path)) as url:
        r = httpx.get(url + "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
                      headers={"Accept": "text/csv"})
        assert r.status_code == 200 and int(r.text.splitlines()[1]) > 1000
        r = httpx.post(url + "/sparql", content=b"DROP ALL", headers={"Content-Type": "application/sparql-update",
                                                                       "Authorization": "Bearer anything"})
        assert r.status_code == 403
        listed = httpx.get(url + "/queries").json()
        assert len(listed) >= 12  # the project's saved queries
        r = httpx.get(url + "/queries/who-said-what.csv")
        assert r.status_code == 200 and len(r.text.splitlines()) > 1
        # A resource the seed article mints dereferences here, with its text anchors.
        r = httpx.get(url + "/id/actor/trump", headers={"Accept": "text/html"})
        assert r.status_code == 200 and "<mark" in r.text
        g = rdflib.Graph().parse(data=httpx.get(url + "/id/actor/trump", headers={"Accept": "text/turtle"}).text,
                                 format="turtle")
        assert (rdflib.URIRef("https://w3id.org/kgbuild/id/actor/trump"), rdflib.OWL.sameAs, None) in g


def test_serve_with_write_token_from_env(tmp_path: Path) -> None:
    store = small_store(tmp_path / "store")
    store.flush()
    del store
    with kgbuild_serve("--store", str(tmp_path / "store"), env={"KGBUILD_WRITE_TOKEN": TOKEN}) as url:
        insert = b"INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> <http://example.org/p> 1 } }"
        r = httpx.post(url + "/sparql", content=insert, headers={"Content-Type": "application/sparql-update"})
        assert r.status_code == 401
        r = httpx.post(url + "/sparql", content=insert, headers={"Content-Type": "application/sparql-update",
                                                                  "Authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 204
        assert httpx.get(url + "/rdf-graph-store", params={"graph": "http://example.org/g"}).status_code == 200


def test_serve_missing_store_is_one_line_error(tmp_path: Path) -> None:
    r = subprocess.run([*KGBUILD, "serve", "--store", str(tmp_path / "none")], cwd=REPO, capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 1 and r.stderr.startswith("Error:") and "Traceback" not in r.stderr


@pytest.mark.parametrize("option", ["--write-token-file"])
def test_serve_token_file(tmp_path: Path, option: str) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    store = small_store(tmp_path / "store")
    del store
    with kgbuild_serve("--store", str(tmp_path / "store"), option, str(token_file)) as url:
        r = httpx.delete(url + "/rdf-graph-store", params={"graph": "https://w3id.org/kgbuild/id/graph/a2"},
                         headers={"Authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 204
