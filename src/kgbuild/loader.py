"""Read annotation YAML into validated model records, with file:line in every error.

Validation happens in three layers, each with its own message style:
YAML syntax (PyYAML's mark), shape (JSON Schema, shipped in kgbuild/schemas),
and meaning (references, quotes found in the text, dates, cycles).

Over 450 lines on purpose: the three layers share the line-recording YAML nodes and the
helpers that put a file, line and item id into every error; the article reader is one
class over them (loader_context.py already holds the context-reading part).
"""
from __future__ import annotations

import datetime as _dt
import difflib
import hashlib
import json
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
import yaml

from . import model as m
from .anchoring import Span, resolve
from .errors import AnchorAmbiguous, AnchorNotFound, AnnotationError
from .loader_context import ContextReader
from .paths import REGISTRY_FILE

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_NESTING = 32  # annotation files nest about 7 levels
MAX_VALUES = 1_000_000  # values in a file once YAML aliases are expanded
LINKS_FILE = "links.yaml"
ARTICLES_DIR = "articles"


# ---------------------------------------------------------------- YAML with lines
class LineDict(dict):
    """A mapping that remembers the 1-based line of itself and of each key."""

    line: int = 0
    lines: dict[Any, int]


class LineList(list):
    line: int = 0
    lines: list[int]


# libyaml's C parser when PyYAML was built with it (the PyPI wheels are): it parses annotation
# files about 6x faster than the pure-Python one (1.9 -> 0.3 ms an article), to the same values
# and line marks (compared over a 1,000-article synthetic corpus).
_SafeBase: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeBase):  # type: ignore[misc, valid-type]
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.lines = {}
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_str(loader: _Loader, node: yaml.ScalarNode) -> Any:
    # Dates stay strings: the loader validates them itself, at the precision given.
    return loader.construct_scalar(node)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_str)


def read_text(path: Path) -> str:
    """Read a UTF-8 file with the size and encoding checks every input gets."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise AnnotationError(path, "file not found", hint="check the path") from None
    if size > MAX_FILE_BYTES:
        raise AnnotationError(
            path,
            f"file is {size / 1e6:.1f} MB; kgbuild reads files up to {MAX_FILE_BYTES // (1024 * 1024)} MiB",
            hint="split the article or its annotations into smaller files",
        )
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise AnnotationError(
            path,
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            line=line,
            hint="save the file as UTF-8",
        ) from None


def read_yaml(path: Path) -> Any:
    return parse_yaml(path, read_text(path))


def parse_yaml(path: Path, text: str) -> Any:
    """YAML with line numbers, from `text` already read from `path` (named in errors)."""
    if not text.strip():
        raise AnnotationError(path, "file is empty", hint="start from an example in data/ or run `kgbuild draft`")
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    except RecursionError:  # PyYAML composes and constructs recursively
        raise _too_deep(path, None) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or str(exc)
        if "maximum nesting depth" in problem:  # libyaml's own depth limit
            raise _too_deep(path, line) from None
        raise AnnotationError(path, f"invalid YAML: {problem}", line=line, hint="check indentation and quoting") from None
    except yaml.YAMLError as exc:
        raise AnnotationError(path, f"invalid YAML: {exc}") from None
    _check_extent(path, data)
    return data


def _too_deep(path: Path, line: int | None) -> AnnotationError:
    return AnnotationError(path, f"the YAML is nested too deeply (annotation files nest at most {MAX_NESTING} levels)",
                           line=line, hint="check for runs of unclosed [ or {")


def _check_extent(path: Path, data: Any) -> None:
    """Refuse YAML that nests deeper than MAX_NESTING, refers to itself, or expands past MAX_VALUES.

    YAML aliases (`*a`) share one value in many places: a few lines can stand for
    billions of values, or for a list that contains itself, and everything after
    the loader (schema checks, references) would walk all of them. Sizes and depths
    are counted once per shared value, without expanding anything.
    """
    if not isinstance(data, (dict, list)):
        return
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[Any, bool]] = [(data, False)]
    while stack:
        node, ready = stack.pop()
        children = list(node.values()) if isinstance(node, dict) else node
        if not ready:
            if id(node) in size:
                continue
            open_.add(id(node))
            stack.append((node, True))
            for child in children:
                if isinstance(child, (dict, list)):
                    if id(child) in open_:
                        raise AnnotationError(path, "a YAML alias refers to a value that contains it",
                                              line=getattr(child, "line", None), hint="remove the *alias")
                    stack.append((child, False))
            continue
        open_.discard(id(node))
        inner = [c for c in children if isinstance(c, (dict, list))]
        size[id(node)] = min(1 + len(children) - len(inner) + sum(size[id(c)] for c in inner), MAX_VALUES + 1)
        depth[id(node)] = 1 + max((depth[id(c)] for c in inner), default=0)
        if depth[id(node)] > MAX_NESTING:
            raise AnnotationError(path, f"nested more than {MAX_NESTING} levels deep", line=getattr(node, "line", None),
                                  hint="annotation files nest about 7 levels; check the indentation")
        if size[id(node)] > MAX_VALUES:
            raise AnnotationError(path, f"holds more than {MAX_VALUES:,} values once its YAML aliases are expanded",
                                  line=getattr(node, "line", None), hint="write the values out instead of via *aliases")


# ---------------------------------------------------------------- JSON Schema
@cache
def schema(name: str) -> dict[str, Any]:
    """The shipped JSON Schema `name` (article, registry or links)."""
    text = resources.files("kgbuild").joinpath(f"schemas/{name}.schema.json").read_text("utf-8")
    return json.loads(text)


def _line_of(root: Any, path: Iterable[Any]) -> int | None:
    line = getattr(root, "line", None)
    node = root
    for step in path:
        lines = getattr(node, "lines", None)
        try:
            if lines is not None:
                line = lines[step]
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
        line = getattr(node, "line", line)
    return line


KEYED_SECTIONS = ("entities", "links", "mentions")


def _item_id(root: Any, path: Iterable[Any]) -> str | None:
    """The id of the innermost item on `path`: its `id` key, or its key in a keyed section."""
    node, found, parent_key = root, None, None
    for step in path:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
        if parent_key in KEYED_SECTIONS and isinstance(step, str):
            found = step
        elif isinstance(node, dict) and isinstance(node.get("id"), str):
            found = node["id"]
        parent_key = step
    return found


def _best_error(error: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """Descend into oneOf/anyOf alternatives, preferring those whose type did match."""
    while error.context:
        matching_type = [e for e in error.context
                         if e.validator not in ("type", "oneOf", "anyOf") or e.context or e.relative_path]
        error = jsonschema.exceptions.best_match(matching_type or error.context)
    return error


@cache
def _checker(name: str) -> jsonschema_rs.Validator:
    return jsonschema_rs.validator_for(schema(name))


@cache
def _explainer(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema(name))


def _accepts(name: str, data: Any) -> bool:
    try:
        return _checker(name).is_valid(data)
    except (ValueError, TypeError, OverflowError):  # not JSON-shaped (e.g. a YAML key that is a number)
        return _explainer(name).is_valid(data)


def validate_shape(path: Path, data: Any, name: str) -> None:
    """Raise the first schema violation as an AnnotationError with line and hint.

    Two validators of the same schema: jsonschema-rs decides (about 100x faster, which
    matters once per article in a large build) and the jsonschema package explains a
    refusal (its errors carry the schema context the messages and hints are made from).
    """
    if _accepts(name, data):
        return
    errors = sorted(_explainer(name).iter_errors(data), key=lambda e: (_line_of(data, e.absolute_path) or 0))
    if not errors:  # the validators disagree: refuse with the deciding one's reason
        refusal = next(_checker(name).iter_errors(data))
        where = list(refusal.instance_path)
        location = ".".join(map(str, where))
        raise AnnotationError(path, f"{location + ': ' if location else ''}{refusal.message}",
                              line=_line_of(data, where), item_id=_item_id(data, where))
    error = _best_error(errors[0])
    where = list(error.absolute_path)
    hint = None
    message = error.message
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed), key=str) if isinstance(error.instance, dict) else []
        if extra:
            key = extra[0]
            message = f"unknown key {key!r}"
            where = [*where, key]
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"allowed keys: {', '.join(allowed)}"
    elif error.validator == "required":
        hint = "add the missing key"
    elif error.validator == "enum":
        hint = f"one of: {', '.join(map(str, error.validator_value))}"
    elif error.validator == "pattern":
        hint = f"must match {error.validator_value}"
    location = ".".join(str(p) for p in error.absolute_path)
    if location:
        message = f"{location}: {message}"
    raise AnnotationError(path, message, line=_line_of(data, where), item_id=_item_id(data, where), hint=hint)


# ---------------------------------------------------------------- registry
def find_corpus_root(start: Path) -> Path:
    """The nearest directory at or above `start` holding registry.yaml."""
    start = start.resolve()
    for folder in [start, *start.parents] if start.is_dir() else list(start.parents):
        if (folder / REGISTRY_FILE).is_file():
            return folder
    raise AnnotationError(start, f"no {REGISTRY_FILE} found here or in any parent folder",
                          hint=f"create {REGISTRY_FILE} at the corpus root (see README: Annotation format)")


def load_registry(root: Path) -> m.Registry:
    """Read registry.yaml and (if present) links.yaml from a corpus root."""
    reg_path = root / REGISTRY_FILE
    data = read_yaml(reg_path)
    validate_shape(reg_path, data, "registry")
    entities: dict[str, m.Entity] = {}
    for key, raw in data["entities"].items():
        entities[key] = m.Entity(
            id=key, type=raw["type"], label=raw["label"], aliases=tuple(raw.get("aliases", ())),
            belongs_to=raw.get("belongs_to"), description=raw.get("description"), line=data["entities"].lines[key],
        )
    for ent in entities.values():
        if ent.belongs_to is not None and ent.belongs_to not in entities:
            raise AnnotationError(reg_path, f"belongs_to {ent.belongs_to!r} is not a registry entity",
                                  line=ent.line, item_id=ent.id, hint=_suggest(ent.belongs_to, entities))
    _check_acyclic(reg_path, {e.id: e.belongs_to for e in entities.values()}, "belongs_to",
                   {e.id: e.line for e in entities.values()})
    links: dict[str, m.Link] = {}
    links_path = root / LINKS_FILE
    if links_path.is_file():
        ldata = read_yaml(links_path)
        validate_shape(links_path, ldata, "links")
        for key, raw in ldata["links"].items():
            line = ldata["links"].lines[key]
            if key not in entities:
                raise AnnotationError(links_path, f"link for {key!r}, which is not a registry entity",
                                      line=line, item_id=key, hint=_suggest(key, entities))
            if raw["match"] == "same" and entities[key].type in ("CollectiveActor", "UnattributedSource"):
                raise AnnotationError(links_path, "a collective actor cannot be owl:sameAs an item",
                                      line=line, item_id=key, hint="use match: close, or link its belongs_to actor")
            if not raw.get("wikidata") and not raw.get("dbpedia"):
                raise AnnotationError(links_path, "link has neither wikidata nor dbpedia", line=line, item_id=key,
                                      hint="remove the entry if no identifier was verified")
            links[key] = m.Link(entity=key, label=raw["label"], wikidata=raw.get("wikidata"),
                                dbpedia=raw.get("dbpedia"), match=raw["match"], line=line)
    return m.Registry(entities=entities, links=links, path=root, source_hash=source_hash("", "", entities, links))


def _suggest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"did you mean {close[0]!r}?" if close else "define it first"


def _check_acyclic(path: Path, parent: dict[str, str | None], key: str, lines: dict[str, int | None]) -> None:
    for start in parent:
        seen: list[str] = [start]
        node = parent.get(start)
        while node is not None:
            if node in seen:
                chain = " -> ".join([*seen[seen.index(node):], node])
                raise AnnotationError(path, f"circular {key} chain: {chain}", line=lines.get(start),
                                      item_id=start, hint=f"a {key} chain must end")
            seen.append(node)
            node = parent.get(node)


# ---------------------------------------------------------------- articles
def find_article_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Annotation files named by `paths`: files as given, folders searched recursively, sorted."""
    for path in paths:
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*.yaml") if p.name not in (REGISTRY_FILE, LINKS_FILE)
            )
        elif path.exists():
            yield path
        else:
            raise AnnotationError(path, "no such file or folder")


def _time(path: Path, value: str, line: int | None, item: str | None) -> m.TimeValue:
    parts = value.split("-")
    try:
        if len(parts) == 3:
            _dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
            return m.TimeValue(value, "date")
        if len(parts) == 2:
            _dt.date(int(parts[0]), int(parts[1]), 1)
            return m.TimeValue(value, "gYearMonth")
        _dt.date(int(parts[0]), 1, 1)
        return m.TimeValue(value, "gYear")
    except ValueError as exc:
        raise AnnotationError(path, f"{value!r} is not a real date ({exc})", line=line, item_id=item,
                              hint="use YYYY, YYYY-MM or YYYY-MM-DD with a real month and day") from None


class _ArticleReader(ContextReader):
    """Resolves one article's references and quotes; holds the context for precise errors."""

    def __init__(self, path: Path, data: LineDict, body: str, registry: m.Registry):
        self.path, self.data, self.body, self.registry = path, data, body, registry
        self.local: dict[str, tuple[str, int]] = {}  # id -> (section, line)
        self.used: set[str] = set()

    def err(self, message: str, line: int | None, item: str | None = None, hint: str | None = None) -> AnnotationError:
        return AnnotationError(self.path, message, line=line, item_id=item, hint=hint)

    def spans(self, spec: Any, line: int | None, item: str | None, *, allow_all: bool = False) -> tuple[Span, ...]:
        specs = spec if isinstance(spec, list) else [spec]
        lines = getattr(spec, "lines", None) if isinstance(spec, list) else None
        out: list[Span] = []
        for i, one in enumerate(specs):
            where = getattr(one, "line", None) or (lines[i] if lines else line)
            if isinstance(one, str):
                one = {"quote": one}
            if one.get("all") and not allow_all:
                raise self.err("'all: true' is only allowed in mentions", where, item,
                               hint="quote the passage once, or give occurrence/within")
            try:
                out.extend(resolve(self.body, one["quote"], occurrence=one.get("occurrence"),
                                   within=one.get("within"), start=one.get("start"),
                                   all_occurrences=bool(one.get("all"))))
            except AnchorAmbiguous as exc:
                raise self.err(str(exc), where, item,
                               hint="add 'occurrence: N' (1-based), 'within: <longer unique passage>' or 'start: OFFSET'") from None
            except AnchorNotFound as exc:
                hint = ("offsets count Unicode code points from 0; or drop 'start' and let kgbuild find the quote"
                        if one.get("start") is not None else
                        "copy the words exactly from the text, including curly quotes and dashes")
                raise self.err(str(exc), where, item, hint=hint) from None
        return tuple(out)

    def span(self, spec: Any, line: int | None, item: str | None) -> Span:
        found = self.spans(spec, line, item)
        if len(found) != 1:
            raise self.err("expected one passage here, got a list", line, item)
        return found[0]

    def entity(self, ref: str, line: int | None, item: str | None, *, types: tuple[str, ...] | None = None,
               what: str = "entity") -> str:
        ent = self.registry.entities.get(ref)
        if ent is None and self.is_local_actor(ref) and (types is None or set(types) & set(m.ACTOR_TYPES)):
            if what == "entity":  # a mention: local actors carry their own anchors
                what_local = "voice" if self.local[ref][0] == "voice" else "unnamed source"
                raise self.err(f"{ref!r} is this article's {what_local}, not a registry entity", line, item,
                               hint="its own 'anchor:' says where the text names it")
            return ref
        if ent is None:
            if ref in self.local:
                raise self.err(f"{ref!r} is a {self.local[ref][0][:-1]} in this article, but a registry {what} is needed",
                               line, item)
            raise self.err(f"{ref!r} is not defined in the registry", line, item,
                           hint=_suggest(ref, self.registry.entities) + f" (entities live in {REGISTRY_FILE})")
        if types is not None and ent.type not in types:
            raise self.err(f"{ref!r} is a {ent.type}, but a {what} ({', '.join(types)}) is needed here", line, item)
        self.used.add(ref)
        return ref

    def any_ref(self, ref: str, line: int | None, item: str | None) -> str:
        if ref in self.local:
            return ref
        return self.entity(ref, line, item)

    def local_ref(self, ref: str, section: str, line: int | None, item: str | None) -> str:
        if self.local.get(ref, ("",))[0] != section:
            raise self.err(f"{ref!r} is not one of this article's {section}", line, item,
                           hint=_suggest(ref, [k for k, v in self.local.items() if v[0] == section]))
        return ref

    def refs(self, raw: LineDict, key: str, item: str, kind: str, types: tuple[str, ...] | None = None) -> tuple[str, ...]:
        values = raw.get(key, [])
        line = raw.lines.get(key)
        if kind == "any":
            return tuple(self.any_ref(v, line, item) for v in values)
        return tuple(self.entity(v, line, item, types=types, what=kind) for v in values)

    # ------------------------------------------------------------ sections
    def collect_ids(self) -> None:
        voice = self.data.get("voice")
        sections: list[tuple[str, Any]] = [("voice", [voice] if voice else [])]
        sections += [(s, self.data.get(s, [])) for s in ("sources", "roles", "times", "events", "statements",
                                                          "claims", "relations")]
        sections += [("quantities", ev.get("quantities", [])) for ev in self.data.get("events", [])]
        for section, items in sections:
            for raw in items:
                item = raw["id"]
                line = raw.line
                if item in self.local:
                    first = self.local[item]
                    raise self.err(f"duplicate id {item!r} (first used in {first[0]} at line {first[1]})", line, item,
                                   hint="ids must be unique within an article")
                if item in self.registry.entities:
                    raise self.err(f"id {item!r} is also a registry entity", line, item,
                                   hint="choose another id; to reuse a registry event, set 'entity:'")
                self.local[item] = (section, line)

    def mentions(self) -> tuple[m.Mention, ...]:
        raw = self.data.get("mentions", {})
        out = []
        for key, spec in raw.items():
            line = raw.lines[key]
            self.entity(key, line, key)
            out.append(m.Mention(entity=key, spans=self.spans(spec, line, key, allow_all=True)))
        return tuple(out)

    def roles(self) -> tuple[m.Role, ...]:
        out = []
        for raw in self.data.get("roles", []):
            item, line = raw["id"], raw.line
            out.append(m.Role(
                id=item,
                holder=self.entity(raw["holder"], raw.lines["holder"], item, types=("Person",), what="person"),
                position=self.entity(raw["position"], raw.lines["position"], item, types=("Position",), what="position"),
                spans=self.spans(raw["anchor"], line, item),
            ))
        return tuple(out)

    def events(self) -> tuple[m.Event, ...]:
        out = []
        for raw in self.data.get("events", []):
            item, line, ln = raw["id"], raw.line, raw.lines
            kinds = raw["kind"] if isinstance(raw["kind"], list) else [raw["kind"]]
            spans = self.spans(raw["anchor"], ln["anchor"], item)
            entity = raw.get("entity")
            if entity is not None:
                self.entity(entity, ln["entity"], item, types=("Event",), what="event")
            match = raw.get("entity_match", "certain")
            if "entity_match" in raw and entity is None:
                raise self.err("'entity_match' without 'entity'", ln["entity_match"], item,
                               hint="name the registry event it may be, or drop entity_match")
            # A possible match must not lend the event the registry's label: the label follows the text.
            label = raw.get("label") or (self.registry.entities[entity].label if entity and match == "certain"
                                         else spans[0].exact)
            times = {k: _time(self.path, raw[k], ln[k], item) for k in ("time", "begin", "end") if k in raw}
            if raw["status"] not in m.REALIZED_STATUSES and times:
                raise self.err(f"status {raw['status']!r} with a time: only events that happened have a time stamp",
                               ln[next(iter(times))], item, hint="drop the time, or set status: occurred")
            part_of = raw.get("part_of")
            if part_of is not None:
                self.local_ref(part_of, "events", ln["part_of"], item)
            outcomes = tuple(
                m.Outcome(id=o["id"], span=self.span(o["text"], o.line, item),
                          affected=tuple(self.any_ref(a, o.lines.get("affected"), item) for a in o.get("affected", [])))
                for o in raw.get("outcomes", [])
            )
            casualties = tuple(
                m.Casualties(kind=c["kind"], quantity=self.span(c["quantity"], c.line, item))
                for c in raw.get("casualties", [])
            )
            out.append(m.Event(
                id=item, kinds=tuple(kinds), label=label, status=raw["status"], spans=spans, entity=entity,
                agents=self.refs(raw, "agents", item, "actor", m.ACTOR_TYPES),
                targets=self.refs(raw, "targets", item, "any"),
                supporters=self.refs(raw, "supporters", item, "actor", m.ACTOR_TYPES),
                participants=self.refs(raw, "participants", item, "actor", m.ACTOR_TYPES),
                weapons=self.refs(raw, "weapons", item, "weapon", ("WeaponType",)),
                places=self.refs(raw, "places", item, "place", m.PLACE_TYPES),
                about=self.refs(raw, "about", item, "any"),
                attributed_to=self.refs(raw, "attributed_to", item, "actor", m.ACTOR_TYPES) or self._voice_default(),
                time=times.get("time"), begin=times.get("begin"), end=times.get("end"),
                duration=raw.get("duration"), part_of=part_of,
                condition=self.span(raw["condition"], ln["condition"], item) if "condition" in raw else None,
                support=self.span(raw["support"], ln["support"], item) if "support" in raw else None,
                outcomes=outcomes, casualties=casualties, quantities=self.quantities(raw), entity_match=match,
                required_by=tuple(self.any_ref(r, ln["required_by"], item) for r in raw.get("required_by", [])),
                line=line,
            ))
        parents = {e.id: e.part_of for e in out}
        _check_acyclic(self.path, parents, "part_of", {e.id: e.line for e in out})
        return tuple(out)

    def _voice_default(self) -> tuple[str, ...]:
        """An event whose status the text gives no source for is the article's own report."""
        voice = self.voice_id()
        return (voice,) if voice else ()

    def statements(self) -> tuple[m.Statement, ...]:
        out = []
        for raw in self.data.get("statements", []):
            item, line, ln = raw["id"], raw.line, raw.lines
            out.append(m.Statement(
                id=item,
                speaker=self.entity(raw["speaker"], ln["speaker"], item, types=m.ACTOR_TYPES, what="actor"),
                span=self.span(raw["quote"], ln["quote"], item),
                setting=self.span(raw["setting"], ln["setting"], item) if "setting" in raw else None,
                occasion=self.local_ref(raw["occasion"], "events", ln["occasion"], item) if "occasion" in raw else None,
                addressee=self.entity(raw["addressee"], ln["addressee"], item, types=m.ACTOR_TYPES, what="actor")
                if "addressee" in raw else None,
                about=self.refs(raw, "about", item, "any"),
                date=_time(self.path, raw["date"], ln["date"], item) if "date" in raw else None,
                verb=self.span(raw["verb"], ln["verb"], item) if "verb" in raw else None,
                line=line,
            ))
        return tuple(out)

    def claims(self) -> tuple[m.Claim, ...]:
        out = []
        for raw in self.data.get("claims", []):
            item, line, ln = raw["id"], raw.line, raw.lines
            claimants = raw["claimant"] if isinstance(raw["claimant"], list) else [raw["claimant"]]
            out.append(m.Claim(
                id=item,
                claimants=tuple(self.entity(c, ln["claimant"], item, types=m.ACTOR_TYPES, what="actor") for c in claimants),
                span=self.span(raw["text"], ln["text"], item),
                modality=raw["modality"],
                verb=self.span(raw["verb"], ln["verb"], item) if "verb" in raw else None,
                hedges=tuple(self.span(h, ln["hedges"], item) for h in raw.get("hedges", [])),
                according_to=self.refs(raw, "according_to", item, "actor", m.ACTOR_TYPES),
                about=self.refs(raw, "about", item, "any"),
                quotes=tuple(self.local_ref(q, "statements", ln["quotes"], item) for q in raw.get("quotes", [])),
                line=line,
            ))
        return tuple(out)


def _closure(registry: m.Registry, used: set[str]) -> set[str]:
    """Referenced entities plus what they belong to, so each article graph is self-contained."""
    out: set[str] = set()
    todo = list(used)
    while todo:
        key = todo.pop()
        if key in out:
            continue
        out.add(key)
        parent = registry.entities[key].belongs_to
        if parent:
            todo.append(parent)
    return out


def source_hash(text: str, annotation: str, entities: dict[str, m.Entity], links: dict[str, m.Link]) -> str:
    """Hash of everything an article's graph is made from, for incremental rebuilds."""
    digest = hashlib.sha256()
    for part in (text, annotation):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    for key in sorted(entities):
        digest.update(repr(entities[key].__dict__ | {"line": None}).encode())
    for key in sorted(links):
        digest.update(repr(links[key].__dict__ | {"line": None}).encode())
    return digest.hexdigest()


def load_article(path: Path, registry: m.Registry) -> m.Article:
    """Load one annotation file and its text into a validated Article."""
    path = Path(path)
    annotation = read_text(path)  # read once: parsed here and hashed into the build key
    data = parse_yaml(path, annotation)
    validate_shape(path, data, "article")
    text_path = (path.parent / data.get("text", path.with_suffix(".txt").name)).resolve()
    body = read_text(text_path)
    reader = _ArticleReader(path, data, body, registry)
    reader.collect_ids()
    if "headline" in data:
        headline = reader.span(data["headline"], data.lines["headline"], "headline")
    else:
        first = body.split("\n", 1)[0]
        if not first.strip():
            raise AnnotationError(path, "the text's first line is empty, so there is no headline",
                                  line=data.line, hint="give 'headline:' as a quote")
        headline = Span(0, len(first), first)
    voice = reader.voice()
    sources = reader.sources()
    mentions = reader.mentions()
    roles = reader.roles()
    events = reader.events()
    statements = reader.statements()
    claims = reader.claims()
    times = reader.times()
    relations = reader.relations()
    keys = _closure(registry, reader.used)
    entities = {k: registry.entities[k] for k in sorted(keys)}
    links = {k: registry.links[k] for k in sorted(keys) if k in registry.links}
    return m.Article(
        id=data["id"], path=path, text_path=text_path, body=body, headline=headline,
        language=data.get("language", "en"),
        source_hash=source_hash(body, annotation, entities, links),
        published=_time(path, data["published"], data.lines["published"], "published") if "published" in data else None,
        mentions=mentions, roles=roles, events=events, statements=statements, claims=claims,
        voice=voice, sources=sources, times=times, relations=relations, entities=entities, links=links,
    )
