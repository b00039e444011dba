"""Where a corpus is: the folder holding registry.yaml (and links.yaml), its registry, its article files.

The one place that finds corpora, for every caller: from annotation files or folders
(build, validate, `export --format webannotation`), or from a `--registry` option and the
folders a new file goes to (the importers and `draft`). Each registry is read once, and
an article id used twice is caught by one check (`ArticleIds`).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from . import loader
from . import model as m
from .errors import AnnotationError, KgbuildError
from .paths import REGISTRY_FILE, default_data_dir


@dataclass
class Corpus:
    """One corpus: its root folder, its registry (read when first asked for) and the article files given."""

    root: Path
    files: list[Path] = field(default_factory=list)

    @cached_property
    def registry(self) -> m.Registry:
        """registry.yaml with links.yaml; an AnnotationError names the file and line of a fault."""
        return loader.load_registry(self.root)


def corpora(paths: Iterable[Path] = (), *, errors: list[AnnotationError] | None = None) -> list[Corpus]:
    """The corpora the annotation files under `paths` (default: the project's data/) belong to, in file order.

    A missing path raises, unless `errors` collects it (validate reports every fault at once).
    """
    targets = [Path(p) for p in paths] or [default_data_dir()]
    found: dict[Path, Corpus] = {}
    root_of: dict[Path, Path] = {}  # folder -> its corpus root, found once per folder
    for target in targets:
        try:
            files = list(loader.find_article_files([target]))
        except AnnotationError as exc:
            if errors is None:
                raise
            errors.append(exc)
            continue
        for f in files:
            if f.parent not in root_of:
                try:
                    root_of[f.parent] = loader.find_corpus_root(f.parent)
                except AnnotationError as exc:
                    if errors is None:
                        raise
                    errors.append(exc)
                    continue
            root = root_of[f.parent]
            found.setdefault(root, Corpus(root)).files.append(f)
    return list(found.values())


def one_corpus(paths: Iterable[Path] = ()) -> Corpus:
    """The single corpus of the annotation files under `paths`: a store holds one corpus."""
    targets = [Path(p) for p in paths] or [default_data_dir()]
    found = corpora(targets)
    if not found:
        raise KgbuildError(f"no annotation files (*.yaml) under {', '.join(map(str, targets))}")
    if len(found) > 1:
        roots = sorted(c.root for c in found)
        raise KgbuildError(f"these articles belong to {len(roots)} corpora ({', '.join(map(str, roots))}); "
                           "a store holds one corpus: build each into its own --store")
    return found[0]


def corpus_for(option: Path | None, *starts: Path) -> Corpus:
    """The corpus named by a `--registry` option (registry.yaml or its folder), else the one at or above
    the first of `starts` that has one, else the project's data/."""
    if option is not None:
        option = Path(option)
        if option.is_file():
            if option.name != REGISTRY_FILE:
                raise AnnotationError(option, f"a corpus registry file must be named {REGISTRY_FILE}",
                                      hint="pass the file's folder, or rename the file")
            return Corpus(option.parent)
        if (option / REGISTRY_FILE).is_file():
            return Corpus(option)
        raise AnnotationError(option, f"no {REGISTRY_FILE} here", hint="pass registry.yaml or its folder")
    for start in starts:
        try:
            return Corpus(loader.find_corpus_root(Path(start)))
        except AnnotationError:
            continue
    return Corpus(default_data_dir())


class ArticleIds:
    """Each article id once in a corpus: the check build and validate share."""

    def __init__(self) -> None:
        self.seen: dict[str, Path | str] = {}

    def check(self, aid: str, path: Path | str) -> AnnotationError | None:
        """None for a new id; else the error to raise or report (the first file keeps the id)."""
        if aid in self.seen:
            return AnnotationError(Path(path), f"article id {aid!r} is also used by {self.seen[aid]}",
                                   hint="give each article its own id")
        self.seen[aid] = path
        return None
