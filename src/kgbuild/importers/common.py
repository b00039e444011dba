"""What every way into the annotation format shares: registry names, ISO dates, and the YAML writer.

The writer takes a *document*: the shape of an annotation file (see
schemas/article.schema.json) in which every anchor is a resolved `Span` instead of
a quote. It turns each span back into the shortest quote that resolves to the same
offsets: a plain string when the quote occurs once at word boundaries, else
`{quote, occurrence}`, else `{quote, start}` (a span that does not sit at word
boundaries). So an importer decides *where* things are, and the file it writes
is read by `kgbuild.loader.load_article` to exactly those offsets.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .. import model as m
from ..anchoring import Span, occurrences

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
SECTIONS = ("sources", "roles", "times", "events", "statements", "claims", "relations")


# ---------------------------------------------------------------- registry
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "′": "'"})


def fold(text: str) -> str:
    """Same length as `text`, with typographic apostrophes made straight (offsets stay valid)."""
    return text.translate(_APOSTROPHES)


def _variants(name: str) -> set[str]:
    """A registry name as it may appear in running text: first letter in either case, and
    (for common nouns, whose last word is lower case) a plain English plural."""
    name = fold(name.strip())
    out = {name}
    if name[:1].isalpha():
        out.add(name[0].swapcase() + name[1:])
    last = name.split()[-1] if name.split() else ""
    if last[:1].islower() and last[-1:].isalpha():
        if last.endswith(("s", "x", "ch", "sh")):
            plural = name + "es"
        elif last.endswith("y") and last[-2:-1] not in "aeiou":
            plural = name[:-1] + "ies"
        else:
            plural = name + "s"
        out |= {plural, plural[0].swapcase() + plural[1:]}
    return {v for v in out if v}


@dataclass(frozen=True)
class NameHit:
    """A registry entity named in the text."""

    entity: str
    span: Span


class RegistryNames:
    """Registry labels and aliases, for finding entities in text and resolving a mention to an id.

    Matching is at word boundaries (as anchors are), ignores the difference between
    straight and typographic apostrophes, accepts a capitalised or lower-cased first
    letter, and for common nouns ("drone") a plural ("drones").
    """

    def __init__(self, registry: m.Registry):
        self.registry = registry
        self.names: dict[str, list[str]] = {}
        for ent in registry.entities.values():
            for name in (ent.label, *ent.aliases):
                for variant in _variants(name):
                    ids = self.names.setdefault(variant, [])
                    if ent.id not in ids:
                        ids.append(ent.id)

    def lookup(self, text: str) -> str | None:
        """The one entity whose name is `text`, or None (unknown, or shared by several)."""
        ids = self.names.get(fold(" ".join(text.split())))
        return ids[0] if ids and len(ids) == 1 else None

    def find(self, body: str, types: Iterable[str] | None = None) -> list[NameHit]:
        """Every word-bounded occurrence of a registry name, in text order.

        Different entities may nest ("Trump" inside "Some Trump advisers"); for one entity
        only the shortest of nested matches is kept ("Netanyahu" in "Benjamin Netanyahu"),
        so that a name's mentions are all its occurrences.
        """
        wanted = set(types) if types is not None else None
        folded = fold(body)
        found: dict[tuple[str, int, int], NameHit] = {}
        for variant, ids in self.names.items():
            for start in occurrences(folded, variant):
                end = start + len(variant)
                for eid in ids:
                    if wanted is None or self.registry.entities[eid].type in wanted:
                        found[(eid, start, end)] = NameHit(eid, Span(start, end, body[start:end]))
        hits = sorted(found.values(), key=lambda h: (h.span.end - h.span.start, h.span.start, h.entity))
        kept: list[NameHit] = []
        for hit in hits:
            if any(k.entity == hit.entity and hit.span.start <= k.span.start and k.span.end <= hit.span.end
                   for k in kept):
                continue
            kept.append(hit)
        return sorted(kept, key=lambda h: (h.span.start, -h.span.end, h.entity))


# ---------------------------------------------------------------- dates
_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}
_MONTH = (r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December"
          r"|Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept\.|Sep\.|Oct\.|Nov\.|Dec\.)")
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:1[89]|20)\d\d)"
_DATE_PATTERNS = [
    re.compile(r"\b(?P<year>\d{4})-(?P<mnum>\d{2})-(?P<day>\d{2})\b"),
    re.compile(rf"\b{_DAY}\s+{_MONTH},?\s+{_YEAR}\b"),
    re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b"),
    re.compile(rf"\b{_MONTH},?\s+{_YEAR}\b"),
    re.compile(rf"(?<![\d,.$£€-]){_YEAR}\b(?![,.]?\d)"),
]


@dataclass(frozen=True)
class DateHit:
    """An absolute date in the text and its ISO 8601 form at the precision the text gives."""

    span: Span
    iso: str


def normalize_date(text: str) -> str | None:
    """'June 2025' -> '2025-06'; '29 December 2025' and 'Dec. 29, 2025' -> '2025-12-29'; '2025' -> '2025'.

    None when `text` is not one whole absolute date (or names a day that does not exist).
    """
    hits = find_dates(text)
    if len(hits) == 1 and hits[0].span.start == 0 and hits[0].span.end == len(text.strip()):
        return hits[0].iso
    return None


def find_dates(body: str) -> list[DateHit]:
    """Every absolute date (ISO, day-month-year, month-day-year, month-year, bare year), in text order."""
    taken: list[tuple[int, int]] = []
    out: list[DateHit] = []
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(body):
            start, end = match.span()
            if any(start < e and s < end for s, e in taken):
                continue
            groups = match.groupdict()
            year = int(groups["year"])
            month = int(groups["mnum"]) if groups.get("mnum") else (
                _MONTHS[groups["month"].rstrip(".").lower()] if groups.get("month") else None)
            day = int(groups["day"]) if groups.get("day") else None
            try:
                _dt.date(year, month or 1, day or 1)
            except ValueError:
                continue
            iso = f"{year:04d}" + (f"-{month:02d}" if month else "") + (f"-{day:02d}" if day else "")
            taken.append((start, end))
            out.append(DateHit(Span(start, end, body[start:end]), iso))
    return sorted(out, key=lambda h: h.span)


# ---------------------------------------------------------------- ids
def slug(text: str, words: int = 4) -> str:
    """A readable id fragment: the first `words` words, ASCII, lower case, joined by '-'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    parts = re.findall(r"[a-z0-9]+", ascii_text)[:words]
    return "-".join(parts) or "x"


def unique_id(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3`... whichever is not in `taken` (which it joins)."""
    base = base if ID_PATTERN.match(base) else "x-" + slug(base)
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


def article_id_for(path: Path, body: str) -> str:
    """An article id from a file name like `001_<id>.txt` or `<id>.txt`, else from the text's SHA-256."""
    stem = Path(path).stem
    match = re.match(r"^\d+_([a-z0-9][a-z0-9._-]*)$", stem)
    if match:
        return match.group(1)
    if ID_PATTERN.match(stem):
        return stem
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]


# ---------------------------------------------------------------- model -> document
def _time(value: m.TimeValue | None) -> str | None:
    return value.lexical if value else None


def article_to_doc(article: m.Article) -> dict[str, Any]:
    """An Article as an annotation document (anchors as Spans), losing nothing the mapper uses."""
    doc: dict[str, Any] = {
        "kgbuild": 1,
        "id": article.id,
        "text": article.text_path.name,
        "headline": article.headline,
        "language": article.language,
        "published": _time(article.published),
        "mentions": {mn.entity: list(mn.spans) for mn in article.mentions},
        "roles": [{"id": r.id, "holder": r.holder, "position": r.position, "anchor": list(r.spans)}
                  for r in article.roles],
        "events": [],
        "statements": [],
        "claims": [],
    }
    voice = article.voice
    doc["voice"] = voice and {"id": voice.id, "label": voice.label, "outlet": voice.outlet, "anchor": list(voice.spans)}
    doc["sources"] = [{"id": s.id, "label": s.label, "anchor": list(s.spans), "belongs_to": s.belongs_to}
                      for s in article.sources]
    doc["times"] = [{"id": t.id, "text": t.span, **dict(t.relations), "offset": t.offset,
                     "refers_to": list(t.refers_to), "now": t.now or None} for t in article.times]
    doc["relations"] = [{"id": r.id, "kind": r.kind, "subject": r.subject, "object": r.object,
                         "anchor": list(r.spans), "claimant": r.claimants[0] if len(r.claimants) == 1 else list(r.claimants),
                         "claim": r.claim} for r in article.relations]
    for ev in article.events:
        doc["events"].append({
            "id": ev.id, "entity": ev.entity, "kind": ev.kinds[0] if len(ev.kinds) == 1 else list(ev.kinds),
            "label": ev.label, "status": ev.status, "anchor": list(ev.spans),
            "agents": list(ev.agents), "targets": list(ev.targets), "supporters": list(ev.supporters),
            "participants": list(ev.participants), "weapons": list(ev.weapons), "places": list(ev.places),
            "about": list(ev.about), "time": _time(ev.time), "begin": _time(ev.begin), "end": _time(ev.end),
            "duration": ev.duration, "part_of": ev.part_of, "condition": ev.condition, "support": ev.support,
            "outcomes": [{"id": o.id, "text": o.span, "affected": list(o.affected)} for o in ev.outcomes],
            "casualties": [{"kind": c.kind, "quantity": c.quantity} for c in ev.casualties],
            "attributed_to": list(ev.attributed_to),
            "quantities": [{"id": q.id, "text": q.span, "vagueness": q.vagueness, "value": q.value, "min": q.min,
                            "max": q.max, "of": list(q.of), "unit": q.unit, "per": q.per, "rate": q.rate}
                           for q in ev.quantities],
            "entity_match": None if ev.entity_match == "certain" else ev.entity_match,
            "required_by": list(ev.required_by),
        })
    for st in article.statements:
        doc["statements"].append({
            "id": st.id, "speaker": st.speaker, "quote": st.span, "setting": st.setting, "occasion": st.occasion,
            "addressee": st.addressee, "about": list(st.about), "date": _time(st.date), "verb": st.verb,
        })
    for cl in article.claims:
        doc["claims"].append({
            "id": cl.id, "claimant": cl.claimants[0] if len(cl.claimants) == 1 else list(cl.claimants),
            "text": cl.span, "modality": cl.modality, "verb": cl.verb, "hedges": list(cl.hedges),
            "according_to": list(cl.according_to), "about": list(cl.about), "quotes": list(cl.quotes),
        })
    return doc


# ---------------------------------------------------------------- document -> YAML
class _Flow(list):
    """Written in flow style: [a, b]."""


class _FlowMap(dict):
    """Written in flow style: {quote: x, occurrence: 2}."""


# libyaml's emitter where PyYAML was built with it (its wheels are): the same text as the pure-Python
# one (checked on 85 drafted articles) in a tenth of the time, which was ~10 % of drafting an article.
_BaseDumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_BaseDumper):  # type: ignore[misc]
    def ignore_aliases(self, data: Any) -> bool:
        return True


_Dumper.add_representer(_Flow, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))
_Dumper.add_representer(_FlowMap, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v, flow_style=True))


def anchor_spec(body: str, span: Span) -> str | dict[str, Any]:
    """The shortest anchor that resolves to exactly `span` in `body`."""
    if body[span.start:span.end] != span.exact:
        raise ValueError(f"span {span.start}..{span.end} is {body[span.start:span.end]!r}, not {span.exact!r}")
    starts = occurrences(body, span.exact)
    if span.start in starts:
        if len(starts) == 1:
            return span.exact
        return _FlowMap(quote=span.exact, occurrence=starts.index(span.start) + 1)
    return _FlowMap(quote=span.exact, start=span.start)


def mention_specs(body: str, spans: Sequence[Span], *, group: bool = False) -> Any:
    """Anchors for one entity's mentions; a run of every occurrence of a name becomes `all: true`.

    With `group`, spans are first grouped by their words (in order of first appearance), which
    changes their order in the Article (not the graph) but writes e.g. Iran and Tehran as two lines.
    """
    if group:
        order: dict[str, list[Span]] = {}
        for span in spans:
            order.setdefault(span.exact, []).append(span)
        spans = [s for group_spans in order.values() for s in sorted(group_spans)]
    out: list[Any] = []
    i = 0
    while i < len(spans):
        j = i
        while j + 1 < len(spans) and spans[j + 1].exact == spans[i].exact:
            j += 1
        run = spans[i:j + 1]
        if len(run) > 1 and [s.start for s in run] == occurrences(body, run[0].exact):
            out.append(_FlowMap(quote=run[0].exact, all=True))
        else:
            out.extend(anchor_spec(body, s) for s in run)
        i = j + 1
    return out[0] if len(out) == 1 else out


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, (list, tuple, dict)) and not value)


def _yamlish(body: str, value: Any, key: str | None = None) -> Any:
    if isinstance(value, Span):
        return anchor_spec(body, value)
    if isinstance(value, (list, tuple)):
        if value and all(isinstance(v, Span) for v in value):
            specs = [anchor_spec(body, v) for v in value]
            return specs[0] if key == "anchor" and len(specs) == 1 else specs
        if all(isinstance(v, str) for v in value):
            return _Flow(value)
        return [_yamlish(body, v) for v in value]
    if isinstance(value, dict):
        return {k: _yamlish(body, v, k) for k, v in value.items() if not _empty(v)}
    return value


def _dump(data: Any) -> list[str]:
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100_000,
                     default_flow_style=False)
    return text.rstrip("\n").split("\n")


def _comment(text: str, indent: int) -> list[str]:
    return [" " * indent + ("# " + line if line else "#") for line in text.split("\n")]


def dump_item(body: str, item: Mapping[str, Any], indent: int = 2) -> list[str]:
    """One section item (a role, event, statement or claim) as YAML lines of a list entry."""
    return [" " * indent + line for line in _dump([_yamlish(body, dict(item))])]


def write_annotation(
    doc: Mapping[str, Any],
    body: str,
    *,
    notes: Mapping[str, str] | None = None,
    header: Sequence[str] = (),
    footer: Sequence[str] = (),
    commented: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
    group_mentions: bool = False,
) -> str:
    """An annotation file for `doc`.

    `notes` puts a comment above a mention (by entity id), an item (by id) or a top-level
    key (by '@key', e.g. '@published'); `commented` adds items to a section as comments
    (for a reviewer to complete and uncomment); `header`/`footer` are comment lines
    (without '#') at the top and bottom; `group_mentions` see `mention_specs`.
    """
    notes = notes or {}
    commented = commented or {}
    lines: list[str] = [line for h in header for line in _comment(h, 0)]
    for key in ("kgbuild", "id", "text", "headline", "language", "published", "voice"):
        value = doc.get(key)
        if key == "headline" and isinstance(value, Span) and value == _first_line(body):
            continue  # the loader's default
        if not _empty(value):
            if f"@{key}" in notes:
                lines += _comment(notes[f"@{key}"], 0)
            lines += _dump({key: _yamlish(body, value, key)})
    mentions = doc.get("mentions") or {}
    if mentions:
        lines += ["", "mentions:"]
        for key, spans in mentions.items():
            if key in notes:
                lines += _comment(notes[key], 2)
            specs = mention_specs(body, list(spans), group=group_mentions)
            lines += ["  " + line for line in _dump({key: specs})]
    for section in SECTIONS:
        items = doc.get(section) or []
        hidden = commented.get(section) or []
        if not items and not hidden:
            continue
        lines += ["", f"{section}:" if items else f"# {section}:"]
        for item in items:
            if item.get("id") in notes:
                lines += _comment(notes[item["id"]], 2)
            lines += dump_item(body, item)
        for item in hidden:
            if item.get("id") in notes:
                lines += _comment(notes[item["id"]], 2)
            lines += ["  # " + line[2:] for line in dump_item(body, item)]
    if footer:
        lines += [""] + [line for f in footer for line in _comment(f, 0)]
    return "\n".join(lines) + "\n"


def _first_line(body: str) -> Span:
    first = body.split("\n", 1)[0]
    return Span(0, len(first), first)


def text_reference(yaml_path: Path, text_path: Path) -> str:
    """How an annotation file at `yaml_path` names its text (relative, with '/')."""
    import os

    return Path(os.path.relpath(Path(text_path).resolve(), Path(yaml_path).resolve().parent)).as_posix()
