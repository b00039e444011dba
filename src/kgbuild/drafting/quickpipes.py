"""Quick stand-ins for two of en_core_web_sm's spaCy components, setting exactly what they set.

Together the attribute ruler and the lemmatizer took about 40 % of the parse drafting needs, for
work that depends on little: the ruler's 180 patterns look at a word's lower-case form, tag,
dependency label and whether it is white space (8 of them at two neighbouring words too), and
the lemmatizer at the word, its part of speech and morphology. Both stand-ins remember the answer
per combination and read and write a whole article's attributes as one array.
`tests/test_drafting.py` checks that they give the stock components' tags, parts of speech,
morphology and lemmas.
"""
from __future__ import annotations

import re
from typing import Any

from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, ORTH, POS, TAG
from spacy.tokens._retokenize import set_token_attrs

MAX_CACHED = 500_000  # combinations remembered before starting over (a bound, never reached by one corpus)
_READS = {"LOWER": 0, "TAG": 1, "DEP": 2, "IS_SPACE": 3}  # the token attributes patterns may test
_QUICK = {POS, MORPH, LEMMA}  # attributes written back as one array; TAG and DEP go token by token


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


def _token_test(pattern: dict[str, Any]) -> Any:
    unknown = set(pattern) - set(_READS)
    if unknown:
        raise ValueError(f"pattern attributes {sorted(unknown)}")
    tests = [(_READS[name], _test(spec)) for name, spec in pattern.items()]
    return lambda key: all(test(key[at]) for at, test in tests)


def _index_value(pattern: dict[str, Any], name: str) -> list[str] | None:
    """The values of `name` a pattern can match, when it lists them (equality or IN), else None."""
    spec = pattern.get(name)
    if isinstance(spec, str):
        return [spec]
    if isinstance(spec, dict) and set(spec) == {"IN"}:
        return list(spec["IN"])
    return None


class Attributes:
    """spaCy's AttributeRuler (its Matcher runs every pattern at every word) with the same result.

    Raises ValueError for patterns it cannot read; the pipeline then keeps the stock ruler."""

    def __init__(self, ruler: Any) -> None:
        self.strings = ruler.vocab.strings
        self.by_lower: dict[str, list[tuple[int, Any]]] = {}  # one-word patterns naming the word
        self.by_tag: dict[str, list[tuple[int, Any]]] = {}  # ... else naming the tag
        self.other: list[tuple[int, Any]] = []  # ... else
        self.pairs: list[tuple[int, Any, Any, int]] = []  # (rule, test of the first word, of the second, target)
        self.rules: list[dict[int, int]] = list(ruler.attrs)
        for rule, entry in enumerate(ruler.patterns):
            for pattern in entry["patterns"]:
                if len(pattern) == 2 and entry["index"] in (0, 1, -1, -2):
                    self.pairs.append((rule, _token_test(pattern[0]), _token_test(pattern[1]), entry["index"] % 2))
                elif len(pattern) != 1:
                    raise ValueError("a pattern longer than two words")
                elif (words := _index_value(pattern[0], "LOWER")) is not None:
                    for word in words:
                        self.by_lower.setdefault(word, []).append((rule, _token_test(pattern[0])))
                elif (tags := _index_value(pattern[0], "TAG")) is not None:
                    for tag in tags:
                        self.by_tag.setdefault(tag, []).append((rule, _token_test(pattern[0])))
                else:
                    self.other.append((rule, _token_test(pattern[0])))
        self.matches: dict[tuple[int, ...], tuple[tuple[int, ...], dict[int, int] | None, tuple[int, ...], frozenset[int]]] = {}

    def _match(self, key: tuple[Any, ...]) -> tuple[tuple[int, ...], dict[int, int] | None, tuple[int, ...], frozenset[int]]:
        """(rules one word matches, their attributes in order when only POS, MORPH and LEMMA,
        pair patterns it can open, pair patterns it can close)."""
        tests = [*self.by_lower.get(key[0], ()), *self.by_tag.get(key[1], ()), *self.other]
        rules = tuple(sorted({rule for rule, test in tests if test(key)}))
        attrs: dict[int, int] = {}
        for rule in rules:
            attrs.update(self.rules[rule])
        return (rules, attrs if attrs.keys() <= _QUICK else None,
                tuple(p for p, (_, first, _, _) in enumerate(self.pairs) if first(key)),
                frozenset(p for p, (_, _, second, _) in enumerate(self.pairs) if second(key)))

    def __call__(self, doc: Any) -> Any:
        import numpy

        if len(self.matches) > MAX_CACHED:
            self.matches.clear()
        strings, matches = self.strings, self.matches
        rows = doc.to_array([LOWER, TAG, DEP, IS_SPACE, POS, MORPH, LEMMA])
        found = []
        for ids in map(tuple, rows[:, :4].tolist()):
            match = matches.get(ids)
            if match is None:
                match = matches[ids] = self._match((strings[ids[0]], strings[ids[1]], strings[ids[2]], bool(ids[3])))
            found.append(match)
        extra: dict[int, list[int]] = {}  # word -> rules of pair patterns that target it
        for i, (_, _, opens, _) in enumerate(found[:-1]):
            for p in opens:
                if p in found[i + 1][3]:
                    rule, _, _, target = self.pairs[p]
                    extra.setdefault(i + target, []).append(rule)
        out = rows[:, 4:]
        by_hand = []
        for i, (rules, attrs, _, _) in enumerate(found):
            if attrs is None or i in extra:
                by_hand.append((i, sorted([*rules, *extra.get(i, ())])))
                continue
            for column, attr in enumerate((POS, MORPH, LEMMA)):
                if attr in attrs:
                    out[i, column] = attrs[attr]
        doc.from_array([POS, MORPH, LEMMA], numpy.ascontiguousarray(out))
        for i, rules in by_hand:
            for rule in rules:
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
