"""Counts that tell a user what the store holds: by class, by graph, by article."""
from __future__ import annotations

from dataclasses import dataclass

from .store import KgStore
from .vocab import KG, PREFIXES


@dataclass(frozen=True)
class Stats:
    quads: int
    graphs: list[tuple[str, int]]
    classes: list[tuple[str, int]]
    articles: list[tuple[str, str, int, int, int, int]]  # iri, headline, statements, claims, events, annotations


def stats(store: KgStore) -> Stats:
    graphs = [(row["g"].value, int(row["n"].value)) for row in store.select(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")]
    classes = [(row["c"].value, int(row["n"].value)) for row in store.select(
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n) ?c")]
    articles = []
    for row in store.select(f"""
        PREFIX schema: <{PREFIXES['schema']}> PREFIX oa: <{PREFIXES['oa']}> PREFIX kg: <{KG}>
        SELECT ?a ?h
          (COUNT(DISTINCT ?st) AS ?ns) (COUNT(DISTINCT ?cl) AS ?nc) (COUNT(DISTINCT ?ev) AS ?ne) (COUNT(DISTINCT ?an) AS ?na)
        WHERE {{
          ?a a schema:NewsArticle ; schema:headline ?h .
          OPTIONAL {{ ?st a kg:Statement ; schema:isPartOf ?a }}
          OPTIONAL {{ ?cl a kg:Claim ; schema:appearance ?a }}
          OPTIONAL {{ ?ev a kg:Event ; <{PREFIXES['prov']}wasDerivedFrom> ?a }}
          OPTIONAL {{ ?an oa:hasTarget/oa:hasSource ?a }}
        }} GROUP BY ?a ?h ORDER BY ?a"""):
        articles.append((row["a"].value, row["h"].value, int(row["ns"].value), int(row["nc"].value),
                         int(row["ne"].value), int(row["na"].value)))
    return Stats(len(store), graphs, classes, articles)
