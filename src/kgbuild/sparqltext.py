"""Just enough SPARQL lexing for the protocol layer: no parser, no rewriting of user values.

pyoxigraph parses and runs queries; this module only answers questions about the
text that the protocol needs before handing it over:

* does a query name its own dataset (FROM / FROM NAMED)? Then the union default
  graph must not override it.
* does a request reach out to the network (SERVICE, LOAD), and to which hosts?
  Those are refused unless the server was started to allow them, and then only
  to loopback or named hosts (a public endpoint that fetches arbitrary URLs on
  request is a server-side request forgery hole).
* is a request too deep or too long for pyoxigraph's recursive parser and
  algebra? Those are refused before pyoxigraph sees them (`too_complex`).
* where do the protocol's `using-graph-uri` / `using-named-graph-uri` go in an
  update? pyoxigraph takes no dataset for updates, so the IRIs (validated by
  pyoxigraph's NamedNode, then written in <...>) are placed as USING clauses
  before each DELETE/INSERT operation's WHERE, exactly where the SPARQL 1.1
  Protocol says they act.

Strings, IRIs, comments, variables and prefixed names are recognised as whole
tokens, so a keyword inside a literal or a `?from` variable is never mistaken
for syntax.
"""
from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import pyoxigraph as ox

from .errors import DatasetConflict

_TOKEN = re.compile(
    r'''
      (?P<ws>\s+)
    | (?P<comment>\#[^\n\r]*)
    | (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""
               |\'\'\'(?:[^'\\]|\\.|'(?!\'\'))*\'\'\'
               |"(?:[^"\\\n\r]|\\.)*"
               |'(?:[^'\\\n\r]|\\.)*')
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][^\s{}()\[\];,.<>"'=!&|+*/^-]+)
    | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<pname>(?:[A-Za-z_][\w.-]*)?:[^\s{}()\[\];,<>"'^]*)
    | (?P<word>[A-Za-z_][\w-]*)
    | (?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)
    | (?P<open>\{)
    | (?P<close>\})
    | (?P<semi>;)
    | (?P<other>.)
    ''',
    re.X | re.S,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int
    depth: int  # brace depth before the token

    def is_word(self, *words: str) -> bool:
        return self.kind == "word" and self.text.upper() in words


def tokens(text: str) -> Iterator[Token]:
    """Significant tokens (no whitespace or comments) with their brace depth."""
    depth = 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind in ("ws", "comment"):
            continue
        if kind == "close":
            depth = max(depth - 1, 0)
        yield Token(kind, match.group(), match.start(), depth)
        if kind == "open":
            depth += 1


def has_dataset_clause(query: str) -> bool:
    """True when the query has FROM or FROM NAMED (only dataset clauses use that keyword)."""
    if "from" not in query.lower():  # the common case needs no lexing
        return False
    return any(t.is_word("FROM") for t in tokens(query))


def network_targets(text: str) -> list[tuple[str, str | None]]:
    """Every SERVICE or LOAD in a query or update, with the absolute http(s) IRI it reaches.

    The IRI is None when it is not written out as one `<http(s)://...>` token (a
    variable, a prefixed name, a relative IRI, escapes): such a target cannot be
    checked before the query runs, so the caller refuses it.
    """
    lowered = text.lower()
    if "service" not in lowered and "load" not in lowered:
        return []
    found: list[tuple[str, str | None]] = []
    toks = list(tokens(text))
    for i, t in enumerate(toks):
        if not t.is_word("SERVICE", "LOAD"):
            continue
        j = i + 1
        if j < len(toks) and toks[j].is_word("SILENT"):
            j += 1
        iri = toks[j].text[1:-1] if j < len(toks) and toks[j].kind == "iri" else None
        if iri is not None and not re.match(r"(?i)https?://[^/?#]", iri):
            iri = None
        found.append((t.text.upper(), iri))
    return found


def is_allowed_host(iri: str, allowed: Iterable[str] = ()) -> bool:
    """True when the http(s) IRI's host is loopback (localhost, 127.0.0.0/8, ::1) or one of `allowed`."""
    try:
        host = urlsplit(iri).hostname
    except ValueError:
        return False
    if not host:
        return False
    host = host.rstrip(".").lower()
    if host == "localhost" or host in {h.rstrip(".").lower() for h in allowed}:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


MAX_DEPTH = 200
MAX_TOKENS = 100_000


def too_complex(text: str, *, max_depth: int = MAX_DEPTH, max_tokens: int = MAX_TOKENS) -> str | None:
    """Why a query or update is too deep or too long to hand to pyoxigraph, or None.

    pyoxigraph parses and plans recursively, on the calling thread's stack: a few
    thousand nested groups, parentheses or blank-node brackets, or tens of
    thousands of UNIONs or operators, overflow it and kill the whole process
    (a segmentation fault, which no `except` catches). The server runs queries on
    threads with a large stack (see server/runner.py) and refuses, here, what even
    that stack would not hold: nesting deeper than `max_depth` brackets of any
    kind, or more than `max_tokens` tokens. Both are far above real queries.
    """
    depth = deepest = count = 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind in ("ws", "comment"):
            continue
        count += 1
        if count > max_tokens:
            return f"the request is too long: more than {max_tokens:,} tokens"
        if kind == "open" or (kind == "other" and match.group() in "(["):
            depth += 1
            if depth > deepest:
                deepest = depth
                if depth > max_depth:
                    return f"the request is nested too deeply: more than {max_depth} levels of brackets"
        elif kind == "close" or (kind == "other" and match.group() in ")]"):
            depth = max(depth - 1, 0)
    return None


def _operations(toks: list[Token]) -> list[list[Token]]:
    ops: list[list[Token]] = [[]]
    for t in toks:
        if t.kind == "semi" and t.depth == 0:
            ops.append([])
        else:
            ops[-1].append(t)
    return [op for op in ops if op]


def apply_using(update: str, default: Sequence[ox.NamedNode], named: Sequence[ox.NamedNode]) -> str:
    """Give each DELETE/INSERT ... WHERE operation the protocol's USING / USING NAMED graphs.

    Raises DatasetConflict when the update already has USING, USING NAMED or WITH
    (SPARQL 1.1 Protocol, section 2.2.3), or when a `DELETE WHERE` shortcut would
    have to take a dataset it has no syntax for.
    """
    if not default and not named:
        return update
    toks = list(tokens(update))
    if any(t.is_word("USING", "WITH") for t in toks if t.depth == 0):
        raise DatasetConflict("the update has its own USING/WITH clause and the request also gives "
                              "using-graph-uri/using-named-graph-uri; give the dataset one way only")
    clause = " ".join([*(f"USING <{g.value}>" for g in default), *(f"USING NAMED <{g.value}>" for g in named)])
    inserts: list[int] = []
    for op in _operations(toks):
        words = [t for t in op if t.depth == 0 and t.kind == "word" and not t.is_word("PREFIX", "BASE")]
        if not words or not words[0].is_word("INSERT", "DELETE"):
            continue
        if len(words) > 1 and words[1].is_word("DATA"):
            continue
        if words[0].is_word("DELETE") and len(words) > 1 and words[1].is_word("WHERE"):
            raise DatasetConflict("DELETE WHERE { ... } cannot take using-graph-uri/using-named-graph-uri; "
                                  "write it as DELETE { ... } WHERE { ... }")
        where = next((t for t in words if t.is_word("WHERE")), None)
        if where is not None:
            inserts.append(where.start)
    for pos in reversed(inserts):
        update = f"{update[:pos]}{clause} {update[pos:]}"
    return update
