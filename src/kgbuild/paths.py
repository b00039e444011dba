"""Where kgbuild's files live (the shipped ontology/ and queries/, a user's data/ and queries/, the cache),
and the one way kgbuild writes a file whole (`atomic_write`).

`ontology/` and `queries/` stand at the top of the source tree for people to read and
edit; a wheel carries them inside the package (`kgbuild/ontology`, `kgbuild/queries`,
copied there by setup.py's build step) and they are found with importlib.resources, so
an installed kgbuild and the checkout build the same quads. A folder in the current
directory adds a user's own: `./data` is the default corpus, `./queries` adds saved queries.
"""
from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

ONTOLOGY_ENV = "KGBUILD_ONTOLOGY"
CACHE_ENV = "KGBUILD_CACHE"
SHAPES_FILE = "shapes.ttl"
REGISTRY_FILE = "registry.yaml"
SHIPPED = ("ontology", "queries")  # the folders a wheel carries inside the package


def checkout_root() -> Path | None:
    """The source checkout this package runs from (an editable install), or None for an installed wheel."""
    root = Path(__file__).resolve().parents[2]
    return root if (root / "pyproject.toml").is_file() and (root / "src" / "kgbuild").is_dir() else None


def shipped_dir(name: str) -> Path:
    """A folder kgbuild ships (`ontology` or `queries`): the package's copy in a wheel, else the checkout's."""
    packaged = resources.files("kgbuild") / name
    if packaged.is_dir():
        return Path(str(packaged))
    root = checkout_root()
    if root is None:
        raise RuntimeError(f"kgbuild is installed without its {name}/ folder; reinstall the package")
    return root / name


def default_data_dir() -> Path:
    """./data when it holds a corpus, else the checkout's data/ (the seed corpus) when run from a checkout."""
    cwd = Path.cwd() / "data"
    root = checkout_root()
    if (cwd / REGISTRY_FILE).is_file() or root is None:
        return cwd
    return root / "data"


def queries_dirs(extra: tuple[Path, ...] | list[Path] = ()) -> list[Path]:
    """The folders of saved queries: the shipped ones, ./queries if there is one, then `extra` (later ones win a name)."""
    shipped = shipped_dir("queries")
    cwd = Path.cwd() / "queries"
    found = [shipped, *([cwd] if cwd.is_dir() and cwd.resolve() != shipped.resolve() else []), *map(Path, extra)]
    return list(dict.fromkeys(found))


def ontology_dir() -> Path:
    """$KGBUILD_ONTOLOGY, else the shipped ontology/."""
    env = os.environ.get(ONTOLOGY_ENV)
    return Path(env) if env else shipped_dir("ontology")


def ontology_files() -> list[Path]:
    """The ontology's Turtle files, without the SHACL shapes."""
    return sorted(p for p in ontology_dir().glob("*.ttl") if p.name != SHAPES_FILE)


def shapes_file() -> Path:
    """ontology/shapes.ttl ($KGBUILD_ONTOLOGY's, else the shipped one)."""
    path = ontology_dir() / SHAPES_FILE
    return path if path.is_file() else shipped_dir("ontology") / SHAPES_FILE


def cache_dir() -> Path:
    """Generated files worth keeping between runs: $KGBUILD_CACHE, else $XDG_CACHE_HOME/kgbuild (~/.cache/kgbuild)."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kgbuild"


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write `data` to `path` through a temporary file beside it, so a reader never sees half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.part")
    if isinstance(data, str):
        tmp.write_text(data, encoding="utf-8")
    else:
        tmp.write_bytes(data)
    os.replace(tmp, path)
