"""The article to draft: plain text, or a saved HTML page whose main text trafilatura extracts.

trafilatura is a maintained main-text extractor (boilerplate, menus and comments removed) that
also reads a page's metadata: headline, outlet, date and URL are kept when the page gives them.
Every refusal is one line naming the file and what to do.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .. import loader
from ..errors import AnnotationError
from .nlp import INSTALL_HINT, NlpMissing

MAX_ARTICLE_BYTES = 2 * 1024 * 1024  # a long news article is ~100 KB; 2 MiB leaves room for saved pages
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
MIN_WORDS = 20


@dataclass(frozen=True)
class ArticleSource:
    """An article's text and what its page says about it."""

    path: Path
    body: str
    is_html: bool = False
    headline: str | None = None
    outlet: str | None = None
    date: str | None = None
    url: str | None = None


def _decode(path: Path) -> str:
    """The file's text, after the checks only an article gets (size, emptiness, binary)."""
    if path.is_file() and path.stat().st_size > MAX_ARTICLE_BYTES:
        raise AnnotationError(path, f"file is {path.stat().st_size / 1e6:.1f} MB; kgbuild drafts articles up to "
                              f"{MAX_ARTICLE_BYTES // (1024 * 1024)} MiB", hint="draft one article per file")
    head = path.read_bytes()[:8192] if path.is_file() else b""
    if b"\x00" in head:
        raise AnnotationError(path, "file is binary, not an article", hint="give a .txt or saved .html page")
    text = loader.read_text(path).removeprefix("\ufeff")  # not found, not UTF-8: the loader's one-line errors
    if not text.strip():
        raise AnnotationError(path, "file is empty", hint="save the article's text (or its HTML page) in it")
    return text


def _from_html(path: Path, page: str) -> ArticleSource:
    try:
        import trafilatura
    except ImportError as exc:
        raise NlpMissing(f"drafting an HTML page needs trafilatura, which cannot be imported ({exc}); "
                         f"{INSTALL_HINT}") from None
    text = trafilatura.extract(page, include_comments=False, include_tables=False, favor_precision=True)
    if not text or len(text.split()) < MIN_WORDS:
        raise AnnotationError(path, "no article body found in this HTML page",
                              hint="save the article's own page, or paste its text into a .txt file")
    meta = trafilatura.extract_metadata(page)
    headline = getattr(meta, "title", None) if meta else None
    body = (headline + "\n\n" + text if headline and not text.startswith(headline) else text).strip() + "\n"
    return ArticleSource(path, body, True, headline, getattr(meta, "sitename", None) if meta else None,
                         getattr(meta, "date", None) if meta else None, getattr(meta, "url", None) if meta else None)


def read_article(path: Path) -> ArticleSource:
    """The article at `path` (see the module docstring); AnnotationError if it cannot be drafted."""
    path = Path(path)
    text = _decode(path)
    if path.suffix.lower() in HTML_SUFFIXES or text.lstrip()[:15].lower().startswith(("<!doctype html", "<html")):
        return _from_html(path, text)
    if len(text.split()) < 3:
        raise AnnotationError(path, "too short to be an article (fewer than 3 words)", hint="check the file")
    return ArticleSource(path, text)
