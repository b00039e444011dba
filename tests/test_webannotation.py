"""W3C Web Annotation: the seed article's annotations go out as a collection and come back unchanged."""
from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from helpers import DATA, SEED_ANNOTATION, SEED_TEXT

from kgbuild import loader
from kgbuild import model as m
from kgbuild.cli import main
from kgbuild.mapper import map_article
from kgbuild.webannotation import ANNO_CONTEXT, from_collection, to_collection


@pytest.fixture(scope="module")
def registry() -> m.Registry:
    return loader.load_registry(DATA)


@pytest.fixture(scope="module")
def seed(registry: m.Registry) -> m.Article:
    return loader.load_article(SEED_ANNOTATION, registry)


@pytest.fixture()
def empty_corpus(tmp_path: Path) -> Path:
    """A corpus root with the project's registry and links, and no articles."""
    for name in ("registry.yaml", "links.yaml"):
        shutil.copy(DATA / name, tmp_path / name)
    (tmp_path / "articles").mkdir()
    return tmp_path


def comparable(article: m.Article) -> m.Article:
    """The article without what depends on where and how its file was written (paths, YAML lines,
    the hash of the YAML text); everything the annotation says stays."""

    def strip(value: Any) -> Any:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes = {f.name: strip(getattr(value, f.name)) for f in dataclasses.fields(value)}
            if "line" in changes:
                changes["line"] = None
            return dataclasses.replace(value, **changes)
        if isinstance(value, tuple):
            return tuple(strip(v) for v in value)
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items()}
        return value

    return dataclasses.replace(strip(article), path=Path("x.yaml"), text_path=Path("x.txt"), source_hash="-")


def nquads(article: m.Article) -> bytes:
    """The mapped graph as N-Quads. kg:sourceHash hashes the annotation file's bytes (comments and
    layout included) for incremental builds, so it is fixed here; every other quad is compared."""
    quads = map_article(dataclasses.replace(article, source_hash="-"))
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS)


def export_seed(tmp_path: Path) -> dict[str, Any]:
    target = tmp_path / "seed.jsonld"
    result = CliRunner().invoke(main, ["export", "--format", "webannotation", "-a", str(SEED_ANNOTATION),
                                       "-o", str(target)])
    assert result.exit_code == 0, result.output
    return json.loads(target.read_text(encoding="utf-8"))


def test_export_is_a_web_annotation_collection_with_both_selectors(tmp_path: Path, seed: m.Article) -> None:
    data = export_seed(tmp_path)
    assert data["@context"][0] == ANNO_CONTEXT
    assert data["type"] == "AnnotationCollection"
    items = data["first"]["items"]
    assert data["total"] == len(items) == 1 + len(seed.mentions) + len(seed.roles) + len(seed.events) + \
        len(seed.statements) + len(seed.claims) + (seed.voice is not None) + len(seed.sources) + \
        len(seed.times) + len(seed.relations)
    body = SEED_TEXT.read_text(encoding="utf-8")
    assert data["kgText"] == body
    for anno in items:
        assert anno["type"] == "Annotation" and anno["motivation"] in ("identifying", "describing")
        assert anno["body"]["type"] == "SpecificResource" and "section" in anno["body"]["kgItem"]
        assert anno["target"], anno["id"]
        for target in anno["target"]:
            assert target["source"] == "https://w3id.org/kgbuild/id/article/a2fbfe0915b87551"
            quote, position = target["selector"]
            assert quote["type"] == "TextQuoteSelector" and position["type"] == "TextPositionSelector"
            start, end = position["start"], position["end"]
            assert body[start:end] == quote["exact"]
            assert body[:start].endswith(quote["prefix"]) and body[end:].startswith(quote["suffix"])
    # Statements keep their speaker and quote; mentions identify the registry entity's IRI.
    by_id = {a["id"].rsplit("/annotation/", 1)[1]: a for a in items}
    q = by_id["statements/q-definitely-attack"]
    assert q["body"]["kgItem"]["speaker"] == "trump"
    assert q["target"][0]["selector"][0]["exact"] == "there will definitely be an Israeli attack"
    assert by_id["mentions/netanyahu"]["body"]["source"] == "https://w3id.org/kgbuild/id/actor/netanyahu"
    assert by_id["mentions/netanyahu"]["body"]["purpose"] == "identifying"


def test_round_trip_is_lossless(tmp_path: Path, empty_corpus: Path, seed: m.Article, registry: m.Registry) -> None:
    export_seed(tmp_path)
    target = empty_corpus / "articles" / "000_a2fbfe0915b87551.yaml"
    result = CliRunner().invoke(main, ["import", "webannotation", str(tmp_path / "seed.jsonld"), "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert (target.parent / SEED_TEXT.name).read_bytes() == SEED_TEXT.read_bytes()  # the text came along
    back = loader.load_article(target, loader.load_registry(empty_corpus))
    assert comparable(back) == comparable(seed)
    assert nquads(back) == nquads(seed)
    # And again: the imported file exports to the very same collection.
    assert to_collection(back) == to_collection(seed)


def test_a_foreign_collection_with_quote_selectors_only_gives_mentions(empty_corpus: Path,
                                                                     registry: m.Registry) -> None:
    body = "Netanyahu met Trump. Later, Trump spoke."
    collection = {
        "@context": ANNO_CONTEXT, "type": "AnnotationCollection",
        "first": {"type": "AnnotationPage", "items": [
            {"type": "Annotation", "body": {"source": "https://w3id.org/kgbuild/id/actor/trump"},
             "target": {"source": "urn:x", "selector": {"type": "TextQuoteSelector", "exact": "Trump",
                                                        "prefix": "Later, ", "suffix": " spoke"}}},
            {"type": "Annotation", "body": {"type": "TextualBody", "value": "Netanyahu", "purpose": "tagging"},
             "target": {"source": "urn:x", "selector": {"type": "TextQuoteSelector", "exact": "Netanyahu"}}},
            {"type": "Annotation", "body": {"type": "TextualBody", "value": "a comment"},
             "target": {"source": "urn:x", "selector": {"type": "TextQuoteSelector", "exact": "met"}}},
        ]},
    }
    warnings: list[str] = []
    out = empty_corpus / "articles" / "doc.yaml"
    text, _ = from_collection(collection, registry=registry, out_yaml=out, text=body, warnings=warnings)
    (out.with_suffix(".txt")).write_text(body, encoding="utf-8")
    out.write_text(text, encoding="utf-8")
    article = loader.load_article(out, registry)
    spans = {mn.entity: [(s.start, s.exact) for s in mn.spans] for mn in article.mentions}
    assert spans == {"trump": [(28, "Trump")], "netanyahu": [(0, "Netanyahu")]}
    assert len(warnings) == 1 and "skipped" in warnings[0]


def test_a_changed_text_is_refused(tmp_path: Path, empty_corpus: Path) -> None:
    data = export_seed(tmp_path)
    data["kgText"] = data["kgText"].replace("Mar-a-Lago", "Mar-a-lago")
    (tmp_path / "bad.jsonld").write_text(json.dumps(data), encoding="utf-8")
    result = CliRunner().invoke(main, ["import", "webannotation", str(tmp_path / "bad.jsonld"),
                                       "-o", str(empty_corpus / "articles" / "x.yaml")])
    assert result.exit_code == 1
    assert "kgTextSha256 does not match" in result.output


def test_export_of_a_corpus_writes_one_collection_per_article(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["export", "--format", "webannotation", "-a", str(DATA),
                                       "-o", str(tmp_path / "collections")])
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in (tmp_path / "collections").iterdir())
    expected = sorted(p.stem + ".jsonld" for p in (DATA / "articles").glob("*.yaml"))
    assert files == expected and len(files) >= 2
    refused = CliRunner().invoke(main, ["export", "--format", "webannotation", "-a", str(DATA)])
    assert refused.exit_code == 2 and "-o FOLDER" in refused.output
