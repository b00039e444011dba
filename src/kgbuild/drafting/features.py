"""What the cue model (`cuemodel`) knows about a candidate attribution: a few dozen string features.

A feature names one fact of the parse around the candidate's cue word: its lemma and the way
the parse offers a content (`say|ccomp`), its tag and dependency, what kind of word the source
is (none, a pronoun, a proper noun ...), how long the content is, whether it is quoted,
how it opens ("that", "to", "whether"), and a few conjunctions of these. Strings keep the model
readable (`cue_model.json` lists each feature's weight) and hold no text of any article beyond
single function words and lemmas.
"""
from __future__ import annotations

from typing import Any

from .cues import COGNITION, SPEECH
from .spans import Fragments, chars

Token = Any  # spacy.tokens.Token
OPENERS = frozenset({"that", "if", "whether", "to", "how", "what", "why", "the", "a"})
GIVEN_SOURCE = ("according|to", ":|line", "in|source")  # keys whose source is part of the construction


def _bucket(n: int) -> str:
    return "1" if n <= 1 else "2-3" if n <= 3 else "4-7" if n <= 7 else "8-15" if n <= 15 else "16+"


def _source_kind(key: str, subject: Token | None, source: Fragments) -> str:
    if key in GIVEN_SOURCE:
        return "given" if source else "none"
    if subject is None:
        return "none"
    return subject.pos_.lower()  # not the entity type: attributions are drafted without the entity recogniser


def _starting_in(doc: Any, content: Fragments) -> list[Token]:
    """The tokens that start inside the content, in order."""
    words = []
    for start, end in content:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None:
            words.extend(t for t in span if start <= t.idx < end)
    return words


def candidate_features(cue: Token, key: str, subject: Token | None, source: Fragments, content: Fragments,
                       quoted: set[int]) -> tuple[str, ...]:
    """The features of one candidate: its cue word, key, source's subject word and spans."""
    lemma, _, way = key.partition("|")
    base = way.split(":")[0]
    lex = "speech" if lemma in SPEECH else "cog" if lemma in COGNITION else "none"
    source_kind = _source_kind(key, subject, source)
    inside = chars(content)
    words = _starting_in(cue.doc, content)
    sent = cue.sent
    words = [t for t in words if sent.start <= t.i < sent.end] or words
    length = _bucket(len(words))
    is_quoted = any(i in quoted for i in inside)
    opener = words[0].lower_ if words and words[0].lower_ in OPENERS else "other"
    head = cue.head.lemma_.lower() if cue.head.i != cue.i else "ROOT"
    out = [f"key={key}", f"lemma={lemma}", f"way={way}", f"wbase={base}", f"lex={lex}|{base}",
           f"tag={cue.tag_}", f"dep={cue.dep_}", f"tag|way={cue.tag_}|{base}", f"src={source_kind}",
           f"src|way={source_kind}|{base}", f"src|lex={source_kind}|{lex}", f"key|src={key}|{source_kind != 'none'}",
           f"clen={length}", f"clen|way={length}|{base}", f"cq={is_quoted}", f"cq|lex={is_quoted}|{lex}",
           f"way|cq={way}|{is_quoted}", f"first={opener}|{base}", f"neg={any(c.dep_ == 'neg' for c in cue.children)}",
           f"head={head}|{base}", f"sentpos={'start' if cue.i - sent.start < 3 else 'mid'}",
           f"root={cue.dep_ == 'ROOT'}|{lex}"]
    if key in GIVEN_SOURCE and source:  # "Issa: ..." names its speaker, "The Latest: ..." does not
        named = [t for t in _starting_in(cue.doc, source) if not t.is_punct]
        shape = ("clause" if any(t.pos_ in ("VERB", "AUX") for t in named)
                 else "names" if all(t.pos_ == "PROPN" for t in named) else "words")
        out += [f"gsrc={shape}|{key}", f"gslen={_bucket(len(named))}|{key}"]
    if lemma == "be":  # "it is clear that ...": the adjective decides
        comp = [c for c in cue.children if c.dep_ in ("acomp", "attr")]
        out.append(f"becomp={comp[0].lemma_.lower() if comp else 'none'}")
    if words and base in ("dobj", "prep", "noun-prep"):
        top = next(t for t in words if t.head.i == t.i or t.head.idx not in inside)
        out.append(f"chead={top.pos_}|{base}")
    return tuple(out)


def competition(features: tuple[str, ...], rivals: int) -> tuple[str, ...]:
    """`features` plus how many candidates share the cue word (one word, several ways to read it)."""
    return (*features, f"ncand={min(rivals, 4)}")
