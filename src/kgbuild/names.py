"""Names for people: short prefixed IRIs (`actor:trump`) and the reverse, from whatever a user types.

A user names an entity by its full IRI, a prefixed name (`actor:trump`), its registry id
(`trump`) or an exact label or alias ("Donald Trump", case ignored). One that fits several
entities, or none, is refused with the candidates, so a query never runs on a guess.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from .errors import QueryError
from .store import KgStore
from .vocab import ENTITY_CLASSES, PREFIXES, RDFS, SCHEMA, SKOS

# Path segments minted under the base IRI that read well as prefixes (vocab.Iris).
SEGMENTS = tuple(dict.fromkeys([seg for _, _, seg in ENTITY_CLASSES.values()] + ["article", "graph"]))
LABEL_PREDICATES = (RDFS.label, SKOS.altLabel, SCHEMA.name)
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")
_PNAME = re.compile(r"^(?P<prefix>[A-Za-z][\w.-]*)?:(?P<local>\S*)$")


def store_prefixes(base: str) -> dict[str, str]:
    """The project's prefixes plus one per kind of minted IRI: actor:, place:, article:, ... and id:."""
    return {**PREFIXES, **{seg: f"{base}{seg}/" for seg in SEGMENTS}, "id": base}


def compact(iri: str, prefixes: dict[str, str]) -> str:
    """`prefix:local` with the longest matching namespace, else `<iri>`."""
    best = max((ns for ns in prefixes.values() if iri.startswith(ns) and len(iri) > len(ns)), key=len, default=None)
    if best is None:
        return f"<{iri}>"
    prefix = next(p for p, ns in prefixes.items() if ns == best)
    return f"{prefix}:{iri[len(best):]}"


@dataclass
class Names:
    """Compacts and resolves IRIs against one store (its base IRI is read from its graph names)."""

    store: KgStore
    base: str = ""
    prefixes: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.base = self.base or self.store.base
        self.prefixes = self.prefixes or store_prefixes(self.base)

    def short(self, iri: str) -> str:
        return compact(iri, self.prefixes)

    def label(self, iri: str) -> str | None:
        node = ox.NamedNode(iri)
        for predicate in (RDFS.label, SCHEMA.name, SCHEMA.headline):
            for q in self.store.match(node, predicate, None, None):
                return str(q.object.value)
        return None

    def _known(self, iri: str) -> bool:
        return next(iter(self.store.match(ox.NamedNode(iri), None, None, None)), None) is not None

    def resolve(self, text: str, what: str = "value") -> ox.NamedNode:
        """The one IRI `text` names; a clear error with candidates when it names none or several."""
        text = text.strip()
        if text.startswith("<") and text.endswith(">"):
            text = text[1:-1]
        pname = _PNAME.match(text)
        if pname and (pname["prefix"] or "") in self.prefixes:
            return ox.NamedNode(self.prefixes[pname["prefix"] or ""] + pname["local"])
        if _IRI.match(text) and "://" in text:
            return ox.NamedNode(text)
        found = []
        if re.fullmatch(r"[\w.~-]+(/[\w.~-]+)*", text):  # a registry id (or an article's id and item path)
            found = [iri for seg in SEGMENTS if "/" not in text or seg == "article"
                     if self._known(iri := self.base + f"{seg}/{text}")]
        if not found:
            found = self._by_label(text)
        if len(found) == 1:
            return ox.NamedNode(found[0])
        if found:
            listed = ", ".join(f"{self.short(i)} ({self.label(i) or '-'})" for i in sorted(found)[:10])
            raise QueryError(f"{what} {text!r} is ambiguous: it names {listed}; give one of these instead")
        hints = self._close(text)
        more = f"; did you mean {', '.join(hints)}?" if hints else ""
        raise QueryError(f"{what} {text!r} names nothing in the store (give an IRI, a prefixed name such as "
                         f"actor:trump, a registry id or an exact label){more}")

    def _by_label(self, text: str) -> list[str]:
        exact = {q.subject.value for p in LABEL_PREDICATES for lit in (ox.Literal(text), ox.Literal(text, language="en"))
                 for q in self.store.match(None, p, lit, None) if isinstance(q.subject, ox.NamedNode)}
        if exact:
            return sorted(exact)
        folded = text.casefold()
        return sorted({iri for iri, name in self._registry_names() if name.casefold() == folded})

    def _registry_names(self) -> list[tuple[str, str]]:
        """(IRI, label or alias) of every registry entity: the registry graph is small, unlike the corpus."""
        registry = ox.NamedNode(self.base + "graph/registry")
        return [(q.subject.value, str(q.object.value)) for p in LABEL_PREDICATES
                for q in self.store.match(None, p, None, registry) if isinstance(q.subject, ox.NamedNode)]

    def _close(self, text: str) -> list[str]:
        """Registry entities whose id or label looks like `text` (for the error message)."""
        names: dict[str, str] = {}
        for iri, name in self._registry_names():
            names[iri.rsplit("/", 1)[-1].lower()] = iri
            names[name.lower()] = iri
        hits = difflib.get_close_matches(text.lower(), list(names), n=5, cutoff=0.6)
        return list(dict.fromkeys(f"{self.short(names[h])} ({self.label(names[h])})" for h in hits))
