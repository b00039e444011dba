"""Attributions in PolNeAR's brat standoff layout, both ways.

Written: for each attribution, T lines `Source`, `Cue`, `Content` (several fragments joined by
';'), a T `Attribution` on the cue, and `E<n>\tAttribution:T Source:T Cue:T Content:T`
(without `Source:` when the text names none). Read: the same, leniently: PolNeAR's own files
continue a span's text over several lines when it crosses a paragraph, and those extra lines
are skipped; E lines of type Attribution and Attribution-no-source count.
"""
from __future__ import annotations

from ..importers.brat import BratSyntaxError, EventAnnotation, TextBound, format_annotation, parse_line
from .spans import Attribution, Fragments

ATTRIBUTION_TYPES = ("Attribution", "Attribution-no-source")


def _text(body: str, frags: Fragments) -> str:
    return " ".join(body[s:e] for s, e in frags).replace("\r", " ").replace("\n", " ")


def write_brat(attributions: list[Attribution], body: str) -> str:
    """The .ann text for `attributions` of `body` (attributions without a cue or content are left out)."""
    lines: list[str] = []
    t = 0
    for n, att in enumerate((a for a in attributions if a.cue and a.content), 1):
        refs: list[tuple[str, str]] = []
        for role, frags in (("Source", att.source), ("Cue", att.cue), ("Content", att.content)):
            if frags:
                t += 1
                lines.append(format_annotation(TextBound(f"T{t}", role, frags, _text(body, frags))))
                refs.append((role, f"T{t}"))
        t += 1
        kind = "Attribution" if att.source else "Attribution-no-source"
        lines.append(format_annotation(TextBound(f"T{t}", kind, att.cue, _text(body, att.cue))))
        lines.append(format_annotation(EventAnnotation(f"E{n}", kind, f"T{t}", tuple(refs))))
    return "".join(line + "\n" for line in lines)


def read_brat(ann_text: str) -> list[Attribution]:
    """The attributions of a brat .ann text (see the module docstring)."""
    spans: dict[str, Fragments] = {}
    events: list[EventAnnotation] = []
    for number, line in enumerate(ann_text.split("\n"), 1):
        try:
            ann = parse_line(line.rstrip("\r"), number)
        except BratSyntaxError:
            continue
        if isinstance(ann, TextBound):
            spans[ann.id] = ann.fragments
        elif isinstance(ann, EventAnnotation) and ann.type in ATTRIBUTION_TYPES:
            events.append(ann)
    out = []
    for event in events:
        roles = {role.rstrip("0123456789"): spans.get(ref, ()) for role, ref in event.args}
        if roles.get("Content") and roles.get("Cue"):
            out.append(Attribution(roles.get("Source", ()), roles["Cue"], roles["Content"]))
    return out
