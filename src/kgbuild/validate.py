"""Check a corpus and the graph built from it, three ways.

* annotations: load every article and report every bad file, not just the first;
* SHACL: the built graph has the shape the shapes in ontology/shapes.ttl describe;
* OWL: the built graph is consistent with the ontology (HermiT, through owlready2).

The store's article graphs are checked together with the ontology files, not with
the copy of the ontology the store was built with, so a changed ontology is checked
against existing data without a rebuild. Other graphs (the ontology copy, the VoID
description) are not article data and are left out.
"""
from __future__ import annotations

import io
import shutil
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, BNode, Graph, Namespace
from rdflib.collection import Collection
from rdflib.term import Node

from . import loader
from .corpus import ArticleIds, corpora
from .errors import AnnotationError, KgbuildError
from .model import Registry
from .paths import ontology_files
from .store import KgStore
from .vocab import KG, PREFIXES

SHAPES_NS = "https://w3id.org/kgbuild/shapes#"
JAVA_HINT = "install a Java runtime (e.g. `apt-get install default-jre-headless`), or skip this check with --no-owl"
MAX_HINTS = 5

_OWL = PREFIXES["owl"]
_RDF = PREFIXES["rdf"]
_RDFS = PREFIXES["rdfs"]
SH = Namespace("http://www.w3.org/ns/shacl#")
_SCHEMA = PREFIXES["schema"]


@dataclass(frozen=True)
class ShaclReport:
    """Whether the graph conforms to the shapes, with one readable line per result."""

    conforms: bool
    results: list[str] = field(default_factory=list)
    shapes: list[str] = field(default_factory=list)  # the shapes that failed, short names


@dataclass(frozen=True)
class OwlReport:
    """Whether HermiT finds the graph consistent with the ontology, and what to look at if not."""

    consistent: bool
    message: str


# ---------------------------------------------------------------- annotations
def check_annotations(paths: Iterable[Path] = (), *, on_file: Callable[[Path], None] | None = None
                      ) -> list[AnnotationError]:
    """Every error in the annotation files under `paths` (default: the project's data/), one per bad file.

    `build` stops at the first error so the store is never half-written; an annotator
    fixing a corpus wants the whole list at once.
    """
    errors: list[AnnotationError] = []
    ids = ArticleIds()
    for corpus in corpora(paths, errors=errors):
        try:
            registry: Registry | None = corpus.registry
        except AnnotationError as exc:
            errors.append(exc)  # reported once; its articles cannot be checked without it
            registry = None
        for path in corpus.files:
            if on_file:
                on_file(path)
            if registry is None:
                continue
            try:
                article = loader.load_article(path, registry)
            except AnnotationError as exc:
                errors.append(exc)
                continue
            duplicate = ids.check(article.id, path)
            if duplicate is not None:
                errors.append(duplicate)
    return errors


# ---------------------------------------------------------------- what is checked


def article_graphs(store: KgStore) -> list[ox.NamedNode]:
    """The graphs the mapper wrote: each article's (one schema:NewsArticle each) and the registry's."""
    rows = store.select(f"""SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{
        {{ ?a a <{_SCHEMA}NewsArticle> }} UNION {{ ?r a <{KG}Registry> }} }} }}""")
    return sorted((row["g"] for row in rows), key=lambda g: g.value)


def data_triples(store: KgStore) -> set[ox.Triple]:
    """The union of the mapped graphs: the ontology comes from files, the VoID graph is no article data."""
    return {ox.Triple(q.subject, q.predicate, q.object) for g in article_graphs(store) for q in store.quads(g)}


def ontology_triples(files: Sequence[Path]) -> set[ox.Triple]:
    triples: set[ox.Triple] = set()
    for path in files:
        try:
            quads = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, rename_blank_nodes=True)
            triples.update(ox.Triple(q.subject, q.predicate, q.object) for q in quads)
        except SyntaxError as exc:
            raise KgbuildError(f"{path}: invalid Turtle: {exc}") from None
    return triples


def _ntriples(triples: Iterable[ox.Triple]) -> bytes:
    return ox.serialize(sorted(triples, key=str), format=ox.RdfFormat.N_TRIPLES) or b""


def _short(term: object) -> str:
    """A prefixed name where a project prefix fits, else <IRI>; literals and blank nodes as they are."""
    if isinstance(term, (ox.Literal, ox.BlankNode)):
        return str(term)
    text = term.value if isinstance(term, ox.NamedNode) else str(term)
    for prefix, ns in (("kgsh", SHAPES_NS), *PREFIXES.items()):
        if text.startswith(ns) and len(text) > len(ns):
            return f"{prefix}:{text[len(ns):]}"
    return f"<{text}>" if "://" in text else text


# ---------------------------------------------------------------- SHACL
def check_shacl(store: KgStore, shapes: Path, *, ontology: Sequence[Path] | None = None) -> ShaclReport:
    """Validate the store's data, with the ontology, against the SHACL shapes in `shapes`.

    The ontology joins the data graph so that sh:class and sh:targetClass follow its
    rdfs:subClassOf and see its typed controlled values; no inference is needed.
    """
    import pyshacl

    data = Graph()
    data.parse(data=_ntriples(data_triples(store) | ontology_triples(ontology_files() if ontology is None else ontology)),
               format="nt")
    shapes_graph = Graph()
    try:
        shapes_graph.parse(shapes, format="turtle")
    except FileNotFoundError:
        raise KgbuildError(f"no SHACL shapes at {shapes}") from None
    except Exception as exc:  # rdflib raises several parser exception types
        raise KgbuildError(f"{shapes}: invalid Turtle: {exc}") from None
    conforms, results, _ = pyshacl.validate(data, shacl_graph=shapes_graph, inference="none", allow_warnings=True)
    lines, failed = _shacl_lines(results, shapes_graph)
    return ShaclReport(conforms=bool(conforms), results=lines, shapes=failed)


def _shacl_lines(results: Graph, shapes: Graph) -> tuple[list[str], list[str]]:
    """One line per validation result (severity, shape, focus node, path, message, value), and the shapes."""
    lines: set[str] = set()
    failed: set[str] = set()
    for result in results.subjects(RDF.type, SH.ValidationResult):
        shape = _shape_name(results.value(result, SH.sourceShape), shapes)
        failed.add(shape)
        severity = str(results.value(result, SH.resultSeverity)).rsplit("#", 1)[-1]
        focus, path, value = (results.value(result, p) for p in (SH.focusNode, SH.resultPath, SH.value))
        messages = sorted(str(m) for m in results.objects(result, SH.resultMessage))
        line = f"{severity} {shape}: {_short(focus)}"
        if path is not None:
            line += f" {_path_text(path, results)}"
        line += f": {'; '.join(messages) or 'does not conform'}"
        if value is not None and value != focus:
            line += f" (value: {_short(value)[:120]})"
        lines.add(line)
    return sorted(lines), sorted(failed)


def _path_text(path: Node, graph: Graph) -> str:
    """A SHACL property path in SPARQL syntax: p, ^p, (p|q|r), (p/q)."""
    if not isinstance(path, BNode):
        return _short(path)
    if (inverse := graph.value(path, SH.inversePath)) is not None:
        return "^" + _path_text(inverse, graph)
    if (alternatives := graph.value(path, SH.alternativePath)) is not None:
        return "(" + "|".join(_path_text(p, graph) for p in Collection(graph, alternatives)) + ")"
    if graph.value(path, RDF.first) is not None:
        return "(" + "/".join(_path_text(p, graph) for p in Collection(graph, path)) + ")"
    return "(path)"


def _shape_name(shape: Node | None, shapes: Graph) -> str:
    """A shape's short IRI; an anonymous property shape is named by its node shape and path."""
    if not isinstance(shape, BNode):
        return _short(shape)
    parent = shapes.value(None, SH.property, shape)
    path = shapes.value(shape, SH.path)
    where = _shape_name(parent, shapes) if parent is not None else "(anonymous shape)"
    return f"{where}[{_path_text(path, shapes)}]" if path is not None else where


# ---------------------------------------------------------------- OWL
def check_owl(store: KgStore, *, ontology: Sequence[Path] | None = None) -> OwlReport:
    """Run HermiT over the ontology and the store's data; inconsistent means a modelling mistake.

    The data goes to a fresh owlready2 World as N-Triples (owlready2 reads no Turtle),
    without owl:imports, so nothing is fetched from the network.
    """
    import owlready2

    if shutil.which(owlready2.JAVA_EXE) is None:
        raise KgbuildError(f"the OWL check runs HermiT, which needs Java ({owlready2.JAVA_EXE!r} not found): {JAVA_HINT}")
    triples = ontology_triples(ontology_files() if ontology is None else ontology) | data_triples(store)
    world = owlready2.World()
    try:
        world.get_ontology("https://w3id.org/kgbuild/check/").load(fileobj=io.BytesIO(_ntriples(triples)),
                                                                   format="ntriples")
        # xsd:date, xsd:gYear and xsd:gYearMonth are outside the OWL 2 datatype map; SHACL checks them.
        owlready2.sync_reasoner(world, infer_property_values=False, debug=0, ignore_unsupported_datatypes=True)
    except owlready2.OwlReadyInconsistentOntologyError:
        return OwlReport(False, _inconsistent_message(triples))
    except owlready2.OwlReadyJavaError as exc:
        raise KgbuildError(f"HermiT failed: {_first_line(str(exc))}") from None
    except FileNotFoundError:
        raise KgbuildError(f"the OWL check runs HermiT, which needs Java: {JAVA_HINT}") from None
    finally:
        world.close()
    return OwlReport(True, f"consistent ({len(triples):,} triples of ontology and data, HermiT)")


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip() and "Java error message" not in line]
    return lines[0] if lines else text.strip()


def _inconsistent_message(triples: set[ox.Triple]) -> str:
    hints = inconsistency_hints(triples)
    text = "INCONSISTENT: HermiT finds the graph contradicts the ontology"
    if not hints:
        return text + " (no simple cause found; open ontology and data in an OWL editor for an explanation)"
    return text + "; likely cause" + ("s" if len(hints) > 1 else "") + ":\n  " + "\n  ".join(hints)


# HermiT says only "inconsistent". These queries find the usual causes, so that the
# message names the node to fix: two disjoint classes, two values of a functional
# property, a value a class forbids.
_TYPES = f"""SELECT DISTINCT ?x ?c WHERE {{
  {{ ?x a ?c }}
  UNION {{ ?x ?p ?o . ?p <{_RDFS}subPropertyOf>*/<{_RDFS}domain> ?c }}
  UNION {{ ?s ?p ?x . FILTER(!isLiteral(?x)) ?p <{_RDFS}subPropertyOf>*/<{_RDFS}range> ?c }}
  FILTER(isIRI(?c))
}}"""
_SUPERS = f"SELECT ?c ?s WHERE {{ ?c a <{_OWL}Class> . ?c <{_RDFS}subClassOf>* ?s . FILTER(isIRI(?s)) }}"
_DISJOINT = f"""SELECT DISTINCT ?a ?b WHERE {{
  {{ ?a <{_OWL}disjointWith> ?b }}
  UNION {{ ?d a <{_OWL}AllDisjointClasses> ; <{_OWL}members> ?m .
          ?m <{_RDF}rest>*/<{_RDF}first> ?a . ?m <{_RDF}rest>*/<{_RDF}first> ?b . FILTER(?a != ?b) }}
}}"""
_FUNCTIONAL = f"SELECT ?x ?p ?o WHERE {{ ?p a <{_OWL}FunctionalProperty> . ?x ?p ?o }}"
_FORBIDDEN = f"""SELECT DISTINCT ?c ?p ?value ?why WHERE {{
  ?c <{_RDFS}subClassOf> ?r . ?r <{_OWL}onProperty> ?p .
  {{ ?r <{_OWL}maxCardinality> ?max . FILTER(?max = 0) BIND("none allowed" AS ?why) }}
  UNION {{ ?r <{_OWL}allValuesFrom>/<{_OWL}oneOf>/<{_RDF}rest>*/<{_RDF}first> ?value . BIND("only" AS ?why) }}
}}"""


def inconsistency_hints(triples: Iterable[ox.Triple]) -> list[str]:
    """Up to MAX_HINTS readable causes of an inconsistency, from simple pattern queries."""
    graph = KgStore()  # in memory: a scratch graph to ask pattern queries of
    graph.add(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    supers: dict[str, set[str]] = defaultdict(set)
    for row in graph.select(_SUPERS):
        supers[row["c"].value].add(row["s"].value)
    types: dict[object, set[str]] = defaultdict(set)
    for row in graph.select(_TYPES):
        types[row["x"]] |= supers.get(row["c"].value, {row["c"].value})
    hints = _disjoint_hints(graph, types) + _functional_hints(graph) + _forbidden_hints(graph, types)
    return hints[:MAX_HINTS]


def _disjoint_hints(graph: KgStore, types: dict[object, set[str]]) -> list[str]:
    pairs = {(row["a"].value, row["b"].value) for row in graph.select(_DISJOINT)}
    disjoint = {c for pair in pairs for c in pair}
    hints: list[str] = []
    for node, classes in sorted(types.items(), key=lambda item: str(item[0])):
        mine = sorted(classes & disjoint)
        hints.extend(f"{_short(node)} is both {_short(a)} and {_short(b)}, which are disjoint"
                     for i, a in enumerate(mine) for b in mine[i + 1:] if (a, b) in pairs)
    return hints


def _functional_hints(graph: KgStore) -> list[str]:
    values: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in graph.select(_FUNCTIONAL):
        values[(_short(row["x"]), _short(row["p"]))].add(_short(row["o"]))
    return [f"{node} has {len(objects)} values of {prop} ({', '.join(sorted(objects))}), which allows only one"
            for (node, prop), objects in sorted(values.items()) if len(objects) > 1]


def _forbidden_hints(graph: KgStore, types: dict[object, set[str]]) -> list[str]:
    rules: dict[tuple[str, str], set[str]] = defaultdict(set)  # (class, property) -> allowed values
    for row in graph.select(_FORBIDDEN):
        allowed = rules[(row["c"].value, row["p"].value)]
        if row["value"] is not None:
            allowed.add(row["value"].value)
    hints = []
    for (cls, prop), allowed in sorted(rules.items()):
        for quad in graph.match(None, ox.NamedNode(prop)):
            if cls in types.get(quad.subject, ()) and isinstance(quad.object, (ox.NamedNode, ox.Literal)) \
                    and quad.object.value not in allowed:
                what = "none allowed" if not allowed else "allowed: " + ", ".join(sorted(map(_short, allowed)))
                hints.append(f"{_short(quad.subject)} is a {_short(cls)} but has {_short(prop)} {_short(quad.object)} "
                             f"({what})")
    return sorted(hints)
