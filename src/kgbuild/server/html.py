"""Small HTML helpers: every value goes through `esc`, every link through `href`, nothing else is trusted."""
from __future__ import annotations

from html import escape

import pyoxigraph as ox

from ..vocab import PREFIXES

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
HTML_HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer"}


def esc(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def page(title: str, body: str, *, body_attrs: str = "", scripts: tuple[str, ...] = (),
         styles: tuple[str, ...] = ("/static/style.css",)) -> str:
    tags = "".join(f'<script src="{esc(s)}" defer></script>' for s in scripts)
    links = "".join(f'<link rel="stylesheet" href="{esc(s)}">' for s in styles)
    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{esc(title)}</title>{links}{tags}</head>"
        f"<body{body_attrs}><header class=\"top\"><a class=\"brand\" href=\"/\">kgbuild</a>"
        "<nav><a href=\"/\">Query</a> <a href=\"/queries\">Saved queries (JSON)</a> "
        "<a href=\"/openapi.json\">API</a> <a href=\"/sparql\">Service description</a></nav></header>"
        f"<main>{body}</main></body></html>\n"
    )


class Linker:
    """Turns RDF terms into HTML: our IRIs link to this server, web IRIs link out, the rest is text."""

    def __init__(self, base: str, local_prefix: str):
        self.base = base
        self.local_prefix = local_prefix
        self.prefixes = {"id": base, **PREFIXES}

    def local(self, iri: str) -> str | None:
        if iri.startswith(self.base) and len(iri) > len(self.base):
            return self.local_prefix + iri[len(self.base):]
        return None

    def short(self, iri: str) -> str:
        for prefix, ns in self.prefixes.items():
            if iri.startswith(ns) and len(iri) > len(ns):
                return f"{prefix}:{iri[len(ns):]}"
        return iri

    def href(self, iri: str) -> str | None:
        local = self.local(iri)
        if local is not None:
            return local
        if iri.startswith(("http://", "https://")):
            return iri
        return None

    def iri(self, iri: str, label: str | None = None) -> str:
        text = esc(label or self.short(iri))
        target = self.href(iri)
        if target is None:
            return f"<span class=\"iri\">{text}</span>"
        rel = "" if self.local(iri) else " rel=\"nofollow noopener\""
        return f"<a href=\"{esc(target)}\" title=\"{esc(iri)}\"{rel}>{text}</a>"

    def term(self, term: object, label: str | None = None) -> str:
        if isinstance(term, ox.NamedNode):
            return self.iri(term.value, label)
        if isinstance(term, ox.Literal):
            extra = ""
            if term.language:
                extra = f" <span class=\"lang\">@{esc(term.language)}</span>"
            elif term.datatype.value != PREFIXES["xsd"] + "string":
                extra = f" <span class=\"datatype\">{esc(self.short(term.datatype.value))}</span>"
            return f"<span class=\"literal\">{esc(term.value)}</span>{extra}"
        if isinstance(term, ox.BlankNode):
            return f"<span class=\"bnode\">_:{esc(term.value)}</span>"
        return esc(term)


def highlight(text: str, spans: list[tuple[int, int, str | None, str]]) -> str:
    """The text with each (start, end, href, title) span marked; overlapping spans nest as segments."""
    n = len(text)
    cuts = sorted({0, n, *(max(0, min(n, s)) for s, _, _, _ in spans), *(max(0, min(n, e)) for _, e, _, _ in spans)})
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        if a >= b:
            continue
        covering = [sp for sp in spans if sp[0] <= a and sp[1] >= b]
        chunk = esc(text[a:b])
        if not covering:
            out.append(chunk)
            continue
        covering.sort(key=lambda sp: sp[1] - sp[0])
        title = esc("; ".join(dict.fromkeys(sp[3] for sp in covering)))
        href = covering[0][2]
        inner = f"<a href=\"{esc(href)}\">{chunk}</a>" if href else chunk
        depth = min(len(covering), 3)
        out.append(f"<mark class=\"anchor depth{depth}\" title=\"{title}\">{inner}</mark>")
    return "".join(out)
