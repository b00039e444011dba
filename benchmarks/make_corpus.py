"""Write a synthetic corpus in kgbuild's own annotation format, for benchmarks and scale tests.

    python benchmarks/make_corpus.py N OUT_DIR [--seed S] [--actors A]

OUT_DIR/registry.yaml holds a shared pool of entities (thousands of people, states,
organisations and collective actors, plus places, facilities, weapons, programmes,
positions and named wars); OUT_DIR/articles/NNNNNN.txt + .yaml are N news-like articles
with mentions, roles, quotes, claims (hedges, reporting verbs, according_to chains) and
military actions (status, agents, targets, weapons, places, time, casualties, conditions).

Actors are drawn with Zipf-like reuse, so a few appear in many articles and most in a
few. Every quote is located in the generated text by this script itself (word-bounded,
like kgbuild's anchoring) and written as a plain string when it occurs once, else with
`occurrence:` or `within:`. Article i depends only on (seed, i): a corpus of 1,000 is
the first 1,000 articles of a corpus of 10,000. Articles are written one at a time, so
memory does not grow with N.
"""
from __future__ import annotations

import argparse
import bisect
import itertools
import json
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

# ------------------------------------------------------------------ word pools
_ONSETS = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "dr", "gr", "kr", "st",
           "tr", "sh", "th", "ch", "h", "j", "y", "w", "sl", "pl", "fr"]
_VOWELS = ["a", "e", "i", "o", "u", "ai", "ei", "ou", "ia", "y"]
_CODAS = ["", "", "n", "r", "s", "l", "m", "k", "t", "nd", "rt", "sk", "v", "x"]
STATE_SUFFIXES = ["ia", "land", "stan", "ara", "ova", "mark", "heim", "ay"]
FIRST_SUFFIXES = ["a", "o", "an", "el", "ina", "us", "ek", "ia", "en", "ir"]

UNATTRIBUTED = [
    ("reports", "Reports (unnamed)"), ("intelligence-assessments", "Intelligence assessments"),
    ("diplomatic-sources", "Diplomatic sources"), ("unnamed-officials", "Unnamed officials"),
    ("local-residents", "Local residents"), ("satellite-imagery-analysts", "Satellite imagery analysts"),
    ("witnesses", "Witnesses"), ("security-sources", "Security sources"),
]
WEAPONS = ["ballistic missiles", "cruise missiles", "attack drones", "artillery shells", "glide bombs",
           "rocket launchers", "anti-ship missiles", "loitering munitions", "naval mines", "mortar rounds",
           "hypersonic missiles", "cluster munitions", "bunker-buster bombs", "guided rockets", "tank rounds"]
POSITIONS = ["President", "Prime Minister", "Foreign Minister", "Defence Minister", "Army Chief of Staff",
             "National Security Adviser", "Interior Minister"]
PROGRAMMES = ["missile program", "drone program", "nuclear program", "air defence program", "naval program"]
FACILITIES = ["air base", "naval port", "fuel depot", "radar station", "ammunition plant", "power station",
              "military academy", "border crossing"]
MEDIA_FORMS = ["The {w} Herald", "{w} News", "The {w} Times", "{w} Daily", "Radio {w}", "{w} Post",
               "{w} Observer", "{w} Wire"]
TANK_FORMS = ["{w} Institute", "Centre for {w} Studies", "{w} Foundation", "{w} Policy Forum"]
GROUP_FORMS = ["{w} Brigade", "{w} Front", "{w} Movement", "{w} Liberation Army", "{w} Guard", "{w} Battalion"]
COLLECTIVE_FORMS = [("officials", "{s} officials"), ("military-sources", "{s} military sources"),
                    ("diplomats", "{s} diplomats"), ("lawmakers", "{s} lawmakers")]

SAY_VERBS = ["said", "told reporters", "declared", "stated", "added"]
CLAIM_VERBS = [("said", "asserted"), ("claimed", "asserted"), ("insisted", "insisted"), ("warned", "warned"),
               ("suggested", "hedged"), ("speculated", "speculative"), ("denied", "denied"),
               ("reported", "reported"), ("argued", "asserted")]
HEDGES = ["reportedly", "possibly", "likely", "apparently", "allegedly"]
QUOTE_OPENERS = ["We will", "Our forces will", "Nobody should doubt that we will", "The government will",
                 "We are ready to", "Our people will", "We do not intend to"]
QUOTE_VERBS = ["defend every inch of", "respond with full force to any attack on", "never abandon",
               "protect the civilians of", "restore order in", "hold the line in", "rebuild"]
QUOTE_TAILS = ["whatever the cost", "this week", "without hesitation", "as long as it takes", "together with our allies",
               "in the coming days", "under any circumstances"]
CLAIM_CLAUSES = [
    "{a} had moved {w} closer to {p}",
    "{a} was preparing a new offensive near {p}",
    "the strikes had damaged {f}",
    "{a} had violated the ceasefire around {p}",
    "{a} was rebuilding its stock of {w}",
    "talks with {a} could resume within weeks",
    "{a} had received {w} from abroad",
]
ACTION_KINDS = [  # (event kind, phrase in the text, plural for the headline, label noun)
    ("Airstrike", "an airstrike on", "strikes", "Airstrike"),
    ("MissileAttack", "a missile attack on", "missile attacks", "Missile attack"),
    ("DroneAttack", "a drone attack on", "drone attacks", "Drone attack"),
    ("MilitaryAction", "a ground assault on", "assaults", "Ground assault"),
    ("Retaliation", "a retaliatory strike on", "reprisals", "Retaliatory strike"),
    ("BunkerBusterBombing", "a bombing raid on", "raids", "Bombing raid"),
]
STATUS_CHOICES = ["occurred"] * 5 + ["ongoing", "threatened", "proposed", "planned", "conditional", "reported", "disputed"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
CASUALTY_WORDS = ["dozens", "at least 12", "more than 40", "several hundred", "three", "seven", "about 25"]


@dataclass
class Ent:
    id: str
    type: str
    label: str
    belongs_to: str | None = None
    aliases: list[str] = field(default_factory=list)
    description: str | None = None


class _Names:
    """Unique pronounceable names from syllables (deterministic for a given Random)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def word(self, syllables: int) -> str:
        r = self.rng
        return "".join(r.choice(_ONSETS) + r.choice(_VOWELS) for _ in range(syllables - 1)) + \
            r.choice(_ONSETS) + r.choice(_VOWELS) + r.choice(_CODAS)

    def unique(self, make) -> str:
        for _ in range(1000):
            name = make()
            if name not in self.used:
                self.used.add(name)
                return name
        raise RuntimeError("name space exhausted; lower the pool size")


def _slug(text: str) -> str:
    out = "".join(c.lower() if c.isalnum() else "-" for c in text)
    return "-".join(filter(None, out.split("-")))


class Pool:
    """The shared registry: entities by category, each category with Zipf-like weights."""

    def __init__(self, seed: int, actors: int):
        rng = random.Random(f"registry:{seed}")
        names = _Names(rng)
        self.entities: dict[str, Ent] = {}
        n_states = max(12, actors // 25)
        n_people = max(40, actors * 3 // 5)
        n_orgs = max(20, actors // 4)
        cap = lambda w: w[:1].upper() + w[1:]  # noqa: E731

        def add(ent: Ent) -> Ent:
            assert ent.id not in self.entities, ent.id
            self.entities[ent.id] = ent
            return ent

        self.states = [add(Ent(f"st-{_slug(n)}", "State", n)) for n in
                       (names.unique(lambda: cap(names.word(2)) + rng.choice(STATE_SUFFIXES)) for _ in range(n_states))]
        self.positions = []
        for st in self.states:
            for title in rng.sample(POSITIONS, 3):
                label = f"{title} of {st.label}"
                self.positions.append(add(Ent(f"pos-{_slug(label)}", "Position", label, belongs_to=st.id)))
        firsts = [cap(names.word(1)) + rng.choice(FIRST_SUFFIXES) for _ in range(max(30, n_people // 20))]
        self.people = []
        for i in range(n_people):
            full = names.unique(lambda: f"{rng.choice(firsts)} {cap(names.word(rng.choice((2, 2, 3))))}")
            last = full.split()[-1]
            self.people.append(add(Ent(f"p-{i:05d}-{_slug(full)}", "Person", full, aliases=[last])))
        self.orgs: list[Ent] = []
        for i in range(n_orgs):
            kind = rng.random()
            st = rng.choice(self.states)
            if kind < 0.25:
                ent = Ent(f"o-{i:05d}-gov", "Government", f"Government of {st.label}", belongs_to=st.id)
                if ent.label in names.used:
                    ent = Ent(f"o-{i:05d}-ag", "GovernmentAgency",
                              names.unique(lambda st=st: f"{st.label} {cap(names.word(2))} Agency"), belongs_to=st.id)
                names.used.add(ent.label)
            elif kind < 0.4:
                label = f"{st.label} Armed Forces"
                ent = (Ent(f"o-{i:05d}-mil", "Military", label, belongs_to=st.id) if label not in names.used else
                       Ent(f"o-{i:05d}-ag", "GovernmentAgency",
                           names.unique(lambda st=st: f"{st.label} {cap(names.word(2))} Directorate"), belongs_to=st.id))
                names.used.add(ent.label)
            elif kind < 0.6:
                label = names.unique(lambda: rng.choice(GROUP_FORMS).format(w=cap(names.word(2))))
                ent = Ent(f"o-{i:05d}-grp", "ArmedGroup", label)
            elif kind < 0.85:
                label = names.unique(lambda: rng.choice(MEDIA_FORMS).format(w=cap(names.word(2))))
                ent = Ent(f"o-{i:05d}-media", "MediaOutlet", label)
            else:
                label = names.unique(lambda: rng.choice(TANK_FORMS).format(w=cap(names.word(2))))
                ent = Ent(f"o-{i:05d}-tank", "ThinkTank", label)
            self.orgs.append(add(ent))
        self.collectives = []
        for st in self.states:
            for key, form in COLLECTIVE_FORMS:
                label = form.format(s=st.label)
                self.collectives.append(add(Ent(f"col-{key}-{st.id[3:]}", "CollectiveActor", label, belongs_to=st.id)))
        self.collectives += [add(Ent(f"col-{k}", "UnattributedSource", label)) for k, label in UNATTRIBUTED]
        self.places = [add(Ent(f"pl-{_slug(n)}", "Place", n)) for n in
                       (names.unique(lambda: rng.choice(["", "Port ", "New ", "Upper ", ""]) + cap(names.word(2)))
                        for _ in range(max(30, actors // 6)))]
        self.facilities = []
        for i in range(max(20, actors // 10)):
            place = rng.choice(self.places)
            label = names.unique(lambda place=place: f"{place.label} {rng.choice(FACILITIES)}")
            owner = rng.choice(self.states)
            self.facilities.append(add(Ent(f"fac-{i:05d}-{_slug(label)}", "Facility", label, belongs_to=owner.id)))
        self.weapons = [add(Ent(f"w-{_slug(w)}", "WeaponType", w)) for w in WEAPONS]
        self.programmes = []
        for st in self.states:
            for prog in rng.sample(PROGRAMMES, 2):
                label = f"{st.label}’s {prog}"
                self.programmes.append(add(Ent(f"prog-{_slug(st.label + ' ' + prog)}", "Programme", label,
                                               belongs_to=st.id)))
        self.wars = []
        for i in range(max(5, n_states // 3)):
            a, b = rng.sample(self.states, 2)
            label = f"{a.label}–{b.label} war"
            self.wars.append(add(Ent(f"war-{i:04d}-{a.id[3:]}-{b.id[3:]}", "Event", label,
                                     description=f"The war between {a.label} and {b.label}.")))
        self.positions_by_state: dict[str, list[Ent]] = {}
        for pos in self.positions:
            self.positions_by_state.setdefault(pos.belongs_to or "", []).append(pos)
        self.weights = {name: self._zipf(len(getattr(self, name))) for name in
                        ("states", "people", "orgs", "collectives", "places", "facilities", "weapons", "programmes",
                         "wars")}

    @staticmethod
    def _zipf(n: int, s: float = 1.05) -> list[float]:
        return list(itertools.accumulate(1.0 / (k ** s) for k in range(1, n + 1)))

    def draw(self, rng: random.Random, category: str) -> Ent:
        cum = self.weights[category]
        return getattr(self, category)[bisect.bisect(cum, rng.random() * cum[-1])]

    def draw_many(self, rng: random.Random, category: str, k: int) -> list[Ent]:
        """k different entities (fewer only if the category has fewer), Zipf-weighted."""
        out: list[Ent] = []
        while len(out) < min(k, len(getattr(self, category))):
            ent = self.draw(rng, category)
            if ent not in out:
                out.append(ent)
        return out

    def write(self, path: Path) -> None:
        with open(path, "w", encoding="utf-8") as f:
            f.write("# Synthetic corpus registry written by benchmarks/make_corpus.py (not real entities).\n")
            f.write("kgbuild: 1\nentities:\n")
            for ent in self.entities.values():
                f.write(f"  {ent.id}:\n    type: {ent.type}\n    label: {_q(ent.label)}\n")
                if ent.aliases:
                    f.write(f"    aliases: [{', '.join(_q(a) for a in ent.aliases)}]\n")
                if ent.belongs_to:
                    f.write(f"    belongs_to: {ent.belongs_to}\n")
                if ent.description:
                    f.write(f"    description: {_q(ent.description)}\n")


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


# ------------------------------------------------------------------ one article
@dataclass
class Mark:
    """A stretch of the generated text that an annotation quotes."""

    text: str
    start: int = -1


class _Text:
    """Builds the body sentence by sentence and remembers where each marked stretch starts."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.sentences: list[tuple[int, int]] = []

    def sentence(self, *frags: str | Mark, end: str = " ") -> None:
        start = self.pos
        for frag in frags:
            if isinstance(frag, Mark):
                frag.start = self.pos
                frag = frag.text
            self.parts.append(frag)
            self.pos += len(frag)
        self.sentences.append((start, self.pos))
        self.parts.append(end)
        self.pos += len(end)

    def body(self) -> str:
        return "".join(self.parts).rstrip(" ") + "\n"


def _bounded(body: str, quote: str) -> list[int]:
    """Word-bounded occurrences (a quote does not match inside a longer word)."""
    found, pos = [], body.find(quote)
    while pos != -1:
        end = pos + len(quote)
        ok_left = not (quote[0].isalnum() and pos > 0 and body[pos - 1].isalnum())
        ok_right = not (quote[-1].isalnum() and end < len(body) and body[end].isalnum())
        if ok_left and ok_right:
            found.append(pos)
        pos = body.find(quote, pos + 1)
    return found


class _Anchors:
    """Writes each Mark as the simplest anchor that resolves to exactly its position."""

    def __init__(self, body: str, sentences: list[tuple[int, int]], rng: random.Random):
        self.body, self.sentences, self.rng = body, sentences, rng

    def __call__(self, mark: Mark) -> str:
        starts = _bounded(self.body, mark.text)
        assert mark.start in starts, (mark.text, mark.start)
        if len(starts) == 1:
            return _q(mark.text)
        if self.rng.random() < 0.5:
            for s, e in self.sentences:
                if s <= mark.start < e:
                    within = self.body[s:e]
                    inner = [x for x in starts if s <= x and x + len(mark.text) <= e]
                    if len(inner) == 1 and len(_bounded(self.body, within)) == 1:
                        return f"{{quote: {_q(mark.text)}, within: {_q(within)}}}"
        return f"{{quote: {_q(mark.text)}, occurrence: {starts.index(mark.start) + 1}}}"


def make_article(pool: Pool, seed: int, index: int) -> tuple[str, str, str]:
    """(article id, text, annotation YAML) for article `index`; depends only on (seed, index)."""
    rng = random.Random(f"article:{seed}:{index}")
    aid = f"syn{seed}-{index:06d}"
    text = _Text()
    mentions: dict[str, list[Mark]] = {}
    roles: list[tuple[str, str, str, Mark]] = []
    events: list[dict] = []
    statements: list[dict] = []
    claims: list[dict] = []

    def mention(ent: Ent, surface: str | None = None) -> Mark:
        mark = Mark(surface or ent.label)
        mentions.setdefault(ent.id, []).append(mark)
        return mark

    agent_state, target_state = pool.draw_many(rng, "states", 2)
    speaker = pool.draw(rng, "people")
    place = pool.draw(rng, "places")
    weapon = pool.draw(rng, "weapons")
    year, month, day = rng.choice((2024, 2025)), rng.randint(1, 12), rng.randint(1, 28)
    published = f"{year}-{month:02d}-{day:02d}"
    kind, phrase, plural, noun = rng.choice(ACTION_KINDS)

    # Headline.
    text.sentence(mention(agent_state), f" {rng.choice(['weighs', 'launches', 'threatens', 'denies'])} {plural} on ",
                  mention(target_state), " as tensions rise near ", mention(place), end="\n")

    # The main military action.
    status = rng.choice(STATUS_CHOICES)
    action_mark = Mark(f"{phrase} {place.label}")
    ev: dict = {"id": "ev-1", "kind": kind, "status": status, "anchor": action_mark, "agents": [agent_state.id],
                "targets": [target_state.id], "places": [place.id], "weapons": [weapon.id],
                "label": f"{noun} by {agent_state.label} on {place.label} ({status})"}
    if status in ("occurred", "ongoing"):
        ev["time"] = published[:7] if rng.random() < 0.5 else published
        text.sentence(mention(agent_state), " carried out ", action_mark, " on ", WEEKDAYS[rng.randrange(7)],
                      ", using ", mention(weapon), ", officials in ", mention(target_state), " said.")
        if rng.random() < 0.5:
            qty = Mark(rng.choice(CASUALTY_WORDS))
            ckind = rng.choice(("killed", "wounded"))
            ev["casualties"] = [{"kind": ckind, "quantity": qty}]
            text.sentence("The attack ", "killed " if ckind == "killed" else "wounded ", qty,
                          " people, according to local health authorities.")
        if rng.random() < 0.4 and pool.facilities:
            fac = pool.draw(rng, "facilities")
            out = Mark(f"heavy damage to the {fac.label}")
            ev["outcomes"] = [{"id": "out-1", "text": out, "affected": [fac.id]}]
            text.sentence("Satellite images showed ", out, ".")
            mentions.setdefault(fac.id, [])
        if rng.random() < 0.5:
            war = pool.draw(rng, "wars")
            war_mark = mention(war)
            events.append({"id": "ev-war", "entity": war.id, "kind": "War", "status": "ongoing", "anchor": war_mark})
            ev["part_of"] = "ev-war"
            text.sentence("The strike is the latest escalation in the ", war_mark, ".")
    else:
        attributor = speaker
        ev["attributed_to"] = [attributor.id]
        verb = {"threatened": "threatened", "proposed": "proposed", "planned": "announced plans for",
                "conditional": "warned of", "reported": "was reported to be preparing",
                "disputed": "disputed reports of"}[status]
        if status == "conditional":
            cond = Mark(f"if {target_state.label} moves {weapon.label} closer to the border")
            ev["condition"] = cond
            text.sentence(mention(attributor), f" {verb} ", action_mark, " ", cond, ".")
        else:
            text.sentence(mention(attributor), f" {verb} ", action_mark, ", using ", mention(weapon), ".")
    events.insert(0, ev)

    # Sometimes the speaker met someone: a meeting, where the quotes below were given.
    meeting = None
    if rng.random() < 0.25:
        other = pool.draw(rng, "people")
        if other.id != speaker.id:
            meeting = Mark(f"met {other.label} in {place.label}")
            events.append({"id": "ev-meeting", "kind": "Meeting", "status": "occurred", "anchor": meeting,
                           "participants": [speaker.id, other.id], "places": [place.id], "time": published,
                           "label": f"Meeting of {speaker.label} and {other.label} in {place.label}"})
            text.sentence(mention(speaker), " ", meeting, " on ", WEEKDAYS[rng.randrange(7)], ".")

    # The speaker's role, when they hold one in a state of the story.
    positions = pool.positions_by_state.get(agent_state.id, [])
    if positions and rng.random() < 0.4:
        pos = rng.choice(positions)
        role_mark = Mark(f"{pos.label} {speaker.label}")
        roles.append(("role-1", speaker.id, pos.id, role_mark))
        mentions.setdefault(pos.id, [])
        mentions.setdefault(speaker.id, [])
        text.sentence(role_mark, " spoke to reporters in ", mention(place), " after the announcement.")

    # One or two quotes.
    quote_marks: list[str] = []
    for qi in range(1, rng.choice((1, 2, 2, 2, 3))):
        who = speaker if qi == 1 else pool.draw(rng, "people")
        words = f"{rng.choice(QUOTE_OPENERS)} {rng.choice(QUOTE_VERBS)} {place.label} {rng.choice(QUOTE_TAILS)}"
        qmark = Mark(words)
        st: dict = {"id": f"q-{qi}", "speaker": who.id, "quote": qmark, "about": [ev["id"]]}
        if meeting is not None and qi == 1:
            st["occasion"] = "ev-meeting"
        surname = Mark(who.aliases[0])
        mentions.setdefault(who.id, []).append(surname)
        if rng.random() < 0.3:
            setting = Mark(f"In a televised address on {WEEKDAYS[rng.randrange(7)]}")
            st["setting"] = setting
            text.sentence(setting, ", ", surname, " said: “", qmark, ".”")
        else:
            text.sentence("“", qmark, ",” ", surname, f" {rng.choice(SAY_VERBS)}.")
        if rng.random() < 0.3:
            st["addressee"] = target_state.id
        if rng.random() < 0.3:
            st["date"] = published
        statements.append(st)
        quote_marks.append(st["id"])

    # One to three claims, some through named outlets, some hedged.
    for ci in range(1, rng.choice((2, 2, 2, 3))):
        pick = rng.random()
        claimant = (pool.draw(rng, "collectives") if pick < 0.4 else pool.draw(rng, "orgs") if pick < 0.8
                    else speaker)
        verb, modality = rng.choice(CLAIM_VERBS)
        fac = pool.draw(rng, "facilities")
        hedge = rng.choice(HEDGES) if modality in ("hedged", "speculative", "reported") or rng.random() < 0.2 else None
        template = rng.choice(CLAIM_CLAUSES)
        slot = next((w for w in (" had ", " was ", " could ") if w in template), None)
        if hedge and slot:
            template = template.replace(slot, f"{slot}{hedge} ", 1)
        else:
            hedge = None
        clause = template.format(a=agent_state.label, w=weapon.label, p=place.label, f=fac.label)
        cmark, vmark = Mark(clause), Mark(verb)
        cl: dict = {"id": f"c-{ci}", "claimant": claimant.id, "text": cmark, "modality": modality, "verb": vmark,
                    "about": [agent_state.id, ev["id"]]}
        frags: list[str | Mark] = [mention(claimant), " ", vmark, " that ", cmark]
        if rng.random() < 0.5:
            outlet = pool.draw(rng, "orgs")
            if outlet.type == "MediaOutlet" and outlet.id != claimant.id:
                cl["according_to"] = [outlet.id]
                frags += [", according to ", mention(outlet)]
        if statements and claimant.id == statements[0]["speaker"]:
            cl["quotes"] = [statements[0]["id"]]
        text.sentence(*frags, ".")
        if hedge:
            # The hedge sits inside the claim text: mark its position there.
            cl["hedges"] = [Mark(hedge, cmark.start + clause.index(f" {hedge} ") + 1)]
        claims.append(cl)

    # A closing sentence that repeats the main actors (so some quotes need disambiguation).
    text.sentence("Neither ", mention(agent_state), " nor ", mention(target_state),
                  " commented further on the situation in ", place.label, ".")

    body = text.body()
    anchor = _Anchors(body, text.sentences, rng)
    y: list[str] = [
        f"# Synthetic article {index} (benchmarks/make_corpus.py, seed {seed}).",
        "kgbuild: 1", f"id: {aid}", f"text: {index:06d}.txt", "language: en", f"published: {published}",
        "mentions:",
    ]
    for n, (key, marks) in enumerate(mentions.items()):
        if not marks:
            continue
        seen: set[int] = set()
        unique = [mk for mk in marks if not (mk.start in seen or seen.add(mk.start))]
        if n >= 2 and rng.random() < 0.7:  # annotators mark the main entities, most only where first named
            continue
        if rng.random() < 0.85:
            unique = unique[:1]
        starts = _bounded(body, unique[0].text)
        if len({mk.text for mk in unique}) == 1 and {mk.start for mk in unique} == set(starts) and len(starts) > 1:
            y.append(f"  {key}:\n    - {{quote: {_q(unique[0].text)}, all: true}}")
        elif len(unique) == 1:
            y.append(f"  {key}: {anchor(unique[0])}")
        else:
            y.append(f"  {key}:")
            y.extend(f"    - {anchor(mk)}" for mk in unique)
    if roles:
        y.append("roles:")
        for rid, holder, pos_id, mark in roles:
            y.append(f"  - id: {rid}\n    holder: {holder}\n    position: {pos_id}\n    anchor: {anchor(mark)}")
    y.append("events:")
    for ev in events:
        y.append(f"  - id: {ev['id']}")
        for key in ("entity", "kind", "status"):
            if key in ev:
                y.append(f"    {key}: {ev[key]}")
        if "label" in ev:
            y.append(f"    label: {_q(ev['label'])}")
        y.append(f"    anchor: {anchor(ev['anchor'])}")
        for key in ("agents", "targets", "participants", "weapons", "places", "attributed_to"):
            if ev.get(key):
                y.append(f"    {key}: [{', '.join(ev[key])}]")
        for key in ("time", "part_of"):
            if key in ev:
                y.append(f"    {key}: {ev[key]}" if key != "time" else f"    time: \"{ev[key]}\"")
        if "condition" in ev:
            y.append(f"    condition: {anchor(ev['condition'])}")
        for c in ev.get("casualties", []):
            y.append(f"    casualties:\n      - kind: {c['kind']}\n        quantity: {anchor(c['quantity'])}")
        for o in ev.get("outcomes", []):
            y.append(f"    outcomes:\n      - id: {o['id']}\n        text: {anchor(o['text'])}\n"
                     f"        affected: [{', '.join(o['affected'])}]")
    y.append("statements:" if statements else "")
    for st in statements:
        y.append(f"  - id: {st['id']}\n    speaker: {st['speaker']}\n    quote: {anchor(st['quote'])}")
        if "setting" in st:
            y.append(f"    setting: {anchor(st['setting'])}")
        if "addressee" in st:
            y.append(f"    addressee: {st['addressee']}")
        if "occasion" in st:
            y.append(f"    occasion: {st['occasion']}")
        if "date" in st:
            y.append(f"    date: \"{st['date']}\"")
        y.append(f"    about: [{', '.join(st['about'])}]")
    y.append("claims:")
    for cl in claims:
        y.append(f"  - id: {cl['id']}\n    claimant: {cl['claimant']}\n    text: {anchor(cl['text'])}\n"
                 f"    modality: {cl['modality']}")
        if rng.random() < 0.6:
            y.append(f"    verb: {anchor(cl['verb'])}")
        if "hedges" in cl:
            y.append(f"    hedges: [{anchor(cl['hedges'][0])}]")
        for key in ("according_to", "about", "quotes"):
            if cl.get(key):
                y.append(f"    {key}: [{', '.join(dict.fromkeys(cl[key]))}]")
    return aid, body, "\n".join(y) + "\n"


def write_corpus(n: int, out: Path, *, seed: int = 1, actors: int = 5000, start: int = 0) -> Path:
    """Write registry.yaml and articles start..start+n-1 under `out`; returns `out`."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "articles").mkdir(exist_ok=True)
    pool = Pool(seed, actors)
    pool.write(out / "registry.yaml")
    for i in range(start, start + n):
        _, body, annotation = make_article(pool, seed, i)
        (out / "articles" / f"{i:06d}.txt").write_text(body, encoding="utf-8")
        (out / "articles" / f"{i:06d}.yaml").write_text(annotation, encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of articles")
    parser.add_argument("out_dir", type=Path, help="corpus folder to write (registry.yaml, articles/)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--actors", type=int, default=5000, help="size of the actor pool (default 5000)")
    args = parser.parse_args(argv)
    write_corpus(args.n, args.out_dir, seed=args.seed, actors=args.actors)
    print(f"wrote {args.n} articles and a registry of {len(Pool(args.seed, args.actors).entities)} entities "
          f"to {args.out_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
