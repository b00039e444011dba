"""Every bad input gets one clear line (file, line, item, hint), exit code 1, and an untouched store."""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from kgbuild.cli import main

ARTICLE = "articles/000_a2fbfe0915b87551.yaml"


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), "utf-8")


def line_of(path: Path, needle: str) -> int:
    for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if needle in line:
            return n
    raise AssertionError(needle)


CASES: dict[str, tuple[Callable[[Path], None], str]] = {
    "invalid YAML": (lambda c: edit(c / ARTICLE, "kgbuild: 1\nid:", "kgbuild: 1\nid: [unclosed\n  x:"),
                     r"000_a2fbfe0915b87551\.yaml:\d+: invalid YAML: .*\(hint: check indentation and quoting\)"),
    "wrong type": (lambda c: edit(c / ARTICLE, "    status: occurred\n    anchor: launched airstrikes",
                                  "    status: 3\n    anchor: launched airstrikes"),
                   r"yaml:\d+: \[israeli-airstrikes\] events\.\d+\.status: 3 is not one of .*\(hint: one of: occurred"),
    "unknown key (typo)": (lambda c: edit(c / ARTICLE, "  - id: q-severely-damaged\n    speaker:",
                                          "  - id: q-severely-damaged\n    speker:"),
                           r"yaml:\d+: \[q-severely-damaged\] .*unknown key 'speker' \(hint: did you mean 'speaker'\?\)"),
    "quote not in the text": (lambda c: edit(c / ARTICLE, "quote: greatest friend", "quote: greatest ally"),
                              r"yaml:\d+: \[q-greatest-friend\] quote 'greatest ally' is not in the text \(hint: copy the words exactly"),
    "ambiguous quote": (lambda c: edit(c / ARTICLE, "    verb: {quote: highlighted, within: and highlighted the need}",
                                       "    verb: highlighted"),
                        r"yaml:\d+: \[c-prevent-iran\] quote 'highlighted' occurs 2 times \(1: text line 2, column 286; 2: text line 7, column 69\) \(hint: add 'occurrence: N'"),
    "undefined actor": (lambda c: edit(c / ARTICLE, "speaker: iranian-officials", "speaker: iranian-oficials"),
                        r"\[q-beyond-imagination\] 'iranian-oficials' is not defined in the registry \(hint: did you mean 'iranian-officials'\?"),
    "reference of the wrong kind": (lambda c: edit(c / ARTICLE, "speaker: iranian-officials", "speaker: florida"),
                                    r"\[q-beyond-imagination\] 'florida' is a Place, but a actor .* is needed here"),
    "duplicate id": (lambda c: edit(c / ARTICLE, "  - id: q-eliminated\n", "  - id: q-severely-damaged\n"),
                     r"\[q-severely-damaged\] duplicate id 'q-severely-damaged' \(first used in statements at line \d+\)"),
    "duplicate YAML key": (lambda c: edit(c / ARTICLE, "  syria: Syria\n", "  syria: Syria\n  syria: Syria\n"),
                           r"yaml:\d+: invalid YAML: duplicate key 'syria'"),
    "offset past the end": (lambda c: edit(c / ARTICLE, "  yemen: Yemen\n", "  yemen: {quote: Yemen, start: 99999}\n"),
                            r"\[yemen\] offset 99999\.\.100004 is past the end of the text \(4642 characters\) \(hint: offsets count Unicode code points"),
    "offset that does not match": (lambda c: edit(c / ARTICLE, "  yemen: Yemen\n", "  yemen: {quote: Yemen, start: 10}\n"),
                                   r"\[yemen\] text at offset 10 is .* not 'Yemen'"),
    "impossible date": (lambda c: edit(c / ARTICLE, "    time: 2025-06\n    duration: P12D", "    time: 2025-13\n    duration: P12D"),
                        r"\[june-2025-war\] '2025-13' is not a real date .*\(hint: use YYYY, YYYY-MM or YYYY-MM-DD"),
    "time on a threatened action": (lambda c: edit(c / ARTICLE, "    condition: to any aggression\n",
                                                   "    condition: to any aggression\n    time: 2025-12\n"),
                                    r"\[threatened-iranian-response\] status 'threatened' with a time: only events that happened"),
    "circular part-of chain": (lambda c: edit(c / ARTICLE, "    agents: [israel, iran]\n",
                                              "    agents: [israel, iran]\n    part_of: june-2025-war\n"),
                               r"circular part_of chain: (june-2025-war -> shadow-war -> june-2025-war|shadow-war -> june-2025-war -> shadow-war)"),
    "empty file": (lambda c: (c / ARTICLE).write_text("", "utf-8"),
                   r"000_a2fbfe0915b87551\.yaml: file is empty \(hint: start from an example"),
    "non-UTF-8 text": (lambda c: (c / "articles/000_a2fbfe0915b87551.txt").write_bytes(
                           b"Netanyahu\n" + b"caf\xe9"),
                       r"000_a2fbfe0915b87551\.txt:2: not valid UTF-8 \(byte 0xe9 at offset 13\) \(hint: save the file as UTF-8\)"),
    "50 MB file": (lambda c: (c / "articles/000_a2fbfe0915b87551.txt").write_bytes(b"x" * 50_000_000),
                   r"000_a2fbfe0915b87551\.txt: file is 50\.0 MB; kgbuild reads files up to 10 MiB \(hint: split"),
    "missing text file": (lambda c: (c / "articles/000_a2fbfe0915b87551.txt").unlink(),
                          r"000_a2fbfe0915b87551\.txt: file not found"),
    "unknown key in a nested item (an anchor)": (
        lambda c: edit(c / ARTICLE, "{quote: could, within: Tehran could soon produce}",
                       "{quote: could, withn: Tehran could soon produce}"),
        r"yaml:\d+: \[c-3000-missiles\] claims\.\d+\.hedges\.0: unknown key 'withn' \(hint: did you mean 'within'\?\)"),
    "unknown key in a nested item (an outcome)": (
        lambda c: edit(c / ARTICLE, "        text: which were heavily damaged\n",
                       "        text: which were heavily damaged\n        efect: bad\n"),
        r"yaml:\d+: \[nuclear-ambitions-damaged\] events\.\d+\.outcomes\.0: unknown key 'efect' \(hint: did you mean 'affected'\?\)"),
    "undefined actor in according_to": (
        lambda c: edit(c / ARTICLE, "according_to: [nbc-news, washington-post, haaretz]",
                       "according_to: [nbc-news, washington-postt, haaretz]"),
        r"yaml:\d+: \[c-existential-risk\] 'washington-postt' is not defined in the registry \(hint: did you mean 'washington-post'\?"),
    "wrong type: a string for a list": (
        lambda c: edit(c / ARTICLE, "    agents: [iran]\n", "    agents: iran\n"),
        r"yaml:\d+: \[iran-retaliation\] events\.\d+\.agents: 'iran' is not of type 'array'"),
    "wrong type: a list for a string": (
        lambda c: edit(c / ARTICLE, "    verb: claimed\n", "    verb: [claimed]\n"),
        r"yaml:\d+: \[q-severely-damaged\] statements\.\d+\.verb: \['claimed'\] is not of type 'string'"),
    "wrong type: a number for an id": (
        lambda c: edit(c / ARTICLE, "  - id: c-historic-victory\n", "  - id: 42\n"),
        r"yaml:\d+: claims\.\d+\.id: 42 is not of type 'string'"),
    "wrong type: nothing for a required value": (
        lambda c: edit(c / ARTICLE, "    verb: indicate\n", "    verb:\n"),
        r"yaml:\d+: \[c-iran-rebuilding\] claims\.\d+\.verb: None is not of type 'string'"),
    "wrong type: a word for an offset": (
        lambda c: edit(c / ARTICLE, "{quote: could, within: Tehran could soon produce}", "{quote: could, start: x}"),
        r"yaml:\d+: \[c-3000-missiles\] claims\.\d+\.hedges\.0\.start: 'x' is not of type 'integer'"),
    "wrong type: a number for a date": (
        lambda c: edit(c / ARTICLE, "    time: 2025-06\n    duration: P12D", "    time: 202506\n    duration: P12D"),
        r"yaml:\d+: \[june-2025-war\] events\.\d+\.time: 202506 is not of type 'string'"),
    "wrong type: a boolean for a controlled value": (
        lambda c: edit(c / ARTICLE, "    modality: hedged\n    about: [iran-missile-rebuilding",
                       "    modality: yes\n    about: [iran-missile-rebuilding"),
        r"yaml:\d+: \[c-iran-rebuilding\] claims\.\d+\.modality: True is not one of .*\(hint: one of: asserted"),
    "wrong type: a scalar for the whole file": (
        lambda c: (c / ARTICLE).write_text("just a string\n", "utf-8"),
        r"000_a2fbfe0915b87551\.yaml: 'just a string' is not of type 'object'"),
    "YAML nested too deeply": (
        lambda c: (c / ARTICLE).write_text("kgbuild: 1\nid: x\nmentions: " + "[" * 3000 + "]" * 3000, "utf-8"),
        r"000_a2fbfe0915b87551\.yaml(:3)?: the YAML is nested too deeply \(annotation files nest at most 32 levels\)"),
    "YAML nested deeper than annotations go": (
        lambda c: (c / ARTICLE).write_text("kgbuild: 1\nid: x\nmentions: " + "[" * 40 + "]" * 40, "utf-8"),
        r"000_a2fbfe0915b87551\.yaml:3: nested more than 32 levels deep"),
    "YAML aliases that expand to billions": (
        lambda c: (c / ARTICLE).write_text("kgbuild: 1\nid: x\nmentions:\n  iran: &a [Iran, Iran, Iran, Iran, Iran, Iran]\n"
                                           + "".join(f"  e{i}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n"
                                                     for i in range(12)), "utf-8"),
        r"000_a2fbfe0915b87551\.yaml:\d+: holds more than 1,000,000 values once its YAML aliases are expanded"),
    # The context sections (issue 13): quantities, relative times, relations, voice and sources.
    "quantity: a number the vagueness does not give": (
        lambda c: edit(c / ARTICLE, "        vagueness: indefinite\n", "        vagueness: indefinite\n        value: 300\n"),
        r"yaml:\d+: \[retaliation-munitions\] vagueness 'indefinite' takes no 'value' \(hint: indefinite gives no number\)"),
    "quantity: a range whose min is above its max": (
        lambda c: edit(c / ARTICLE, "        vagueness: at-most\n        max: 3000\n",
                       "        vagueness: range\n        min: 5000\n        max: 3000\n"),
        r"yaml:\d+: \[missile-output\] min 5000 is more than max 3000"),
    "quantity: a period without its words": (
        lambda c: edit(c / ARTICLE, "        rate: annually\n", ""),
        r"yaml:\d+: \[missile-output\] 'per' \(the period, e\.g\. P1Y\) and 'rate' \(its words, e\.g\. annually\) go together"),
    "quantity: an unknown vagueness": (
        lambda c: edit(c / ARTICLE, "vagueness: indefinite", "vagueness: some"),
        r"yaml:\d+: \[retaliation-munitions\] events\.\d+\.quantities\.0\.vagueness: 'some' is not one of .*\(hint: one of: exact, approximate"),
    "time: after an event that is not there": (
        lambda c: edit(c / ARTICLE, "    after: june-2025-war\n", "    after: june-2025-wars\n"),
        r"yaml:\d+: \[six-months-later\] 'june-2025-wars' is not one of this article's events or times"),
    "time: counting from a later time": (
        lambda c: edit(c / ARTICLE, "    after: june-2025-war\n", "    after: soon\n"),
        r"yaml:\d+: \[six-months-later\] after 'soon': a time may only count from an event or a time listed before it"),
    "time: an offset with nothing to count from": (
        lambda c: edit(c / ARTICLE, "    after: june-2025-war\n    offset: P6M\n", "    during: june-2025-war\n    offset: P6M\n"),
        r"yaml:\d+: \[six-months-later\] 'offset' needs 'after' or 'before'"),
    "relation: a place that is not a place": (
        lambda c: edit(c / ARTICLE, "    object: yemen\n", "    object: iran-missile-program\n"),
        r"yaml:\d+: \[houthis-in-yemen\] 'iran-missile-program' is a Programme, but a place \(Place, State, Facility\) is needed here"),
    "relation: an unknown kind": (
        lambda c: edit(c / ARTICLE, "    kind: allied-with\n", "    kind: friends-with\n"),
        r"yaml:\d+: \[trump-netanyahu-alliance\] relations\.\d+\.kind: 'friends-with' is not one of .*\(hint: one of: proxy-of"),
    "relation: an actor related to itself": (
        lambda c: edit(c / ARTICLE, "    subject: trump\n    object: netanyahu\n", "    subject: trump\n    object: trump\n"),
        r"yaml:\d+: \[trump-netanyahu-alliance\] a relation of 'trump' to itself"),
    "an unnamed source named as a registry mention": (
        lambda c: edit(c / ARTICLE, "  syria: Syria\n", "  syria: Syria\n  reports-missile-output: Reports\n"),
        r"yaml:\d+: \[reports-missile-output\] 'reports-missile-output' is this article's unnamed source, not a registry entity"),
    "a source id used twice": (
        lambda c: edit(c / ARTICLE, "  - id: reports-missile-tests\n", "  - id: reports-missile-output\n"),
        r"\[reports-missile-output\] duplicate id 'reports-missile-output' \(first used in sources at line \d+\)"),
    "entity_match without an entity": (
        lambda c: edit(c / ARTICLE, "    kind: Disarmament\n", "    kind: Disarmament\n    entity_match: possible\n"),
        r"yaml:\d+: \[hamas-disarmament\] 'entity_match' without 'entity'"),
    "a feared event with a time": (
        lambda c: edit(c / ARTICLE, "    anchor: endless escalation\n", "    anchor: endless escalation\n    time: 2026-01\n"),
        r"\[feared-endless-escalation\] status 'feared' with a time: only events that happened"),
    "a quote's verb that is not in the text": (
        lambda c: edit(c / ARTICLE, "    verb: positioned\n", "    verb: proclaimed\n"),
        r"yaml:\d+: \[q-war-heroes\] quote 'proclaimed' is not in the text"),
    "registry: unknown belongs_to": (lambda c: edit(c / "registry.yaml", "belongs_to: trump", "belongs_to: trumpp"),
                                     r"registry\.yaml:\d+: \[trump-advisers\] belongs_to 'trumpp' is not a registry entity \(hint: did you mean 'trump'\?\)"),
    "registry: circular belongs_to": (lambda c: edit(c / "registry.yaml", "  israel:\n    type: State\n    label: Israel\n",
                                                     "  israel:\n    type: State\n    label: Israel\n    belongs_to: israel-officials-loop\n  israel-officials-loop:\n    type: CollectiveActor\n    label: loop\n    belongs_to: israel\n"),
                                      r"registry\.yaml:\d+: \[israel\] circular belongs_to chain: israel -> israel-officials-loop -> israel"),
    "links: collective actor sameAs": (lambda c: edit(c / "links.yaml", "links:\n", "links:\n  analysts:\n    label: x\n    wikidata: Q1\n    match: same\n"),
                                       r"links\.yaml:\d+: \[analysts\] a collective actor cannot be owl:sameAs an item"),
    "links: malformed item": (lambda c: edit(c / "links.yaml", "wikidata: Q43723", "wikidata: X43723"),
                              r"links\.yaml:\d+: \[netanyahu\] links\.netanyahu\.wikidata: 'X43723' does not match .*\(hint: must match"),
}


@pytest.fixture()
def built(corpus: Path, tmp_path: Path) -> tuple[Path, Path, bytes]:
    store = tmp_path / "store"
    runner = CliRunner()
    ok = runner.invoke(main, ["build", str(corpus), "--store", str(store), "-q", "--workers", "1"])
    assert ok.exit_code == 0, ok.output
    before = runner.invoke(main, ["export", "-f", "nquads", "--store", str(store)]).stdout_bytes
    return corpus, store, before


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input(case: str, built: tuple[Path, Path, bytes]) -> None:
    corpus, store, before = built
    breaker, pattern = CASES[case]
    breaker(corpus)
    result = CliRunner().invoke(main, ["build", str(corpus), "--store", str(store), "-q", "--workers", "1"])
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.output
    assert re.search(pattern, lines[0]), lines[0]
    after = CliRunner().invoke(main, ["export", "-f", "nquads", "--store", str(store)]).stdout_bytes
    assert after == before


def test_line_numbers_point_at_the_offending_line(corpus: Path, tmp_path: Path) -> None:
    path = corpus / ARTICLE
    edit(path, "quote: greatest friend", "quote: greatest ally")
    result = CliRunner().invoke(main, ["build", str(corpus), "--store", str(tmp_path / "s"), "-q"])
    assert f"000_a2fbfe0915b87551.yaml:{line_of(path, 'quote: greatest ally')}:" in result.stderr


def test_nested_errors_point_at_the_nested_line(corpus: Path, tmp_path: Path) -> None:
    path = corpus / ARTICLE
    edit(path, "        text: which were heavily damaged\n", "        text: which were heavily damaged\n        efect: bad\n")
    result = CliRunner().invoke(main, ["build", str(corpus), "--store", str(tmp_path / "s"), "-q"])
    assert f"000_a2fbfe0915b87551.yaml:{line_of(path, 'efect: bad')}:" in result.stderr
