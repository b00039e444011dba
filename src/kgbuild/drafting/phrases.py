"""Reporting phrases that are not a cue word with a content of its own: "according to X", "in the
latest poll", "reportedly", and "NAME: words" lines. Each returns the attribution it proposes (or
None); `attribution.candidates` scores them with the cue words' candidates.
"""
from __future__ import annotations

from typing import Any

from .cues import CUE_VERBS
from .spans import EDGE, Attribution, Fragments, content_frags, token_frags, trim

Token = Any  # spacy.tokens.Token
COLON_SOURCE_WORDS = 8
SOURCE_NOUNS = frozenset({"poll", "survey", "study", "report", "view", "opinion", "analysis", "estimate", "filing",
                          "testimony", "judgment", "assessment"})  # "in the poll": "in a statement" goes with "said"
OPENING_MARKS = "\"“‘' \t\u00a0"
HEARSAY = frozenset({"reportedly", "allegedly", "purportedly", "supposedly", "reputedly"})
PHRASE_WORDS = frozenset({"according", ":", "in", *HEARSAY})  # the words `phrase_candidate` looks at


def _clause_without(tok: Token, phrase: set[int], body: str) -> Fragments:
    """The clause a phrase ("according to X", "in a poll", "reportedly") sits in, without the phrase."""
    clause = tok.head
    while (clause.pos_ not in ("VERB", "AUX") or clause.dep_ == "xcomp") and clause.head.i != clause.i:
        clause = clause.head  # up to the verb, and past "continues to lead" to its subject
    return content_frags([t for t in clause.subtree if t.i not in phrase and t.sent == tok.sent], body)


def _in_clause(tok: Token, cue: list[Token], source: Token | None, phrase: set[int], body: str) -> Attribution | None:
    """An attribution whose cue phrase sits inside the clause it reports (see `_clause_without`)."""
    content = _clause_without(tok, phrase, body)
    if not content:
        return None
    return Attribution(token_frags(source.subtree, body) if source is not None else (), token_frags(cue, body), content)


def _according(tok: Token, body: str) -> Attribution | None:
    to = [c for c in tok.children if c.lower_ == "to"]
    pobj = [c for c in to[0].children if c.dep_ == "pobj"] if to else []
    if not pobj:
        return None
    return _in_clause(tok, [tok, to[0]], pobj[0], {t.i for t in tok.subtree} | {to[0].i}, body)


def _in_source(tok: Token, body: str) -> Attribution | None:
    """'Clinton leads in the latest poll', 'in his view, the deal is dead'."""
    pobj = [c for c in tok.children if c.dep_ == "pobj" and c.lemma_.lower() in SOURCE_NOUNS]
    if not pobj or tok.head.lemma_.lower() in CUE_VERBS:  # "said in a report": the verb is the cue
        return None
    return _in_clause(tok, [tok], pobj[0], {t.i for t in tok.subtree}, body)


def _hearsay(tok: Token, body: str) -> Attribution | None:
    """'The club is reportedly spending ...': an attribution whose source the text does not name."""
    return _in_clause(tok, [tok], None, {tok.i}, body)


def _line_left(tok: Token, body: str) -> tuple[int, str]:
    """Where the line a colon is on starts (after opening quotation marks), and its words before the colon."""
    line_start = body.rfind("\n", 0, tok.idx) + 1
    while line_start < tok.idx and body[line_start] in OPENING_MARKS:  # '"WALLACE: Let's start ...'
        line_start += 1
    return line_start, body[line_start:tok.idx]


def transcript_speaker(tok: Token, body: str) -> bool:
    """Whether a colon follows a speaker's name in capitals at the start of its line ('WALLACE: ...'),
    as transcripts print them, even inside a quotation."""
    if tok.text != ":":
        return False
    words = _line_left(tok, body)[1].split()
    return 0 < len(words) <= 3 and all(w.isupper() for w in words)


def _colon_line(tok: Token, body: str) -> Attribution | None:
    """'Issa: Clinton's honesty is in question' (a headline or a short line naming its speaker, also
    as a line of a quoted transcript: '"WALLACE: Let's start ...')."""
    line_start, left = _line_left(tok, body)
    line_end = body.find("\n", tok.idx)
    line_end = len(body) if line_end < 0 else line_end
    if tok.i > 0 and tok.doc[tok.i - 1].pos_ == "VERB":
        return None  # "He concluded: ...": the verb is the cue (`_contents`' colon way)
    if not left.strip() or len(left.split()) > COLON_SOURCE_WORDS or not left.strip()[0].isupper():
        return None
    content = trim(body, ((tok.idx + 1, line_end),), EDGE)
    source = trim(body, ((line_start, tok.idx),), EDGE)
    return Attribution(source, ((tok.idx, tok.idx + 1),), content) if content and source else None


def phrase_candidate(tok: Token, body: str) -> tuple[str, Attribution | None] | None:
    """(key, attribution or None) when `tok` opens a reporting phrase rather than being a cue word."""
    if tok.lower_ == "according":
        return "according|to", _according(tok, body)
    if tok.text == ":" and tok.i < 12 + tok.sent.start:
        return ":|line", _colon_line(tok, body)
    if tok.lower_ == "in" and tok.dep_ == "prep":
        return "in|source", _in_source(tok, body)
    if tok.lower_ in HEARSAY and tok.dep_ == "advmod":
        return f"{tok.lower_}|hearsay", _hearsay(tok, body)
    return None
