"""Where a project's files live: data/, ontology/, queries/. One place, so every module agrees.

A folder in the current directory wins (a user's own project); otherwise the
source checkout this package was installed from.
"""
from __future__ import annotations

import os
from pathlib import Path

from .loader import REGISTRY_FILE

ONTOLOGY_ENV = "KGBUILD_ONTOLOGY"
SHAPES_FILE = "shapes.ttl"


def project_root() -> Path:
    """The source checkout this package lives in."""
    return Path(__file__).resolve().parents[2]


def default_data_dir() -> Path:
    cwd = Path.cwd() / "data"
    return cwd if (cwd / REGISTRY_FILE).is_file() else project_root() / "data"


def queries_dir() -> Path:
    cwd = Path.cwd() / "queries"
    return cwd if cwd.is_dir() else project_root() / "queries"


def ontology_dir() -> Path:
    """$KGBUILD_ONTOLOGY, else the project's ontology/."""
    return Path(os.environ.get(ONTOLOGY_ENV) or project_root() / "ontology")


def ontology_files() -> list[Path]:
    """The ontology's Turtle files, without the SHACL shapes."""
    return sorted(p for p in ontology_dir().glob("*.ttl") if p.name != SHAPES_FILE)


def shapes_file() -> Path:
    """ontology/shapes.ttl ($KGBUILD_ONTOLOGY's, else the project's)."""
    path = ontology_dir() / SHAPES_FILE
    return path if path.is_file() else project_root() / "ontology" / SHAPES_FILE
