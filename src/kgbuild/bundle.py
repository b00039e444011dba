"""An export bundle: one folder another system can load as it is.

    DIR/
      graphs/<name>.ttl    the Turtle of every named graph (articles, ontology, void)
      dataset.trig         every graph in one TriG file, graph names kept
      ontology/*.ttl       the ontology source files (kgbuild.ttl, cameo.ttl, ...)
      void.ttl             the VoID/DCAT description of the dataset
      context.jsonld       a JSON-LD context: the project prefixes and the kg: terms
      manifest.json        what was written, with sizes and SHA-256

Every RDF file is plain Turtle or TriG with absolute IRIs or declared prefixes, so rdflib,
Apache Jena (riot) and Oxigraph read it without options. The bundle is written to a
sibling folder first and moved into place, so a reader never sees half a bundle; an
existing DIR is replaced only if it is empty or an earlier bundle (it has manifest.json).
"""
from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

from .errors import KgbuildError
from .export import export
from .paths import ontology_files
from .store import KgStore
from .vocab import KG, PREFIXES, Iris
from .void import void_turtle

MANIFEST = "manifest.json"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"

# Short names for the terms most clients need, besides the kg: terms.
COMMON_TERMS: dict[str, dict[str, str] | str] = {
    "label": "rdfs:label",
    "altLabel": "skos:altLabel",
    "sameAs": {"@id": "owl:sameAs", "@type": "@id"},
    "exactMatch": {"@id": "skos:exactMatch", "@type": "@id"},
    "closeMatch": {"@id": "skos:closeMatch", "@type": "@id"},
    "eventType": {"@id": "sem:eventType", "@type": "@id"},
    "hasActor": {"@id": "sem:hasActor", "@type": "@id"},
    "wasDerivedFrom": {"@id": "prov:wasDerivedFrom", "@type": "@id"},
}


@dataclass(frozen=True)
class Bundle:
    path: Path
    files: tuple[str, ...]  # relative paths, sorted
    graphs: int


def graph_file_name(graph: str, base: str) -> str:
    """graphs/<name>.ttl for a graph IRI: the id after <base>graph/, else a hash of the IRI."""
    prefix = base + "graph/"
    if graph.startswith(prefix) and len(graph) > len(prefix):
        name = quote(graph[len(prefix):], safe="-._~")
    else:
        name = "graph-" + hashlib.sha256(graph.encode("utf-8")).hexdigest()[:16]
    return f"graphs/{name}.ttl"


def jsonld_context(store: KgStore) -> dict[str, object]:
    """A JSON-LD context: every project prefix, the base as `id:`, and a short name for each kg: term.

    Object properties map to {"@type": "@id"}; datatype properties with a non-string XSD
    range carry that datatype; classes and individuals map to their IRI.
    """
    iris = Iris(store.base)
    context: dict[str, object] = dict(PREFIXES)
    context["id"] = iris.base
    context.update(COMMON_TERMS)
    rows = store.query(
        f"""SELECT ?t (SAMPLE(?k) AS ?kind) (SAMPLE(?r) AS ?range) WHERE {{
              GRAPH ?g {{ ?t a ?k }} FILTER(?g = {iris.ontology_graph()} && STRSTARTS(STR(?t), "{KG}"))
              OPTIONAL {{ GRAPH ?g {{ ?t <http://www.w3.org/2000/01/rdf-schema#range> ?r }} }}
              VALUES ?k {{ <{OWL}ObjectProperty> <{OWL}DatatypeProperty> <{OWL}Class> <{OWL}NamedIndividual> }}
            }} GROUP BY ?t ORDER BY ?t""")
    assert isinstance(rows, ox.QuerySolutions)
    for row in rows:
        term = row["t"].value
        name = term[len(KG):]
        if not name or name in context:
            continue
        kind, rng = row["kind"].value, row["range"]
        if kind == OWL + "ObjectProperty":
            context[name] = {"@id": "kg:" + name, "@type": "@id"}
        elif kind == OWL + "DatatypeProperty" and rng is not None and rng.value.startswith(XSD) \
                and rng.value != XSD + "string":
            context[name] = {"@id": "kg:" + name, "@type": "xsd:" + rng.value[len(XSD):]}
        else:
            context[name] = "kg:" + name
    return {"@context": context}


def _prepare(dest: Path) -> Path:
    if dest.exists():
        if not dest.is_dir():
            raise KgbuildError(f"{dest} is a file; give a folder for the bundle")
        if any(dest.iterdir()) and not (dest / MANIFEST).is_file():
            raise KgbuildError(f"{dest} is not empty and holds no earlier bundle ({MANIFEST}); "
                               "choose a new or empty folder")
    tmp = dest.with_name(dest.name + ".part")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    return tmp


def write_bundle(store: KgStore, dest: Path) -> Bundle:
    """Write the bundle for `store` into `dest` (see the module docstring for the layout)."""
    dest = Path(dest)
    iris = Iris(store.base)
    graphs = store.graphs()
    if not graphs:
        raise KgbuildError("the store is empty; run `kgbuild build` first")
    tmp = _prepare(dest)
    files: dict[str, bytes] = {}
    for graph in graphs:
        data = export(store, "turtle", graph=graph.value)
        assert data is not None
        files[graph_file_name(graph.value, iris.base)] = data
    trig = export(store, "trig")
    assert trig is not None
    files["dataset.trig"] = trig
    for path in ontology_files():
        files[f"ontology/{path.name}"] = path.read_bytes()
    files["void.ttl"] = void_turtle(store)
    files["context.jsonld"] = (json.dumps(jsonld_context(store), indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    manifest = {
        "kgbuild-bundle": 1,
        "base": iris.base,
        "graphs": [g.value for g in graphs],
        "files": {name: {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                  for name, data in sorted(files.items())},
    }
    files[MANIFEST] = (json.dumps(manifest, indent=2) + "\n").encode("utf-8")
    for name, data in files.items():
        target = tmp / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    if dest.exists():
        old = dest.with_name(dest.name + ".old")
        if old.exists():
            shutil.rmtree(old)
        dest.rename(old)
        tmp.rename(dest)
        shutil.rmtree(old)
    else:
        tmp.rename(dest)
    return Bundle(path=dest, files=tuple(sorted(files)), graphs=len(graphs))
