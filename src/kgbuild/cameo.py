"""CAMEO event codes for kgbuild events, so the graph joins event data coded in CAMEO (GDELT and its successors).

CAMEO (Conflict and Mediation Event Observations, codebook 1.1b3) codes *what kind of
interaction* an event is: 040 consult, 138 threaten with military force, 190 use
conventional military force, 195 employ aerial weapons, and so on. The codes used here,
with their codebook labels, form a small SKOS concept scheme in ontology/cameo.ttl;
the mapper writes `sem:eventType <https://w3id.org/kgbuild/cameo/CODE>` for each.

How a kgbuild event gets its codes:

* A military event whose status is `threatened` or `conditional` is a threat: 1384
  (threaten conventional attack) when it names a kind of attack, else 138.
* Any other event gets the code of each of its kinds (KIND_CODES). The code says what
  kind of event it is or would be; `kg:status` still says whether it happened, so a
  join with an event database should also ask for `kg:RealizedEvent`.
* Kinds with no close CAMEO code (Disarmament) get none: no code is better than a wrong one.
"""
from __future__ import annotations

from . import model as m
from .vocab import CAMEO

THREAT_STATUSES = ("threatened", "conditional")

# Every code here is in ontology/cameo.ttl (a test checks), with its codebook label.
KIND_CODES: dict[str, tuple[str, ...]] = {
    "Meeting": ("040",),  # Consult, not specified below
    "Ceasefire": ("0871",),  # Declare truce, ceasefire
    "War": ("190",),  # Use conventional military force, not specified below
    "MilitaryAction": ("190",),
    "Retaliation": ("190",),
    "MissileAttack": ("190",),
    "Airstrike": ("195",),  # Employ aerial weapons, not specified below
    "BunkerBusterBombing": ("195",),
    "DroneAttack": ("1952",),  # Employ remotely piloted aerial munitions
    "MissileTest": ("150",),  # Demonstrate military or police power, not specified below
    "WeaponsBuildup": ("154",),  # Mobilize or increase armed forces
}
ATTACK_KINDS = ("Airstrike", "MissileAttack", "DroneAttack", "BunkerBusterBombing")
THREAT_CODE = "138"  # Threaten with military force, not specified below
THREAT_ATTACK_CODE = "1384"  # Threaten conventional attack


def event_codes(event: m.Event) -> tuple[str, ...]:
    """The CAMEO codes of one event, sorted; () when no code fits.

    >>> event_codes(m.Event(id="x", kinds=("Airstrike",), label="x", status="conditional", spans=()))
    ('1384',)
    """
    if event.status in THREAT_STATUSES:
        if not event.is_military:
            return ()
        return (THREAT_ATTACK_CODE,) if any(k in ATTACK_KINDS for k in event.kinds) else (THREAT_CODE,)
    return tuple(sorted({code for kind in event.kinds for code in KIND_CODES.get(kind, ())}))


def code_iri(code: str) -> str:
    """The concept IRI of a CAMEO code: https://w3id.org/kgbuild/cameo/0871."""
    return CAMEO + code


def is_tagged_kind(event: m.Event) -> bool:
    """Events that must carry a code: every military action, threat and meeting."""
    return event.is_military or "Meeting" in event.kinds
