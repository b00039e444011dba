"""Typed, validated records built once by the loader and only read afterwards."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .anchoring import Span

# Controlled values. The JSON Schemas in kgbuild/schemas list the same values
# (a test keeps them in step); the mapper maps each to an ontology term.
ACTOR_TYPES = (
    "Person",
    "State",
    "Government",
    "GovernmentAgency",
    "Military",
    "ArmedGroup",
    "MediaOutlet",
    "ThinkTank",
    "CollectiveActor",
    "UnattributedSource",
)
THING_TYPES = ("Place", "Facility", "Programme", "WeaponType", "Position", "Event", "Policy")
ENTITY_TYPES = ACTOR_TYPES + THING_TYPES
PLACE_TYPES = ("Place", "State", "Facility")

EVENT_KINDS = (
    "Meeting",
    "Ceasefire",
    "War",
    "MilitaryAction",
    "Airstrike",
    "MissileAttack",
    "DroneAttack",
    "BunkerBusterBombing",
    "Retaliation",
    "MissileTest",
    "WeaponsBuildup",
    "Disarmament",
    "Support",
)
MILITARY_KINDS = (
    "War",
    "MilitaryAction",
    "Airstrike",
    "MissileAttack",
    "DroneAttack",
    "BunkerBusterBombing",
    "Retaliation",
    "MissileTest",
    "WeaponsBuildup",
)
STATUSES = ("occurred", "ongoing", "threatened", "proposed", "planned", "conditional", "reported", "disputed",
            "feared", "possible")
REALIZED_STATUSES = ("occurred", "ongoing")
MODALITIES = ("asserted", "hedged", "speculative", "insisted", "warned", "denied", "reported")
CASUALTY_KINDS = ("killed", "wounded")
LINK_MATCHES = ("same", "exact", "close")
ENTITY_MATCHES = ("certain", "possible")  # how sure the text is that an event is the registry event
VAGUENESS = ("exact", "approximate", "at-most", "at-least", "range", "indefinite")
RELATION_KINDS = ("proxy-of", "located-in", "allied-with")
TIME_RELATIONS = ("after", "before", "during")


@dataclass(frozen=True)
class Entity:
    """A corpus-wide thing with one IRI: actor, place, facility, programme, weapon, position, event."""

    id: str
    type: str
    label: str
    aliases: tuple[str, ...] = ()
    belongs_to: str | None = None
    description: str | None = None
    line: int | None = None

    @property
    def is_actor(self) -> bool:
        return self.type in ACTOR_TYPES


@dataclass(frozen=True)
class Link:
    """A curated identifier in another graph, with the target's own label for reviewers."""

    entity: str
    label: str
    wikidata: str | None = None
    dbpedia: str | None = None
    match: str = "same"
    line: int | None = None


@dataclass(frozen=True)
class Registry:
    """Entities and links shared by every article of a corpus."""

    entities: dict[str, Entity]
    links: dict[str, Link]
    path: Path | None = None
    source_hash: str = ""


@dataclass(frozen=True)
class TimeValue:
    """An ISO date at the precision the text gives (xsd:date, xsd:gYearMonth or xsd:gYear)."""

    lexical: str
    datatype: str  # "date" | "gYearMonth" | "gYear"


@dataclass(frozen=True)
class Mention:
    entity: str
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class Role:
    """A position a person holds at the time of the article, as the text states it."""

    id: str
    holder: str
    position: str
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class Casualties:
    kind: str
    quantity: Span


@dataclass(frozen=True)
class Outcome:
    """A reported result of an event (damage, hits), with what it affected."""

    id: str
    span: Span
    affected: tuple[str, ...] = ()


@dataclass(frozen=True)
class Quantity:
    """How many of something an event involves, in the text's words and with the text's vagueness.

    "hundreds" is indefinite with no number; "up to 3,000" is at-most with max 3000.
    Numbers are only those the text gives; `per` is the period of a rate ("annually": P1Y).
    """

    id: str
    span: Span
    vagueness: str
    value: int | float | None = None
    min: int | float | None = None
    max: int | float | None = None
    of: tuple[str, ...] = ()
    unit: Span | None = None
    per: str | None = None
    rate: Span | None = None


@dataclass(frozen=True)
class Event:
    """Something that happened or might: a meeting, a war, a strike, a threat of one."""

    id: str
    kinds: tuple[str, ...]
    label: str
    status: str
    spans: tuple[Span, ...]
    entity: str | None = None
    agents: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    supporters: tuple[str, ...] = ()
    participants: tuple[str, ...] = ()
    weapons: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    about: tuple[str, ...] = ()
    attributed_to: tuple[str, ...] = ()
    time: TimeValue | None = None
    begin: TimeValue | None = None
    end: TimeValue | None = None
    duration: str | None = None
    part_of: str | None = None
    condition: Span | None = None
    support: Span | None = None
    outcomes: tuple[Outcome, ...] = ()
    casualties: tuple[Casualties, ...] = ()
    quantities: tuple[Quantity, ...] = ()
    entity_match: str = "certain"
    required_by: tuple[str, ...] = ()
    line: int | None = None

    @property
    def is_military(self) -> bool:
        return any(k in MILITARY_KINDS for k in self.kinds)

    @property
    def realized(self) -> bool:
        return self.status in REALIZED_STATUSES


@dataclass(frozen=True)
class Statement:
    """A direct quote: exact words and who spoke them."""

    id: str
    speaker: str
    span: Span
    setting: Span | None = None
    occasion: str | None = None
    addressee: str | None = None
    about: tuple[str, ...] = ()
    date: TimeValue | None = None
    verb: Span | None = None
    line: int | None = None


@dataclass(frozen=True)
class Claim:
    """An attributed assertion, with its hedging and the chain of sources that report it."""

    id: str
    claimants: tuple[str, ...]
    span: Span
    modality: str
    verb: Span | None = None
    hedges: tuple[Span, ...] = ()
    according_to: tuple[str, ...] = ()
    about: tuple[str, ...] = ()
    quotes: tuple[str, ...] = ()
    line: int | None = None


@dataclass(frozen=True)
class Voice:
    """The article's own voice (its author or outlet) as a claimant: what the text says unattributed."""

    id: str
    label: str
    spans: tuple[Span, ...] = ()  # a byline, if the text has one; else the mapper anchors the headline
    outlet: str | None = None


@dataclass(frozen=True)
class Source:
    """An unnamed source ("reports", "intelligence assessments") local to one article and one place in it.

    Two "reports" in one article are two sources unless the text says they are the same.
    """

    id: str
    label: str
    spans: tuple[Span, ...]
    belongs_to: str | None = None


@dataclass(frozen=True)
class RelativeTime:
    """A time the text gives relative to an event or another time ("just six months later")."""

    id: str
    span: Span
    relations: tuple[tuple[str, str], ...] = ()  # (after|before|during, event or time id)
    offset: str | None = None  # ISO 8601 duration from the related event/time ("P6M")
    refers_to: tuple[str, ...] = ()  # the events, claims or quotes this time places
    now: bool = False  # the expression locates the article's present


@dataclass(frozen=True)
class Relation:
    """A relation between actors as the article states it (proxy of, located in, allied with): attributed, not a fact."""

    id: str
    kind: str
    subject: str
    object: str
    spans: tuple[Span, ...]
    claimants: tuple[str, ...]
    claim: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class Article:
    """One annotated article: its exact text and every annotation, offsets resolved."""

    id: str
    path: Path
    text_path: Path
    body: str
    headline: Span
    language: str
    source_hash: str
    published: TimeValue | None = None
    mentions: tuple[Mention, ...] = ()
    roles: tuple[Role, ...] = ()
    events: tuple[Event, ...] = ()
    statements: tuple[Statement, ...] = ()
    claims: tuple[Claim, ...] = ()
    voice: Voice | None = None
    sources: tuple[Source, ...] = ()
    times: tuple[RelativeTime, ...] = ()
    relations: tuple[Relation, ...] = ()
    entities: dict[str, Entity] = field(default_factory=dict)
    links: dict[str, Link] = field(default_factory=dict)
