"""Check the curated links (links.yaml) against the registry, without building anything.

`check_links(root)` reads registry.yaml and links.yaml as they are (even a links file the
loader would refuse) and reports:

* problems, which make `kgbuild link check` exit 1: a Wikidata id that is not a Q-number,
  a DBpedia resource that is not in title form (Benjamin_Netanyahu), a link for an unknown
  entity, an unknown match kind or key, an entry with no identifier or label, and a
  collective actor or unattributed source with `match: same` (owl:sameAs would say the
  group *is* the country or person);
* warnings: two entities claiming the same item with owl:sameAs;
* unlinked entities: actors, places, facilities, weapons and events with no link at all.
  That is allowed (an entity with no verified item gets none), so it is reported, not refused.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode

from . import loader
from . import model as m
from .errors import AnnotationError
from .vocab import DBPEDIA_RESOURCE, WIKIDATA_ENTITY, WIKIDATA_ITEM_IRI

# Entity types the links table is meant to cover (issue 4): actors, places, facilities, weapons, events.
LINKABLE_TYPES = m.ACTOR_TYPES + ("Place", "Facility", "WeaponType", "Event")
COLLECTIVE_TYPES = ("CollectiveActor", "UnattributedSource")
LINK_KEYS = ("label", "wikidata", "dbpedia", "match", "evidence")
WIKIDATA_ID = re.compile(r"^Q[1-9][0-9]*$")
# A DBpedia resource name is an English Wikipedia title with '_' for spaces: no spaces, no IRI
# delimiters, no fragment or query, no leading/trailing/doubled '_', first letter not lower-case.
DBPEDIA_TITLE = re.compile(r"^(?![a-z])(?!_)(?!.*__)(?!.*_$)[^\s<>\"{}|\\^`#?\[\]]+$")


@dataclass(frozen=True)
class LinkProblem:
    """One entry of links.yaml that cannot be used as it is."""

    entity: str
    message: str
    field: str | None = None
    value: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class UnlinkedEntity:
    entity: str
    type: str
    label: str
    note: str | None = None


@dataclass(frozen=True)
class LinkRow:
    """A usable link, as the mapper will write it."""

    entity: str
    type: str
    match: str
    label: str
    targets: tuple[str, ...]


@dataclass(frozen=True)
class LinkReport:
    root: Path
    links: tuple[LinkRow, ...]
    unlinked: tuple[UnlinkedEntity, ...]
    problems: tuple[LinkProblem, ...]
    warnings: tuple[LinkProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def unlinked_actors(self) -> tuple[UnlinkedEntity, ...]:
        """Unlinked actors that are one named thing (not a collective or an unnamed source)."""
        return tuple(u for u in self.unlinked if u.type in m.ACTOR_TYPES and u.type not in COLLECTIVE_TYPES)


def wikidata_problem(value: Any) -> str | None:
    """Why `value` is not a usable Wikidata item id, or None if it is one."""
    if not isinstance(value, str):
        return "must be a string such as Q43723"
    if value.startswith(("http://", "https://", "wd:")):
        return "write the item id only (Q43723), not an IRI"
    if not WIKIDATA_ID.match(value):
        hint = " (properties, P…, and lexemes, L…, are not items)" if re.match(r"^[PL][0-9]+$", value) else ""
        return f"not a Wikidata item id (Q followed by digits, no leading zero){hint}"
    if not WIKIDATA_ITEM_IRI.match(WIKIDATA_ENTITY + value):
        return "does not make a well-formed Wikidata item IRI"
    return None


def dbpedia_problem(value: Any) -> str | None:
    """Why `value` is not a DBpedia resource name in title form, or None if it is one."""
    if not isinstance(value, str) or not value:
        return "must be a title such as Benjamin_Netanyahu"
    if value.startswith(("http://", "https://", "dbr:")):
        return "write the title only (Benjamin_Netanyahu), not an IRI"
    if " " in value:
        return "use '_' for spaces, as in the Wikipedia URL"
    if not DBPEDIA_TITLE.match(value):
        return "not a DBpedia resource title (capitalised first letter, no #, ?, brackets or doubled '_')"
    try:
        NamedNode(DBPEDIA_RESOURCE + value)
    except ValueError as exc:
        return f"does not make a valid IRI ({exc})"
    return None


def _registry_entities(root: Path) -> dict[str, m.Entity]:
    path = root / loader.REGISTRY_FILE
    data = loader.read_yaml(path)
    loader.validate_shape(path, data, "registry")
    return {key: m.Entity(id=key, type=raw["type"], label=raw["label"], line=data["entities"].lines[key])
            for key, raw in data["entities"].items()}


def _collector(problems: list[LinkProblem], key: str, entry: Any, line: int | None) -> Callable[..., None]:
    """A function that records a problem of one links.yaml entry, at the line of the field when known."""

    def problem(message: str, field: str | None = None, value: Any = None) -> None:
        where = getattr(entry, "lines", {}).get(field, line) if field else line
        problems.append(LinkProblem(key, message, field, None if value is None else str(value), where))

    return problem


def check_links(root: Path) -> LinkReport:
    """Check `root`/links.yaml against `root`/registry.yaml (root: a corpus folder, or any folder inside one)."""
    root = loader.find_corpus_root(Path(root))
    entities = _registry_entities(root)
    path = root / loader.LINKS_FILE
    raw_links: dict[str, Any] = {}
    lines: dict[str, int] = {}
    problems: list[LinkProblem] = []
    if path.is_file():
        data = loader.read_yaml(path)
        if not isinstance(data, dict) or not isinstance(data.get("links"), dict):
            raise AnnotationError(path, "expected a mapping with a 'links:' mapping", line=getattr(data, "line", None))
        raw_links = data["links"]
        lines = getattr(raw_links, "lines", {})

    rows: list[LinkRow] = []
    same_targets: dict[str, list[str]] = defaultdict(list)
    for key, entry in raw_links.items():
        line = lines.get(key)
        problem = _collector(problems, str(key), entry, line)
        ent = entities.get(key)
        if ent is None:
            problem("not a registry entity")
        if not isinstance(entry, dict):
            problem("expected a mapping with label, match and wikidata and/or dbpedia")
            continue
        before = len(problems)
        for extra in sorted(set(entry) - set(LINK_KEYS)):
            problem(f"unknown key (allowed: {', '.join(LINK_KEYS)})", str(extra))
        if not isinstance(entry.get("label"), str) or not entry["label"].strip():
            problem("no label: give the target's own label so a reviewer can check the link", "label")
        match = entry.get("match")
        if match not in m.LINK_MATCHES:
            problem(f"match must be one of {', '.join(m.LINK_MATCHES)}", "match", match)
        if ent is not None and match == "same" and ent.type in COLLECTIVE_TYPES:
            problem(f"a {ent.type} must not be owl:sameAs an item; use match: close, or link what it belongs to",
                    "match", match)
        if "wikidata" not in entry and "dbpedia" not in entry:
            problem("neither wikidata nor dbpedia: remove the entry if no identifier was verified")
        targets: list[str] = []
        for field, check, prefix in (("wikidata", wikidata_problem, WIKIDATA_ENTITY),
                                     ("dbpedia", dbpedia_problem, DBPEDIA_RESOURCE)):
            if field in entry:
                why = check(entry[field])
                if why:
                    problem(why, field, entry[field])
                else:
                    targets.append(prefix + entry[field])
        if len(problems) == before and ent is not None:
            rows.append(LinkRow(str(key), ent.type, str(match), entry["label"], tuple(targets)))
            if match == "same":
                for target in targets:
                    same_targets[target].append(str(key))

    warnings = [LinkProblem(", ".join(keys), f"{len(keys)} entities are owl:sameAs the same item", "target", target)
                for target, keys in sorted(same_targets.items()) if len(keys) > 1]
    unlinked = [
        UnlinkedEntity(key, ent.type, ent.label,
                       "collective: no item expected" if ent.type in COLLECTIVE_TYPES else None)
        for key, ent in entities.items() if ent.type in LINKABLE_TYPES and key not in raw_links
    ]
    return LinkReport(root=root, links=tuple(rows), unlinked=tuple(unlinked), problems=tuple(problems),
                      warnings=tuple(warnings))
