"""brat standoff import: the .ann format round trips, offsets are checked, and an export builds."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import DATA
from hypothesis import given, settings
from hypothesis import strategies as st

from kgbuild import loader
from kgbuild import model as m
from kgbuild.build import build
from kgbuild.cli import main
from kgbuild.errors import AnnotationError
from kgbuild.importers.brat import (
    Attribute,
    Equiv,
    EventAnnotation,
    Normalization,
    Note,
    Relation,
    TextBound,
    check_offsets,
    conf_text,
    format_annotation,
    parse_ann,
    parse_line,
)
from kgbuild.store import KgStore

# ------------------------------------------------------------------ the .ann line format
names = st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,12}", fullmatch=True)
numbers = st.integers(min_value=1, max_value=9999).map(str)
free_text = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=40).filter(
    lambda t: "\t" not in t and "\n" not in t and "\r" not in t and "\x85" not in t)
refs = st.builds(lambda k, n: k + n, st.sampled_from("TE"), numbers)
fragments = st.lists(st.tuples(st.integers(0, 5000), st.integers(0, 200)).map(lambda p: (p[0], p[0] + p[1])),
                     min_size=1, max_size=3).map(tuple)
annotations = st.one_of(
    st.builds(TextBound, numbers.map("T{}".format), names, fragments, free_text),
    st.builds(Relation, numbers.map("R{}".format), names,
              st.tuples(st.tuples(st.just("Arg1"), refs), st.tuples(st.just("Arg2"), refs))),
    st.builds(EventAnnotation, numbers.map("E{}".format), names, numbers.map("T{}".format),
              st.lists(st.tuples(names, refs), max_size=4).map(tuple)),
    st.builds(Attribute, numbers.map("A{}".format), names, refs, st.one_of(st.none(), names)),
    st.builds(Normalization, numbers.map("N{}".format), names, refs, names, names, free_text),
    st.builds(Note, numbers.map("#{}".format), st.just("AnnotatorNotes"), refs, free_text),
    st.builds(Equiv, names, st.lists(refs, min_size=2, max_size=4).map(tuple)),
)


@settings(max_examples=300, deadline=None)
@given(annotations)
def test_generated_ann_lines_round_trip(ann: Any) -> None:
    line = format_annotation(ann)
    assert "\n" not in line
    assert parse_line(line) == ann


@settings(max_examples=50, deadline=None)
@given(st.lists(annotations, max_size=8))
def test_a_generated_ann_file_round_trips_line_by_line(anns: list[Any]) -> None:
    unique = {a.id: a for a in anns if a.id != "*"}
    chosen = [*unique.values(), *(a for a in anns if a.id == "*")]
    text = "\n".join(format_annotation(a) for a in chosen) + "\n"
    parsed = parse_ann(text)
    assert parsed == chosen
    assert [a.line for a in parsed] == list(range(1, len(chosen) + 1))


@settings(max_examples=100, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), min_size=5, max_size=80), st.data())
def test_offsets_are_checked_against_the_text(body: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(body) - 1))
    end = data.draw(st.integers(start + 1, len(body)))
    good = TextBound("T1", "Person", ((start, end),), body[start:end].replace("\n", " "), line=1)
    check_offsets([good], body, "x.ann")
    wrong = body[start:end] + "x"
    bad = TextBound("T7", "Person", ((start, end),), wrong.replace("\n", " "), line=4)
    with pytest.raises(AnnotationError) as err:
        check_offsets([bad], body, "x.ann")
    assert err.value.line == 4 and err.value.item_id == "T7"


@pytest.mark.parametrize("line", ["T1 Person 0 4\tIran", "T1\tPerson 4 0\tx", "T1\tPerson 0 x\tx",
                                  "E1\tAirstrike", "R1\tPartOf Arg1:E1", "Q1\tx y", "A1\tStatus"])
def test_malformed_lines_are_refused(line: str) -> None:
    with pytest.raises(AnnotationError) as err:
        parse_ann("T9\tPerson 0 1\tx\n" + line + "\n", "doc.ann")
    assert err.value.line == 2
    assert "doc.ann:2" in str(err.value)


# ------------------------------------------------------------------ a brat document
TEXT = (
    "Netanyahu Presses Trump on Iran\n"
    "Israeli Prime Minister Benjamin Netanyahu met President Donald Trump in Florida. "
    "Israeli officials claimed the strikes in June 2025 “severely damaged” Iran’s missile array. "
    "Iran retaliated with ballistic missiles, and dozens were killed. "
    "Trump warned that “there will definitely be an Israeli attack” if Tehran continues."
)


class Ann:
    """Builds .ann lines with offsets found in TEXT, as an annotation tool would write them."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.n: dict[str, int] = {}

    def _id(self, prefix: str) -> str:
        self.n[prefix] = self.n.get(prefix, 0) + 1
        return f"{prefix}{self.n[prefix]}"

    def t(self, type_: str, *quotes: str, occurrence: int = 1) -> str:
        frags = []
        for quote in quotes:
            pos = -1
            for _ in range(occurrence):
                pos = TEXT.index(quote, pos + 1)
            frags.append((pos, pos + len(quote)))
        ident = self._id("T")
        spans = ";".join(f"{s} {e}" for s, e in frags)
        self.lines.append(f"{ident}\t{type_} {spans}\t{' '.join(TEXT[s:e] for s, e in frags)}")
        return ident

    def e(self, type_: str, trigger: str, **roles: str | list[str]) -> str:
        ident = self._id("E")
        args = [f"{role}:{ref}" for role, value in roles.items()
                for ref in (value if isinstance(value, list) else [value])]
        self.lines.append(f"{ident}\t" + " ".join([f"{type_}:{trigger}", *args]))
        return ident

    def add(self, prefix: str, body: str) -> None:
        self.lines.append(f"{self._id(prefix)}\t{body}")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def brat_document() -> str:
    a = Ann()
    netanyahu = a.t("Person", "Benjamin Netanyahu")
    a.t("Person", "Netanyahu")  # the headline's, matched to the registry by its text
    trump = a.t("Person", "Donald Trump")
    a.add("N", f"Reference {trump} kgbuild:trump\tDonald Trump")
    florida = a.t("Place", "Florida")
    officials = a.t("CollectiveActor", "Israeli officials")
    iran = a.t("State", "Iran", occurrence=3)
    tehran = a.t("Mention", "Tehran")
    a.add("#", f"AnnotatorNotes {tehran}\tkgbuild:iran")
    missiles = a.t("WeaponType", "ballistic missiles")
    position = a.t("Position", "Israeli Prime Minister")
    a.add("N", f"Reference {position} kgbuild:prime-minister-of-israel\tPrime Minister of Israel")
    a.t("Person", "Presses")  # T10 names nobody in the registry: skipped with a warning
    role = a.t("HoldsPosition", "Israeli Prime Minister Benjamin Netanyahu")
    a.e("HoldsPosition", role, Holder=netanyahu, Position=position)
    # A meeting whose trigger has two fragments: two anchors.
    meet = a.t("Meeting", "met", "Netanyahu Presses Trump")
    meeting = a.e("Meeting", meet, Participant=[netanyahu, trump], Place=florida)
    a.add("A", f"Status {meeting} occurred")
    a.add("#", f"AnnotatorNotes {meeting}\tid: florida-meeting; label: Netanyahu meets Trump in Florida")
    strikes = a.t("Airstrike", "the strikes")
    june = a.t("Date", "June 2025")
    damage = a.t("Outcome", "severely damaged")
    strike = a.e("Airstrike", strikes, Agent=officials, Time=june, Outcome=damage)
    a.add("A", f"Status {strike} occurred")
    a.add("R", f"Affected Arg1:{damage} Arg2:{iran}")
    retaliation = a.t("Retaliation", "Iran retaliated")
    dozens = a.t("Quantity", "dozens")
    ret = a.e("Retaliation", retaliation, Agent=iran, Weapon=missiles, Killed=dozens)
    a.add("A", f"Status {ret} occurred")
    a.add("#", f"AnnotatorNotes {ret}\tkind: MissileAttack")
    a.add("R", f"PartOf Arg1:{ret} Arg2:{strike}")
    quote = a.t("Statement", "there will definitely be an Israeli attack")
    statement = a.e("Statement", quote, Speaker=trump, Addressee=tehran)
    claim_text = a.t("Claim", "the strikes in June 2025 “severely damaged” Iran’s missile array")
    verb = a.t("ReportingVerb", "claimed")
    claim = a.e("Claim", claim_text, Claimant=officials, Verb=verb, About=iran)
    a.add("A", f"Modality {claim} asserted")
    warn_text = a.t("Claim", "“there will definitely be an Israeli attack” if Tehran continues")
    hedge = a.t("Hedge", "if")
    warn = a.e("Claim", warn_text, Claimant=trump, Hedge=hedge, Quotes=statement)
    a.add("A", f"Modality {warn} warned")
    a.lines.append(f"*\tEquiv {iran} {tehran}")
    return a.text()


@pytest.fixture()
def brat_corpus(tmp_path: Path) -> Path:
    """A corpus root (registry, links) with a brat folder holding one .txt/.ann pair."""
    for name in ("registry.yaml", "links.yaml"):
        shutil.copy(DATA / name, tmp_path / name)
    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / "doc1.txt").write_text(TEXT, encoding="utf-8")
    (folder / "doc1.ann").write_text(brat_document(), encoding="utf-8")
    return tmp_path


def test_brat_import_writes_an_annotation_file_that_loads_and_builds(brat_corpus: Path) -> None:
    out = brat_corpus / "articles"
    result = CliRunner().invoke(main, ["import", "brat", str(brat_corpus / "brat"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "matches no registry entity" in result.output  # the unknown "Presses"
    assert "equivalence" in result.output
    written = out / "doc1.yaml"
    assert (out / "doc1.txt").read_text(encoding="utf-8") == TEXT
    registry = loader.load_registry(brat_corpus)
    article = loader.load_article(written, registry)
    assert article.id == "doc1"

    mentions = {mn.entity: [s.exact for s in mn.spans] for mn in article.mentions}
    assert mentions["netanyahu"] == ["Benjamin Netanyahu", "Netanyahu"]
    assert mentions["trump"] == ["Donald Trump"]
    assert mentions["iran"] == ["Iran", "Tehran"]  # a note and a plain name, one entity
    assert "Presses" not in sum(mentions.values(), [])

    (role,) = article.roles
    assert (role.holder, role.position) == ("netanyahu", "prime-minister-of-israel")

    events = {e.id: e for e in article.events}
    meeting = events["florida-meeting"]
    assert meeting.label == "Netanyahu meets Trump in Florida"
    assert [s.exact for s in meeting.spans] == ["met", "Netanyahu Presses Trump"]  # two fragments
    assert meeting.participants == ("netanyahu", "trump") and meeting.places == ("florida",)
    strike = events["the-strikes"]
    assert strike.time == m.TimeValue("2025-06", "gYearMonth")
    assert strike.agents == ("israeli-officials",)
    assert [(o.span.exact, o.affected) for o in strike.outcomes] == [("severely damaged", ("iran",))]
    retaliation = events["iran-retaliated"]
    assert retaliation.kinds == ("Retaliation", "MissileAttack")
    assert retaliation.part_of == "the-strikes"
    assert retaliation.weapons == ("ballistic-missile",)
    assert [(c.kind, c.quantity.exact) for c in retaliation.casualties] == [("killed", "dozens")]

    (statement,) = article.statements
    assert (statement.speaker, statement.addressee) == ("trump", "iran")
    claims = {c.modality: c for c in article.claims}
    assert claims["asserted"].verb is not None and claims["asserted"].verb.exact == "claimed"
    assert claims["warned"].quotes == (statement.id,)
    assert [h.exact for h in claims["warned"].hedges] == ["if"]

    # Every span is where brat put it.
    ann = parse_ann((brat_corpus / "brat" / "doc1.ann").read_text(encoding="utf-8"))
    brat_spans = {(s, e) for a in ann if isinstance(a, TextBound) for s, e in a.fragments}
    assert {(s.start, s.end) for mn in article.mentions for s in mn.spans} <= brat_spans

    store = KgStore(brat_corpus / "store")
    report = build([written], store=store, workers=1)
    assert report.built == ["doc1"]


def test_wrong_offsets_name_file_line_and_annotation(brat_corpus: Path) -> None:
    ann = brat_corpus / "brat" / "doc1.ann"
    lines = ann.read_text(encoding="utf-8").split("\n")
    ident, head, text = lines[2].split("\t")
    type_, start, end = head.split()
    lines[2] = f"{ident}\t{type_} {int(start) + 1} {int(end) + 1}\t{text}"
    ann.write_text("\n".join(lines), encoding="utf-8")
    result = CliRunner().invoke(main, ["import", "brat", str(brat_corpus / "brat"), "-o", str(brat_corpus / "out")])
    assert result.exit_code == 1
    assert f"doc1.ann:3: [{ident}] offsets" in result.output
    assert "Donald Trump" in result.output
    assert not (brat_corpus / "out").exists()  # nothing written


def test_an_event_argument_outside_the_registry_stops_the_import(brat_corpus: Path) -> None:
    ann = brat_corpus / "brat" / "doc1.ann"
    text = ann.read_text(encoding="utf-8").replace("Agent:T5", "Agent:T10")  # T10 is "Presses"
    ann.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["import", "brat", str(brat_corpus / "brat"), "-o", str(brat_corpus / "out")])
    assert result.exit_code == 1
    assert "is not a registry entity" in result.output and "'Presses'" in result.output


def test_write_conf_ships_a_conf_naming_every_kgbuild_type(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["import", "brat", "--write-conf", str(tmp_path / "coll")])
    assert result.exit_code == 0, result.output
    conf = (tmp_path / "coll" / "annotation.conf").read_text(encoding="utf-8")
    assert conf == conf_text()
    sections = [line for line in conf.splitlines() if line.startswith("[")]
    assert sections == ["[entities]", "[relations]", "[events]", "[attributes]"]
    declared = {line.strip().split("\t")[0].lstrip("!") for line in conf.splitlines()
                if line.strip() and not line.startswith(("#", "["))}
    assert set(m.ENTITY_TYPES) | set(m.EVENT_KINDS) | {"Statement", "Claim", "HoldsPosition"} <= declared
    values = {line.split("\t")[0]: line.rsplit("Value:", 1)[1].split("|") for line in conf.splitlines()
              if "Value:" in line}
    assert values == {"Status": list(m.STATUSES), "Modality": list(m.MODALITIES)}
