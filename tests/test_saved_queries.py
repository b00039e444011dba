"""Each saved query, run on the seed article, gives the answers a reader of the article expects."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import REPO, SEED_ARTICLE, SEED_TEXT

from kgbuild.errors import QueryError
from kgbuild.queries import find_query, parse_saved_query, run_saved_query, saved_queries
from kgbuild.store import KgStore

QUERIES = REPO / "queries"


def run(store: KgStore, name: str, **params: str) -> list[dict[str, str]]:
    result = run_saved_query(store, find_query(name, QUERIES), params)
    names = [v.value for v in result.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in result]


def test_there_are_at_least_twelve_documented_saved_queries() -> None:
    queries = saved_queries(QUERIES)
    assert len(queries) >= 12
    for q in queries.values():
        assert q.title and q.description, q.name


@pytest.mark.parametrize("path", sorted(QUERIES.glob("*.rq")), ids=lambda p: p.stem)
def test_every_parameter_is_projected(path: Path) -> None:
    """Oxigraph binds only projected variables; an unprojected parameter would be silently ignored."""
    q = parse_saved_query(path)
    select = re.search(r"SELECT(.*?)WHERE", q.sparql, re.S | re.I)
    assert select, "saved queries are SELECT queries"
    for p in q.parameters:
        assert re.search(rf"\?{p.name}\b", select.group(1)), f"?{p.name} must be in the SELECT clause"


def test_who_said_what(seed_store: KgStore) -> None:
    rows = run(seed_store, "who-said-what")
    assert [r["quote"] for r in rows][:4] == ["severely damaged", "eliminated", "historic victory",
                                              "there will definitely be an Israeli attack"]
    assert len(rows) == 11
    trump = run(seed_store, "who-said-what", speaker="https://w3id.org/kgbuild/id/actor/trump")
    assert {r["quote"] for r in trump} == {"there will definitely be an Israeli attack", "fast", "immediate",
                                           "For missiles, yes. For nuclear, fast.", "obliterated", "war heroes"}
    remarks = [r for r in trump if r.get("setting")]
    assert all(r["setting"] == "During public remarks ahead of their closed-door talks" for r in remarks)
    assert all(r["occasion"] == "Netanyahu–Trump meeting at Mar-a-Lago" for r in remarks)


def test_claims_by_actor_with_hedging_and_sources(seed_store: KgStore) -> None:
    rows = run(seed_store, "claims-by-actor", claimant="https://w3id.org/kgbuild/id/actor/netanyahu")
    risk = [r for r in rows if r["claim"].startswith("unchecked missile reconstruction")]
    assert len(risk) == 1
    assert risk[0]["verb"] == "argued" and risk[0]["modality"] == "asserted"
    assert set(risk[0]["accordingTo"].split(", ")) == {"NBC News", "The Washington Post", "Haaretz"}
    reports = [r for r in run(seed_store, "claims-by-actor")
               if r["claimantName"] == "Reports (on Iran's future missile output)"]
    tehran = [r for r in reports if r["claim"].startswith("Tehran could soon produce")]
    assert tehran[0]["modality"] == "speculative" and set(tehran[0]["hedges"].split(", ")) == {"could", "potentially"}


def test_military_actions_by_status(seed_store: KgStore) -> None:
    occurred = {r["label"] for r in run(seed_store, "military-actions-by-status", status="occurred")}
    assert occurred == {"Twelve-Day War (June 2025)", "Israeli airstrikes on Iran, June 2025",
                        "Bunker-buster bombs contributed by the U.S. against underground nuclear facilities, June 2025",
                        "Iran's missile and drone retaliation against Israel, June 2025"}
    retaliation = [r for r in run(seed_store, "military-actions-by-status", status="occurred")
                   if r["label"].startswith("Iran's missile")][0]
    assert retaliation["agents"] == "Iran" and retaliation["targets"] == "Israel"
    assert set(retaliation["weapons"].split(", ")) == {"ballistic missile", "drone"}
    assert retaliation["time"] == "2025-06"
    conditional = run(seed_store, "military-actions-by-status", status="conditional")
    assert len(conditional) == 3 and all("time" not in r for r in conditional)
    assert len(run(seed_store, "military-actions-by-status")) == 21


def test_actions_that_happened_exclude_threats(seed_store: KgStore) -> None:
    labels = {r["label"] for r in run(seed_store, "actions-that-happened")}
    assert "Israeli airstrikes on Iran, June 2025" in labels
    assert not any("threatened" in label.lower() or label.startswith("Option") for label in labels)
    war = [r for r in run(seed_store, "actions-that-happened") if r["label"] == "Twelve-Day War (June 2025)"][0]
    assert war["duration"] == "P12D" and war["partOf"] == "Iran–Israel shadow war"


def test_threats_and_red_lines(seed_store: KgStore) -> None:
    rows = {r["label"]: r for r in run(seed_store, "threats-and-red-lines")}
    red_line = rows["Action Trump leaves the door open for if Iran crosses red lines"]
    assert red_line["byName"] == "Donald Trump"
    assert red_line["condition"] == "if Iran crosses red lines on missiles or nuclear work"
    attack = rows["Israeli attack threatened by Trump if Iran continues developing ballistic missiles"]
    assert "there will definitely be an Israeli attack" in attack["quotes"]
    assert rows["Iranian responses “beyond imagination” threatened against any aggression"]["byName"] == "Iranian officials"


def test_proposed_options(seed_store: KgStore) -> None:
    rows = {r["label"]: r for r in run(seed_store, "proposed-options")}
    assert rows["Option of joint U.S.-Israeli missions"]["partOf"] == "Strike options presented by Netanyahu"
    assert rows["Option of joint U.S.-Israeli missions"]["proposedBy"] == "Benjamin Netanyahu"
    assert rows["Hamas disarmament required by the ceasefire's next phase"]["statusName"] == "proposed"


def test_actors_with_links(seed_store: KgStore) -> None:
    rows = {r["label"]: r for r in run(seed_store, "actors-with-links")}
    assert rows["Benjamin Netanyahu"]["wikidata"] == "http://www.wikidata.org/entity/Q43723"
    assert rows["Benjamin Netanyahu"]["dbpedia"] == "http://dbpedia.org/resource/Benjamin_Netanyahu"
    assert "wikidata" not in rows["Israeli officials"]
    assert rows["Iran"]["type"] == "Country"


def test_everything_from_one_sentence(seed_store: KgStore) -> None:
    rows = run(seed_store, "sentence", n="25", article=SEED_ARTICLE)
    assert rows[0]["sentenceText"].startswith("Iranian officials have warned")
    labels = {r.get("label") for r in rows}
    assert {"Iranian officials", "Reported Iranian missile tests, followed by denials",
            "Iranian officials: “beyond imagination”"} <= labels
    roles = {r["role"] for r in rows}
    assert {"MentionSpan", "MainSpan", "VerbSpan", "ConditionSpan"} <= roles


def test_reporting_chains(seed_store: KgStore) -> None:
    rows = run(seed_store, "reporting-chains")
    assert {r["sourceName"] for r in rows} == {"NBC News", "The Washington Post", "Haaretz"}
    assert {r["claimantName"] for r in rows} == {"Benjamin Netanyahu"}


def test_hedged_claims(seed_store: KgStore) -> None:
    rows = run(seed_store, "hedged-claims")
    by = {(r["modality"], r["claimantName"]) for r in rows}
    assert ("denied", "Iran") in by and ("reported", "Some Trump advisers") in by
    assert ("hedged", "Intelligence assessments (on Iran's missile production)") in by and ("warned", "Donald Trump") in by
    assert not any(r["modality"] == "asserted" for r in rows)


def test_war_and_its_parts(seed_store: KgStore) -> None:
    rows = {r["part"]: r for r in run(seed_store, "war-and-its-parts")}
    retaliation = rows["Iran's missile and drone retaliation against Israel, June 2025"]
    assert retaliation["whole"] == "Twelve-Day War (June 2025)"
    assert set(retaliation["casualties"].split("; ")) == {"killed: dozens", "wounded: thousands"}
    assert "hits on military bases, homes, universities, and a hospital" in retaliation["outcomes"]
    assert rows["Twelve-Day War (June 2025)"]["whole"] == "Iran–Israel shadow war"


def test_meetings(seed_store: KgStore) -> None:
    (row,) = run(seed_store, "meetings")
    assert set(row["participants"].split(", ")) == {"Benjamin Netanyahu", "Donald Trump"}
    assert set(row["places"].split(", ")) == {"Mar-a-Lago", "Florida"}
    assert {"Syria", "Lebanon", "Next phase of the Gaza ceasefire"} <= set(row["topics"].split(", "))
    assert row["quotes"] == "7"  # six of Trump's remarks and Netanyahu's "greatest friend"


def test_collective_actors(seed_store: KgStore) -> None:
    rows = {r["label"]: r for r in run(seed_store, "collective-actors")}
    assert rows["Israeli officials"]["belongsTo"] == "Israel"
    assert rows["Israeli officials"]["quotes"] == "3" and rows["Israeli officials"]["claims"] == "3"
    assert rows["Reports (on Iran's future missile output)"]["kind"] == "UnattributedSource"
    assert rows["Reports (of Iranian missile tests)"]["claims"] == "1"  # two places, two sources


def test_actor_profile_requires_and_uses_its_parameter(seed_store: KgStore) -> None:
    with pytest.raises(QueryError, match="needs parameter 'actor'"):
        run(seed_store, "actor-profile")
    rows = run(seed_store, "actor-profile", actor="https://w3id.org/kgbuild/id/actor/iran")
    whats = {r["what"] for r in rows}
    assert {"claim", "event: agent", "event: target"} <= whats
    assert any(r["text"] == "its missile program is defensive and non-negotiable" and r["detail"] == "insisted"
               for r in rows)


def test_positions_held(seed_store: KgStore) -> None:
    rows = {r["name"]: r for r in run(seed_store, "positions-held")}
    assert rows["Benjamin Netanyahu"]["position"] == "Prime Minister of Israel"
    assert rows["Benjamin Netanyahu"]["positionItem"] == "http://www.wikidata.org/entity/Q208487"
    assert rows["Donald Trump"]["exact"] == "President Donald Trump"


def test_mentions_per_entity(seed_store: KgStore) -> None:
    rows = {r["label"]: r for r in run(seed_store, "mentions-per-entity")}
    body = SEED_TEXT.read_text("utf-8")
    expected = len(re.findall(r"(?<![\w])(?:Iran|Tehran)(?![\w])", body))
    assert int(rows["Iran"]["mentions"]) == expected == 19
    assert rows["Benjamin Netanyahu"]["articles"] == "1"


def test_parameters_are_typed_and_cannot_inject(seed_store: KgStore) -> None:
    with pytest.raises(QueryError, match="not a valid iri"):
        run(seed_store, "who-said-what", speaker="x> } ; DROP ALL #")
    with pytest.raises(QueryError, match="not a valid integer"):
        run(seed_store, "sentence", n="1 } UNION { ?s ?p ?o }")
    hostile = 'occurred") } UNION { ?action ?p ?o } #\n'
    assert run(seed_store, "military-actions-by-status", status=hostile) == []
    with pytest.raises(QueryError, match="has no parameter"):
        run(seed_store, "who-said-what", nope="1")


def test_what_may_happen(seed_store: KgStore) -> None:
    rows = run(seed_store, "what-may-happen")
    statuses = {r["statusName"] for r in rows}
    assert statuses == {"possible", "feared", "proposed", "planned", "threatened", "conditional"}
    by_label = {r["label"]: r for r in rows}
    output = by_label["Iran producing up to 3,000 missiles a year, as reports suggest it could soon"]
    assert output["statusName"] == "possible" and output["when"] == "soon" and output["quantities"] == "up to 3,000 missiles"
    assert output["saidBy"] == "Reports (on Iran's future missile output)"
    assert not any(label.startswith(("Israeli airstrikes", "Twelve-Day War")) for label in by_label)  # happened
    feared = run(seed_store, "what-may-happen", status="feared")
    assert [(r["label"], r["saidBy"]) for r in feared] == [("Endless escalation feared by some Trump advisers",
                                                            "Some Trump advisers")]
    starts = [int(r["at"]) for r in rows if r["article"] == SEED_ARTICLE]
    assert starts == sorted(starts)  # in text order


def test_actor_relations(seed_store: KgStore) -> None:
    rows = run(seed_store, "actor-relations")
    triples = {(r["subjectName"], r["kindName"], r["objectName"]) for r in rows}
    assert triples == {("Hezbollah", "proxy of", "Iran"), ("Houthis", "proxy of", "Iran"),
                       ("Hezbollah", "located in", "Lebanon"), ("Houthis", "located in", "Yemen"),
                       ("Donald Trump", "allied with", "Benjamin Netanyahu")}
    assert {r["statedBy"] for r in rows} == {"The article's author (not named in the text)"}
    houthis = run(seed_store, "actor-relations", actor="https://w3id.org/kgbuild/id/actor/houthis")
    assert {(r["kindName"], r["objectName"]) for r in houthis} == {("proxy of", "Iran"), ("located in", "Yemen")}
    # GROUP_CONCAT's order is the engine's (SPARQL 1.1, 18.5.1.7): the words are compared as sets.
    assert {frozenset(r["words"].split(" … ")) for r in houthis} == {frozenset({"the Houthis", "Iran’s proxies"}),
                                                                     frozenset({"the Houthis in Yemen"})}


def test_relative_times(seed_store: KgStore) -> None:
    rows = {r["words"]: r for r in run(seed_store, "relative-times", article=SEED_ARTICLE)}
    now = rows["just six months later"]
    assert now["isNow"] == "true" and now["relation"] == "after" and now["offset"] == "P6M"
    assert now["countsFrom"] == "Twelve-Day War (June 2025)"
    assert "Iran rebuilding and expanding ballistic missile production" in now["places"].split(" | ")
    assert rows["in the months ahead"]["countsFrom"] == "just six months later"
    assert [r["isNow"] for w, r in rows.items() if w != "just six months later"] == ["false", "false"]


def test_quantities(seed_store: KgStore) -> None:
    rows = {r["words"]: r for r in run(seed_store, "quantities")}
    assert rows["hundreds"]["vaguenessName"] == "indefinite" and "value" not in rows["hundreds"]
    assert set(rows["hundreds"]["counts"].split(", ")) == {"ballistic missile", "drone"}
    assert rows["up to 3,000"]["max"] == "3000" and rows["up to 3,000"]["per"] == "P1Y"
    assert [r["words"] for r in run(seed_store, "quantities", vagueness="atmost")] == ["up to 3,000"]
