"""Import brat standoff (.txt + .ann pairs) into kgbuild annotation files.

Two layers: a parser/formatter for the .ann line format (`parse_ann`, `format_annotation`,
which round trip), and a converter from parsed annotations to a kgbuild document, following
the conventions documented in `brat_annotation.conf` (shipped beside this module).

    from kgbuild.importers.brat import import_brat
    report = import_brat(Path("brat/"), Path("data/articles"), registry=registry)

Every text-bound annotation's offsets are checked against the text; a disagreement
stops the import with the .ann file, line and annotation id.

Over 450 lines: the two layers share the parsed-annotation records and the offset checks;
each layer alone is well under it.
"""
from __future__ import annotations

import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .. import loader
from .. import model as m
from ..anchoring import Span
from ..errors import AnnotationError, BratSyntaxError
from ..paths import atomic_write
from .common import (
    RegistryNames,
    article_id_for,
    normalize_date,
    slug,
    text_reference,
    unique_id,
    write_annotation,
)

CONF_NAME = "annotation.conf"
MENTION_TYPES = (*m.ENTITY_TYPES, "Mention")
SPAN_TYPES = ("Date", "Condition", "Support", "Outcome", "Quantity", "Setting", "ReportingVerb", "Hedge", "Headline")
ITEM_TYPES = (*m.EVENT_KINDS, "Statement", "Claim", "HoldsPosition")
EVENT_LIST_ROLES = {
    "Agent": "agents", "Target": "targets", "Supporter": "supporters", "Participant": "participants",
    "Weapon": "weapons", "Place": "places", "About": "about", "AttributedTo": "attributed_to",
}
NOTE_KEYS = ("id", "label", "entity", "kind", "time", "begin", "end", "duration", "date")


# ================================================================ the .ann format
@dataclass(frozen=True)
class TextBound:
    """T: a typed span of text, possibly in several fragments."""

    id: str
    type: str
    fragments: tuple[tuple[int, int], ...]
    text: str
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Relation:
    """R: a typed, binary relation (Arg1, Arg2)."""

    id: str
    type: str
    args: tuple[tuple[str, str], ...]
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class EventAnnotation:
    """E: an event with a trigger span and role arguments (roles may repeat: Agent, Agent2...)."""

    id: str
    type: str
    trigger: str
    args: tuple[tuple[str, str], ...] = ()
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Attribute:
    """A (or legacy M): a named attribute of an annotation, binary (value None) or valued."""

    id: str
    type: str
    target: str
    value: str | None = None
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Normalization:
    """N: a link from an annotation to an entry in an external resource."""

    id: str
    type: str
    target: str
    resource: str
    entry: str
    text: str = ""
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Note:
    """#: a free-text note on an annotation (brat's AnnotatorNotes)."""

    id: str
    type: str
    target: str
    text: str
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Equiv:
    """*: annotations declared equivalent."""

    type: str
    refs: tuple[str, ...]
    id: str = "*"
    line: int = field(default=0, compare=False)


Annotation = TextBound | Relation | EventAnnotation | Attribute | Normalization | Note | Equiv

_ID = re.compile(r"^[TREAMN#][A-Za-z0-9_-]*$")
_NAME = r"[^\s:;]+"
_TYPE = re.compile(rf"^{_NAME}$")


def _fail(message: str) -> BratSyntaxError:
    return BratSyntaxError(message)


def _pairs(items: Iterable[str], what: str) -> tuple[tuple[str, str], ...]:
    out = []
    for item in items:
        role, sep, ref = item.partition(":")
        if not sep or not role or not ref:
            raise _fail(f"{what} argument {item!r} is not ROLE:ID")
        out.append((role, ref))
    return tuple(out)


def parse_line(line: str, number: int = 0) -> Annotation | None:
    """One .ann line as an annotation (None for a blank line); BratSyntaxError if malformed."""
    if not line.strip():
        return None
    ident, tab, rest = line.partition("\t")
    if not tab:
        raise _fail("no tab after the annotation id")
    if ident == "*":
        parts = rest.split()
        if len(parts) < 3:
            raise _fail("an equivalence needs a type and at least two ids")
        return Equiv(parts[0], tuple(parts[1:]), line=number)
    if not _ID.match(ident):
        raise _fail(f"{ident!r} is not a brat annotation id (T1, R1, E1, A1, N1, #1...)")
    kind = ident[0]
    if kind == "T":
        head, tab2, text = rest.partition("\t")
        if not tab2:
            raise _fail("a text-bound annotation needs 'TYPE START END<tab>TEXT'")
        type_, _, spans = head.partition(" ")
        fragments = []
        for frag in spans.split(";"):
            bounds = frag.split()
            if len(bounds) != 2 or not all(b.isdigit() for b in bounds):
                raise _fail(f"offsets {frag!r} are not 'START END'")
            start, end = int(bounds[0]), int(bounds[1])
            if start > end:
                raise _fail(f"offsets {start} {end}: start is after end")
            fragments.append((start, end))
        if not _TYPE.match(type_):
            raise _fail(f"bad annotation type {type_!r}")
        return TextBound(ident, type_, tuple(fragments), text, line=number)
    if kind == "R":
        parts = rest.split()
        if len(parts) != 3:
            raise _fail("a relation needs 'TYPE Arg1:ID Arg2:ID'")
        return Relation(ident, parts[0], _pairs(parts[1:], "relation"), line=number)
    if kind == "E":
        parts = rest.split()
        if not parts:
            raise _fail("an event needs 'TYPE:TRIGGER [ROLE:ID ...]'")
        type_, sep, trigger = parts[0].partition(":")
        if not sep or not type_ or not trigger:
            raise _fail(f"event head {parts[0]!r} is not TYPE:TRIGGER")
        return EventAnnotation(ident, type_, trigger, _pairs(parts[1:], "event"), line=number)
    if kind in "AM":
        parts = rest.split()
        if len(parts) not in (2, 3):
            raise _fail("an attribute needs 'NAME ID [VALUE]'")
        return Attribute(ident, parts[0], parts[1], parts[2] if len(parts) == 3 else None, line=number)
    if kind == "N":
        head, tab2, text = rest.partition("\t")
        parts = head.split()
        if len(parts) != 3 or ":" not in parts[2]:
            raise _fail("a normalization needs 'TYPE ID RESOURCE:ENTRY<tab>TEXT'")
        resource, _, entry = parts[2].partition(":")
        return Normalization(ident, parts[0], parts[1], resource, entry, text, line=number)
    # kind == "#"
    head, tab2, text = rest.partition("\t")
    parts = head.split()
    if len(parts) != 2:
        raise _fail("a note needs 'TYPE ID<tab>TEXT'")
    return Note(ident, parts[0], parts[1], text, line=number)


def format_annotation(ann: Annotation) -> str:
    """The .ann line for an annotation (the inverse of `parse_line`)."""
    if isinstance(ann, TextBound):
        spans = ";".join(f"{s} {e}" for s, e in ann.fragments)
        return f"{ann.id}\t{ann.type} {spans}\t{ann.text}"
    if isinstance(ann, Relation):
        return f"{ann.id}\t{ann.type} " + " ".join(f"{r}:{ref}" for r, ref in ann.args)
    if isinstance(ann, EventAnnotation):
        return f"{ann.id}\t" + " ".join([f"{ann.type}:{ann.trigger}", *(f"{r}:{ref}" for r, ref in ann.args)])
    if isinstance(ann, Attribute):
        return f"{ann.id}\t{ann.type} {ann.target}" + (f" {ann.value}" if ann.value is not None else "")
    if isinstance(ann, Normalization):
        return f"{ann.id}\t{ann.type} {ann.target} {ann.resource}:{ann.entry}\t{ann.text}"
    if isinstance(ann, Note):
        return f"{ann.id}\t{ann.type} {ann.target}\t{ann.text}"
    return f"*\t{ann.type} " + " ".join(ann.refs)


def parse_ann(text: str, path: Path | str = "<ann>") -> list[Annotation]:
    """All annotations of an .ann file, each knowing its line; AnnotationError names file and line."""
    out: list[Annotation] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.split("\n"), 1):
        line = line.rstrip("\r")
        try:
            ann = parse_line(line, number)
        except BratSyntaxError as exc:
            ident = line.partition("\t")[0] or None
            raise AnnotationError(path, f"not brat standoff: {exc}", line=number, item_id=ident,
                                  hint="see annotation.conf (kgbuild import brat --write-conf DIR)") from None
        if ann is None:
            continue
        if ann.id != "*":
            if ann.id in seen:
                raise AnnotationError(path, f"annotation id {ann.id} is used twice (first on line {seen[ann.id]})",
                                      line=number, item_id=ann.id)
            seen[ann.id] = number
        out.append(ann)
    return out


def check_offsets(anns: Iterable[Annotation], body: str, path: Path | str, text_name: str = "the text") -> None:
    """Every T annotation's fragments lie in the text and give its recorded text."""
    for ann in anns:
        if not isinstance(ann, TextBound):
            continue
        for start, end in ann.fragments:
            if end > len(body):
                raise AnnotationError(path, f"offsets {start}..{end} run past the end of {text_name} "
                                            f"({len(body)} characters)", line=ann.line, item_id=ann.id,
                                      hint="the .txt and .ann files do not belong together")
        actual = " ".join(body[s:e] for s, e in ann.fragments)
        if _squash(actual) != _squash(ann.text):
            where = ";".join(f"{s}..{e}" for s, e in ann.fragments)
            raise AnnotationError(path, f"offsets {where} give {actual!r} in {text_name}, but the annotation "
                                        f"says {ann.text!r}", line=ann.line, item_id=ann.id,
                                  hint="the text was edited after annotating, or the files do not belong together "
                                       "(offsets count Unicode characters from 0)")


def _squash(text: str) -> str:
    return re.sub(r"\s", " ", text)


# ================================================================ brat -> kgbuild
@dataclass
class BratImport:
    """What an import wrote and what it noticed."""

    written: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def conf_text() -> str:
    """The shipped annotation.conf documenting kgbuild's brat types."""
    return resources.files("kgbuild").joinpath("importers/brat_annotation.conf").read_text("utf-8")


def write_conf(folder: Path) -> Path:
    """Write annotation.conf into `folder` (created if needed)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / CONF_NAME
    target.write_text(conf_text(), encoding="utf-8")
    return target


def _notes(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in text.split(";"):
        key, sep, value = part.partition(":")
        key = key.strip().lower()
        if sep and key in NOTE_KEYS:
            out[key] = value.strip()
    return out


class _Converter:
    """Turns one document's parsed annotations into a kgbuild document; knows where each came from."""

    def __init__(self, ann_path: Path, body: str, anns: list[Annotation], registry: m.Registry,
                 names: RegistryNames, warnings: list[str]):
        self.path, self.body, self.registry, self.names, self.warnings = ann_path, body, registry, names, warnings
        self.by_id: dict[str, Annotation] = {a.id: a for a in anns if a.id != "*"}
        self.anns = anns
        self.attrs: dict[str, dict[str, Attribute]] = {}
        self.notes: dict[str, list[Note]] = {}
        self.norms: dict[str, list[Normalization]] = {}
        for a in anns:
            target = getattr(a, "target", None)
            if target is not None and target not in self.by_id:
                raise self.err(f"refers to {target}, which is not in the file", a)
            if isinstance(a, Attribute):
                self.attrs.setdefault(a.target, {})[a.type] = a
            elif isinstance(a, Note):
                self.notes.setdefault(a.target, []).append(a)
            elif isinstance(a, Normalization):
                self.norms.setdefault(a.target, []).append(a)
            for _, ref in getattr(a, "args", ()):
                if ref not in self.by_id:
                    raise self.err(f"refers to {ref}, which is not in the file", a)
            if isinstance(a, EventAnnotation):
                trig = self.by_id.get(a.trigger)
                if not isinstance(trig, TextBound):
                    raise self.err(f"trigger {a.trigger} is not a text-bound (T) annotation", a)
        self.entity_of: dict[str, str | None] = {}
        self.item_of: dict[str, str] = {}  # E id (and its trigger T id) -> kgbuild item id
        self.taken: set[str] = set(registry.entities)

    def err(self, message: str, ann: Annotation | None, hint: str | None = None) -> AnnotationError:
        return AnnotationError(self.path, message, line=ann.line if ann else None,
                               item_id=ann.id if ann else None, hint=hint)

    def warn(self, message: str, ann: Annotation) -> None:
        self.warnings.append(f"{self.path}:{ann.line}: [{ann.id}] {message}")

    # ------------------------------------------------------------ pieces
    def spans(self, tb: TextBound) -> list[Span]:
        return [Span(s, e, self.body[s:e]) for s, e in tb.fragments]

    def hull(self, tb: TextBound) -> Span:
        if len(tb.fragments) > 1:
            self.warn(f"discontinuous {tb.type} span used where kgbuild takes one passage: "
                      "took the stretch from the first fragment to the last", tb)
        start, end = tb.fragments[0][0], tb.fragments[-1][1]
        return Span(start, end, self.body[start:end])

    def note_fields(self, *ids: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for ident in ids:
            for note in self.notes.get(ident, []):
                out.update(_notes(note.text))
        return out

    def resolve_entity(self, tb: TextBound) -> str | None:
        for norm in self.norms.get(tb.id, []):
            if norm.resource.lower() == "kgbuild":
                if norm.entry not in self.registry.entities:
                    raise self.err(f"normalization names {norm.entry!r}, which is not in the registry", norm,
                                   hint="add it to registry.yaml first")
                return norm.entry
            if norm.resource.lower() == "wikidata":
                found = [k for k, link in self.registry.links.items() if link.wikidata == norm.entry]
                if len(found) == 1:
                    return found[0]
        for note in self.notes.get(tb.id, []):
            match = re.search(r"\bkgbuild:([a-z0-9][a-z0-9._-]*)", note.text) or re.match(
                r"^\s*id:\s*([a-z0-9][a-z0-9._-]*)\s*$", note.text)
            if match:
                if match.group(1) not in self.registry.entities:
                    raise self.err(f"note names {match.group(1)!r}, which is not in the registry", note,
                                   hint="add it to registry.yaml first")
                return match.group(1)
        return self.names.lookup(" ".join(self.body[s:e] for s, e in tb.fragments))

    def entity(self, ref: str, role: str, user: Annotation) -> str:
        """The registry id or item id an argument refers to."""
        if ref in self.item_of:
            return self.item_of[ref]
        target = self.by_id[ref]
        if isinstance(target, TextBound) and target.type in MENTION_TYPES:
            found = self.entity_of.get(ref)
            if found is None:
                raise self.err(f"{role} {ref} ({target.text!r}) is not a registry entity", user,
                               hint="add a normalization 'kgbuild:ID', or add the name to registry.yaml")
            return found
        raise self.err(f"{role} {ref} is a {target.type}, not an entity or event", user)

    def span_arg(self, ref: str, types: tuple[str, ...], role: str, user: Annotation) -> TextBound:
        target = self.by_id[ref]
        if not isinstance(target, TextBound) or target.type not in types:
            raise self.err(f"{role} {ref} must be a {' or '.join(types)} span", user)
        return target

    def date(self, tb: TextBound) -> str:
        iso = self.note_fields(tb.id).get("date") or self.note_fields(tb.id).get("time")
        for norm in self.norms.get(tb.id, []):
            iso = iso or (norm.entry if re.match(r"^\d{4}(-\d{2}(-\d{2})?)?$", norm.entry) else None)
        for note in self.notes.get(tb.id, []):
            iso = iso or (note.text.strip() if re.match(r"^\d{4}(-\d{2}(-\d{2})?)?$", note.text.strip()) else None)
        iso = iso or normalize_date(" ".join(self.body[s:e] for s, e in tb.fragments))
        if iso is None:
            raise self.err(f"cannot read {tb.text!r} as a date", tb,
                           hint="add a note with its ISO form, e.g. 2025-06 or 2025-06-13")
        return iso

    # ------------------------------------------------------------ conversion
    def convert(self, article_id: str, text_ref: str) -> dict[str, Any]:
        doc: dict[str, Any] = {"kgbuild": 1, "id": article_id, "text": text_ref, "language": "en",
                               "mentions": {}, "roles": [], "events": [], "statements": [], "claims": []}
        events = [a for a in self.anns if isinstance(a, EventAnnotation)]
        for a in self.anns:
            if isinstance(a, TextBound):
                if a.type in MENTION_TYPES:
                    eid = self.resolve_entity(a)
                    self.entity_of[a.id] = eid
                    if eid is None:
                        self.warn(f"{a.type} {a.text!r} matches no registry entity: skipped", a)
                        continue
                    ent = self.registry.entities[eid]
                    if a.type not in ("Mention", ent.type):
                        self.warn(f"annotated as {a.type}, but registry entity {eid!r} is a {ent.type}", a)
                    doc["mentions"].setdefault(eid, []).extend(self.spans(a))
                elif a.type == "Headline":
                    doc["headline"] = self.hull(a)
                elif a.type not in SPAN_TYPES and not any(e.trigger == a.id for e in events):
                    self.warn(f"type {a.type!r} is not in kgbuild's annotation.conf: ignored", a)
            elif isinstance(a, Equiv):
                self.warnings.append(f"{self.path}:{a.line}: equivalence ({a.type}) ignored: kgbuild links "
                                     "mentions through registry ids")
        # Item ids first, so that arguments can point at any event.
        prefixes = {"Statement": "q-", "Claim": "c-", "HoldsPosition": "role-"}
        for e in events:
            if e.type not in ITEM_TYPES:
                raise self.err(f"event type {e.type!r} is not one of kgbuild's", e,
                               hint=f"one of: {', '.join(ITEM_TYPES)}")
            trigger = self.by_id[e.trigger]
            assert isinstance(trigger, TextBound)
            wanted = self.note_fields(e.trigger, e.id).get("id")
            if wanted and wanted in self.taken:
                raise self.err(f"id {wanted!r} is already used (by the registry or another item)", e)
            ident = unique_id(wanted or prefixes.get(e.type, "") + slug(trigger.text), self.taken)
            self.item_of[e.id] = ident
            self.item_of.setdefault(e.trigger, ident)
        relations = [a for a in self.anns if isinstance(a, Relation)]
        for e in events:
            section, item = self.item(e, relations)
            doc[section].append(item)
        for r in relations:
            if r.type not in ("PartOf", "Quotes", "Affected"):
                self.warn(f"relation type {r.type!r} is not in kgbuild's annotation.conf: ignored", r)
        if not doc["mentions"] and not any(doc[s] for s in ("roles", "events", "statements", "claims")):
            self.warnings.append(f"{self.path}: no annotations kgbuild can use")
        return doc

    def item(self, e: EventAnnotation, relations: list[Relation]) -> tuple[str, dict[str, Any]]:
        trigger = self.by_id[e.trigger]
        assert isinstance(trigger, TextBound)
        notes = self.note_fields(e.trigger, e.id)
        attrs = {**self.attrs.get(e.trigger, {}), **self.attrs.get(e.id, {})}
        ident = self.item_of[e.id]
        roles: dict[str, list[str]] = {}
        for role, ref in e.args:
            roles.setdefault(re.sub(r"\d+$", "", role), []).append(ref)
        used = set(roles)

        def ids(role: str) -> list[str]:
            return list(dict.fromkeys(self.entity(ref, role, e) for ref in roles.get(role, [])))

        def one_span(role: str, types: tuple[str, ...]) -> Span | None:
            refs = roles.get(role, [])
            if len(refs) > 1:
                raise self.err(f"{role} given {len(refs)} times; kgbuild takes one", e)
            return self.hull(self.span_arg(refs[0], types, role, e)) if refs else None

        def one_id(role: str, required: bool = False) -> str | None:
            found = ids(role)
            if len(found) > 1:
                raise self.err(f"{role} given {len(found)} times; kgbuild takes one", e)
            if required and not found:
                raise self.err(f"a {e.type} needs a {role} argument", e)
            return found[0] if found else None

        def date(role: str) -> str | None:
            refs = roles.get(role, [])
            if len(refs) > 1:
                raise self.err(f"{role} given {len(refs)} times; kgbuild takes one", e)
            return self.date(self.span_arg(refs[0], ("Date",), role, e)) if refs else None

        def rel(kind: str, arg: str) -> list[str]:
            return [dict(r.args).get("Arg2", "") for r in relations if r.type == kind and dict(r.args).get("Arg1") == arg]

        item: dict[str, Any]
        if e.type == "Statement":
            used -= {"Speaker", "Addressee", "About", "Setting", "Occasion", "Time"}
            item = {
                "id": ident, "speaker": one_id("Speaker", required=True), "quote": self.hull(trigger),
                "setting": one_span("Setting", ("Setting",)), "occasion": one_id("Occasion"),
                "addressee": one_id("Addressee"), "about": ids("About"),
                "date": notes.get("date") or date("Time"),
            }
            section = "statements"
        elif e.type == "Claim":
            used -= {"Claimant", "AccordingTo", "About", "Verb", "Hedge", "Quotes"}
            modality = attrs.get("Modality")
            if modality is None or modality.value is None:
                raise self.err("a Claim needs a Modality attribute", e, hint=", ".join(m.MODALITIES))
            claimants = ids("Claimant")
            if not claimants:
                raise self.err("a Claim needs a Claimant argument", e)
            quotes = [self.item_of.get(ref) or self.entity(ref, "Quotes", e) for ref in roles.get("Quotes", [])]
            quotes += [self.item_of[ref] for ref in rel("Quotes", e.id) if ref in self.item_of]
            item = {
                "id": ident, "claimant": claimants[0] if len(claimants) == 1 else claimants,
                "text": self.hull(trigger), "modality": modality.value,
                "verb": one_span("Verb", ("ReportingVerb",)),
                "hedges": [self.hull(self.span_arg(r, ("Hedge",), "Hedge", e)) for r in roles.get("Hedge", [])],
                "according_to": ids("AccordingTo"), "about": ids("About"), "quotes": list(dict.fromkeys(quotes)),
            }
            section = "claims"
        elif e.type == "HoldsPosition":
            used -= {"Holder", "Position"}
            item = {"id": ident, "holder": one_id("Holder", required=True),
                    "position": one_id("Position", required=True), "anchor": self.spans(trigger)}
            section = "roles"
        else:
            used -= {*EVENT_LIST_ROLES, "Time", "Begin", "End", "Condition", "Support", "Outcome", "Killed", "Wounded"}
            status = attrs.get("Status")
            if status is None or status.value is None:
                raise self.err(f"a {e.type} event needs a Status attribute", e, hint=", ".join(m.STATUSES))
            kinds = list(dict.fromkeys([e.type, *notes.get("kind", "").split()]))
            outcomes: list[dict[str, Any]] = []
            for ref in roles.get("Outcome", []):
                tb = self.span_arg(ref, ("Outcome",), "Outcome", e)
                affected = [self.entity(a, "Affected", e) for a in rel("Affected", ref)]
                outcomes.append({"id": unique_id(f"{ident}-outcome", self.taken), "text": self.hull(tb),
                                 "affected": list(dict.fromkeys(affected))})
            casualties = [{"kind": kind.lower(), "quantity": self.hull(self.span_arg(ref, ("Quantity",), kind, e))}
                          for kind in ("Killed", "Wounded") for ref in roles.get(kind, [])]
            parents = [self.item_of[ref] for ref in rel("PartOf", e.id) if ref in self.item_of]
            if len(parents) > 1:
                raise self.err("PartOf given more than once; an event is part of one event", e)
            item = {
                "id": ident, "entity": notes.get("entity"), "kind": kinds[0] if len(kinds) == 1 else kinds,
                "label": notes.get("label"), "status": status.value, "anchor": self.spans(trigger),
                **{key: ids(role) for role, key in EVENT_LIST_ROLES.items() if key not in ("about", "attributed_to")},
                "about": ids("About"),
                "time": notes.get("time") or date("Time"), "begin": notes.get("begin") or date("Begin"),
                "end": notes.get("end") or date("End"), "duration": notes.get("duration"),
                "part_of": parents[0] if parents else None,
                "condition": one_span("Condition", ("Condition",)), "support": one_span("Support", ("Support",)),
                "outcomes": outcomes, "casualties": casualties, "attributed_to": ids("AttributedTo"),
            }
            section = "events"
        if used:
            self.warn(f"role(s) {', '.join(sorted(used))} not used by a {e.type}: ignored", e)
        return section, item


def _pairs_in(source: Path) -> list[tuple[Path, Path]]:
    if source.is_file():
        ann = source.with_suffix(".ann")
        return [(source.with_suffix(".txt"), ann)]
    if not source.is_dir():
        raise AnnotationError(source, "no such file or folder")
    return [(ann.with_suffix(".txt"), ann) for ann in sorted(source.rglob("*.ann"))]


def convert_file(txt: Path, ann: Path, *, registry: m.Registry, out_yaml: Path,
                 warnings: list[str] | None = None, names: RegistryNames | None = None) -> str:
    """The annotation YAML for one brat pair, as text (nothing written)."""
    warnings = warnings if warnings is not None else []
    if not txt.is_file():
        raise AnnotationError(ann, f"no text file {txt.name} beside it", hint="brat keeps NAME.txt next to NAME.ann")
    body = loader.read_text(txt)
    anns = parse_ann(loader.read_text(ann), ann)
    check_offsets(anns, body, ann, txt.name)
    converter = _Converter(ann, body, anns, registry, names or RegistryNames(registry), warnings)
    text_name = out_yaml.with_suffix(".txt")
    doc = converter.convert(article_id_for(txt, body), text_reference(out_yaml, text_name))
    header = [f"Imported from brat standoff {ann.name} by `kgbuild import brat`.",
              "Quotes resolve to the offsets of the brat annotations; review, then build."]
    return write_annotation(doc, body, header=header, group_mentions=True)


def import_brat(source: Path, out_dir: Path | None = None, *, registry: m.Registry) -> BratImport:
    """Convert every .txt/.ann pair under `source` (a folder, or one file) into `out_dir`
    (default: beside the .ann), copying each text next to its annotation file, and check
    that each written file loads."""
    source = Path(source)
    report = BratImport()
    names = RegistryNames(registry)
    pairs = _pairs_in(source)
    if not pairs:
        raise AnnotationError(source, "no .ann files here", hint="export the brat collection with its .txt and .ann files")
    staged: list[tuple[Path, str, Path]] = []
    for txt, ann in pairs:
        folder = Path(out_dir) if out_dir is not None else ann.parent
        out_yaml = folder / (ann.stem + ".yaml")
        staged.append((out_yaml, convert_file(txt, ann, registry=registry, out_yaml=out_yaml,
                                              warnings=report.warnings, names=names), txt))
    # Everything converted: now write, then prove each file loads.
    for out_yaml, text, txt in staged:
        target_txt = out_yaml.with_suffix(".txt")
        if target_txt.resolve() != txt.resolve():
            if target_txt.exists() and target_txt.read_bytes() != txt.read_bytes():
                raise AnnotationError(target_txt, "a different text is already here",
                                      hint="import into another folder, or remove the old text")
            target_txt.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(txt, target_txt)
        atomic_write(out_yaml, text)
        loader.load_article(out_yaml, registry)
        report.written.append(out_yaml)
    return report
