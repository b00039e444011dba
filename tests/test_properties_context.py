"""Property-based tests of the context sections (quantities, relative times, relations, voice):
the loader accepts exactly what the format allows, and the mapper writes what was given."""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kgbuild import model as m
from kgbuild.errors import AnnotationError
from kgbuild.loader import load_article, load_registry
from kgbuild.loader_context import ALLOWED_NUMBERS
from kgbuild.mapper import map_article
from kgbuild.vocab import Iris

REGISTRY = """kgbuild: 1
entities:
  trump: {type: Person, label: Donald Trump}
  netanyahu: {type: Person, label: Benjamin Netanyahu}
  iran: {type: State, label: Iran}
  yemen: {type: State, label: Yemen}
  houthis: {type: ArmedGroup, label: Houthis}
  missile: {type: WeaponType, label: missile}
"""
BODY = ("Iran fired hundreds of missiles in June. Weeks later reports said Iran could fire more soon. "
        "The Houthis in Yemen are Iran's proxies. Trump and Netanyahu are allies, months ahead of talks.")
TIME_WORDS = ["Weeks later", "soon", "months ahead", "in June"]
SCHEMA = "http://schema.org/"
TIME = "http://www.w3.org/2006/time#"
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def load(annotation: dict[str, Any]) -> tuple[m.Article | None, str | None]:
    """The loaded article, or the error message."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "registry.yaml").write_text(REGISTRY, "utf-8")
        (root / "a.txt").write_text(BODY, "utf-8")
        path = root / "a.yaml"
        path.write_text(yaml.safe_dump(annotation, allow_unicode=True), "utf-8")
        try:
            return load_article(path, load_registry(root)), None
        except AnnotationError as exc:
            message = str(exc)
            assert message.startswith(str(path)) and "\n" not in message
            return None, message


def base(events: list[dict[str, Any]] | None = None, **sections: Any) -> dict[str, Any]:
    return {"kgbuild": 1, "id": "prop", "voice": {"id": "voice", "label": "The author"},
            "events": events or [{"id": "fired", "kind": "MissileAttack", "status": "occurred",
                                  "anchor": "Iran fired hundreds of missiles", "agents": ["iran"]}], **sections}


def objects(quads: list[ox.Quad], predicate: str) -> list[ox.Term]:
    return [q.object for q in quads if q.predicate.value == predicate]


@SETTINGS
@given(vagueness=st.sampled_from(m.VAGUENESS),
       numbers=st.dictionaries(st.sampled_from(["value", "min", "max"]),
                               st.one_of(st.integers(0, 10**6), st.floats(0, 1e6, allow_nan=False).map(lambda f: round(f, 2)))))
def test_a_quantity_loads_exactly_when_its_numbers_fit_its_vagueness(vagueness: str, numbers: dict[str, float]) -> None:
    quantity = {"id": "q", "text": "hundreds", "vagueness": vagueness, **numbers}
    event = {"id": "fired", "kind": "MissileAttack", "status": "occurred", "anchor": "Iran fired hundreds of missiles",
             "quantities": [quantity]}
    article, error = load(base([event]))
    allowed = ALLOWED_NUMBERS[vagueness]
    fits = set(numbers) <= allowed and (vagueness != "range" or set(numbers) == allowed) \
        and not ("min" in numbers and "max" in numbers and numbers["min"] > numbers["max"])
    assert (article is not None) == fits, error
    if article is None:
        return
    quads = map_article(article, Iris())
    for key, prop in (("value", "value"), ("min", "minValue"), ("max", "maxValue")):
        written = objects(quads, SCHEMA + prop)
        assert [float(o.value) for o in written] == ([float(numbers[key])] if key in numbers else [])
    assert [o.value for o in objects(quads, SCHEMA + "QuantitativeValue")] == []  # a class, not a value
    assert any(q.object.value == SCHEMA + "QuantitativeValue" for q in quads)


@st.composite
def time_chains(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Relative times, each counting from the event or a time listed before it."""
    times: list[dict[str, Any]] = []
    for i, words in enumerate(draw(st.permutations(TIME_WORDS))[:draw(st.integers(1, len(TIME_WORDS)))]):
        how = draw(st.sampled_from(m.TIME_RELATIONS))
        ref = draw(st.sampled_from(["fired"] + [t["id"] for t in times]))
        item: dict[str, Any] = {"id": f"t{i}", "text": words, how: ref}
        if how != "during" and draw(st.booleans()):
            item["offset"] = draw(st.sampled_from(["P6M", "P2W", "P1Y", "P3D"]))
        times.append(item)
    return times


@SETTINGS
@given(times=time_chains(), forward=st.booleans())
def test_relative_times_map_to_owl_time_and_count_only_backwards(times: list[dict[str, Any]], forward: bool) -> None:
    if forward and len(times) > 1:  # make the first time count from the last: refused
        first = times[0]
        for how in m.TIME_RELATIONS:
            first.pop(how, None)
        first.pop("offset", None)
        first["after"] = times[-1]["id"]
        article, error = load(base(times=times))
        assert article is None and error and "listed before it" in error
        return
    article, error = load(base(times=times))
    assert article is not None, error
    quads = map_article(article, Iris())
    relations = [q for q in quads if q.predicate.value in (TIME + "after", TIME + "before", TIME + "intervalDuring")]
    assert len(relations) == len(times)
    by_subject = {q.subject.value.rsplit("/", 1)[1]: q for q in relations}
    for t in times:
        how = next(h for h in m.TIME_RELATIONS if h in t)
        q = by_subject[t["id"]]
        assert q.predicate.value == TIME + {"after": "after", "before": "before", "during": "intervalDuring"}[how]
        target = q.object.value
        assert target.endswith(f"/time/{t[how]}") if t[how] != "fired" else target.endswith("/event/fired#time")
    offsets = {q.subject.value.rsplit("/", 1)[1]: q.object.value for q in quads if q.predicate.value.endswith("#offset")}
    assert offsets == {t["id"]: t["offset"] for t in times if "offset" in t}


@SETTINGS
@given(kind=st.sampled_from(m.RELATION_KINDS), subject=st.sampled_from(["trump", "houthis", "voice", "iran"]),
       obj=st.sampled_from(["netanyahu", "yemen", "iran", "missile"]), claimant=st.sampled_from([None, "trump", "voice"]))
def test_a_relation_is_attributed_and_never_asserted_between_the_actors(kind: str, subject: str, obj: str,
                                                                        claimant: str | None) -> None:
    relation: dict[str, Any] = {"id": "r", "kind": kind, "subject": subject, "object": obj, "anchor": "Iran's proxies"}
    if claimant:
        relation["claimant"] = claimant
    article, error = load(base(relations=[relation]))
    place_ok = obj in ("yemen", "iran") if kind == "located-in" else obj != "missile"
    assert (article is not None) == (place_ok and subject != obj), error
    if article is None:
        return
    quads = map_article(article, Iris())
    iris = Iris()
    node = iris.item("prop", "relation", "r").value
    attributed = {q.object.value for q in quads if q.subject.value == node and q.predicate.value.endswith("wasAttributedTo")}
    who = claimant or "voice"
    expected = iris.item("prop", "voice", "voice").value if who == "voice" else iris.entity("Person", who).value
    assert attributed == {expected}
    subject_iri = {q.object.value for q in quads if q.subject.value == node and q.predicate.value.endswith("#relationSubject")}
    # Nothing links the two actors directly: only the reified, attributed relation does.
    assert not [q for q in quads if q.subject.value in subject_iri and q.object.value.endswith("/" + obj)]
