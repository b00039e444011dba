"""Quick stand-ins for two of en_core_web_sm's spaCy components, setting exactly what they set.

The attribute ruler and the lemmatizer took about 40 % of the parse drafting needs (22 and 24 ms
per PolNeAR dev article), for work that depends on little: the ruler's 180 patterns look at a
word's lower-case form, tag, dependency label and whether it is white space (8 of them at two
neighbouring words), and the lemmatizer at the word, its part of speech and morphology. Both
stand-ins remember their answers and read and write a whole article's attributes as one array
(about 1.5 ms each). `tests/test_drafting.py` checks on written and generated sentences that
they give the stock components' tags, parts of speech, morphology and lemmas.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, ORTH, POS, TAG
from spacy.tokens._retokenize import set_token_attrs

MAX_CACHED = 500_000  # combinations remembered before starting over (a bound, never reached by one corpus)
_READS = {"TAG": 0, "DEP": 1, "IS_SPACE": 2}  # what patterns may test besides LOWER, by place in a key
_QUICK_ORDER = (POS, MORPH, LEMMA)  # attributes written back as one array; TAG and DEP go token by token
_QUICK = set(_QUICK_ORDER)
_NONE, _UNSET = (0, 0, 0), (False, False, False)


def _test(spec: Any) -> Any:
    """A predicate on one attribute's value, as spaCy's Matcher reads the pattern (ValueError if not known)."""
    if not isinstance(spec, dict):
        return lambda value: value == spec
    (op, arg), = spec.items()
    if op == "IN":
        return lambda value: value in arg
    if op == "NOT_IN":
        return lambda value: value not in arg
    if op == "REGEX":
        regex = re.compile(arg)
        return lambda value: regex.search(value) is not None
    raise ValueError(f"pattern operator {op}")


@dataclass(frozen=True)
class _WordTest:
    """One word of a pattern: its test of the lower-case form (None: any) and of tag, dependency, space."""

    lower: Any
    rest: tuple[tuple[int, Any], ...]

    @staticmethod
    def read(pattern: dict[str, Any]) -> _WordTest:
        unknown = set(pattern) - {*_READS, "LOWER"}
        if unknown:
            raise ValueError(f"pattern attributes {sorted(unknown)}")
        rest = tuple((_READS[name], _test(spec)) for name, spec in pattern.items() if name != "LOWER")
        return _WordTest(_test(pattern["LOWER"]) if "LOWER" in pattern else None, rest)

    def holds(self, test_id: int, lower_hits: frozenset[int], key: tuple[str, str, bool]) -> bool:
        return (self.lower is None or test_id in lower_hits) and all(test(key[at]) for at, test in self.rest)


def _listed(spec: Any) -> list[str] | None:
    """The values a LOWER condition lists (equality or IN), else None (a regular expression)."""
    if isinstance(spec, str):
        return [spec]
    if isinstance(spec, dict) and set(spec) == {"IN"}:
        return list(spec["IN"])
    return None


class Attributes:
    """spaCy's AttributeRuler (its Matcher runs every pattern at every word) with the same result.

    A word's result depends on which pattern words its lower-case form satisfies (for most words:
    none) and on its tag, dependency and being white space, so both are remembered: the first per
    word, the second per combination. Raises ValueError for patterns it cannot read; the pipeline
    then keeps the stock ruler."""

    def __init__(self, ruler: Any) -> None:
        self.strings = ruler.vocab.strings
        self.rules: list[dict[int, int]] = list(ruler.attrs)
        self.tests: list[_WordTest] = []
        self.single: list[tuple[int, int]] = []  # (rule, test) of one-word patterns
        self.pairs: list[tuple[int, int, int, int]] = []  # (rule, first test, second test, target word)
        by_word: dict[str, set[int]] = {}
        self.lower_regex: list[tuple[int, Any]] = []  # tests whose lower-case condition is not a list
        for rule, entry in enumerate(ruler.patterns):
            for pattern in entry["patterns"]:
                if len(pattern) > 2 or (len(pattern) == 2 and entry["index"] not in (0, 1, -1, -2)):
                    raise ValueError("a pattern longer than two words")
                ids = []
                for word in pattern:
                    ids.append(len(self.tests))
                    self.tests.append(_WordTest.read(word))
                    if "LOWER" in word:
                        listed = _listed(word["LOWER"])
                        if listed is None:
                            self.lower_regex.append((ids[-1], self.tests[-1].lower))
                        for value in listed or ():
                            by_word.setdefault(value, set()).add(ids[-1])
                if len(ids) == 1:
                    self.single.append((rule, ids[0]))
                else:
                    self.pairs.append((rule, ids[0], ids[1], entry["index"] % 2))
        self.by_word = {word: frozenset(ids) for word, ids in by_word.items()}
        self.lower_hits: dict[int, frozenset[int]] = {}
        self.matches: dict[tuple[Any, ...], tuple[tuple[int, ...], tuple[tuple[int, ...], tuple[bool, ...]] | None,
                                                  tuple[int, ...], frozenset[int]]] = {}

    def _hits(self, lower: str) -> frozenset[int]:
        """The pattern words whose lower-case condition `lower` satisfies."""
        return self.by_word.get(lower, frozenset()) | {i for i, test in self.lower_regex if test(lower)}

    def _match(self, hits: frozenset[int], key: tuple[str, str, bool]) -> tuple[
            tuple[int, ...], tuple[tuple[int, ...], tuple[bool, ...]] | None, tuple[int, ...], frozenset[int]]:
        """(rules one word matches; when they set only POS, MORPH and LEMMA, the values they leave and
        which of the three they set; pair patterns the word can open; pair patterns it can close)."""
        rules = tuple(sorted({rule for rule, t in self.single if self.tests[t].holds(t, hits, key)}))
        attrs: dict[int, int] = {}
        for rule in rules:
            attrs.update(self.rules[rule])
        quick = None
        if attrs.keys() <= _QUICK:
            quick = (tuple(attrs.get(a, 0) for a in _QUICK_ORDER), tuple(a in attrs for a in _QUICK_ORDER))
        return (rules, quick,
                tuple(p for p, (_, first, _, _) in enumerate(self.pairs) if self.tests[first].holds(first, hits, key)),
                frozenset(p for p, (_, _, second, _) in enumerate(self.pairs) if self.tests[second].holds(second, hits, key)))

    def __call__(self, doc: Any) -> Any:
        import numpy

        if len(self.matches) + len(self.lower_hits) > MAX_CACHED:
            self.matches.clear()
            self.lower_hits.clear()
        strings, matches, lower_hits = self.strings, self.matches, self.lower_hits
        rows = doc.to_array([LOWER, TAG, DEP, IS_SPACE, *_QUICK_ORDER])
        found = []
        for lower, tag, dep, space in rows[:, :4].tolist():
            hits = lower_hits.get(lower)
            if hits is None:
                hits = lower_hits[lower] = self._hits(strings[lower])
            key = (hits, tag, dep, space)
            match = matches.get(key)
            if match is None:
                match = matches[key] = self._match(hits, (strings[tag], strings[dep], bool(space)))
            found.append(match)
        extra: dict[int, list[int]] = {}  # word -> rules of pair patterns that target it
        for i, (_, _, opens, _) in enumerate(found[:-1]):
            for p in opens:
                if p in found[i + 1][3]:
                    rule, _, _, target = self.pairs[p]
                    extra.setdefault(i + target, []).append(rule)
        by_hand = sorted({i for i, m in enumerate(found) if m[1] is None} | extra.keys())
        values = numpy.array([m[1][0] if m[1] is not None else _NONE for m in found], dtype="uint64").reshape(-1, 3)
        sets = numpy.array([m[1][1] if m[1] is not None else _UNSET for m in found], dtype=bool).reshape(-1, 3)
        sets[by_hand] = False
        doc.from_array(list(_QUICK_ORDER), numpy.where(sets, values, rows[:, 4:]))
        for i in by_hand:
            for rule in sorted([*found[i][0], *extra.get(i, ())]):
                set_token_attrs(doc[i], self.rules[rule])
        return doc


class Lemmas:
    """spaCy's rule lemmatizer with the same lemmas: it caches only the words its rules change and
    recomputes the rest (names, punctuation, base forms) every time, and searches lists of up to
    57,000 words with `in` for every new word."""

    def __init__(self, lemmatizer: Any) -> None:
        self.lemmatizer = lemmatizer
        index = lemmatizer.lookups.get_table("lemma_index", {})
        for pos, words in list(index.items()):
            index[pos] = frozenset(words)  # the same answers to `in`, a hundred times sooner
        self.cache: dict[tuple[int, int, int], int] = {}

    def __call__(self, doc: Any) -> Any:
        import numpy

        cache, strings = self.cache, doc.vocab.strings
        if len(cache) > MAX_CACHED:
            cache.clear()
        lemmas = []
        for i, (orth, pos, morph, lemma) in enumerate(doc.to_array([ORTH, POS, MORPH, LEMMA]).tolist()):
            if lemma == 0:
                key = (orth, pos, morph)
                lemma = cache.get(key)
                if lemma is None:
                    lemma = cache[key] = strings.add(self.lemmatizer.lemmatize(doc[i])[0])
            lemmas.append(lemma)
        doc.from_array([LEMMA], numpy.array(lemmas, dtype="uint64").reshape(-1, 1))
        return doc
