"""Map a validated Article to RDF quads in its own named graph.

Pure and deterministic: the same Article and base IRI give the same sorted quads,
so two builds export byte-identical files. Every node the article yields carries
a W3C Web Annotation back to the characters it came from.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator

from pyoxigraph import Literal, NamedNode, Quad

from . import model as m
from .anchoring import Span, sentences
from .cameo import event_codes
from .mapper_context import ContextWriter
from .vocab import (
    CAMEONS,
    CASUALTY_TERMS,
    DBPEDIA_RESOURCE,
    DCTERMS,
    ENTITY_CLASSES,
    KGNS,
    MODALITY_TERMS,
    OA,
    OWL,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SEM,
    SKOS,
    STATUS_TERMS,
    TIME,
    WIKIDATA_ENTITY,
    XSD,
    Iris,
)


class _Terms:
    """A namespace whose terms are built once: the mapper asks for the same few hundred terms millions of times."""

    def __init__(self, namespace: object):
        self._namespace = namespace
        self._terms: dict[str, NamedNode] = {}

    def __getattr__(self, name: str) -> NamedNode:
        value = getattr(self._namespace, name)
        setattr(self, name, value)
        return value

    def term(self, name: str) -> NamedNode:
        value = self._terms.get(name)
        if value is None:
            value = self._terms[name] = self._namespace.term(name)  # type: ignore[attr-defined]
        return value


CAMEONS, DCTERMS, KGNS, OA, OWL, PROV, RDF, RDFS, SCHEMA, SEM, SKOS, XSD = (  # type: ignore[assignment]
    _Terms(ns) for ns in (CAMEONS, DCTERMS, KGNS, OA, OWL, PROV, RDF, RDFS, SCHEMA, SEM, SKOS, XSD))

MAPPER_VERSION = "6"  # 2: CAMEO codes; 3: registry graph; 4: event accounts; 5: voice, sources, times, relations, quantities; 6: OWL-Time durations
LINK_PREDICATES = {"same": OWL.sameAs, "exact": SKOS.exactMatch, "close": SKOS.closeMatch}
Object = NamedNode | Literal


def en(text: str) -> Literal:
    return Literal(text, language="en")


def integer(value: int) -> Literal:
    return Literal(str(value), datatype=XSD.nonNegativeInteger)


def time_literal(value: m.TimeValue) -> Literal:
    return Literal(value.lexical, datatype=XSD.term(value.datatype))


class _GraphWriter(ContextWriter):
    """Collects one article's triples into its named graph."""

    def __init__(self, article: m.Article, iris: Iris):
        self.article = article
        self.iris = iris
        self.graph = iris.graph(article.id)
        self.doc = iris.article(article.id)
        self.quads: set[Quad] = set()
        self._entity_nodes: dict[str, NamedNode] = {}
        self.sentences = sentences(article.body)
        self.sentence_nodes = [iris.sentence(article.id, i) for i in range(1, len(self.sentences) + 1)]
        self.local: dict[str, NamedNode] = {}
        for ev in article.events:
            self.local[ev.id] = iris.item(article.id, "event", ev.id)
        for section, items in (("statement", article.statements), ("claim", article.claims), ("role", article.roles)):
            for item in items:
                self.local[item.id] = iris.item(article.id, section, item.id)
        self.local |= self.context_nodes()

    def add(self, s: NamedNode, p: NamedNode, o: Object) -> None:
        self.quads.add(Quad(s, p, o, self.graph))

    def add_all(self, s: NamedNode, p: NamedNode, objects: Iterable[Object]) -> None:
        for o in objects:
            self.add(s, p, o)

    def types(self, s: NamedNode, *classes: NamedNode) -> None:
        self.add_all(s, RDF.type, classes)

    # ------------------------------------------------------------ references
    def entity_node(self, key: str) -> NamedNode:
        node = self._entity_nodes.get(key)
        if node is None:
            node = self._entity_nodes[key] = self.iris.entity(self.article.entities[key].type, key)
        return node

    def node(self, key: str) -> NamedNode:
        """A registry entity or one of this article's items, by id (the loader resolved them all)."""
        return self.local[key] if key in self.local else self.entity_node(key)

    def label(self, key: str) -> str:
        if key in self.article.entities:
            return self.article.entities[key].label
        return self.local_label(key) or key

    # ------------------------------------------------------------ anchoring
    def sentence_of(self, span: Span) -> NamedNode | None:
        for sentence, node in zip(self.sentences, self.sentence_nodes, strict=True):
            if sentence.start <= span.start < sentence.end:
                return node
        return None

    def anchor(self, body: NamedNode, section: str, key: str, spans: Iterable[Span], role: str,
               motivation: NamedNode = OA.describing) -> None:
        for n, span in enumerate(sorted(spans), 1):
            anno = self.iris.annotation(self.article.id, section, key, n)
            target = NamedNode(anno.value + "#target")
            quote = NamedNode(anno.value + "#quote")
            position = NamedNode(anno.value + "#position")
            self.types(anno, OA.Annotation)
            self.add(anno, OA.hasBody, body)
            self.add(anno, OA.hasTarget, target)
            self.add(anno, OA.motivatedBy, motivation)
            self.add(anno, KGNS.anchorRole, KGNS.term(role))
            sentence = self.sentence_of(span)
            if sentence is not None:
                self.add(anno, KGNS.inSentence, sentence)
            self.types(target, OA.SpecificResource)
            self.add(target, OA.hasSource, self.doc)
            self.add(target, OA.hasSelector, quote)
            self.add(target, OA.hasSelector, position)
            self.types(quote, OA.TextQuoteSelector)
            self.add(quote, OA.exact, Literal(span.exact))
            self.add(quote, OA.prefix, Literal(span.prefix(self.article.body)))
            self.add(quote, OA.suffix, Literal(span.suffix(self.article.body)))
            self.types(position, OA.TextPositionSelector)
            self.add(position, OA.start, integer(span.start))
            self.add(position, OA.end, integer(span.end))

    # ------------------------------------------------------------ sections
    def write_article(self) -> None:
        a, doc = self.article, self.doc
        self.types(doc, SCHEMA.NewsArticle, KGNS.Article)
        self.add(doc, SCHEMA.headline, Literal(a.headline.exact))
        self.add(doc, SCHEMA.articleBody, Literal(a.body))
        self.add(doc, SCHEMA.inLanguage, Literal(a.language))
        self.add(doc, SCHEMA.identifier, Literal(a.id))
        self.add(doc, KGNS.sourceHash, Literal(build_key(a, self.iris)))
        if a.published:
            self.add(doc, SCHEMA.datePublished, time_literal(a.published))
        self.anchor(doc, "headline", "headline", [a.headline], "HeadlineSpan")
        for i, (sentence, node) in enumerate(zip(self.sentences, self.sentence_nodes, strict=True), 1):
            self.types(node, KGNS.Sentence)
            self.add(node, SCHEMA.isPartOf, doc)
            self.add(node, KGNS.sentenceIndex, integer(i))
            self.add(node, SCHEMA.text, Literal(sentence.exact))
            self.add(node, KGNS.start, integer(sentence.start))
            self.add(node, KGNS.end, integer(sentence.end))

    def write_mentions(self) -> None:
        for mention in self.article.mentions:
            node = self.entity_node(mention.entity)
            self.add(self.doc, SCHEMA.mentions, node)
            self.anchor(node, "mention", mention.entity, mention.spans, "MentionSpan", OA.identifying)

    def write_roles(self) -> None:
        for role in self.article.roles:
            node = self.iris.item(self.article.id, "role", role.id)
            person, position = self.entity_node(role.holder), self.entity_node(role.position)
            title = self.article.entities[role.position].label
            self.types(node, KGNS.PositionHolding)
            self.add(node, KGNS.holder, person)
            self.add(node, KGNS.position, position)
            self.add(node, RDFS.label, en(f"{self.label(role.holder)}, {title}"))
            self.add(node, PROV.wasDerivedFrom, self.doc)
            self.add(person, KGNS.holdsPosition, position)
            self.add(person, SCHEMA.jobTitle, en(title))
            self.anchor(node, "role", role.id, role.spans, "MainSpan")

    def write_events(self) -> None:
        for ev in self.article.events:
            node = self.node(ev.id)
            self.types(node, SEM.Event, SCHEMA.Event, KGNS.Event, *(KGNS.term(k) for k in ev.kinds))
            if ev.is_military:
                self.types(node, KGNS.MilitaryAction)
            self.types(node, KGNS.RealizedEvent if ev.realized else KGNS.UnrealizedEvent)
            self.add(node, RDFS.label, en(ev.label))
            self.add(node, SCHEMA.name, en(ev.label))
            self.add(node, KGNS.status, KGNS.term(STATUS_TERMS[ev.status]))
            self.add_all(node, SEM.eventType, (CAMEONS.term(code) for code in event_codes(ev)))
            self.add(node, PROV.wasDerivedFrom, self.doc)
            if ev.entity:
                # This article's account of a corpus-wide event: its own node, so that what one
                # article says (status, parts, time) never clashes with what another says.
                corpus_event = self.entity_node(ev.entity)
                if ev.entity_match == "possible":  # the words may tell this event, or something else
                    self.add(node, KGNS.possibleAccountOf, corpus_event)
                else:
                    self.add(node, KGNS.accountOf, corpus_event)
                    self.add(node, PROV.specializationOf, corpus_event)
            for prop, keys in ((KGNS.agent, ev.agents), (KGNS.target, ev.targets), (KGNS.supporter, ev.supporters),
                               (KGNS.participant, ev.participants)):
                for key in keys:
                    target = self.node(key)
                    self.add(node, prop, target)
                    if (key in self.article.entities and self.article.entities[key].is_actor) \
                            or self.is_local_actor(key):
                        self.add(node, SEM.hasActor, target)
            for key in ev.weapons:
                self.add(node, KGNS.weapon, self.node(key))
                self.add(node, SCHEMA.instrument, self.node(key))
            for key in ev.places:
                self.add(node, SEM.hasPlace, self.node(key))
                self.add(node, SCHEMA.location, self.node(key))
            self.add_all(node, SCHEMA.about, (self.node(k) for k in ev.about))
            self.add_all(node, KGNS.statusAttributedTo, (self.node(k) for k in ev.attributed_to))
            self.add_all(node, KGNS.requiredBy, (self.node(k) for k in ev.required_by))
            if ev.time:
                self.add(node, SEM.hasTimeStamp, time_literal(ev.time))
            if ev.begin:
                self.add(node, SEM.hasBeginTimeStamp, time_literal(ev.begin))
                self.add(node, SCHEMA.startDate, time_literal(ev.begin))
            if ev.end:
                self.add(node, SEM.hasEndTimeStamp, time_literal(ev.end))
                self.add(node, SCHEMA.endDate, time_literal(ev.end))
            if ev.duration:
                self.add(node, SCHEMA.duration, Literal(ev.duration, datatype=XSD.duration))
                self.add(self.event_time(ev.id), TIME.hasXSDDuration, Literal(ev.duration, datatype=XSD.duration))
            if ev.part_of:
                parent = self.node(ev.part_of)
                self.add(node, SEM.subEventOf, parent)
                self.add(parent, SEM.hasSubEvent, node)
            self.anchor(node, "event", ev.id, ev.spans, "MainSpan")
            if ev.condition:
                self.add(node, KGNS.condition, en(ev.condition.exact))
                self.anchor(node, "event-condition", ev.id, [ev.condition], "ConditionSpan")
            if ev.support:
                self.add(node, KGNS.supportDescription, en(ev.support.exact))
                self.anchor(node, "event-support", ev.id, [ev.support], "SupportSpan")
            for outcome in ev.outcomes:
                onode = self.iris.item(self.article.id, "outcome", outcome.id)
                self.types(onode, KGNS.Outcome)
                self.add(node, KGNS.outcome, onode)
                self.add(onode, SCHEMA.description, en(outcome.span.exact))
                self.add(onode, PROV.wasDerivedFrom, self.doc)
                self.add_all(onode, KGNS.affected, (self.node(k) for k in outcome.affected))
                self.anchor(onode, "outcome", outcome.id, [outcome.span], "MainSpan")
            self.write_quantities(node, ev)
            for casualties in ev.casualties:
                cnode = self.iris.item(self.article.id, "casualties", f"{ev.id}-{casualties.kind}")
                self.types(cnode, KGNS.Casualties)
                self.add(node, KGNS.casualties, cnode)
                self.add(cnode, KGNS.casualtyKind, KGNS.term(CASUALTY_TERMS[casualties.kind]))
                self.add(cnode, KGNS.quantityText, en(casualties.quantity.exact))
                self.add(cnode, PROV.wasDerivedFrom, self.doc)
                self.anchor(cnode, "casualties", f"{ev.id}-{casualties.kind}", [casualties.quantity], "MainSpan")

    def write_statements(self) -> None:
        for st in self.article.statements:
            node = self.node(st.id)
            speaker = self.node(st.speaker)
            self.types(node, KGNS.Statement, SCHEMA.Quotation)
            self.add(node, SCHEMA.text, Literal(st.span.exact))
            self.add(node, SCHEMA.author, speaker)
            self.add(node, PROV.wasAttributedTo, speaker)
            self.add(node, RDFS.label, en(f"{self.label(st.speaker)}: “{st.span.exact}”"))
            self.add(node, SCHEMA.isPartOf, self.doc)
            self.add(node, PROV.wasDerivedFrom, self.doc)
            if st.setting:
                self.add(node, KGNS.setting, en(st.setting.exact))
                self.anchor(node, "statement-setting", st.id, [st.setting], "SettingSpan")
            if st.occasion:
                self.add(node, KGNS.occasion, self.node(st.occasion))
            if st.addressee:
                self.add(node, KGNS.addressee, self.node(st.addressee))
            self.add_all(node, SCHEMA.about, (self.node(k) for k in st.about))
            if st.date:
                self.add(node, DCTERMS.date, time_literal(st.date))
            if st.verb:
                self.add(node, KGNS.reportingVerb, en(st.verb.exact))
                self.anchor(node, "statement-verb", st.id, [st.verb], "VerbSpan")
            self.anchor(node, "statement", st.id, [st.span], "MainSpan")

    def write_claims(self) -> None:
        for cl in self.article.claims:
            node = self.node(cl.id)
            self.types(node, KGNS.Claim, SCHEMA.Claim)
            self.add(node, SCHEMA.text, Literal(cl.span.exact))
            for key in cl.claimants:
                self.add(node, SCHEMA.author, self.node(key))
                self.add(node, PROV.wasAttributedTo, self.node(key))
            who = ", ".join(self.label(k) for k in cl.claimants)
            self.add(node, RDFS.label, en(f"{who}: {cl.span.exact}"))
            self.add(node, KGNS.modality, KGNS.term(MODALITY_TERMS[cl.modality]))
            self.add(node, SCHEMA.appearance, self.doc)
            self.add(node, PROV.wasDerivedFrom, self.doc)
            if cl.verb:
                self.add(node, KGNS.reportingVerb, en(cl.verb.exact))
                self.anchor(node, "claim-verb", cl.id, [cl.verb], "VerbSpan")
            for hedge in cl.hedges:
                self.add(node, KGNS.hedge, en(hedge.exact))
            if cl.hedges:
                self.anchor(node, "claim-hedge", cl.id, cl.hedges, "HedgeSpan")
            self.add_all(node, KGNS.accordingTo, (self.node(k) for k in cl.according_to))
            self.add_all(node, SCHEMA.about, (self.node(k) for k in cl.about))
            self.add_all(node, KGNS.expressedBy, (self.node(k) for k in cl.quotes))
            self.anchor(node, "claim", cl.id, [cl.span], "MainSpan")


def _describe_entity(key: str, ent: m.Entity, link: m.Link | None, registry: m.Registry, iris: Iris,
                     graph: NamedNode) -> Iterator[Quad]:
    node = iris.entity(ent.type, key)
    kg_class, schema_classes, _ = ENTITY_CLASSES[ent.type]
    classes = [KGNS.term(kg_class), *(SCHEMA.term(c) for c in schema_classes)]
    if ent.is_actor:
        classes += [KGNS.Actor, SEM.Actor]
    if ent.type == "Event":
        classes.append(SEM.Event)
    objects: list[tuple[NamedNode, Object]] = [(RDF.type, c) for c in classes]
    objects += [(RDFS.label, en(ent.label)), (SCHEMA.name, en(ent.label))]
    objects += [(SKOS.altLabel, en(alias)) for alias in ent.aliases]
    if ent.description:
        objects.append((SCHEMA.description, en(ent.description)))
    if ent.belongs_to:
        parent = registry.entities[ent.belongs_to]
        prop = KGNS.positionOf if ent.type == "Position" else KGNS.belongsTo
        objects.append((prop, iris.entity(parent.type, parent.id)))
    if link is not None:
        predicate = LINK_PREDICATES[link.match]
        if link.wikidata:
            objects.append((predicate, NamedNode(WIKIDATA_ENTITY + link.wikidata)))
        if link.dbpedia:
            objects.append((predicate, NamedNode(DBPEDIA_RESOURCE + link.dbpedia)))
    for p, o in objects:
        yield Quad(node, p, o, graph)


def map_registry(registry: m.Registry, iris: Iris | None = None) -> list[Quad]:
    """Every registry entity described once, in the registry's own graph.

    Article graphs only point at entities. Describing an entity in every article
    that names it would repeat its triples in the union default graph once per
    article, and joins over labels would multiply with the size of the corpus.
    """
    iris = iris or Iris()
    graph = iris.registry_graph()
    quads: set[Quad] = set()
    for key, ent in registry.entities.items():
        quads.update(_describe_entity(key, ent, registry.links.get(key), registry, iris, graph))
    marker = iris.registry()
    key_text = f"{registry.source_hash}|{iris.base}|{MAPPER_VERSION}"
    quads.add(Quad(marker, RDF.type, KGNS.Registry, graph))
    quads.add(Quad(marker, KGNS.sourceHash, Literal(hashlib.sha256(key_text.encode("utf-8")).hexdigest()), graph))
    return sorted(quads, key=str)


def build_key(article: m.Article, iris: Iris) -> str:
    """What the article's graph depends on: its sources, the base IRI and this mapper's version."""
    text = f"{article.source_hash}|{iris.base}|{MAPPER_VERSION}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _article_quads(article: m.Article, iris: Iris) -> set[Quad]:
    writer = _GraphWriter(article, iris)
    writer.write_article()
    writer.write_voice_and_sources()
    writer.write_mentions()
    writer.write_roles()
    writer.write_events()
    writer.write_statements()
    writer.write_claims()
    writer.write_times()
    writer.write_relations()
    return writer.quads


def map_article(article: m.Article, iris: Iris | None = None) -> list[Quad]:
    """All quads of one article, in its named graph, sorted for byte-stable output."""
    return sorted(_article_quads(article, iris or Iris()), key=str)


def map_article_lines(article: m.Article, iris: Iris | None = None) -> list[str]:
    """The same quads as N-Quads statements without the final " .", in the same order.

    The build's fast path: each quad is turned into text once (sorting by text and
    serialising are the same work), so `" .\n".join(lines) + " .\n"` is the
    article's N-Quads, byte for byte what `pyoxigraph.serialize` writes.
    """
    return sorted(map(str, _article_quads(article, iris or Iris())))
