"""Readers for what places an article's statements in context: its own voice, its unnamed sources,
relative times, relations between actors it states, and the quantities of its events.

A mixin of `loader._ArticleReader` (which supplies `err`, `spans`, `span`, `entity`, `local`,
`data`): kept apart so the loader stays one screenful per concern. Every check here raises one
AnnotationError naming the file, the line and the item.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import model as m

if TYPE_CHECKING:
    from .anchoring import Span
    from .errors import AnnotationError
    from .loader import LineDict

# Sections whose items are actors local to one article (claimants, agents, speakers).
ACTOR_SECTIONS = ("voice", "sources")
# What a relative time may count from, and what it may place.
TIME_ANCHOR_SECTIONS = ("events", "times")
TIME_PLACED_SECTIONS = ("events", "claims", "statements")
# Which bounds each vagueness may give.
ALLOWED_NUMBERS = {
    "exact": {"value"}, "approximate": {"value"}, "at-most": {"max"}, "at-least": {"min"},
    "range": {"min", "max"}, "indefinite": set(),
}


class ContextReader:
    """Reads voice, sources, times and relations, and the quantities of one event."""

    data: LineDict
    local: dict[str, tuple[str, int]]

    if TYPE_CHECKING:
        def err(self, message: str, line: int | None, item: str | None = None,
                hint: str | None = None) -> AnnotationError: ...
        def spans(self, spec: Any, line: int | None, item: str | None, *,
                  allow_all: bool = False) -> tuple[Span, ...]: ...
        def span(self, spec: Any, line: int | None, item: str | None) -> Span: ...
        def entity(self, ref: str, line: int | None, item: str | None, *, types: tuple[str, ...] | None = None,
                   what: str = "entity") -> str: ...
        def local_ref(self, ref: str, section: str, line: int | None, item: str | None) -> str: ...

    def is_local_actor(self, ref: str) -> bool:
        return self.local.get(ref, ("",))[0] in ACTOR_SECTIONS

    def voice_id(self) -> str | None:
        raw = self.data.get("voice")
        return raw["id"] if raw else None

    def in_sections(self, ref: str, sections: tuple[str, ...], line: int | None, item: str | None,
                    what: str) -> str:
        if self.local.get(ref, ("",))[0] not in sections:
            raise self.err(f"{ref!r} is not one of this article's {what}", line, item,
                           hint=f"give the id of one of its {' or '.join(sections)}")
        return ref

    # ------------------------------------------------------------ voice and sources
    def voice(self) -> m.Voice | None:
        raw = self.data.get("voice")
        if raw is None:
            return None
        item, ln = raw["id"], raw.lines
        outlet = raw.get("outlet")
        if outlet is not None:
            self.entity(outlet, ln["outlet"], item, types=("MediaOutlet",), what="media outlet")
        spans = self.spans(raw["anchor"], ln["anchor"], item) if "anchor" in raw else ()
        return m.Voice(id=item, label=raw["label"], spans=spans, outlet=outlet)

    def sources(self) -> tuple[m.Source, ...]:
        out = []
        for raw in self.data.get("sources", []):
            item, ln = raw["id"], raw.lines
            parent = raw.get("belongs_to")
            if parent is not None:
                self.entity(parent, ln["belongs_to"], item, types=m.ACTOR_TYPES, what="actor")
            out.append(m.Source(id=item, label=raw["label"], spans=self.spans(raw["anchor"], ln["anchor"], item),
                                belongs_to=parent))
        return tuple(out)

    # ------------------------------------------------------------ relative times
    def times(self) -> tuple[m.RelativeTime, ...]:
        out = []
        seen: set[str] = set()
        for raw in self.data.get("times", []):
            item, line, ln = raw["id"], raw.line, raw.lines
            relations = []
            for how in m.TIME_RELATIONS:
                if how not in raw:
                    continue
                ref = self.in_sections(raw[how], TIME_ANCHOR_SECTIONS, ln[how], item, "events or times")
                if self.local[ref][0] == "times" and ref not in seen:
                    raise self.err(f"{how} {ref!r}: a time may only count from an event or a time listed before it",
                                   ln[how], item, hint="move the time it counts from above it")
                relations.append((how, ref))
            if not relations and not raw.get("now"):
                raise self.err("a relative time needs 'after', 'before' or 'during' (what it counts from), or 'now: true'",
                               line, item, hint="e.g. after: <the event it is later than>")
            if "offset" in raw and not any(how in ("after", "before") for how, _ in relations):
                raise self.err("'offset' needs 'after' or 'before' (what the offset counts from)", ln["offset"], item)
            if raw.get("offset") == "P":
                raise self.err("offset 'P' has no length", ln["offset"], item, hint="e.g. P6M for six months")
            refers = tuple(self.in_sections(r, TIME_PLACED_SECTIONS, ln.get("refers_to"), item,
                                            "events, claims or quotes") for r in raw.get("refers_to", []))
            out.append(m.RelativeTime(id=item, span=self.span(raw["text"], ln["text"], item),
                                      relations=tuple(relations), offset=raw.get("offset"), refers_to=refers,
                                      now=bool(raw.get("now"))))
            seen.add(item)
        if sum(t.now for t in out) > 1:
            raise self.err("more than one time says 'now: true'", self.data.lines.get("times"), None,
                           hint="an article has one present")
        return tuple(out)

    # ------------------------------------------------------------ relations between actors
    def actor(self, ref: str, line: int | None, item: str | None) -> str:
        if self.is_local_actor(ref):
            return ref
        return self.entity(ref, line, item, types=m.ACTOR_TYPES, what="actor")

    def relations(self) -> tuple[m.Relation, ...]:
        out = []
        for raw in self.data.get("relations", []):
            item, line, ln = raw["id"], raw.line, raw.lines
            subject = self.actor(raw["subject"], ln["subject"], item)
            if raw["kind"] == "located-in":
                obj = self.entity(raw["object"], ln["object"], item, types=m.PLACE_TYPES, what="place")
            else:
                obj = self.actor(raw["object"], ln["object"], item)
            if subject == obj:
                raise self.err(f"a relation of {subject!r} to itself", ln["object"], item)
            if "claimant" in raw:
                given = raw["claimant"] if isinstance(raw["claimant"], list) else [raw["claimant"]]
                claimants = tuple(self.actor(c, ln["claimant"], item) for c in given)
            elif self.voice_id():
                claimants = (str(self.voice_id()),)
            else:
                raise self.err("who states this relation? give 'claimant', or declare the article's 'voice'", line, item)
            claim = self.local_ref(raw["claim"], "claims", ln["claim"], item) if "claim" in raw else None
            out.append(m.Relation(id=item, kind=raw["kind"], subject=subject, object=obj,
                                  spans=self.spans(raw["anchor"], ln["anchor"], item), claimants=claimants,
                                  claim=claim, line=line))
        return tuple(out)

    # ------------------------------------------------------------ quantities of one event
    def quantities(self, event: LineDict) -> tuple[m.Quantity, ...]:
        out = []
        for raw in event.get("quantities", []):
            item, ln = raw["id"], raw.lines
            given = {k for k in ("value", "min", "max") if k in raw}
            allowed = ALLOWED_NUMBERS[raw["vagueness"]]
            if given - allowed:
                extra = sorted(given - allowed)[0]
                raise self.err(f"vagueness {raw['vagueness']!r} takes no {extra!r}", ln[extra], item,
                               hint=f"{raw['vagueness']} gives {', '.join(sorted(allowed)) or 'no number'}")
            if raw["vagueness"] == "range" and given != allowed:
                raise self.err("a range needs both 'min' and 'max'", raw.line, item)
            if "min" in raw and "max" in raw and raw["min"] > raw["max"]:
                raise self.err(f"min {raw['min']} is more than max {raw['max']}", ln["min"], item)
            if ("per" in raw) != ("rate" in raw):
                raise self.err("'per' (the period, e.g. P1Y) and 'rate' (its words, e.g. annually) go together",
                               ln.get("per") or ln.get("rate"), item)
            out.append(m.Quantity(
                id=item, span=self.span(raw["text"], ln["text"], item), vagueness=raw["vagueness"],
                value=raw.get("value"), min=raw.get("min"), max=raw.get("max"),
                of=tuple(self.entity(e, ln["of"], item) for e in raw.get("of", [])),
                unit=self.span(raw["unit"], ln["unit"], item) if "unit" in raw else None,
                per=raw.get("per"), rate=self.span(raw["rate"], ln["rate"], item) if "rate" in raw else None,
            ))
        return tuple(out)
