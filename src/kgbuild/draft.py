"""Draft an annotation file for a new article, for a person to review: the YAML composer.

    result = draft_article(Path("data/articles/001_x.txt"), registry=registry,
                           out_yaml=Path("data/articles/001_x.yaml"))
    Path("data/articles/001_x.yaml").write_text(result.yaml)

The NLP steps live in `kgbuild.drafting` (spaCy parse, attributions, entities, events, dates,
HTML input); this module turns what they find into an annotation file. What it writes:

* **Statements** (direct quotes) with the speaker of the attribution that covers them
  (`drafting.attribution`, `drafting.entities.ArticleEntities.speaker`), else the older
  sentence rules below.
* **Claims**: indirect attributions, with claimant, reporting verb, modality, hedges and the
  reporting chain (an attribution inside another's content is according to the outer source).
* **Events** with status (`drafting.events`); **new entities** proposed with a type in the
  header, for registry.yaml. Anything whose speaker or claimant is not a registry entity is
  written commented out with a REVIEW note saying what was found.

The older sentence rules, used when no attribution covers a quote:

* **Quotes**: every passage in “curly” or "straight" double quotes becomes a statement. A
  comma, semicolon or colon the quote ends with is left out, and so is a final full stop
  (or ! ?) unless the quote is a whole sentence (starts upper case, has several words).
  A quoted name of a registry policy (“America First”) is a mention of the policy, not a quote.
* **Speakers**: the attribution verb nearest the quote in its sentence (said, warned, stated,
  argued, insisted, claimed, emphasized, praised, ...; before the quote if there is one, else
  after); its subject is the nearest registry actor (or he/she) before the verb, else one just
  after it when the verb follows the quote ("...,” said Trump"). A participle ("stating", "declaring") takes the subject of the
  finite attribution verb before it, and so does a coordinated verb ("said ... and warned").
  "The officials" stands for the last actor named whose name ends in "officials". With no attribution verb, the sentence's first actor or
  pronoun is taken. "He"/"she" stand for the last person named before them. A quote whose
  speaker is not found is written commented out, to be completed by hand.
* **Mentions**: every registry label and alias, at word boundaries (see `RegistryNames`).
* **Dates**: absolute dates normalised to ISO 8601 at the precision given ("June 2025" ->
  2025-06); a day-precision date in the first lines (a dateline) becomes `published`; all
  dates are listed in the file's header for use as event times.

Every drafted item carries a `# REVIEW` comment saying how it was found. Comments do not
change what the loader reads, so a draft loads and builds as it is; delete a comment once
the item is checked (`pending_reviews` counts what is left).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from . import model as m
from .anchoring import Span, sentences
from .drafting.attribution import extract, univocal
from .drafting.brat import write_brat
from .drafting.cuemodel import shipped
from .drafting.dates import resolve
from .drafting.entities import ArticleEntities, Proposal
from .drafting.events import DraftEvent, find_events
from .drafting.nlp import parse_batches, parse_for_attributions, pipeline
from .drafting.source import ArticleSource, read_article
from .drafting.spans import Attribution, Fragments, trim
from .errors import KgbuildError
from .importers.common import (
    DateHit,
    NameHit,
    RegistryNames,
    article_id_for,
    find_dates,
    slug,
    text_reference,
    unique_id,
    write_annotation,
)

REVIEW = "REVIEW"
T = TypeVar("T")
_VERB_STEMS = (
    r"sa(?:y|ys|id|ying)|warn(?:s|ed|ing)?|stated|stating|argu(?:e|es|ed|ing)|insist(?:s|ed|ing)?"
    r"|claim(?:ed|ing)|emphasi[sz](?:e|es|ed|ing)|prais(?:e|es|ed|ing)|t(?:ells|old)|add(?:s|ed)"
    r"|declar(?:e|es|ed|ing)|describ(?:e|es|ed|ing)|not(?:es|ed|ing)|assert(?:s|ed|ing)?|vow(?:s|ed|ing)?"
    r"|threaten(?:s|ed|ing)?|boast(?:s|ed|ing)?|stress(?:es|ed|ing)|announc(?:e|es|ed|ing)|wr(?:ites|ote)"
    r"|urg(?:e|es|ed|ing)|reiterat(?:e|es|ed|ing)|remark(?:s|ed|ing)?|call(?:s|ed|ing)|den(?:ies|ied|ying)"
    r"|acknowledg(?:e|es|ed|ing)|admit(?:s|ted|ting)?|predict(?:s|ed|ing)?|promis(?:es|ed|ing)"
    r"|suggest(?:s|ed|ing)?|dismiss(?:es|ed|ing)|brand(?:s|ed|ing)|repl(?:ies|ied|ying)|respond(?:s|ed|ing)?"
    r"|tweet(?:s|ed|ing)?|recall(?:s|ed|ing)?|confirm(?:s|ed|ing)?"
)
ATTRIBUTION_VERB = re.compile(rf"\b(?:{_VERB_STEMS})\b|\b[Aa]ccording to\b")
PRONOUN = re.compile(r"\b(?:[Hh]e|[Ss]he)\b")
_DEFINITE = re.compile(r"\b[Tt]he ([a-z]{4,})\b")
_COORDINATED = re.compile(r"\band\s+$")
_JUST_PUNCTUATION = re.compile(r"^[\s,;:.!?”\"’]*$")
_QUOTES = (re.compile(r"“([^“”]+)”"), re.compile(r'"([^"\n]+)"'))
_TRAILING_ALWAYS = ",;:"
_TRAILING_FINAL = ".!?"
DATELINE_LINES = 3
MODALITY_CUES = (("warn", "warned"), ("insist", "insisted"), ("den", "denied"), ("report", "reported"),
                 ("according", "reported"), ("claim", "asserted"))
HEDGES = re.compile(r"\b(?:could|may|might|possibly|potentially|reportedly|likely|perhaps|appear(?:s|ed)?|seem(?:s|ed)?)\b",
                    re.IGNORECASE)
SPECULATIVE = frozenset({"could", "may", "might", "possibly", "potentially", "perhaps"})


@dataclass(frozen=True)
class DraftStatement:
    """A drafted quote: where it is, who probably said it, and why."""

    id: str
    span: Span
    speaker: str | None
    reason: str


@dataclass
class Draft:
    """A drafted annotation file and what it contains, for review and for benchmarks."""

    article_id: str
    body: str
    yaml: str
    statements: list[DraftStatement] = field(default_factory=list)
    mentions: dict[str, list[Span]] = field(default_factory=dict)
    dates: list[DateHit] = field(default_factory=list)
    published: str | None = None
    text_path: Path | None = None
    is_html: bool = False
    attributions: list[Attribution] = field(default_factory=list)
    claims: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)


# ---------------------------------------------------------------- quotes
def find_quotes(body: str) -> list[Span]:
    """Every quoted passage, trimmed to the quoted words (see the module docstring), in text order."""
    found: dict[int, Span] = {}
    for pattern in _QUOTES:
        for match in pattern.finditer(body):
            start, end = match.span(1)
            while start < end and body[start].isspace():
                start += 1
            while end > start and (body[end - 1].isspace() or body[end - 1] in _TRAILING_ALWAYS):
                end -= 1
            inner = body[start:end]
            whole_sentence = inner[:1].isupper() and " " in inner
            while end > start and body[end - 1] in _TRAILING_FINAL and not whole_sentence:
                end -= 1
            if end > start and not any(s.start <= start < s.end for s in found.values()):
                found[start] = Span(start, end, body[start:end])
    return sorted(found.values())


# ---------------------------------------------------------------- speakers
@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    entity: str | None  # None for a pronoun
    text: str


class _Speakers:
    """Finds the likely speaker of each quote (see the module docstring)."""

    def __init__(self, body: str, registry: m.Registry, hits: list[NameHit], quotes: list[Span]):
        self.body, self.registry, self.quotes = body, registry, quotes
        actors = [h for h in hits if registry.entities[h.entity].type in m.ACTOR_TYPES]
        outer = [h for h in actors if not any(o is not h and o.span.start <= h.span.start and h.span.end <= o.span.end
                                                 and (o.span.end - o.span.start) > (h.span.end - h.span.start)
                                                 for o in actors)]
        self.candidates = sorted(
            [_Candidate(h.span.start, h.span.end, h.entity, h.span.exact) for h in outer if not self.quoted(h.span.start)]
            + [_Candidate(p.start(), p.end(), None, p.group()) for p in PRONOUN.finditer(body) if not self.quoted(p.start())],
            key=lambda c: (c.start, c.end),
        )
        self.persons = [h for h in actors if registry.entities[h.entity].type == "Person" and not self.quoted(h.span.start)]
        self.candidates = sorted(self.candidates + self._definite(actors), key=lambda c: (c.start, c.end))
        self.sentences = sentences(body)

    def _definite(self, actors: list[NameHit]) -> list[_Candidate]:
        """'the officials' -> the last actor named before it whose name ends in 'officials'."""
        heads: dict[str, set[str]] = {}
        for key, ent in self.registry.entities.items():
            for name in (ent.label, *ent.aliases):
                words = name.split()
                if ent.type in m.ACTOR_TYPES and len(words) > 1:
                    heads.setdefault(words[-1].lower(), set()).add(key)
        out = []
        for match in _DEFINITE.finditer(self.body):
            noun = match.group(1).lower()
            if self.quoted(match.start()) or noun not in heads:
                continue
            if any(c.start < match.end() and match.start() < c.end for c in self.candidates):
                continue
            before = [h for h in actors if h.span.end <= match.start() and h.entity in heads[noun]]
            if before:
                out.append(_Candidate(match.start(), match.end(), before[-1].entity, match.group()))
        return out

    def quoted(self, offset: int) -> bool:
        return any(q.start <= offset < q.end for q in self.quotes)

    def sentence_of(self, span: Span) -> Span:
        for sentence in self.sentences:
            if sentence.start <= span.start < sentence.end:
                return sentence
        return Span(span.start, span.end, span.exact)

    def resolve(self, cand: _Candidate, how: str) -> tuple[str | None, str]:
        if cand.entity is not None:
            return cand.entity, how
        before = [p for p in self.persons if p.span.end <= cand.start]
        if not before:
            return None, f"{how}: pronoun {cand.text!r} with no person named before it"
        person = before[-1]
        return person.entity, f"{how}: pronoun {cand.text!r} -> last person named ({person.span.exact!r})"

    def subject_of(self, verb: re.Match[str], sentence: Span, quote: Span) -> _Candidate | None:
        if verb.group().lower().startswith("according"):
            after = [c for c in self.candidates if verb.end() <= c.start < sentence.end]
            return after[0] if after else None
        before = [c for c in self.candidates if sentence.start <= c.start and c.end <= verb.start()]
        if before:
            return before[-1]
        # Inversion right after the quote: “...,” said Trump / “...,” Trump said.
        if _JUST_PUNCTUATION.match(self.body[quote.end:verb.start()]):
            after = [c for c in self.candidates if verb.end() <= c.start < sentence.end
                     and len(self.body[verb.end():c.start].split()) <= 3]
            return after[0] if after else None
        return None

    def speaker(self, quote: Span) -> tuple[str | None, str]:
        sentence = self.sentence_of(quote)
        verbs = [v for v in ATTRIBUTION_VERB.finditer(self.body, sentence.start, sentence.end)
                 if not self.quoted(v.start())]
        preceding = [v for v in verbs if v.end() <= quote.start]
        following = [v for v in verbs if v.start() >= quote.end]
        verb = preceding[-1] if preceding else (following[0] if following else None)
        if verb is not None and verb.group().endswith("ing") and not verb.group().lower().startswith("according"):
            finite = [v for v in verbs if v.end() <= verb.start() and not v.group().endswith("ing")]
            verb = finite[-1] if finite else None
        # A coordinated verb ("... said X and warned ...") shares the subject of the verb before it.
        while verb is not None and _COORDINATED.search(self.body[sentence.start:verb.start()]):
            earlier = [v for v in verbs if v.end() <= verb.start() and not v.group().endswith("ing")]
            if not earlier:
                break
            verb = earlier[-1]
        if verb is not None:
            subject = self.subject_of(verb, sentence, quote)
            if subject is not None:
                return self.resolve(subject, f"subject of {verb.group()!r}")
            return None, f"no actor found as the subject of {verb.group()!r}"
        first = [c for c in self.candidates if sentence.start <= c.start < quote.start]
        if first:
            return self.resolve(first[0], "sentence subject (no attribution verb found)")
        return None, "no attribution verb or actor in the sentence"


# ---------------------------------------------------------------- the draft
def _headline(body: str) -> Span | None:
    """The first non-empty line that is not an editor's note in [brackets]."""
    pos = 0
    for line in body.split("\n"):
        stripped = line.strip()
        if stripped and not (stripped.startswith("[") and stripped.endswith("]")):
            start = pos + line.index(stripped)
            return Span(start, start + len(stripped), stripped)
        pos += len(line) + 1
    return None


def _names_a_policy(quote: Span, names: RegistryNames, registry: m.Registry) -> bool:
    key = names.lookup(quote.exact)
    return key is not None and registry.entities[key].type == "Policy"


def _span(body: str, frags: Fragments) -> Span:
    return Span(frags[0][0], frags[-1][1], body[frags[0][0]:frags[-1][1]])


def _modality(body: str, att: Attribution) -> tuple[str, list[Span]]:
    cue = att.text(body, "cue").lower()
    for word, modality in MODALITY_CUES:
        if word in cue:
            return modality, []
    start, end = att.content[0][0], att.content[-1][1]
    hedges = [Span(start + h.start(), start + h.end(), h.group()) for h in HEDGES.finditer(body[start:end])]
    if hedges:
        return ("speculative" if any(h.exact.lower() in SPECULATIVE for h in hedges) else "hedged"), hedges
    return "asserted", []


def _claims(body: str, attributions: list[Attribution], entities: ArticleEntities, taken: set[str],
            notes: dict[str, str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Claims from indirect attributions; those without a registry claimant come back commented."""
    claims, hidden = [], []
    for att in attributions:
        if att.direct:
            continue
        claimant, how = entities.speaker(att.speaker)
        outer = [o for o in attributions if o is not att and o.cue[0][0] < att.cue[0][0] < o.content[-1][1]
                 and o.content[0][0] <= att.cue[0][0]]
        chain = [k for o in outer for k in [entities.speaker(o.speaker)[0]] if k in entities.registry.entities]
        modality, hedges = _modality(body, att)
        content = _span(body, att.content)
        ident = unique_id("c-" + slug(content.exact), taken)
        verb = trim(body, att.cue, " :") or att.cue  # "said:" -> "said"; a colon line's cue stays ":"
        item: dict[str, Any] = {"id": ident, "claimant": claimant or "TODO", "text": content,
                                "verb": _span(body, verb), "modality": modality, "hedges": hedges,
                                "according_to": [k for k in chain if k != claimant]}
        if claimant in entities.registry.entities:
            notes[ident] = f"{REVIEW}: claim by {claimant} ({how}); check its extent and modality"
            claims.append(item)
        else:
            who = att.text(body, "source") or "no source in the text"
            notes[ident] = f"{REVIEW}: claimant not in the registry (source {who!r}: {how}); set claimant, uncomment"
            hidden.append(item)
    return claims, hidden


def _events(found: list[DraftEvent], registry: m.Registry, taken: set[str], notes: dict[str, str]) -> list[dict]:
    items = []
    for ev in found:
        ident = unique_id("e-" + slug(ev.span.exact) + "-" + ev.status, taken)
        notes[ident] = f"{REVIEW}: {ev.kind}, {ev.status} ({ev.reason}); check kind, status, agents, targets, time"
        items.append({"id": ident, "kind": ev.kind, "label": f"{ev.kind} ({ev.span.exact})", "status": ev.status,
                      "anchor": ev.span, "agents": [a for a in ev.agents if a in registry.entities and registry.entities[a].is_actor],
                      "targets": [t for t in ev.targets if t in registry.entities], "time": ev.date})
    return items


def _proposal_lines(proposals: list[Proposal]) -> list[str]:
    if not proposals:
        return []
    lines = ["", f"{REVIEW}: named in the text, not in the registry; add those you keep to registry.yaml:"]
    for p in proposals:
        lines.append(f"  {p.id}: {{type: {p.type}, label: {p.label!r}}}  # {len(p.spans)} mention(s)")
    return lines


def draft_article(text_path: Path, *, registry: m.Registry, out_yaml: Path | None = None) -> Draft:
    """Draft the annotation file for the article (text or saved HTML page) at `text_path`; nothing is written.

    For an HTML page the extracted text is in `Draft.body`; the caller writes it to `Draft.text_path`.
    """
    source = read_article(Path(text_path))
    return draft_parsed(source, pipeline()(source.body), registry=registry, out_yaml=out_yaml)


def _read_all(items: Iterable[tuple[Path, T]]) -> tuple[list[tuple[ArticleSource, T]], list[tuple[Path, KgbuildError]]]:
    """The articles that can be read, each with its context, and the errors of those that cannot."""
    readable, unreadable = [], []
    for path, context in items:
        try:
            readable.append((read_article(Path(path)), context))
        except KgbuildError as exc:
            unreadable.append((Path(path), exc))
    return readable, unreadable


def draft_articles(articles: Iterable[tuple[Path, Path | None]], *,
                   registry: m.Registry) -> Iterator[tuple[Path, Draft | KgbuildError]]:
    """`draft_article` for each (article, annotation file) pair, the articles parsed in batches
    (`nlp.parse_batches`): an article that cannot be read or drafted gives its error, the others
    their drafts. Unreadable articles come first, then the drafts in order."""
    readable, unreadable = _read_all(articles)
    yield from unreadable
    for doc, (source, out_yaml) in parse_batches((s.body, (s, out)) for s, out in readable):
        try:
            yield source.path, draft_parsed(source, doc, registry=registry, out_yaml=out_yaml)
        except KgbuildError as exc:
            yield source.path, exc


def draft_parsed(source: ArticleSource, doc: Any, *, registry: m.Registry, out_yaml: Path | None = None) -> Draft:
    """`draft_article` for an article already read and parsed (`doc`, by `nlp.pipeline`, entities included)."""
    text_path = source.path
    out_yaml = Path(out_yaml) if out_yaml is not None else text_path.with_suffix(".yaml")
    body = source.body
    saved_text = out_yaml.with_suffix(".txt") if source.is_html else text_path
    attributions = extract(doc, shipped(), body)
    article_id = article_id_for(saved_text, body)
    names = RegistryNames(registry)
    hits = names.find(body)
    entities = ArticleEntities(doc, registry, hits)
    quotes = [q for q in find_quotes(body) if not _names_a_policy(q, names, registry)]
    speakers = _Speakers(body, registry, hits, quotes)
    notes: dict[str, str] = {}
    taken = set(registry.entities)

    mentions: dict[str, list[Span]] = {}
    for hit in hits:
        mentions.setdefault(hit.entity, []).append(hit.span)
    for key, spans in mentions.items():
        counts: dict[str, int] = {}
        for span in spans:
            counts[span.exact] = counts.get(span.exact, 0) + 1
        found = ", ".join(f"{text!r} ×{n}" if n > 1 else repr(text) for text, n in counts.items())
        notes[key] = f"{REVIEW}: {registry.entities[key].label} ({registry.entities[key].type}), by name: {found}"

    drafted: list[DraftStatement] = []
    statements: list[dict[str, Any]] = []
    unresolved: list[dict[str, Any]] = []
    for quote in quotes:
        owner = next((a for a in attributions if any(s <= quote.start and quote.end <= e for s, e in a.content)), None)
        speaker, reason = entities.speaker(owner.speaker) if owner is not None else (None, "no attribution")
        proposed = speaker if speaker in entities.proposals else None
        if speaker not in registry.entities:
            speaker, reason = speakers.speaker(quote) if proposed is None else (None, reason)
        ident = unique_id("q-" + slug(quote.exact), taken)
        drafted.append(DraftStatement(ident, quote, speaker or proposed, reason))
        if proposed is not None:
            notes[ident] = (f"{REVIEW}: speaker {entities.proposals[proposed].label} ({reason}) is a proposed "
                            "registry entry; add it to registry.yaml, then uncomment")
            unresolved.append({"id": ident, "speaker": proposed, "quote": quote})
        elif speaker is None:
            notes[ident] = f"{REVIEW}: speaker not found ({reason}); set speaker and uncomment"
            unresolved.append({"id": ident, "speaker": "TODO", "quote": quote})
        else:
            label = registry.entities[speaker].label
            notes[ident] = f"{REVIEW}: speaker {label} — {reason}; check the quote's extent, add setting/occasion/about"
            statements.append({"id": ident, "speaker": speaker, "quote": quote})

    dates = find_dates(body)
    first_lines_end = sum(len(line) + 1 for line in body.split("\n")[:DATELINE_LINES])
    published = resolve(source.date, None) if source.date else None
    published = published or next((d.iso for d in dates if d.span.start < first_lines_end and d.iso.count("-") == 2),
                                   None)
    if published:
        notes["@published"] = f"{REVIEW}: publication date read from the " + ("page" if source.date else "dateline")
    claims, hidden_claims = _claims(body, attributions, entities, taken, notes)
    events = _events(find_events(doc, entities, published), registry, taken, notes)
    headline = _headline(body)
    if headline is not None and headline.start != 0:
        notes["@headline"] = f"{REVIEW}: headline = first line that is not a [bracketed] note"

    header = [
        f"DRAFT written by `kgbuild draft` from {text_path.name}: every item below was found by rules and",
        f"carries a '# {REVIEW}' note saying how. Check each item, fix or delete it, then delete its note.",
        "The file loads and builds as it is (comments do not count); commented items need an id from the registry.",
    ]
    header += [f"page: {k} = {v}" for k, v in (("outlet", source.outlet), ("url", source.url)) if v]
    if dates:
        header.append("")
        header.append(f"{REVIEW}: dates in the text, as ISO 8601 (for events' time/begin/end, statements' date):")
        for d in dates:
            line = body.count("\n", 0, d.span.start) + 1
            header.append(f"  text line {line}: {d.span.exact!r} -> {d.iso}")
    header += _proposal_lines(list(entities.proposals.values()))
    doc_out: dict[str, Any] = {
        "kgbuild": 1, "id": article_id, "text": text_reference(out_yaml, saved_text),
        "headline": headline, "language": "en", "published": published,
        "mentions": mentions, "events": events, "statements": statements, "claims": claims,
    }
    commented = {"statements": unresolved, "claims": hidden_claims}
    yaml_text = write_annotation(doc_out, body, notes=notes, header=header, group_mentions=True,
                                 commented={k: v for k, v in commented.items() if v})
    return Draft(article_id=article_id, body=body, yaml=yaml_text, statements=drafted, mentions=mentions,
                 dates=dates, published=published, text_path=saved_text, is_html=source.is_html,
                 attributions=attributions, claims=[*claims, *hidden_claims], events=events,
                 proposals=list(entities.proposals.values()))


def draft_attributions(body: str) -> list[Attribution]:
    """The attributions of an article's text, the outermost of nested ones (for brat output and scoring)."""
    return attributions_of(parse_for_attributions(body), body)


def attributions_of(doc: Any, body: str) -> list[Attribution]:
    """`draft_attributions` of an article already parsed (`doc`, the parse of `body`)."""
    return univocal(extract(doc, shipped(), body))


def draft_brat(path: Path) -> tuple[ArticleSource, str]:
    """The article at `path` and its attributions as brat standoff (no registry needed); nothing is written."""
    source = read_article(Path(path))
    return source, write_brat(draft_attributions(source.body), source.body)


def draft_brats(paths: Iterable[Path]) -> Iterator[tuple[Path, tuple[ArticleSource, str] | KgbuildError]]:
    """`draft_brat` for each article, parsed in batches, errors as `draft_articles` gives them."""
    readable, unreadable = _read_all((p, None) for p in paths)
    yield from unreadable
    for doc, source in parse_batches(((s.body, s) for s, _ in readable), for_attributions=True):
        yield source.path, (source, write_brat(attributions_of(doc, source.body), source.body))


def pending_reviews(annotation_text: str) -> int:
    """How many '# REVIEW' notes an annotation file still has."""
    return sum(1 for line in annotation_text.splitlines() if re.match(rf"^\s*#\s*{REVIEW}\b", line))
