"""Who and what an article names: registry entities, and new ones proposed with a type.

Registry entities are found by label and alias (`RegistryNames`). spaCy's named entities that
are not in the registry become proposals: PERSON -> Person, GPE -> State, LOC -> Place,
FAC -> Facility, ORG -> MediaOutlet / GovernmentAgency / Military / ThinkTank by a word of
the name, else CollectiveActor. A person named in full ("Jane Doe") is the same proposal when
later named by surname alone ("Doe"). `speaker` turns an attribution's source into an entity:
a name in it, else a pronoun's last person named as a subject (else last named), else a role description's person ("the prime
minister" -> the person last named right after "Prime Minister"), else nothing, with a reason.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .. import model as m
from ..anchoring import Span
from ..importers.common import NameHit, slug
from .spans import Fragments

ORG_WORDS = (
    ("MediaOutlet", r"news|times|post|journal|press|reuters|tribune|herald|gazette|cnn|bbc|tv|radio|magazine|daily"),
    ("Military", r"army|forces|military|navy|air force|idf|guard|command"),
    ("GovernmentAgency", r"ministry|department|agency|service|bureau|office|council|commission|fbi|cia"),
    ("ThinkTank", r"institute|foundation|center|centre|council on|brookings"),
)
NER_TYPES = {"PERSON": "Person", "GPE": "State", "LOC": "Place", "FAC": "Facility", "ORG": None}
PRONOUNS = frozenset({"he", "she", "him", "her"})
ROLE_WORDS = frozenset(["president", "minister", "leader", "spokesman", "spokeswoman", "spokesperson", "secretary", "chancellor", "senator", "governor", "mayor", "chief", "general", "ambassador", "premier", "king", "queen", "director", "chairman", "candidate", "nominee"])

FUNCTION_WORDS = frozenset(["the", "a", "an", "s", "of", "and", "its", "their"])


def _words(text: str) -> list[str]:
    """Lower-case words, abbreviations closed up ('U.S.' -> 'us')."""
    return re.findall(r"[a-z]+", text.lower().replace(".", ""))


@dataclass
class Proposal:
    """A new registry entry the draft suggests: a reviewer adds it to registry.yaml or maps it to one there."""

    id: str
    type: str
    label: str
    spans: list[Span] = field(default_factory=list)


def _org_type(name: str) -> str:
    for type_, words in ORG_WORDS:
        if re.search(rf"\b(?:{words})\b", name, re.IGNORECASE):
            return type_
    return "CollectiveActor"


class ArticleEntities:
    """Registry hits and proposals of one article, and speaker resolution over them."""

    def __init__(self, doc: Any, registry: m.Registry, hits: list[NameHit]):
        self.doc, self.body, self.registry, self.hits = doc, doc.text, registry, hits
        self.proposals: dict[str, Proposal] = {}
        surnames: dict[str, str] = {}
        taken = set(registry.entities)
        for ent in doc.ents:
            if ent.label_ not in NER_TYPES:
                continue
            start, end = ent.start_char, ent.end_char
            if ent.text.lower().startswith("the "):
                start += 4
            if any(h.span.start < end and start < h.span.end for h in hits):
                continue
            label = self.body[start:end].strip()
            words = label.split()
            if not words or not label[0].isupper():
                continue
            type_ = NER_TYPES[ent.label_] or _org_type(label)
            key = surnames.get(label) if type_ == "Person" and len(words) == 1 else None
            if key is None:
                key = next((p.id for p in self.proposals.values() if p.label == label), None)
            if key is None:
                key = slug(label)
                while key in taken:
                    key += "-new"
                taken.add(key)
                self.proposals[key] = Proposal(key, type_, label)
                if type_ == "Person" and len(words) > 1:
                    surnames.setdefault(words[-1], key)
            self.proposals[key].spans.append(Span(start, end, self.body[start:end]))
        self._surnames(surnames)

    def _surnames(self, surnames: dict[str, str]) -> None:
        """A surname alone after the full name, where the NER did not mark it."""
        covered = [(s.start, s.end) for p in self.proposals.values() for s in p.spans]
        covered += [(h.span.start, h.span.end) for h in self.hits]
        for surname, key in surnames.items():
            for match in re.finditer(rf"\b{re.escape(surname)}\b", self.body):
                first = self.proposals[key].spans[0].start
                if match.start() > first and not any(s < match.end() and match.start() < e for s, e in covered):
                    self.proposals[key].spans.append(Span(match.start(), match.end(), surname))
        for proposal in self.proposals.values():
            proposal.spans.sort(key=lambda s: s.start)

    def type_of(self, key: str) -> str:
        if key in self.registry.entities:
            return self.registry.entities[key].type
        return self.proposals[key].type

    def named(self) -> list[tuple[str, Span]]:
        """Every (entity or proposal id, span), in text order."""
        out = [(h.entity, h.span) for h in self.hits]
        out += [(p.id, s) for p in self.proposals.values() for s in p.spans]
        return sorted(out, key=lambda x: (x[1].start, -x[1].end))

    def _persons_before(self, offset: int) -> list[tuple[str, Span]]:
        return [(k, s) for k, s in self.named() if s.end <= offset and self.type_of(k) == "Person"]

    def _is_subject(self, span: Span) -> bool:
        """'Trump praised Netanyahu. He added ...': he is Trump, the subject, not the last name."""
        words = self.doc.char_span(span.start, span.end, alignment_mode="expand")
        return words is not None and words.root.dep_ in ("nsubj", "nsubjpass")

    def speaker(self, source: Fragments) -> tuple[str | None, str]:
        """The entity an attribution's source names, and how it was found (or why not)."""
        if not source:
            return None, "the text names no source"
        start, end = source[0][0], source[-1][1]
        text = self.body[start:end]
        inside = [(k, s) for k, s in self.named() if start <= s.start and s.end <= end
                  and self.type_of(k) in m.ACTOR_TYPES]
        words = _words(text)
        roles = [w for w in words if w in ROLE_WORDS]
        if inside:
            key, span = max(inside, key=lambda x: (x[1].end - x[1].start, x[1].start))
            if not roles or self.type_of(key) == "Person":
                return key, f"named in the source {text!r}"
            # "the US President": the state qualifies the title; the speaker is the person holding it
            by_role = self._by_role(start, text, roles[-1])
            return by_role if by_role[0] is not None else (key, f"named in the source {text!r}")
        if len(words) == 1 and words[0] in PRONOUNS:
            before = self._persons_before(start)
            subjects = [(k, s) for k, s in before if self._is_subject(s)]
            if subjects:
                return subjects[-1][0], f"pronoun {text!r} -> the last person named as a subject ({subjects[-1][1].exact!r})"
            if before:
                return before[-1][0], f"pronoun {text!r} -> the last person named ({before[-1][1].exact!r})"
            return None, f"pronoun {text!r} with no person named before it"
        if roles:
            return self._by_role(start, text, roles[-1])
        return None, f"source {text!r} is not a registry or named entity"

    def _by_role(self, start: int, text: str, role: str) -> tuple[str | None, str]:
        """'the prime minister' -> the person last named with that title ('Prime Minister Benjamin Netanyahu');
        'the Israeli leader', 'the US president' -> the person last named with those qualifiers ('Israeli ...')."""
        qualifiers = [w for w in _words(text) if w not in ROLE_WORDS and w not in FUNCTION_WORDS]
        leads = [(key, span, _words(self.body[max(0, span.start - 60):span.start])[-5:])
                 for key, span in reversed(self._persons_before(start))]
        for key, span, lead in leads:
            if role in lead[-3:]:
                return key, f"role {text!r} -> {span.exact!r}, named earlier with that title"
        for key, span, lead in leads:
            if qualifiers and all(q in lead for q in qualifiers) and any(w in ROLE_WORDS for w in lead):
                return key, f"role {text!r} -> {span.exact!r}, named earlier as {' '.join(lead)!r}"
        return None, f"role {text!r} names no person the article named with that title"
