"""The query page in a real headless Chromium (Debian's package): type a query, run it, see the rows."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from server_fixtures import Live, queries_dir, serve, small_store  # noqa: F401

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="no /usr/bin/chromium: install Debian's chromium package to run browser tests")


@pytest.fixture(scope="module")
def site(queries_dir: Path) -> Iterator[Live]:  # noqa: F811
    yield from serve(small_store(), queries_dir, max_html_rows=2)


@pytest.fixture(scope="module")
def page(site: Live) -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        context = browser.new_context()
        # Offline apart from this server: any other request would fail the page.
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(site.url)
                      else route.abort())
        pg = context.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda exc: errors.append(str(exc)))
        yield pg
        assert errors == []
        browser.close()


def test_type_a_query_run_it_see_the_rows(site: Live, page: object) -> None:
    page.goto(site.url + "/")
    page.fill("#query", "SELECT ?name WHERE { ?s <http://schema.org/name> ?name } ORDER BY ?name")
    page.click("#run")
    page.wait_for_selector("table.results-table tbody tr")
    header = page.locator("table.results-table th").all_inner_texts()
    assert header == ["?name"]
    cells = page.locator("table.results-table tbody td").all_inner_texts()
    assert cells == ["Alice @en", "Bob"]  # max_html_rows=2 of 3 rows; language tags shown
    assert "3 row(s)" in page.inner_text("#status") and "first 2" in page.inner_text("#status")
    links = page.locator("#downloads a")
    assert links.count() == 4
    csv_href = links.nth(2).get_attribute("href")
    assert csv_href.startswith("/sparql?") and "format=csv" in csv_href


def test_saved_query_one_click_away(site: Live, page: object) -> None:
    page.goto(site.url + "/")
    page.wait_for_function("document.querySelectorAll('button.saved-query').length > 0")
    page.click("button.saved-query[data-name='by-name']")
    page.wait_for_selector("#params input[data-param='name']")
    assert "schema:name" in page.input_value("#query")
    page.fill("#params input[data-param='name']", "Bob")
    page.focus("#query")
    page.keyboard.press("Control+Enter")  # the keyboard shortcut runs it too
    page.wait_for_selector("table.results-table tbody tr")
    assert page.locator("table.results-table tbody tr").count() == 1
    assert "Bob" in page.inner_text("table.results-table")
    href = page.locator("#downloads a").nth(2).get_attribute("href")
    assert href == "/queries/by-name.csv?name=Bob"


def test_errors_are_shown_not_thrown(site: Live, page: object) -> None:
    page.goto(site.url + "/")
    page.fill("#query", "SELECT * WHERE {")
    page.click("#run")
    page.wait_for_selector("#results pre.error")
    assert "malformed query" in page.inner_text("#results pre.error")
    assert "400" in page.inner_text("#status")


def test_iri_cells_link_to_resource_pages(site: Live, page: object) -> None:
    page.goto(site.url + "/")
    page.fill("#query", "SELECT ?s WHERE { ?s a <http://schema.org/Person> } ORDER BY ?s")
    page.click("#run")
    page.wait_for_selector("table.results-table tbody a")
    first = page.locator("table.results-table tbody a").first
    assert first.get_attribute("href") == "/id/actor/alice" and first.inner_text() == "id:actor/alice"
    page.click("table.results-table tbody a >> nth=0")
    page.wait_for_selector("h1")
    assert page.inner_text("h1") == "Alice"
    assert page.locator("mark.anchor").all_inner_texts() == ["Alice"]
