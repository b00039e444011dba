"""Score drafted attributions against a folder of brat gold: the library behind `kgbuild eval attribution`.

A gold folder is either plain brat (`NAME.txt` beside `NAME.ann`) or PolNeAR's layout
(`text/NAME.txt` and `attributions/NAME_<annotator>.ann`; an article annotated twice is scored
against the first file in name order).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .. import loader
from ..errors import KgbuildError
from .brat import read_brat
from .scoring import Scores, score_article
from .spans import Attribution


@dataclass(frozen=True)
class GoldArticle:
    name: str
    text: Path
    ann: Path


def gold_articles(folder: Path) -> list[GoldArticle]:
    """The (text, gold .ann) pairs of a gold folder, in name order."""
    folder = Path(folder)
    if (folder / "text").is_dir() and (folder / "attributions").is_dir():
        anns: dict[str, Path] = {}
        for ann in sorted((folder / "attributions").glob("*.ann")):
            anns.setdefault(ann.stem.rsplit("_", 1)[0], ann)
        pairs = [GoldArticle(name, folder / "text" / f"{name}.txt", ann) for name, ann in anns.items()
                 if (folder / "text" / f"{name}.txt").is_file()]
    else:
        pairs = [GoldArticle(txt.stem, txt, txt.with_suffix(".ann")) for txt in sorted(folder.glob("*.txt"))
                 if txt.with_suffix(".ann").is_file()]
    if not pairs:
        raise KgbuildError(f"{folder}: no gold articles here (NAME.txt with NAME.ann, or text/ and attributions/)")
    return pairs


Drafter = Callable[[GoldArticle, str], list[Attribution]]


def drafting(draft: Callable[[str], list[Attribution]]) -> Drafter:
    """A drafter that drafts each gold article's text now."""
    return lambda article, body: draft(body)


def saved_drafts(folder: Path) -> Drafter:
    """A drafter that reads `folder/NAME.ann`, written earlier by `kgbuild draft --format brat`."""
    def read(article: GoldArticle, body: str) -> list[Attribution]:
        path = Path(folder) / f"{article.name}.ann"
        if not path.is_file():
            raise KgbuildError(f"{path}: no draft for gold article {article.name}; "
                               f"run kgbuild draft --format brat {article.text} -o {path}")
        return read_brat(loader.read_text(path))
    return read


def iter_scores(folder: Path, draft: Drafter, limit: int | None = None) -> Iterator[tuple[GoldArticle, Scores]]:
    """Each gold article's scores, its drafted attributions from `draft`."""
    for article in gold_articles(folder)[:limit]:
        body = loader.read_text(article.text)
        gold = read_brat(loader.read_text(article.ann))
        yield article, score_article(draft(article, body), gold, body)


def evaluate(folder: Path, draft: Drafter, limit: int | None = None) -> Scores:
    """All gold articles' scores, summed."""
    total = Scores()
    for _, scores in iter_scores(folder, draft, limit):
        total.add(scores)
    return total


def report(scores: Scores) -> str:
    """The scores as a small text table."""
    lines = [f"{scores.articles} article(s)",
             f"{'part':8} {'match':8} {'P':>6} {'R':>6} {'F1':>6} {'drafted':>8} {'gold':>6}"]
    for (part, how), c in scores.counts.items():
        lines.append(f"{part:8} {how:8} {c.precision:6.3f} {c.recall:6.3f} {c.f1:6.3f} {c.drafted:8d} {c.gold:6d}")
    lines.append(f"direct-quote speaker accuracy {scores.speaker_accuracy:.3f} "
                 f"({scores.speakers_right}/{scores.quotes_found} found; {scores.quotes_gold} gold direct quotes)")
    return "\n".join(lines)
