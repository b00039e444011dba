"""A bounded fuzz of the loader: whatever bytes or YAML structures it is given, it answers AnnotationError or a model.

Three generators, each run for a fixed number of examples (hypothesis, derandomized so CI
is repeatable): raw bytes as the annotation file and as the article text; random YAML
structures built from the annotation format's own keys, ids, controlled values and
passages (so they get deep into the checks) spliced into a valid annotation; and random
structures as the corpus registry. Any other exception, a hang or a crash fails the test, and
so does any file on which the two schema validators (jsonschema-rs decides, jsonschema
explains) disagree.
The model that comes out of a valid file must map to quads.

    KGBUILD_FUZZ_EXAMPLES=20000 .venv/bin/pytest tests/test_fuzz_loader.py   # a longer, random run
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_properties import REGISTRY, articles, write_corpus

from kgbuild.errors import AnnotationError
from kgbuild.loader import _accepts, _explainer, load_article, load_registry, read_yaml
from kgbuild.mapper import map_article
from kgbuild.vocab import Iris

# CI runs a fixed set of examples; KGBUILD_FUZZ_EXAMPLES=N runs N fresh random ones each (a longer local fuzz).
LONG = os.environ.get("KGBUILD_FUZZ_EXAMPLES")
FUZZ = settings(max_examples=int(LONG or 400), deadline=None, derandomize=not LONG,
                suppress_health_check=list(HealthCheck))


def _schema_words() -> tuple[list[str], list[str]]:
    root = Path(__file__).resolve().parents[1] / "src" / "kgbuild" / "schemas" / "article.schema.json"
    keys: set[str] = set()
    enums: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "properties" and isinstance(v, dict):
                    keys.update(v)
                if k == "enum":
                    enums.update(map(str, v))
                walk(v)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(json.loads(root.read_text("utf-8")))
    return sorted(keys), sorted(enums)


KEYS, ENUMS = _schema_words()
WORDS = ["trump", "iran", "israel", "Iran", "Israel", "Trump", "said", "the attack", "s0", "e1", "prop",
         "2025", "2025-13", "2025-06-31", "P12D", "", " ", "\u2014", "\U0001f642", "\x00", "\ufeff"]
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True),
    st.sampled_from(WORDS + ENUMS + KEYS), st.text(max_size=12),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=6), st.integers(0, 3)), inner, max_size=4),
    ),
    max_leaves=25,
)


def validators_agree(path: Path, name: str) -> None:
    """The fast validator that decides and the one that explains give one verdict on what the loader read."""
    try:
        data = read_yaml(path)
    except AnnotationError:
        return
    assert _accepts(name, data) == _explainer(name).is_valid(data), data


def attempt(root: Path, path: Path) -> None:
    """Load (and map) one annotation file: only an AnnotationError may come out."""
    validators_agree(path, "article")
    validators_agree(root / "registry.yaml", "registry")
    try:
        article = load_article(path, load_registry(root))
    except AnnotationError as exc:
        assert str(exc).startswith(str(root)), str(exc)
        return
    quads = map_article(article, Iris())
    assert quads


def dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@FUZZ
@given(blob=st.one_of(st.binary(max_size=400), st.text(max_size=400).map(lambda s: s.encode("utf-8", "surrogatepass"))),
       where=st.sampled_from(["annotation", "text"]))
def test_raw_bytes(blob: bytes, where: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = write_corpus(root, "Trump said Iran and Israel.", {"kgbuild": 1, "id": "raw"})
        (path if where == "annotation" else root / "a.txt").write_bytes(blob)
        attempt(root, path)


@FUZZ
@given(article=articles(), data=st.data())
def test_random_structures_in_a_valid_annotation(article: tuple[str, dict], data: st.DataObject) -> None:
    body, annotation = article
    annotation = json.loads(json.dumps(annotation))
    # Walk down a random path of the valid annotation and put a random value there (or at the top).
    node: Any = annotation
    for _ in range(data.draw(st.integers(0, 4))):
        if isinstance(node, dict) and node:
            key = data.draw(st.sampled_from(sorted(node, key=str)))
            if not isinstance(node[key], (dict, list)):
                break
            node = node[key]
        elif isinstance(node, list) and node:
            child = node[data.draw(st.integers(0, len(node) - 1))]
            if not isinstance(child, (dict, list)):
                break
            node = child
        else:
            break
    value = data.draw(VALUES)
    if isinstance(node, dict):
        node[data.draw(st.one_of(st.sampled_from(KEYS), st.text(max_size=5)))] = value
    elif isinstance(node, list):
        node.append(value)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        attempt(root, write_corpus(root, body, dump(annotation)))


@FUZZ
@given(document=VALUES)
def test_random_structures_as_the_whole_annotation(document: Any) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        attempt(root, write_corpus(root, "Trump said Iran and Israel.", dump(document)))


@FUZZ
@given(entities=st.dictionaries(st.sampled_from(["trump", "iran", "israel", "x", "Bad Id", "0"]), VALUES, max_size=4),
       extra=st.dictionaries(st.sampled_from(["kgbuild", "entities", "version", "links"]), VALUES, max_size=2))
def test_random_registries(entities: dict, extra: dict) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = write_corpus(root, "Trump said Iran and Israel.", {"kgbuild": 1, "id": "reg"})
        registry = yaml.safe_load(REGISTRY)
        registry["entities"].update(entities)
        registry.update(extra)
        (root / "registry.yaml").write_text(dump(registry), "utf-8")
        attempt(root, path)
