"""W3C Web Annotation collections of an article's annotations, and back.

`to_collection(article)` turns a validated Article (built from its annotation file) into a
JSON-LD AnnotationCollection (context http://www.w3.org/ns/anno.jsonld): one Annotation per
kgbuild item (the headline, each entity's mentions, each role, event, statement and claim).
Every passage the item is anchored to is a target with a TextQuoteSelector (exact, prefix,
suffix) and a TextPositionSelector (start, end; Unicode code points), and names the item
field it fills (`kgField`, e.g. "quote", "anchor/2", "outcomes/0/text"). The body is a
SpecificResource for the item's IRI whose `kgItem` carries the item's other fields as
JSON (`@type: @json`), so nothing is lost. The collection also carries the article's
text (`kgText`), so it stands alone.

`from_collection(data, ...)` reads such a collection back into a kgbuild annotation file;
`kgbuild.loader.load_article` then gives an Article whose mapped quads equal the original's.

    collection = to_collection(load_article(path, registry))
    yaml_text, body = from_collection(collection, registry=registry, out_yaml=target)
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from . import model as m
from .anchoring import Span
from .errors import AnnotationError
from .importers.common import RegistryNames, article_to_doc, text_reference, write_annotation
from .paths import atomic_write
from .vocab import DEFAULT_BASE, KG, Iris

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
KG_CONTEXT: dict[str, Any] = {
    "@version": 1.1,
    "kg": KG,
    "kgItem": {"@id": "kg:annotationItem", "@type": "@json"},
    "kgArticle": {"@id": "kg:annotatedArticle", "@type": "@json"},
    "kgField": {"@id": "kg:anchorField"},
    "kgText": {"@id": "kg:sourceText"},
    "kgTextSha256": {"@id": "kg:sourceTextSha256"},
}
CONTEXT = [ANNO_CONTEXT, KG_CONTEXT]
FORMAT = 1
_SECTIONS = ("sources", "roles", "times", "events", "statements", "claims", "relations")
_VOICE_DEFAULT = "headline"  # the field of a voice annotation's target when the text has no byline
_SINGULAR = {"sources": "source", "roles": "role", "times": "time", "events": "event", "statements": "statement",
             "claims": "claim", "relations": "relation"}


# ================================================================ export
def _spans_out(value: Any, path: str, found: list[tuple[str, Span]]) -> Any:
    """`value` without its spans (collected into `found` with their field path)."""
    if isinstance(value, Span):
        found.append((path, value))
        return None
    if isinstance(value, list):
        if value and all(isinstance(v, Span) for v in value):
            for i, span in enumerate(value):
                found.append((f"{path}/{i}", span))
            return None
        return [_spans_out(v, f"{path}/{i}", found) for i, v in enumerate(value)]
    if isinstance(value, dict):
        out = {}
        for key, v in value.items():
            kept = _spans_out(v, f"{path}/{key}" if path else key, found)
            if kept is not None and kept != [] and not (isinstance(v, list) and not v):
                out[key] = kept
        return out
    return value


def _target(article: m.Article, span: Span, field: str) -> dict[str, Any]:
    return {
        "type": "SpecificResource",
        "source": None,  # filled in by the caller (the article IRI)
        "kgField": field,
        "selector": [
            {"type": "TextQuoteSelector", "exact": span.exact, "prefix": span.prefix(article.body),
             "suffix": span.suffix(article.body)},
            {"type": "TextPositionSelector", "start": span.start, "end": span.end},
        ],
    }


def _base_of(collection: dict[str, Any]) -> str:
    """The base IRI a collection was exported under (its id is <base>article/<id>/annotations), else the default."""
    found = re.match(r"^(https?://\S+/)article/[^/]+/annotations$", str(collection.get("id", "")))
    return found.group(1) if found else DEFAULT_BASE


def to_collection(article: m.Article, *, iris: Iris | None = None) -> dict[str, Any]:
    """The article's annotations as one Web Annotation AnnotationCollection (a JSON-LD dict)."""
    iris = iris or Iris()
    doc = article_to_doc(article)
    source = iris.article(article.id).value
    items: list[dict[str, Any]] = []

    def add(section: str, key: str, body_iri: str, purpose: str, item: dict[str, Any]) -> None:
        found: list[tuple[str, Span]] = []
        rest = _spans_out(item, "", found)
        targets = []
        for field, span in found:
            target = _target(article, span, field)
            target["source"] = source
            targets.append(target)
        items.append({
            "id": f"{source}/annotation/{section}/{key}",
            "type": "Annotation",
            "motivation": "identifying" if purpose == "identifying" else "describing",
            "body": {"type": "SpecificResource", "source": body_iri, "purpose": purpose,
                     "kgItem": {"section": section, **rest}},
            "target": targets,
        })

    add("headline", "headline", source, "describing", {"headline": article.headline})
    for key, spans in doc["mentions"].items():
        ent = article.entities[key]
        add("mentions", key, iris.entity(ent.type, key).value, "identifying", {"entity": key, "anchor": spans})
    if doc["voice"]:
        # A voice without a byline is anchored at the headline, as in the graph; the import drops that field.
        voice = doc["voice"] if doc["voice"]["anchor"] else {**doc["voice"], _VOICE_DEFAULT: article.headline}
        add("voice", voice["id"], iris.item(article.id, "voice", voice["id"]).value, "describing", voice)
    for section in _SECTIONS:
        for item in doc[section]:
            node = iris.item(article.id, _SINGULAR[section], item["id"])
            if section == "events" and item.get("entity"):
                node = iris.entity("Event", item["entity"])
            add(section, item["id"], node.value, "describing", item)
    meta = {"format": FORMAT, "id": article.id, "text": article.text_path.name, "language": article.language}
    if article.published:
        meta["published"] = article.published.lexical
    return {
        "@context": CONTEXT,
        "id": f"{source}/annotations",
        "type": "AnnotationCollection",
        "label": f"kgbuild annotations of “{article.headline.exact}”",
        "total": len(items),
        "generator": {"id": "https://w3id.org/kgbuild/", "type": "Software", "name": "kgbuild"},
        "kgArticle": meta,
        "kgText": article.body,
        "kgTextSha256": hashlib.sha256(article.body.encode("utf-8")).hexdigest(),
        "first": {"id": f"{source}/annotations/page1", "type": "AnnotationPage", "startIndex": 0, "items": items},
    }


def dumps(collection: dict[str, Any]) -> str:
    """Stable, readable JSON text for a collection (same input, same bytes)."""
    return json.dumps(collection, ensure_ascii=False, indent=2) + "\n"


# ================================================================ import
def _annotations(data: Any, path: Path | str) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _annotations(item, path)
        return
    if not isinstance(data, dict):
        raise AnnotationError(path, "not a Web Annotation document (expected a JSON object)")
    kind = data.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    if "AnnotationCollection" in kinds:
        page = data.get("first")
        while isinstance(page, dict):
            yield from _annotations(page, path)
            page = page.get("next") if isinstance(page.get("next"), dict) else None
        if isinstance(page, str):
            raise AnnotationError(path, f"the collection's pages are elsewhere ({page})",
                                  hint="save the collection with its pages embedded")
    elif "AnnotationPage" in kinds:
        yield from _annotations(data.get("items", []), path)
    elif "Annotation" in kinds:
        yield data
    else:
        raise AnnotationError(path, f"expected an AnnotationCollection, AnnotationPage or Annotation, not {kind!r}")


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _resolve_target(body: str, target: dict[str, Any], path: Path | str, anno_id: str) -> Span:
    """The span a target selects: its TextPositionSelector when it agrees with the quote,
    else the quote's unique occurrence (with prefix/suffix to tell occurrences apart)."""
    selectors = _as_list(target.get("selector"))
    quote = next((s for s in selectors if isinstance(s, dict) and s.get("type") == "TextQuoteSelector"), None)
    position = next((s for s in selectors if isinstance(s, dict) and s.get("type") == "TextPositionSelector"), None)
    if position is not None:
        start, end = position.get("start"), position.get("end")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(body)):
            raise AnnotationError(path, f"TextPositionSelector {start}..{end} is not within the text "
                                        f"({len(body)} characters)", item_id=anno_id)
        if quote is None or body[start:end] == quote.get("exact"):
            return Span(start, end, body[start:end])
    if quote is None or not quote.get("exact"):
        raise AnnotationError(path, "a target has neither a usable TextPositionSelector nor a TextQuoteSelector",
                              item_id=anno_id)
    exact, prefix, suffix = quote["exact"], quote.get("prefix", ""), quote.get("suffix", "")
    starts = [i for i in range(len(body)) if body.startswith(exact, i)]
    fitting = [i for i in starts if body[:i].endswith(prefix) and body[i + len(exact):].startswith(suffix)]
    if len(fitting) != 1:
        found = "is not in the text" if not fitting else f"fits {len(fitting)} places"
        raise AnnotationError(path, f"quote {exact!r} {found}", item_id=anno_id,
                              hint="the collection was made for another version of the text")
    return Span(fitting[0], fitting[0] + len(exact), exact)


def _put(item: dict[str, Any], field: str, span: Span) -> None:
    """Set `item` at a field path like 'quote', 'anchor/2' or 'outcomes/0/text'."""
    parts = field.split("/")
    node: Any = item
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        nxt = None if last else parts[i + 1]
        if isinstance(node, list):
            index = int(part)
            while len(node) <= index:
                node.append(None if last else ({} if not (nxt or "").isdigit() else []))
            if last:
                node[index] = span
            else:
                if node[index] is None:
                    node[index] = [] if (nxt or "").isdigit() else {}
                node = node[index]
        else:
            if last:
                node[part] = span
            else:
                node = node.setdefault(part, [] if (nxt or "").isdigit() else {})


def from_collection(
    data: Any,
    *,
    registry: m.Registry,
    out_yaml: Path,
    text: str | None = None,
    text_path: Path | None = None,
    path: Path | str = "<collection>",
    warnings: list[str] | None = None,
) -> tuple[str, str]:
    """(annotation YAML, article text) for a Web Annotation collection.

    The text is the collection's `kgText`, else `text`; `text_path` is where the YAML
    should say the text lives (default: beside `out_yaml`, named by the collection).
    Annotations without a kgbuild item are read as entity mentions when their body is a
    registry entity's IRI or a tag whose value is a registry name; others are skipped
    with a warning.
    """
    warnings = warnings if warnings is not None else []
    if not isinstance(data, dict):
        data = {"type": "AnnotationPage", "items": data}
    meta = data.get("kgArticle") if isinstance(data.get("kgArticle"), dict) else {}
    body = data.get("kgText") if isinstance(data.get("kgText"), str) else text
    if body is None:
        raise AnnotationError(path, "the collection does not carry the article text",
                              hint="give the text file with --text")
    if text is not None and body != text:
        raise AnnotationError(path, "the collection's text differs from the given text file")
    digest = data.get("kgTextSha256")
    if digest and hashlib.sha256(body.encode("utf-8")).hexdigest() != digest:
        raise AnnotationError(path, "kgTextSha256 does not match the text", hint="the text was changed after export")
    iris = Iris(_base_of(data))
    entity_iris = {iris.entity(e.type, k).value: k for k, e in registry.entities.items()}
    names = RegistryNames(registry)
    article_id = meta.get("id") or re.sub(r"[^a-z0-9._-]", "-", Path(out_yaml).stem.lower())
    text_name = meta.get("text") or Path(out_yaml).with_suffix(".txt").name
    doc: dict[str, Any] = {
        "kgbuild": 1, "id": article_id,
        "text": text_reference(out_yaml, text_path or Path(out_yaml).parent / text_name),
        "language": meta.get("language", "en"), "published": meta.get("published"),
        "voice": None, "mentions": {}, **{section: [] for section in _SECTIONS},
    }
    for anno in _annotations(data, path):
        anno_id = str(anno.get("id", "?"))
        bodies = [b for b in _as_list(anno.get("body")) if isinstance(b, dict)]
        item_body = next((b for b in bodies if isinstance(b.get("kgItem"), dict)), None)
        spans_by_field = []
        for target in _as_list(anno.get("target")):
            if isinstance(target, str):
                continue
            spans_by_field.append((target.get("kgField", "anchor/0"), _resolve_target(body, target, path, anno_id)))
        if item_body is None:
            entity = None
            for b in bodies:
                entity = entity or entity_iris.get(b.get("source") or b.get("id") or "")
                if entity is None and isinstance(b.get("value"), str):
                    entity = names.lookup(b["value"])
            if entity is None:
                warnings.append(f"{path}: annotation {anno_id} has no kgbuild item or registry entity: skipped")
                continue
            doc["mentions"].setdefault(entity, []).extend(s for _, s in spans_by_field)
            continue
        item = json.loads(json.dumps(item_body["kgItem"]))  # a deep copy
        section = item.pop("section", None)
        for field, span in spans_by_field:
            _put(item, field, span)
        if section == "headline":
            doc["headline"] = item.get("headline")
        elif section == "mentions":
            anchors = [s for s in item.get("anchor", []) if s is not None]
            doc["mentions"].setdefault(item["entity"], []).extend(anchors)
        elif section in _SECTIONS:
            doc[section].append(item)
        elif section == "voice":
            item.pop(_VOICE_DEFAULT, None)
            doc["voice"] = item
        else:
            raise AnnotationError(path, f"kgItem section {section!r} is not one of kgbuild's", item_id=anno_id)
    header = ["Imported from a W3C Web Annotation collection by `kgbuild import webannotation`."]
    return write_annotation(doc, body, header=header), body


# ================================================================ files
def collections_for(paths: list[Path], *, base: str | None = None) -> list[tuple[Path, dict[str, Any]]]:
    """(annotation file, collection) for every annotation file under `paths` (default: the project's
    data/), each loaded with the registry of its own corpus."""
    from . import loader
    from .corpus import corpora

    iris = Iris(base) if base else Iris()
    return [(path, to_collection(loader.load_article(path, corpus.registry), iris=iris))
            for corpus in corpora(paths) for path in corpus.files]


def import_file(path: Path, out_yaml: Path, *, registry: m.Registry, text_path: Path | None = None) -> list[str]:
    """Read the collection in `path` and write `out_yaml` (and the text beside it when missing);
    the written file is loaded once to prove it is valid. Returns warnings."""
    from . import loader

    raw = loader.read_text(Path(path))
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise AnnotationError(path, f"invalid JSON: {exc.msg}", line=exc.lineno) from None
    warnings: list[str] = []
    given_text = loader.read_text(text_path) if text_path else None
    yaml_text, body = from_collection(data, registry=registry, out_yaml=Path(out_yaml), text=given_text,
                                      text_path=text_path, path=path, warnings=warnings)
    if text_path is None:
        meta: dict[str, Any] = {}
        if isinstance(data, dict) and isinstance(data.get("kgArticle"), dict):
            meta = data["kgArticle"]
        target_text = Path(out_yaml).parent / (meta.get("text") or Path(out_yaml).with_suffix(".txt").name)
        if target_text.exists():
            if loader.read_text(target_text) != body:
                raise AnnotationError(target_text, "a different text is already here",
                                      hint="import into another folder, or pass the right text with --text")
        else:
            atomic_write(target_text, body)
    atomic_write(Path(out_yaml), yaml_text)
    loader.load_article(Path(out_yaml), registry)
    return warnings
