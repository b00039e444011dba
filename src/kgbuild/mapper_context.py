"""Triples for what places an article's statements in context: its own voice, its unnamed sources,
relative times (OWL-Time), relations between actors it states, and the quantities of its events
(schema:QuantitativeValue).

A mixin of `mapper._GraphWriter` (which supplies `add`, `types`, `anchor`, `node`, `label`, `doc`,
`article`, `iris`). Every node written here is anchored to the characters it came from, like
every other node the article yields; relations are reified and attributed, never asserted as
facts between the actors.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from pyoxigraph import Literal, NamedNode

from . import model as m
from .vocab import (
    ENTITY_CLASSES,
    KGNS,
    OA,
    PROV,
    RDFS,
    RELATION_TERMS,
    SCHEMA,
    SEM,
    TIME,
    TIME_RELATION_TERMS,
    VAGUENESS_TERMS,
    XSD,
)

if TYPE_CHECKING:
    from .anchoring import Span
    from .vocab import Iris

    Object = NamedNode | Literal


def en(text: str) -> Literal:
    return Literal(text, language="en")


def number(value: int | float) -> Literal:
    """An xsd:integer for a whole number, else an xsd:decimal (never a float's rounding)."""
    if float(value).is_integer():
        return Literal(str(int(value)), datatype=XSD.integer)
    return Literal(repr(float(value)), datatype=XSD.decimal)


def duration(value: str) -> Literal:
    return Literal(value, datatype=XSD.duration)


class ContextWriter:
    """Writes voice, sources, times, relations and quantities."""

    article: m.Article
    iris: Iris
    doc: NamedNode
    local: dict[str, NamedNode]

    if TYPE_CHECKING:
        def add(self, s: NamedNode, p: NamedNode, o: Object) -> None: ...
        def types(self, s: NamedNode, *classes: NamedNode) -> None: ...
        def node(self, key: str) -> NamedNode: ...
        def label(self, key: str) -> str: ...
        def anchor(self, body: NamedNode, section: str, key: str, spans: Iterable[Span], role: str,
                   motivation: NamedNode = ...) -> None: ...

    def context_nodes(self) -> dict[str, NamedNode]:
        """IRIs of the article's local actors, times and relations, by id (joined into `local`)."""
        a, item = self.article, self.iris.item
        nodes = {s.id: item(a.id, "source", s.id) for s in a.sources}
        if a.voice:
            nodes[a.voice.id] = item(a.id, "voice", a.voice.id)
        nodes |= {t.id: item(a.id, "time", t.id) for t in a.times}
        nodes |= {r.id: item(a.id, "relation", r.id) for r in a.relations}
        return nodes

    def local_label(self, key: str) -> str | None:
        a = self.article
        if a.voice and a.voice.id == key:
            return a.voice.label
        return next((s.label for s in a.sources if s.id == key), None)

    def is_local_actor(self, key: str) -> bool:
        return self.local_label(key) is not None

    # ------------------------------------------------------------ actors local to the article
    def write_voice_and_sources(self) -> None:
        a = self.article
        actor_classes = (KGNS.Actor, SEM.Actor, PROV.Agent)
        if a.voice:
            voice = self.node(a.voice.id)
            self.types(voice, KGNS.ArticleVoice, *actor_classes)
            self.add(voice, RDFS.label, en(a.voice.label))
            self.add(voice, SCHEMA.name, en(a.voice.label))
            self.add(voice, PROV.wasDerivedFrom, self.doc)
            self.add(self.doc, SCHEMA.author, voice)
            if a.voice.outlet:
                outlet = self.node(a.voice.outlet)
                self.add(self.doc, SCHEMA.publisher, outlet)
                self.add(voice, KGNS.belongsTo, outlet)
            if a.voice.spans:
                self.anchor(voice, "voice", a.voice.id, a.voice.spans, "MainSpan")
            else:  # no byline: the headline is the words the article speaks in its own voice
                self.anchor(voice, "voice", a.voice.id, [a.headline], "HeadlineSpan")
        kg_class, schema_classes, _ = ENTITY_CLASSES["UnattributedSource"]
        for source in a.sources:
            node = self.node(source.id)
            self.types(node, KGNS.term(kg_class), *(SCHEMA.term(c) for c in schema_classes), *actor_classes)
            self.add(node, RDFS.label, en(source.label))
            self.add(node, SCHEMA.name, en(source.label))
            self.add(node, PROV.wasDerivedFrom, self.doc)
            self.add(self.doc, SCHEMA.mentions, node)
            if source.belongs_to:
                self.add(node, KGNS.belongsTo, self.node(source.belongs_to))
            self.anchor(node, "source", source.id, source.spans, "MentionSpan", OA.identifying)

    # ------------------------------------------------------------ relative times (OWL-Time)
    def event_time(self, key: str) -> NamedNode:
        """The temporal entity an event occupies (`<event>#time`), linked with time:hasTime."""
        event = self.node(key)
        when = NamedNode(event.value + "#time")
        self.types(when, TIME.TemporalEntity)
        self.add(event, TIME.hasTime, when)
        return when

    def write_times(self) -> None:
        sections = {t.id for t in self.article.times}
        for t in self.article.times:
            node = self.node(t.id)
            self.types(node, KGNS.RelativeTime, TIME.TemporalEntity)
            self.add(node, RDFS.label, en(t.span.exact))
            self.add(node, PROV.wasDerivedFrom, self.doc)
            for how, ref in t.relations:
                other = self.node(ref) if ref in sections else self.event_time(ref)
                if how == "during":
                    self.types(node, TIME.ProperInterval)
                    self.types(other, TIME.ProperInterval)
                self.add(node, TIME.term(TIME_RELATION_TERMS[how]), other)
                if how in ("after", "before"):
                    self.add(node, KGNS.countsFrom, self.node(ref))
            if t.offset:
                self.add(node, KGNS.offset, duration(t.offset))
            for ref in t.refers_to:
                self.add(self.node(ref), TIME.hasTime, node)
            if t.now:
                self.add(self.doc, KGNS.articlePresent, node)
            self.anchor(node, "time", t.id, [t.span], "MainSpan")

    # ------------------------------------------------------------ relations between actors
    def write_relations(self) -> None:
        for r in self.article.relations:
            node = self.node(r.id)
            subject, obj = self.node(r.subject), self.node(r.object)
            self.types(node, KGNS.ActorRelation, PROV.Entity)
            self.add(node, KGNS.relationKind, KGNS.term(RELATION_TERMS[r.kind]))
            self.add(node, KGNS.relationSubject, subject)
            self.add(node, KGNS.relationObject, obj)
            self.add(node, RDFS.label, en(f"{self.label(r.subject)} {r.kind.replace('-', ' ')} {self.label(r.object)}"))
            for key in r.claimants:
                self.add(node, PROV.wasAttributedTo, self.node(key))
            if r.claim:
                self.add(node, KGNS.statedIn, self.node(r.claim))
            self.add(node, PROV.wasDerivedFrom, self.doc)
            self.anchor(node, "relation", r.id, r.spans, "MainSpan")

    # ------------------------------------------------------------ quantities of one event
    def write_quantities(self, event: NamedNode, ev: m.Event) -> None:
        for q in ev.quantities:
            node = self.iris.item(self.article.id, "quantity", q.id)
            self.types(node, KGNS.Quantity, SCHEMA.QuantitativeValue)
            self.add(event, KGNS.quantity, node)
            self.add(node, KGNS.quantityText, en(q.span.exact))
            self.add(node, RDFS.label, en(q.span.exact + (f" {q.unit.exact}" if q.unit else "")))
            self.add(node, KGNS.vagueness, KGNS.term(VAGUENESS_TERMS[q.vagueness]))
            for prop, value in ((SCHEMA.value, q.value), (SCHEMA.minValue, q.min), (SCHEMA.maxValue, q.max)):
                if value is not None:
                    self.add(node, prop, number(value))
            for key in q.of:
                self.add(node, KGNS.countOf, self.node(key))
            self.add(node, PROV.wasDerivedFrom, self.doc)
            self.anchor(node, "quantity", q.id, [q.span], "MainSpan")
            if q.unit:
                self.add(node, SCHEMA.unitText, en(q.unit.exact))
                self.anchor(node, "quantity-unit", q.id, [q.unit], "UnitSpan")
            if q.per and q.rate:
                self.add(node, KGNS.perPeriod, duration(q.per))
                self.add(node, KGNS.rateText, en(q.rate.exact))
                self.anchor(node, "quantity-rate", q.id, [q.rate], "RateSpan")

