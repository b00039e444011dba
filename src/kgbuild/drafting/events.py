"""Events the article tells of, with the status its grammar gives them.

An event word (a verb or noun of `EVENT_WORDS`, with a modifier naming the weapon: "missile
attack", "drone strike"; or a general noun with the word that makes it one: "military action",
"missile test") is an event; its status comes from the words around it:
"threatened to" / "warned of" -> threatened; "urged", "called for", "options", "proposed" ->
proposed; "will", "plans to", "is set to" -> planned; "would", "could", "might", or an "if"
clause -> conditional; an ongoing "-ing" with "is" -> ongoing; else past tense -> occurred,
present or unknown -> reported (for a reviewer to settle). An event in a setting phrase
("pressed Trump during a meeting") takes only the tense of the verb it hangs from; in a
headline, whose parse is poor, a proposing or threatening word before the event decides. Agent = the entity named in the
subject of the verb, target = one named after "against", "on" or as its object, date = a
date phrase in the sentence, resolved against the article's date.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..anchoring import Span
from .dates import resolve
from .entities import ArticleEntities

EVENT_WORDS = {
    "meet": "Meeting", "meeting": "Meeting", "summit": "Meeting", "talks": "Meeting",
    "ceasefire": "Ceasefire", "truce": "Ceasefire", "war": "War",
    "strike": "MilitaryAction", "attack": "MilitaryAction", "invade": "MilitaryAction", "invasion": "MilitaryAction",
    "offensive": "MilitaryAction", "airstrike": "Airstrike", "bomb": "Airstrike", "bombing": "Airstrike",
    "retaliate": "Retaliation", "retaliation": "Retaliation",
    "operation": "MilitaryAction", "mission": "MilitaryAction", "assault": "MilitaryAction", "raid": "MilitaryAction",
    "conflict": "War", "disarm": "Disarmament", "disarmament": "Disarmament",
}
QUALIFIED = {("action", "military"): "MilitaryAction", ("test", "missile"): "MissileTest"}  # only with that word
WEAPON_MODIFIERS = {"missile": "MissileAttack", "drone": "DroneAttack", "air": "Airstrike"}
THREAT = frozenset({"threaten", "warn", "vow"})
PROPOSAL = frozenset({"urge", "call", "propose", "press", "push", "demand", "seek", "option", "consider", "suggest"})
PLAN = frozenset({"plan", "intend", "prepare", "schedule", "set"})
CONDITIONAL = frozenset({"would", "could", "might", "may"})
SETTING = frozenset({"during", "at", "in", "after", "before", "since", "amid", "following"})


def _base(word: Any) -> str:
    """The lemma, also for a headline's capitalised verb the tagger took for a name ('URGES' -> 'urge')."""
    lemma = word.lemma_.lower()
    if (word.is_title or word.is_upper) and lemma == word.lower_:
        for suffix in ("es", "s", "ed", "d"):
            if lemma.endswith(suffix) and lemma[:-len(suffix)] in THREAT | PROPOSAL | PLAN:
                return lemma[:-len(suffix)]
    return lemma


@dataclass
class DraftEvent:
    """A drafted event: where, what kind, status and why, who did it to whom, when."""

    span: Span
    kind: str
    status: str
    reason: str
    agents: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    date: str | None = None


def _kind(tok: Any) -> str | None:
    lemma = tok.lemma_.lower()
    kind = EVENT_WORDS.get(lemma) or EVENT_WORDS.get(tok.lower_)
    if kind is None and tok.pos_ == "NOUN":
        modifiers = {c.lower_.rstrip("s") for c in tok.children if c.dep_ in ("compound", "amod")}
        kind = next((k for (word, modifier), k in QUALIFIED.items() if lemma == word and modifier in modifiers), None)
    if kind in ("MilitaryAction", "Airstrike") and tok.pos_ == "NOUN":
        for child in tok.children:
            if child.dep_ in ("compound", "amod") and child.lower_.rstrip("s") in WEAPON_MODIFIERS:
                return WEAPON_MODIFIERS[child.lower_.rstrip("s")]
    return kind


def _status(tok: Any) -> tuple[str, str]:
    sentence = tok.sent
    chain, word = [], tok
    for _ in range(4):
        chain.append(word)
        if word.head.i == word.i:
            break
        word = word.head
    for below, word in zip(chain, chain[1:], strict=False):
        if below.dep_ == "pobj" and word.lower_ in SETTING:
            break  # "pressed Trump during a meeting": the meeting is when, not what was pressed for
        for group, status in ((THREAT, "threatened"), (PROPOSAL, "proposed"), (PLAN, "planned")):
            if _base(word) in group:
                return status, f"governed by {word.text!r}"
    if not sentence.text.rstrip().endswith((".", "?", "!", "”", '"')):  # a headline: its parse is poor
        word = next((w for w in sentence if w.i < tok.i and _base(w) in PROPOSAL | THREAT), None)
        if word is not None:
            return ("threatened" if _base(word) in THREAT else "proposed"), f"headline: {word.text!r} before it"
    if any(t.lower_ in ("options", "option") for t in sentence):
        return "proposed", "'options' in the sentence"
    verb = next((w for w in chain if w.pos_ in ("VERB", "AUX")), None)
    if verb is None:
        return "reported", "no verb decides it"
    aux = [c.lower_ for c in verb.children if c.dep_ in ("aux", "auxpass")]
    if any(a in ("will", "'ll", "’ll") for a in aux):
        return "planned", f"'will {verb.text}'"
    if any(a in CONDITIONAL for a in aux):
        marked = any(t.lower_ == "if" for t in sentence)
        return "conditional", f"'{aux[0]} {verb.text}'" + (" with 'if'" if marked else "")
    if verb.tag_ == "VBG" and any(a in ("is", "are", "was", "were") for a in aux):
        return "ongoing", f"'{aux[-1]} {verb.text}'"
    if verb.tag_ in ("VBD", "VBN"):
        return "occurred", f"past tense {verb.text!r}"
    return "reported", f"{verb.text!r} is not past tense"


def _named_in(tokens: list[Any], entities: ArticleEntities) -> list[str]:
    if not tokens:
        return []
    start, end = min(t.idx for t in tokens), max(t.idx + len(t) for t in tokens)
    return list(dict.fromkeys(k for k, s in entities.named() if start <= s.start and s.end <= end))


def find_events(doc: Any, entities: ArticleEntities, published: str | None) -> list[DraftEvent]:
    """Every event word of the article, in text order, outside direct quotes' speakers' reach."""
    out = []
    for tok in doc:
        kind = _kind(tok)
        if kind is None or tok.pos_ not in ("VERB", "NOUN"):
            continue
        status, reason = _status(tok)
        verb = tok if tok.pos_ == "VERB" else tok.head
        subject = [t for c in verb.children if c.dep_ in ("nsubj", "agent") for t in c.subtree]
        target = [t for c in tok.children if c.dep_ in ("dobj", "prep") and (c.dep_ == "dobj" or c.lower_ in ("against", "on"))
                  for t in c.subtree]
        date = next((resolve(e.text, published) for e in tok.sent.ents if e.label_ == "DATE"
                     and resolve(e.text, published)), None)
        out.append(DraftEvent(Span(tok.idx, tok.idx + len(tok), tok.text), kind, status, reason,
                              _named_in(subject, entities), _named_in(target, entities), date))
    return out
