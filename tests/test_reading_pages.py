"""The reading views of the seed article in a real headless Chromium (Debian's package, as test_browser.py).

Screenshots of the article, actor and event pages are taken; the inline SVG pictures are read
with an XML parser; a click on a highlighted quote must land on the statement's page.
"""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest
from helpers import BASE, SEED_ARTICLE, select
from server_fixtures import Live, queries_dir, serve  # noqa: F401

from kgbuild.store import KgStore

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SVG = "{http://www.w3.org/2000/svg}"
ARTICLE_PATH = "/id/article/a2fbfe0915b87551"
STATEMENT = SEED_ARTICLE + "/statement/q-definitely-attack"

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium: install Debian's chromium package"),
    pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz (Debian's graphviz package) is missing"),
]


@pytest.fixture(scope="module")
def site(seed_store_path: Path, queries_dir: Path) -> Iterator[Live]:  # noqa: F811
    yield from serve(KgStore(seed_store_path, read_only=True), queries_dir)


@pytest.fixture(scope="module")
def browser_page(site: Live) -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        outside: list[str] = []

        def only_this_server(route: object) -> None:  # offline: no CDN, no remote font
            if route.request.url.startswith(site.url):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        context.route("**/*", only_this_server)
        pg = context.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda exc: errors.append(str(exc)))
        pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" and "favicon" not in msg.text
              else None)
        yield pg
        assert errors == [] and outside == []
        browser.close()


def svgs(page: object) -> list[ElementTree.Element]:
    """Every inline SVG of the page, parsed by an XML parser."""
    return [ElementTree.fromstring(html) for html in page.locator("figure.picture svg").evaluate_all(
        "els => els.map(e => new XMLSerializer().serializeToString(e))")]


def texts(el: ElementTree.Element) -> str:
    return " ".join(" ".join(t.text or "" for t in el.iter(SVG + "text")).split())


def of_class(svg: ElementTree.Element, cls: str) -> list[ElementTree.Element]:
    return [g for g in svg.iter(SVG + "g") if cls in (g.get("class") or "").split()]


def shoot(page: object, tmp_path: Path, name: str) -> None:
    shot = tmp_path / f"{name}.png"
    page.screenshot(path=str(shot), full_page=True)
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20_000


def test_article_reads_with_highlights_and_pictures(site: Live, browser_page: object, tmp_path: Path,
                                                   seed_store_path: Path) -> None:
    page = browser_page
    page.goto(site.url + ARTICLE_PATH)
    assert page.inner_text("h1") == "Netanyahu URGES Trump To Strike Iran’s Ballistic Missile Program"
    shoot(page, tmp_path, "article")
    kinds = set(page.locator(".article-text mark.hl").evaluate_all("els => els.map(e => e.classList[1])"))
    assert {"quote", "claim", "event", "mention"} <= kinds
    # Quotes are coloured per speaker: Trump's and Netanyahu's quotes carry different colour classes.
    trump = page.locator(f".article-text mark.quote[data-node='{STATEMENT}']").first.get_attribute("class")
    bibi = page.locator(f".article-text mark.quote[data-node='{SEED_ARTICLE}/statement/q-greatest-friend']"
                        ).first.get_attribute("class")
    assert trump.split()[2].startswith("sp") and trump.split()[2] != bibi.split()[2]
    assert "Donald Trump" in page.locator(f"mark.quote[data-node='{STATEMENT}']").first.get_attribute("title")
    unrealized = page.locator(".article-text mark.event.unrealized").count()
    assert unrealized > 0 and page.locator(".article-text mark.event.realized").count() > 0
    said = page.locator(".who-said-what li").all_inner_texts()
    quotes = select(KgStore(seed_store_path, read_only=True), "SELECT ?q WHERE { ?q a <http://schema.org/Quotation> }")
    assert len(said) == len(quotes) > 5 and any("Donald Trump" in s and "there will definitely be an Israeli attack" in s
                                   for s in said)
    timeline, network = svgs(page)
    nodes = {texts(g) for g in of_class(network, "node")}
    assert {"Donald Trump", "Benjamin Netanyahu", "Iran", "Israel"} <= nodes
    june = next(g for g in of_class(timeline, "period") if texts(g) == "June 2025")
    assert june is not None and "Netanyahu–Trump meeting at Mar-a-Lago" in texts(of_class(timeline, "undated")[0])
    assert page.locator("details.raw").get_attribute("open") is None  # the raw triples: there, collapsed
    formats = page.locator("main > p.alternates a").all_inner_texts()
    assert formats == ["Turtle", "JSON-LD", "N-Triples", "RDF/XML"]


def test_a_click_on_a_quote_opens_the_statement(site: Live, browser_page: object) -> None:
    page = browser_page
    page.goto(site.url + ARTICLE_PATH)
    quote = page.locator(f".article-text mark.quote.first[data-node='{STATEMENT}'] a").first
    assert quote.inner_text().startswith("there will definitely")
    quote.click()
    page.wait_for_url("**/statement/q-definitely-attack")
    assert page.inner_text("h1") == "Donald Trump: “there will definitely be an Israeli attack”"


def test_actor_page_is_a_profile_with_its_network(site: Live, browser_page: object, tmp_path: Path) -> None:
    page = browser_page
    page.goto(site.url + "/id/actor/netanyahu")
    assert page.inner_text("h1") == "Benjamin Netanyahu"
    shoot(page, tmp_path, "actor")
    headings = page.locator(".profile h2").all_inner_texts()
    assert any(h.startswith("Said (") for h in headings) and any(h.startswith("Took part in") for h in headings)
    network, timeline = svgs(page)
    me = [g for g in of_class(network, "highlight")]
    assert [texts(g) for g in me] == ["Benjamin Netanyahu"]
    assert "Donald Trump" in {texts(g) for g in of_class(network, "node")}
    assert "Houthis" not in {texts(g) for g in of_class(network, "node")}  # only its neighbourhood


def test_event_page_shows_status_actors_time_parts_and_timeline(site: Live, browser_page: object,
                                                                tmp_path: Path) -> None:
    page = browser_page
    page.goto(site.url + ARTICLE_PATH + "/event/june-2025-war")
    shoot(page, tmp_path, "event")
    facts = dict(zip(page.locator("table.facts th").all_inner_texts(), page.locator("table.facts td").all_inner_texts(),
                     strict=True))
    assert facts["status"] == "occurred" and facts["by"] == "Israel, United States" and facts["against"] == "Iran"
    assert facts["time"] == "2025-06 (P12D)" and "Israeli airstrikes on Iran, June 2025" in facts["parts"]
    (timeline,) = svgs(page)
    (me,) = of_class(timeline, "highlight")
    assert texts(me) == "Twelve-Day War (June 2025)"
    page.goto(site.url + ARTICLE_PATH + "/event/threatened-israeli-attack")
    facts = dict(zip(page.locator("table.facts th").all_inner_texts(), page.locator("table.facts td").all_inner_texts(),
                     strict=True))
    assert facts["status"] == "conditional" and facts["time"] == "not dated in the text"


def test_pictures_on_their_own(site: Live) -> None:
    r = site.client.get("/draw/network.svg", params={"article": SEED_ARTICLE})
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    svg = ElementTree.fromstring(r.content)
    assert {"Iran", "Israel"} <= {texts(g) for g in of_class(svg, "node")}
    r = site.client.get("/draw/timeline.png", params={"actor": BASE + "actor/trump"})
    assert r.status_code == 200 and r.content.startswith(b"\x89PNG")
    assert site.client.get("/draw/map.svg").status_code == 404
    assert site.client.get("/draw/network.svg", params={"actor": "not an iri"}).status_code == 400
