"""`kgbuild show`: an entity's profile printed for a person at a terminal (rich)."""
from __future__ import annotations

from collections.abc import Callable

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .profile import Profile


def print_profile(p: Profile, console: Console, short: Callable[[str], str]) -> None:
    """Who it is, then what it said, claimed and did (each event with its status), then where it is named."""
    console.print(Text(p.label, style="bold"), Text(f"  {short(p.iri)}", style="dim"))
    facts = [("kind", ", ".join(p.kinds))]
    if p.aliases:
        facts.append(("also", ", ".join(p.aliases)))
    if p.same_as:
        facts.append(("same as", " ".join(short(s) for s in p.same_as)))
    for key, value in facts:
        console.print(Text(f"{key:>8}: ", style="dim"), value)
    width = console.width
    if p.said:
        t = Table("said", "setting", "article", title=f"Said ({len(p.said)})", title_justify="left", width=width)
        for s in p.said:
            t.add_row(f"“{s.text}”", s.setting or "", short(s.article))
        console.print(t)
    if p.claimed:
        t = Table("claimed", "verb", "modality", "article", title=f"Claimed ({len(p.claimed)})",
                  title_justify="left", width=width)
        for c in p.claimed:
            t.add_row(c.text, c.verb or "", c.modality or "", short(c.article))
        console.print(t)
    if p.did:
        t = Table("event", "role", "status", "time", "article", title=f"Took part in ({len(p.did)})",
                  title_justify="left", width=width)
        for d in p.did:
            status = Text(d.status, style="green" if d.realized else "yellow italic")
            t.add_row(d.label, d.role, status, d.time or "", short(d.article))
        console.print(t)
    if p.mentioned:
        t = Table("article", "headline", "mentions", title=f"Named in {p.mentioned_total} article(s)"
                  + (f", the first {len(p.mentioned)} shown" if p.mentioned_total > len(p.mentioned) else ""),
                  title_justify="left", width=width)
        for m in p.mentioned:
            t.add_row(short(m.article), m.headline, str(m.times))
        console.print(t)
    if not (p.said or p.claimed or p.did or p.mentioned):
        console.print("Nothing said, claimed or done by it, and no article names it.", style="dim")
