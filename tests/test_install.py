"""kgbuild as a new user gets it: a wheel installed into a fresh virtualenv, run from a folder of the user's own.

The wheel must carry the ontology and the saved queries: the installed tool builds the
same quads as the checkout and answers every saved query the same way. A `queries/`
folder in the user's directory, or `--queries DIR`, adds to the shipped queries.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from helpers import DATA, REPO

from kgbuild.paths import shipped_dir
from kgbuild.queries import saved_queries

SAMPLE_VALUES = {"actor": "https://w3id.org/kgbuild/id/actor/trump"}  # for parameters a query cannot do without
MINE = "# title: Every graph\nSELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g\n"


def _run(args: list[str | Path], cwd: Path, env: dict[str, str], timeout: float = 300) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{args}: {done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin/ folder of a fresh virtualenv holding kgbuild installed from a wheel built from this checkout."""
    root = tmp_path_factory.mktemp("install")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KGBUILD_", "PYTHON", "VIRTUAL_ENV"))}
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", root / "dist", REPO], root, env)
    (wheel,) = (root / "dist").glob("kgbuild-*.whl")
    venv.EnvBuilder(with_pip=True).create(root / "venv")
    bin_dir = root / "venv" / "bin"
    _run([bin_dir / "python", "-m", "pip", "install", "-q", wheel], root, env, timeout=600)
    where = _run([bin_dir / "python", "-c", "import kgbuild; print(kgbuild.__file__)"], root, env)
    assert Path(where.strip()).is_relative_to(root / "venv"), where  # not the checkout's package
    return bin_dir


def test_the_installed_wheel_builds_and_answers_like_the_checkout(installed: Path, tmp_path: Path) -> None:
    user = tmp_path / "elsewhere"
    shutil.copytree(DATA, user / "mydata")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KGBUILD_", "PYTHON", "VIRTUAL_ENV"))}
    env["KGBUILD_CACHE"] = str(tmp_path / "cache")
    theirs, ours = tmp_path / "installed-store", tmp_path / "checkout-store"
    _run([installed / "kgbuild", "build", "mydata", "--store", theirs, "-q", "--workers", "1"], user, env)
    checkout = Path(sys.executable).with_name("kgbuild")
    _run([checkout, "build", DATA, "--store", ours, "-q", "--workers", "1"], REPO, env)

    exported = [_run([exe, "export", "-f", "nquads", "--store", store], user, env)
                for exe, store in ((installed / "kgbuild", theirs), (checkout, ours))]
    assert exported[0] == exported[1]
    assert "<https://w3id.org/kgbuild/ontology#Claim> <http://www.w3.org/2000/01/rdf-schema#label>" in exported[0]

    names = sorted(saved_queries(shipped_dir("queries")))
    listed = _run([installed / "kgbuild", "queries"], user, env)
    assert [line.split()[0] for line in listed.splitlines()] == names
    for name in names:
        query = saved_queries(shipped_dir("queries"))[name]
        params = [f"--param={p.name}={SAMPLE_VALUES[p.name]}" for p in query.parameters
                  if not p.optional and p.default is None]
        answers = [json.loads(_run([exe, "query", name, "-f", "json", "--store", store, *params], user, env))
                   for exe, store in ((installed / "kgbuild", theirs), (checkout, ours))]
        assert answers[0] == answers[1], name


def test_a_users_queries_add_to_the_shipped_ones(installed: Path, tmp_path: Path) -> None:
    user = tmp_path / "elsewhere"
    (user / "queries").mkdir(parents=True)
    (user / "queries" / "mine.rq").write_text(MINE, "utf-8")
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "more-of-mine.rq").write_text(MINE.replace("Every graph", "More"), "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KGBUILD_", "PYTHON", "VIRTUAL_ENV"))}
    store = tmp_path / "store"
    _run([installed / "kgbuild", "build", DATA / "articles", "--store", store, "-q", "--workers", "1"], user, env)
    listed = _run([installed / "kgbuild", "queries", "--queries", tmp_path / "more"], user, env)
    names = [line.split()[0] for line in listed.splitlines()]
    assert {"mine", "more-of-mine", "who-said-what"} <= set(names)
    graphs = _run([installed / "kgbuild", "query", "mine", "-f", "csv", "--store", store], user, env)
    assert "https://w3id.org/kgbuild/id/graph/ontology" in graphs.splitlines()
