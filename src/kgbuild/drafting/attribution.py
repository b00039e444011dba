"""Attributions from a dependency parse: who (source) says (cue) what (content).

Two steps. `candidates` proposes, for every word that might report something, each way its
parse offers a content: a clause ("X said that Y"; "Y, X said"), an infinitive ("vowed to
fight"), an object ("endorsed Cruz"), a prepositional object ("critical of the plan"), a
noun's complement ("his claim that ..."), "according to X", and "NAME: words" lines. Each
candidate has a key, the lemma and the way (`say|ccomp`, `endorse|dobj`, `criticism|noun-prep:of`).
`extract` keeps the candidates whose key is likely enough an attribution by the cue table
(`cuetable`, counted on PolNeAR's train split), one per cue word, then:

* a quotation the content overlaps is widened to the whole quotation, marks included;
* candidates that share a cue become one attribution ("A," he said, "B": one split quote);
* a direct quote no attribution covers takes the cue of its sentence, else continues the
  direct quote just before it (a continued quote keeps its speaker).

Sources: the cue's subject, or passive agent; a participle, coordinated verb or infinitive
takes the subject of the verb it hangs from; a relative clause's source is the noun it
describes; a noun cue's source is its possessor ("his claim") or the subject of the verb
it is the object of ("Trump made an assertion").
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from . import cuetable
from .cuetable import CueTable
from .quotes import quote_spans
from .spans import Attribution, Fragments, chars, merge, trim

Token = Any  # spacy.tokens.Token
EDGE = " \t\n,;:—–-"
INHERITS_SUBJECT = ("xcomp", "advcl", "conj", "acl", "pcomp")
CUE_PARTS = ("aux", "auxpass", "neg")
RELATIVE = frozenset({"who", "which", "that", "whom"})
COLON_SOURCE_WORDS = 8


@dataclass(frozen=True)
class Candidate:
    """One possible attribution and the cue-table key that decides it."""

    key: str
    cue_index: int
    attribution: Attribution


# ---------------------------------------------------------------- spans from tokens
def _frags(tokens: Iterable[Token], body: str) -> Fragments:
    return trim(body, merge([(t.idx, t.idx + len(t)) for t in tokens], body), EDGE)


def _content_frags(tokens: Iterable[Token], body: str) -> Fragments:
    """Content without a sentence's closing full stop (unless it closes a quotation)."""
    frags = _frags(tokens, body)
    if frags and body[frags[-1][1] - 1] == "." and body[frags[-1][0]] not in "“\"":
        frags = trim(body, (*frags[:-1], (frags[-1][0], frags[-1][1] - 1)), EDGE)
    return frags


def _subtree(tok: Token, without: Iterable[Token] = ()) -> list[Token]:
    skip = {t.i for w in without for t in w.subtree}
    return [t for t in tok.subtree if t.i not in skip]


def _subject(word: Token) -> Token | None:
    """Who a cue word's report belongs to (see the module docstring)."""
    for _ in range(4):
        if word.pos_ in ("NOUN", "PROPN"):
            poss = [c for c in word.children if c.dep_ == "poss"]
            if poss:
                return poss[0]
            if word.dep_ not in ("dobj", "pobj", "attr") or word.head.i == word.i:
                return None
            word = word.head if word.dep_ != "pobj" else word.head.head
            continue
        agent = [c for c in word.children if c.dep_ == "agent"]
        pobj = [c for a in agent for c in a.children if c.dep_ == "pobj"]
        if pobj:
            return pobj[0]
        subj = [c for c in word.children if c.dep_ in ("nsubj", "csubj")]
        if subj:
            return word.head if subj[0].lower_ in RELATIVE and word.dep_ == "relcl" else subj[0]
        if word.dep_ == "relcl":
            return word.head
        if word.dep_ not in INHERITS_SUBJECT or word.head.i == word.i:
            return None
        word = word.head
    return None


def _source(word: Token, body: str) -> Fragments:
    subject = _subject(word)
    if subject is None:
        return ()
    drop = [c for c in subject.children if c.dep_ in ("relcl", "acl") or (c.dep_ == "punct" and c.i > subject.i)]
    return _frags(_subtree(subject, drop), body)


def _cue(word: Token, body: str, extra: Iterable[Token] = ()) -> Fragments:
    parts = [c for c in word.children if c.dep_ in CUE_PARTS or (c.dep_ == "prt" and c.tag_ == "RP")]
    return _frags([word, *extra, *parts], body)


# ---------------------------------------------------------------- candidates
def _contents(word: Token) -> Iterator[tuple[str, list[Token], list[Token]]]:
    """(way, content tokens, extra cue tokens) for each content the parse offers `word`."""
    for child in word.children:
        if child.dep_ in ("ccomp", "xcomp", "dobj"):
            yield child.dep_, _subtree(child), []
        elif child.dep_ == "acl" and word.pos_ in ("NOUN", "PROPN") and any(c.dep_ == "mark" for c in child.children):
            yield "noun-clause", _subtree(child), []
        elif child.dep_ == "prep":
            pobj = [c for c in child.children if c.dep_ in ("pobj", "pcomp")]
            if pobj:
                way = "noun-prep" if word.pos_ in ("NOUN", "PROPN") else "prep"
                yield f"{way}:{child.lower_}", _subtree(pobj[0]), [child]
    if word.dep_ in ("parataxis", "ccomp") and word.head.i < word.i and word.head.dep_ == "ROOT":
        yield "inverse", [t for t in _subtree(word.head, [word]) if t.sent == word.sent], []


def _according(tok: Token, body: str) -> Attribution | None:
    to = [c for c in tok.children if c.lower_ == "to"]
    pobj = [c for c in to[0].children if c.dep_ == "pobj"] if to else []
    if not pobj:
        return None
    clause = tok.head
    while clause.pos_ not in ("VERB", "AUX") and clause.head.i != clause.i:
        clause = clause.head
    phrase = {t.i for t in tok.subtree} | {to[0].i}
    content = [t for t in clause.subtree if t.i not in phrase and t.sent == tok.sent]
    frags = _content_frags(content, body)
    return Attribution(_frags(pobj[0].subtree, body), _frags([tok, to[0]], body), frags) if frags else None


def _colon_line(tok: Token, body: str) -> Attribution | None:
    """'Issa: Clinton's honesty is in question' (a headline or a short line naming its speaker)."""
    line_start = body.rfind("\n", 0, tok.idx) + 1
    line_end = body.find("\n", tok.idx)
    line_end = len(body) if line_end < 0 else line_end
    left = body[line_start:tok.idx]
    if not left.strip() or len(left.split()) > COLON_SOURCE_WORDS or not left.strip()[0].isupper():
        return None
    content = trim(body, ((tok.idx + 1, line_end),), EDGE)
    source = trim(body, ((line_start, tok.idx),), EDGE)
    return Attribution(source, ((tok.idx, tok.idx + 1),), content) if content and source else None


def candidates(doc: Any, quoted: set[int]) -> Iterator[Candidate]:
    """Every possible attribution of a parsed article (see the module docstring)."""
    body = doc.text
    for tok in doc:
        if tok.idx in quoted:
            continue  # a report inside a direct quote belongs to the quote
        if tok.lower_ == "according":
            att = _according(tok, body)
            if att is not None:
                yield Candidate("according|to", tok.i, att)
            continue
        if tok.text == ":" and tok.i < 12 + tok.sent.start:
            att = _colon_line(tok, body)
            if att is not None:
                yield Candidate(":|line", tok.i, att)
            continue
        if tok.pos_ not in ("VERB", "AUX", "NOUN", "ADJ") or tok.dep_ in ("aux", "auxpass"):
            continue
        lemma = tok.lemma_.lower()
        source = _source(tok, body)
        for way, content, extra in _contents(tok):
            frags = _content_frags(content, body)
            if source:
                frags = tuple(f for f in frags if not chars((f,)) & chars(source))
            if frags:
                yield Candidate(f"{lemma}|{way}", tok.i, Attribution(source, _cue(tok, body, extra), frags))


# ---------------------------------------------------------------- selection and quotes
def _widen_to_quotes(att: Attribution, quotes: list[tuple[int, int]], body: str) -> Attribution:
    content = chars(att.content)
    wide = [(s, e) for s, e in quotes if sum(1 for i in range(s, e) if i in content) >= (e - s) * 0.5]
    if not wide:
        return att
    return Attribution(att.source, att.cue, merge([*att.content, *wide], body), direct=True)


def _merge_same_cue(found: list[Attribution], body: str) -> list[Attribution]:
    by_cue: dict[Fragments, Attribution] = {}
    for att in found:
        same = by_cue.get(att.cue)
        by_cue[att.cue] = att if same is None else Attribution(
            same.source or att.source, att.cue, merge([*same.content, *att.content], body), same.direct or att.direct)
    return list(by_cue.values())


def _attach_quotes(doc: Any, quotes: list[tuple[int, int]], found: list[Attribution],
                   cues: dict[int, Candidate]) -> list[Attribution]:
    body = doc.text
    covered: set[int] = set().union(*(chars(a.content) for a in found)) if found else set()
    for start, end in quotes:
        if sum(1 for i in range(start, end) if i in covered) >= (end - start) * 0.5:
            continue
        sent = doc.char_span(start, start + 1, alignment_mode="expand")
        sent = sent.sent if sent is not None else None
        local = [c for c in cues.values() if sent is not None and doc[c.cue_index].sent == sent
                 and not start <= doc[c.cue_index].idx < end]
        if local:
            cand = local[0].attribution
            found.append(Attribution(cand.source, cand.cue, ((start, end),), direct=True))
        elif sent is not None and not body[sent.start_char:start].strip():
            # A quote that opens its sentence with no cue there continues the quote before it.
            before = [a for a in found if a.direct and a.content[-1][1] <= start
                      and body.count("\n", a.content[-1][1], start) <= 2]
            if before:
                prev = max(before, key=lambda a: a.content[-1][1])
                found[found.index(prev)] = Attribution(prev.source, prev.cue, merge([*prev.content, (start, end)], body),
                                                       direct=True)
        covered |= set(range(start, end))
    return found


def quoted_chars(body: str) -> set[int]:
    """Offsets inside quotation marks."""
    return {i for s, e in quote_spans(body) for i in range(s + 1, e)}


def extract(doc: Any, table: CueTable) -> list[Attribution]:
    """The attributions of a parsed article, in text order of their cues."""
    body = doc.text
    quotes = quote_spans(body)
    quoted = {i for s, e in quotes for i in range(s + 1, e)}
    best: dict[int, tuple[float, Candidate]] = {}
    plausible: dict[int, Candidate] = {}
    for cand in candidates(doc, quoted):
        p = table.probability(cand.key)
        if p >= table.threshold and p > best.get(cand.cue_index, (0.0, cand))[0]:
            best[cand.cue_index] = (p, cand)
        if table.is_speech(cand.key):
            plausible.setdefault(cand.cue_index, cand)
    found = [_widen_to_quotes(c.attribution, quotes, body) for _, c in best.values()]
    found = _attach_quotes(doc, quotes, _merge_same_cue(found, body), plausible)
    return sorted(found, key=lambda a: a.cue[0])


def count_cues(articles: Iterable[tuple[Any, list[Attribution]]],
               threshold: float = cuetable.DEFAULT_THRESHOLD) -> CueTable:
    """A cue table counted from (parsed article, gold attributions) pairs (see kgbuild.drafting.cuetable).

    Here, not in cuetable.py: it counts this module's candidates, and cuetable.py is what this module reads."""
    tally: dict[str, list[int]] = {}
    for doc, gold in articles:
        gold_sets = [(chars(g.cue), chars(g.content)) for g in gold]
        for cand in candidates(doc, quoted_chars(doc.text)):
            tok = doc[cand.cue_index]
            cue_chars = set(range(tok.idx, tok.idx + len(tok)))
            content = chars(cand.attribution.content)
            hit = any(cue_chars & gc and content & gt for gc, gt in gold_sets)
            row = tally.setdefault(cand.key, [0, 0])
            row[0] += hit
            row[1] += 1
    empty = CueTable(threshold=threshold)
    # A key that never hit and that the lexicon would not take either changes nothing: left out.
    return CueTable({k: (h, n) for k, (h, n) in tally.items()
                     if n >= cuetable.MIN_SEEN and (h or empty.probability(k) >= threshold)}, threshold)
