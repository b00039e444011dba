"""Attributions from a dependency parse: who (source) says (cue) what (content).

Two steps. `candidates` proposes, for every word that might report something, each way its
parse offers a content: a clause ("X said that Y"; "Y, X said"; "Y, X said, Z"), an infinitive ("vowed to
fight"), an object ("endorsed Cruz"), a prepositional object ("critical of the plan"), a
noun's complement ("his claim that ..."), what follows a colon ("he tweeted: ...", or the next
paragraph when the colon ends the verb's own: "the committee said about it:\n\n..."), and the
reporting phrases of `phrases` ("according to X", "in the latest poll", "reportedly", "NAME:
words" lines). Each
candidate has a key, the lemma and the way (`say|ccomp`, `endorse|dobj`, `criticism|noun-prep:of`),
and the features the cue model reads (`features`). `extract` keeps, per cue word, the candidate
the cue model (`cuemodel`, trained on PolNeAR's train split) finds likely enough, then:

* a quotation the content overlaps is widened to the whole quotation, marks included;
* candidates that share a cue become one attribution ("A," he said, "B": one split quote);
* a direct quote no attribution covers takes the cue of a sentence it spans (or one just after
  it: '“Why now?” she asked.', even a speech verb with no content of its own), or the name signed
  after a dash at the end of its line ('“...” ― Jane Doe'), else continues the direct quote just
  before it (a continued quote keeps its speaker).

`univocal` keeps only the outermost of nested attributions, as PolNeAR annotates (each word in
at most one attribution); the YAML draft keeps them all (an inner one is a reporting chain).

Sources: the cue's subject, or passive agent, or the noun after an inverted speech verb ('“...,”
wrote a reader'); a participle, coordinated verb, infinitive or adjective takes the subject of
the verb it hangs from; a relative pronoun is the source as written ("who said") and refers
to the noun it describes (`Attribution.refers_to`); a noun cue's source is its possessor ("his
claim") or the subject of the verb it is the object of ("Trump made an assertion"). Where
the parser left a finite verb without a subject, the noun phrase right before it is the source
('Alarmed by X, Senator Harry Reid, the minority leader, said ...'), as is the noun a misparsed
main verb hangs from ('Two analysts, A and B, found that ...') and the subject of a verb tagged
as a noun ('Audit files show that ...'); a participle's noun does what it says ('Democrats
supporting Clinton'). "She seemed to ...", "Turnout is expected to ..." have no source: the
subject is what the report is about.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Set
from dataclasses import dataclass, replace
from typing import Any

from .cuemodel import CueModel
from .cues import SPEECH
from .features import candidate_features, competition
from .phrases import PHRASE_WORDS, phrase_candidate, transcript_speaker
from .quotes import quote_spans
from .spans import CUE_EDGE, Attribution, Fragments, chars, content_frags, merge, overlaps, token_frags

Token = Any  # spacy.tokens.Token
INHERITS_SUBJECT = ("xcomp", "advcl", "conj", "acl", "pcomp", "prep", "acomp")
CUE_PARTS = ("aux", "auxpass", "neg")
FINITE = frozenset({"VBD", "VBZ", "VBP"})
IMPERSONAL = frozenset({"seem", "appear"})  # PolNeAR train: 95 of 96 gold cues ending in "seem..." and 83 of 89 in "appear..." have no source
PASSIVE_IMPERSONAL = frozenset({"expect", "know"})  # ending in "expected": 78 of 84; in "known": 17 of 23
RELATIVE = frozenset({"who", "which", "that", "whom"})
NEXT_SOURCE_WORDS = 10  # '“...,” Flynn, a top surrogate, said': how long a source between a quote and its verb may be
CLOSING_QUOTES = frozenset({"”", "\"", "''", "’"})
QUOTE_MARKS = CLOSING_QUOTES | {"“", "‘"}  # '“Apparently not,“ he said': the quote's "not" is no part of the cue
NEXT_CUE_WORDS = 4  # '“...?” Senator Jane Doe asked.': how far after a quote its cue may come


@dataclass(frozen=True)
class Candidate:
    """One possible attribution, its key and the features the cue model scores."""

    key: str
    cue_index: int
    attribution: Attribution
    features: tuple[str, ...]


# ---------------------------------------------------------------- parse helpers
def _subtree(tok: Token, without: Iterable[Token] = ()) -> list[Token]:
    skip = {t.i for w in without for t in w.subtree}
    return [t for t in tok.subtree if t.i not in skip]


def _since_quote(word: Token, limit: int, start: int = 0) -> list[Token] | None:
    """The words between the nearest closing quotation mark before `word` (at most `limit` words
    back, none before `start`) and `word`; None when there is no such mark."""
    words: list[Token] = []
    for tok in reversed(word.doc[max(start, word.i - limit):word.i]):
        if tok.text in CLOSING_QUOTES:
            return words[::-1]
        words.append(tok)
    return None


def _after_closing_quote(word: Token) -> bool:
    """'“...,” wrote a reader' or '"...", wrote': the word comes right after a quotation's closing mark."""
    words = _since_quote(word, 2)
    return words is not None and all(t.text == "," for t in words)


def _left_noun(word: Token) -> Token | None:
    """'Alarmed by the unrest, Senator Harry Reid, the minority leader, said ...' parsed without a
    subject (Reid hung on "unrest"): the noun phrase that ends right before a finite verb."""
    if word.tag_ not in FINITE:
        return None
    left = word.i - 1
    while left >= word.sent.start and word.doc[left].is_punct:
        left -= 1
    if left < word.sent.start or word.doc[left].pos_ not in ("NOUN", "PROPN", "PRON"):
        return None
    noun = word.doc[left]
    while noun.dep_ in ("appos", "compound") and noun.head.i < word.i and noun.head.pos_ in ("NOUN", "PROPN"):
        noun = noun.head
    return noun if noun.head.i != word.i else None


def _acl_of_its_source(word: Token) -> bool:
    """Whether the noun a clause describes is who reports: 'Democrats supporting Mrs. Clinton' (a
    participle), and 'Two analysts, A and B, found that ...' parsed as a noun the verb describes
    (a finite verb is no participle, and a sentence whose root is that noun has no other verb)."""
    return (word.dep_ == "acl" and word.head.pos_ in ("NOUN", "PROPN")
            and (word.tag_ in FINITE or word.tag_ == "VBG" or word.head.dep_ == "ROOT"))


def _impersonal(word: Token) -> bool:
    """'She seemed to embody contradictions', 'Turnout is expected to be high': the subject is what
    the report is about, not who reports it (PolNeAR's annotators give these no source)."""
    lemma = word.lemma_.lower()
    return lemma in IMPERSONAL or (lemma in PASSIVE_IMPERSONAL and any(c.dep_ == "auxpass" for c in word.children))


def _subject(word: Token) -> Token | None:
    """Who a cue word's report belongs to (see the module docstring)."""
    if _impersonal(word):
        return None
    subject = _parsed_subject(word)
    return subject if subject is not None or word.pos_ != "VERB" else _left_noun(word)


def _parsed_subject(word: Token) -> Token | None:
    """The subject as the parse gives it, up the verbs and nouns the cue word hangs from."""
    for _ in range(5):
        if word.pos_ in ("NOUN", "PROPN"):
            poss = [c for c in word.children if c.dep_ == "poss"]
            if poss:
                return poss[0]
            subj = [c for c in word.children if c.dep_ == "nsubj"]
            if subj:  # 'Audit files show that ...' with "show" tagged a noun
                return subj[0]
            if word.dep_ not in ("dobj", "pobj", "attr") or word.head.i == word.i:
                return None
            word = word.head if word.dep_ != "pobj" else word.head.head
            continue
        agent = [c for c in word.children if c.dep_ == "agent"]
        pobj = [c for a in agent for c in a.children if c.dep_ == "pobj"]
        if pobj:
            return pobj[0]
        subj = [c for c in word.children if c.dep_ in ("nsubj", "csubj")]
        if subj:  # the nearest: a quotation before '..., X said' is sometimes parsed as a second subject
            return min(subj, key=lambda c: abs(c.i - word.i))
        if word.lemma_ in SPEECH and word.tag_ in FINITE and _after_closing_quote(word):
            # '“...,” wrote a reader': the parser often takes the inverted subject for an object
            after = [c for c in word.rights if c.dep_ in ("dobj", "attr", "npadvmod", "oprd") and c.pos_ in ("NOUN", "PROPN")]
            if after:
                return after[0]
        if word.dep_ == "relcl" or _acl_of_its_source(word):
            return word.head
        if word.dep_ not in INHERITS_SUBJECT or word.head.i == word.i:
            return None
        word = word.head
    return None


def _unquoted_subject(word: Token, quoted: set[int]) -> Token | None:
    """`_subject`, unless the parse took words of a quotation for the one who says it."""
    subject = _subject(word)
    return None if subject is not None and subject.idx in quoted else subject


def _phrase(head: Token, body: str) -> Fragments:
    """A noun phrase without its relative clauses and trailing punctuation."""
    drop = [c for c in head.children if c.dep_ in ("relcl", "acl")
            or (c.dep_ == "punct" and (c.i > head.i or c.text in CLOSING_QUOTES))]
    return token_frags(_subtree(head, drop), body)


def _after_quote(word: Token, body: str) -> Fragments:
    """'“...,” Flynn, a top surrogate, said': the words between a quotation and a speech verb the
    parser gave no subject (it hangs them on the quotation), when they open with a name."""
    words = _since_quote(word, NEXT_SOURCE_WORDS + 1, word.sent.start) or []
    named = [t for t in words if not t.is_punct]
    if not named or named[0].pos_ not in ("PROPN", "PRON", "DET"):
        return ()
    return token_frags(words, body)


def _source(subject: Token | None, body: str, cue: Token | None = None) -> tuple[Fragments, Fragments]:
    """(source, what a relative-pronoun source refers to) of a cue whose subject is `subject`."""
    if subject is None:
        if cue is not None and cue.lemma_.lower() in SPEECH:
            return _after_quote(cue, body), ()
        return (), ()
    if subject.lower_ in RELATIVE and subject.head.dep_ == "relcl":
        return _phrase(subject, body), _phrase(subject.head.head, body)
    return _phrase(subject, body), ()


def _cue(word: Token, body: str, extra: Iterable[Token] = ()) -> Fragments:
    """The cue word with its auxiliaries, negation, particle, the adverbs right before it ("also
    said", "has repeatedly said") and a colon right after it ("said:"), as annotators mark cues."""
    parts = [c for c in word.children if (c.dep_ in CUE_PARTS or (c.dep_ == "prt" and c.tag_ == "RP")
             or (c.dep_ == "advmod" and c.tag_ == "RB" and c.i < word.i and word.i - c.i <= 2))
             and not any(t.text in QUOTE_MARKS for t in word.doc[min(c.i, word.i):max(c.i, word.i)])]
    after = word.doc[word.i + 1] if word.i + 1 < len(word.doc) else None
    colon = [after] if after is not None and after.text == ":" else []
    return token_frags([word, *extra, *parts, *colon], body, CUE_EDGE)


# ---------------------------------------------------------------- candidates
def _contents(word: Token, colons: list[tuple[int, int]]) -> Iterator[tuple[str, list[Token], list[Token]]]:
    """(way, content tokens, extra cue tokens) for each content the parse offers `word`; `colons`
    are the article's `paragraph_colons`."""
    for child in word.children:
        if child.dep_ in ("ccomp", "xcomp", "dobj"):
            yield child.dep_, _subtree(child), []
        elif child.dep_ == "acl" and word.pos_ in ("NOUN", "PROPN") and any(c.dep_ == "mark" for c in child.children):
            yield "noun-clause", _subtree(child), []
        elif child.dep_ == "prep":
            pobj = [c for c in child.children if c.dep_ in ("pobj", "pcomp")]
            if pobj:
                way = "noun-prep" if word.pos_ in ("NOUN", "PROPN") else "prep"
                # "critical of", "concerns about" keep their preposition; "accused (him) of" does not
                yield f"{way}:{child.lower_}", _subtree(pobj[0]), [child] if word.pos_ != "VERB" else []
    if word.dep_ in ("parataxis", "ccomp") and word.head.i < word.i and word.head.dep_ == "ROOT":
        yield "inverse", [t for t in _subtree(word.head, [word]) if t.sent == word.sent], []
    elif word.dep_ == "parataxis" and word.head.i > word.i:  # "Biden, Rubio said, had been ..."
        yield "aside", [t for t in _subtree(word.head, [word]) if t.sent == word.sent], []
    if word.i + 1 < len(word.doc) and word.doc[word.i + 1].text == ":" and word.pos_ == "VERB":
        yield "colon", _after_colon(word.doc[word.i + 1]), []  # `_cue` takes the colon
    elif word.pos_ == "VERB":  # 'the committee said about its platform:\n\n"..."'
        last = next((colon for start, colon in colons if start <= word.i < colon - 1), None)
        if last is not None:
            yield "colon-para", _after_colon(word.doc[last]), []


def _after_colon(colon: Token) -> list[Token]:
    """'He tweeted: ...': the rest of the paragraph (the next one when the colon ends its own)."""
    doc = colon.doc
    start = colon.i + 1
    while start < len(doc) and doc[start].is_space:
        start += 1
    end = start
    while end < len(doc) and not (doc[end].is_space and "\n" in doc[end].text):
        end += 1
    return list(doc[start:end])


def _paragraph_colons(doc: Any) -> list[tuple[int, int]]:
    """(where its sentence starts, where it is) of each colon that ends a paragraph."""
    import numpy
    from spacy.attrs import ORTH

    out = []
    for i in numpy.flatnonzero(_having(doc, ORTH, [":"])).tolist():
        colon = doc[i]
        after = doc[i + 1] if i + 1 < len(doc) else None
        if after is None or "\n" in colon.whitespace_ or (after.is_space and "\n" in after.text):
            out.append((colon.sent.start, i))
    return out


def _has_letter(tok: Token) -> bool:
    return any(ch.isalpha() for ch in tok.text)


def _having(doc: Any, attr: int, values: Iterable[int | str]) -> Any:
    """Which words' `attr` (a spaCy attribute id) is one of `values` (strings by their hash): one
    array read instead of a Token per word, which costs ~2 us."""
    import numpy

    wanted = [doc.vocab.strings.add(v) if isinstance(v, str) else v for v in values]
    return numpy.isin(doc.to_array([attr]).ravel(), numpy.array(wanted, dtype="uint64"))


def _worth_a_look(doc: Any) -> list[int]:
    """Indices of the words that may propose a candidate: verbs, nouns and adjectives, and the words
    that open a reporting phrase."""
    import numpy
    from spacy.attrs import LOWER, POS
    from spacy.parts_of_speech import ADJ, AUX, NOUN, VERB

    return numpy.flatnonzero(_having(doc, POS, [VERB, AUX, NOUN, ADJ]) | _having(doc, LOWER, PHRASE_WORDS)).tolist()


def candidates(doc: Any, quoted: set[int], body: str | None = None) -> Iterator[Candidate]:
    """Every possible attribution of a parsed article (see the module docstring); `body` is
    `doc.text`, which spaCy rebuilds from every token each time it is asked for."""
    body = doc.text if body is None else body
    colons = _paragraph_colons(doc)
    for i in _worth_a_look(doc):
        tok = doc[i]
        if tok.idx in quoted and not transcript_speaker(tok, body):
            continue  # a report inside a direct quote belongs to the quote
        phrase = phrase_candidate(tok, body)
        if phrase is not None:
            key, att = phrase
            if att is not None:
                yield Candidate(key, tok.i, att, candidate_features(tok, key, None, att.source, att.content, quoted))
            continue
        if tok.pos_ not in ("VERB", "AUX", "NOUN", "ADJ") or tok.dep_ in ("aux", "auxpass") or not _has_letter(tok):
            continue  # (the hyphen of "re-nominate" is sometimes tagged a verb)
        contents = list(_contents(tok, colons))
        if not contents:
            continue
        lemma = tok.lemma_.lower()
        subject = _unquoted_subject(tok, quoted)
        source, refers_to = _source(subject, body, tok)
        for way, content, extra in contents:
            frags = content_frags(content, body)
            if source:
                frags = tuple(f for f in frags if not chars((f,)) & chars(source))
            if frags:
                key = f"{lemma}|{way}"
                yield Candidate(key, tok.i, Attribution(source, _cue(tok, body, extra), frags, refers_to=refers_to),
                                candidate_features(tok, key, subject, source, frags, quoted))


# ---------------------------------------------------------------- selection and quotes
def _mostly_in(start: int, end: int, offsets: Set[int]) -> bool:
    """Whether at least half of a quote's characters are among `offsets`."""
    return len(set(offsets).intersection(range(start, end))) >= (end - start) * 0.5


def _widen_to_quotes(att: Attribution, quotes: list[tuple[int, int]], body: str) -> Attribution:
    content = chars(att.content)
    source = chars(att.source)
    first, last = att.content[0][0], att.content[-1][1]
    wide = [(s, e) for s, e in quotes  # not a quoted transcript's line over its speaker's name
            if s < last and e > first and _mostly_in(s, e, content) and not source.intersection(range(s, e))]
    if not wide:
        return att
    return replace(att, content=merge([*att.content, *wide], body), direct=True)


def _merge_same_cue(found: list[Attribution], body: str) -> list[Attribution]:
    by_cue: dict[Fragments, Attribution] = {}
    for att in found:
        same = by_cue.get(att.cue)
        by_cue[att.cue] = att if same is None else replace(
            same if same.source else att, content=merge([*same.content, *att.content], body),
            direct=same.direct or att.direct)
    return list(by_cue.values())


def _reports(cue: Token, quote: Any) -> bool:
    """Whether a cue outside a quote reports it: it is in a sentence the quote spans, or just after
    it ('“Why now?” she asked.' where the question mark ended the sentence)."""
    if quote.start <= cue.i < quote.end:
        return False
    if quote[0].sent.start <= cue.i < quote[-1].sent.end:
        return True
    return quote.end <= cue.i <= quote.end + NEXT_CUE_WORDS and "\n" not in cue.doc[quote.end:cue.i].text


_SIGNATURE = re.compile(r"[ \t\u00a0]*(―|—|–|--?)[ \t\u00a0]*([A-Z][\w.’'-]*(?:[ \t\u00a0]+[A-Z][\w.’'-]*){0,4})[ \t\u00a0]*(?:\n|$)")


def _signature(body: str, start: int, end: int) -> Attribution | None:
    """'“...” ― Jane Doe' (a dash and a name ending the line a quote ends): the name is the speaker."""
    sign = _SIGNATURE.match(body, end)
    if sign is None:
        return None
    return Attribution((sign.span(2),), (sign.span(1),), ((start, end),), direct=True)


def _attach_quotes(doc: Any, body: str, quotes: list[tuple[int, int]], found: list[Attribution],
                   cues: dict[int, Attribution]) -> list[Attribution]:
    covered: set[int] = set().union(*(chars(a.content) for a in found)) if found else set()
    for start, end in quotes:
        if _mostly_in(start, end, covered):
            continue
        words = doc.char_span(start, end, alignment_mode="expand")
        sent = words[0].sent if words is not None else None
        local = [a for i, a in cues.items() if words is not None and _reports(doc[i], words)]
        signed = _signature(body, start, end)
        if not local and signed is not None:
            found.append(signed)
        elif local:
            cand = local[0]
            same = next((i for i, a in enumerate(found) if a.cue == cand.cue), None)
            if same is None:
                found.append(replace(cand, content=((start, end),), direct=True))
            else:  # the cue already reports another part of this quote: one attribution
                found[same] = replace(found[same], content=merge([*found[same].content, (start, end)], body), direct=True)
        elif sent is not None and not body[sent.start_char:start].strip():
            # A quote that opens its sentence with no cue there continues the quote before it.
            before = [a for a in found if a.direct and a.content[-1][1] <= start
                      and body.count("\n", a.content[-1][1], start) <= 2]
            if before:
                prev = max(before, key=lambda a: a.content[-1][1])
                found[found.index(prev)] = replace(prev, content=merge([*prev.content, (start, end)], body))
        covered |= set(range(start, end))
    return found


def quoted_chars(body: str) -> set[int]:
    """Offsets inside quotation marks."""
    return {i for s, e in quote_spans(body) for i in range(s + 1, e)}


def scored_candidates(doc: Any, body: str) -> Iterator[tuple[Candidate, tuple[str, ...]]]:
    """Every candidate with its full features (those that depend on its rivals for the same cue word)."""
    found = list(candidates(doc, quoted_chars(body), body))
    rivals: dict[int, int] = {}
    for cand in found:
        rivals[cand.cue_index] = rivals.get(cand.cue_index, 0) + 1
    for cand in found:
        yield cand, competition(cand.features, rivals[cand.cue_index])


def _speech_verbs(doc: Any) -> list[int]:
    """Indices of the verbs whose lemma is a speech verb."""
    import numpy
    from spacy.attrs import LEMMA, POS
    from spacy.parts_of_speech import VERB

    return numpy.flatnonzero(_having(doc, POS, [VERB]) & _having(doc, LEMMA, SPEECH)).tolist()


def _speech_cues(doc: Any, body: str, found: Iterable[Candidate], quoted: set[int]) -> dict[int, Attribution]:
    """A direct quote's possible cues, by token: each speech verb's candidate, and speech verbs
    without one ('“Why now?” she asked.', where the question mark ended the sentence before the verb)."""
    cues = {c.cue_index: c.attribution for c in reversed(list(found)) if c.key.partition("|")[0] in SPEECH}
    for i in _speech_verbs(doc):
        tok = doc[i]
        if i not in cues and tok.idx not in quoted:
            source, refers_to = _source(_unquoted_subject(tok, quoted), body, tok)
            if source:
                cues[i] = Attribution(source, _cue(tok, body), (), refers_to=refers_to)
    return dict(sorted(cues.items()))


def extract(doc: Any, model: CueModel, body: str | None = None) -> list[Attribution]:
    """The attributions of a parsed article, nested ones included, in text order of their cues
    (`body`, when given, is the text that was parsed: spaCy rebuilds `doc.text` on every call)."""
    body = doc.text if body is None else body
    scored = list(scored_candidates(doc, body))
    return choose(doc, body, scored, [model.probability(features) for _, features in scored], model)


def choose(doc: Any, body: str, scored: list[tuple[Candidate, tuple[str, ...]]], probabilities: list[float],
           model: CueModel) -> list[Attribution]:
    """`extract` once the candidates are scored: per cue word the likeliest candidate above its
    construction's threshold, then the quotes (training tries thresholds on candidates scored once)."""
    quotes = quote_spans(body)
    best: dict[int, tuple[float, Candidate]] = {}
    for (cand, _), p in zip(scored, probabilities, strict=True):
        if p >= model.threshold_for(cand.key) and p > best.get(cand.cue_index, (0.0, cand))[0]:
            best[cand.cue_index] = (p, cand)
    found = [_widen_to_quotes(c.attribution, quotes, body) for _, c in best.values()]
    speech = _speech_cues(doc, body, (c for c, _ in scored), quoted_chars(body))
    found = _attach_quotes(doc, body, quotes, _merge_same_cue(found, body), speech)
    return sorted(found, key=lambda a: a.cue[0])


def univocal(attributions: list[Attribution]) -> list[Attribution]:
    """Only the outermost of nested attributions: each word in at most one, as PolNeAR annotates."""
    return [a for a in attributions
            if not any(b is not a and overlaps(a.cue, b.content) for b in attributions)]


def labels(doc: Any, scored: Iterable[tuple[Candidate, tuple[str, ...]]], gold: Iterable[Attribution]) -> list[bool]:
    """Whether each scored candidate of a parsed article is an attribution: a gold cue covers its
    cue word and the two contents overlap."""
    gold_sets = [(chars(g.cue), chars(g.content)) for g in gold]
    out = []
    for cand, _ in scored:
        tok = doc[cand.cue_index]
        cue = set(range(tok.idx, tok.idx + len(tok)))
        content = chars(cand.attribution.content)
        out.append(any(cue & gc and content & gt for gc, gt in gold_sets))
    return out


def training_rows(doc: Any, gold: Iterable[Attribution]) -> list[tuple[tuple[str, ...], bool]]:
    """(features, is an attribution) for each candidate of a parsed article with gold attributions."""
    scored = list(scored_candidates(doc, doc.text))
    return [(features, hit) for (_, features), hit in zip(scored, labels(doc, scored, gold), strict=True)]
