"""Linked-data pages for IRIs under the base, the query page, and static files without path traversal."""
from __future__ import annotations

import html
import re
import socket
from html.parser import HTMLParser
from urllib.parse import urlsplit

import rdflib
from server_fixtures import ALICE, ARTICLE, BASE, BOB, BODY, G1, Live, live, queries_dir  # noqa: F401

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


class Marks(HTMLParser):
    """Collects the text inside <mark> elements and every href (an independent HTML parser)."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.marks: list[str] = []
        self.hrefs: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "mark":
            self.depth += 1
            self.marks.append("")
        if tag == "script":
            self.scripts += 1
        self.hrefs += [v for k, v in attrs if k == "href" and v]

    def handle_endtag(self, tag: str) -> None:
        if tag == "mark":
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.marks[-1] += data


def parse(text: str) -> Marks:
    p = Marks()
    p.feed(text)
    return p


def test_resource_page_html(live: Live) -> None:
    r = live.client.get("/id/actor/alice", headers=BROWSER)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in r.headers["content-security-policy"]
    page = parse(r.text)
    assert "<title>Alice</title>" in r.text
    assert "http://www.wikidata.org/entity/Q1" in page.hrefs  # owl:sameAs links out
    assert "/id/article/a1" in page.hrefs  # our IRIs stay on this server
    assert page.marks == ["Alice"]  # its text anchor, highlighted at offsets 0..5
    # The literal "<script>alert(1)</script>" is shown as text, never as markup.
    assert "<script>alert(1)</script>" not in r.text and html.escape("<script>alert(1)</script>") in r.text
    assert page.scripts == 0


def test_article_page_highlights_every_anchor(live: Live) -> None:
    r = live.client.get("/id/article/a1", headers=BROWSER)
    page = parse(r.text)
    assert page.marks == ["Alice", "Bob"]
    assert "/id/actor/alice" in page.hrefs and "/id/actor/bob" in page.hrefs
    # The body's own markup-like text is escaped.
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; &quot;quoted&quot;" in r.text
    assert BODY.startswith("Alice")


def test_resource_as_turtle_and_jsonld(live: Live) -> None:
    r = live.client.get("/id/actor/alice", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    alice = rdflib.URIRef(ALICE.value)
    assert (alice, rdflib.OWL.sameAs, rdflib.URIRef("http://www.wikidata.org/entity/Q1")) in g
    assert (alice, rdflib.URIRef("http://schema.org/name"), rdflib.Literal("Alice", lang="en")) in g
    assert "@prefix sem:" not in r.text  # only the prefixes it uses
    r = live.client.get("/id/actor/alice", headers={"Accept": "application/ld+json"})
    assert len(rdflib.Graph().parse(data=r.text, format="json-ld")) == len(g)
    assert live.client.get("/id/actor/alice").headers["content-type"].startswith("text/turtle")  # curl's */*
    r = live.client.get("/id/actor/alice", params={"format": "nt"})
    assert r.headers["content-type"].startswith("application/n-triples")
    assert live.client.get("/id/actor/alice", headers={"Accept": "image/png"}).status_code == 406


def test_annotation_page_includes_its_hash_parts(live: Live) -> None:
    r = live.client.get("/id/article/a1/annotation/mention/2", headers={"Accept": "text/turtle"})
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    anno = BASE + "article/a1/annotation/mention/2"
    assert {str(s) for s in g.subjects()} == {anno, anno + "#target", anno + "#position"}


def test_graph_iri_page_and_unknown_resource(live: Live) -> None:
    r = live.client.get("/id/graph/a1", headers=BROWSER)
    assert r.status_code == 200 and "/rdf-graph-store?graph=" in r.text
    r = live.client.get("/id/graph/a1", headers={"Accept": "text/turtle"}, follow_redirects=True)
    assert r.status_code == 200 and (rdflib.URIRef(BOB.value), None, None) not in rdflib.Graph().parse(
        data=r.text, format="turtle")
    assert G1.value.endswith("graph/a1")
    for path in ("/id/actor/nobody", "/id/", "/id/actor/%3Cscript%3E"):
        r = live.client.get(path, headers=BROWSER)
        assert r.status_code == 404 and "<script>" not in r.text


def test_full_base_path_also_dereferences(live: Live) -> None:
    path = urlsplit(BASE).path  # /kgbuild/id/
    assert live.client.get(path + "actor/bob", headers={"Accept": "text/turtle"}).status_code == 200


def test_query_page(live: Live) -> None:
    r = live.client.get("/", headers=BROWSER)
    assert r.status_code == 200
    assert '<textarea id="query"' in r.text and 'src="/static/app.js"' in r.text
    assert 'data-name="by-name"' in r.text  # saved queries one click away
    assert re.search(r"https?://(cdn|unpkg|cdnjs)", r.text) is None
    js = live.client.get("/static/app.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    assert live.client.get("/static/style.css").status_code == 200


def raw_get(url: str, path: str) -> int:
    """Send the path exactly as written (httpx would normalise ../), return the status code."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    return int(data.split(b" ", 2)[1])


def test_static_files_refuse_path_traversal(live: Live) -> None:
    assert raw_get(live.url, "/static/app.js") == 200
    for path in ("/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2fapp.py", "/static/..%2f..%2fstore.py",
                 "/static/%2e%2e%2f%2e%2e%2fstore.py", "/static/....//app.py", "/static/..\\app.py",
                 "/static//etc/passwd", "/static/%2fetc%2fpasswd", "/static/../../../../etc/passwd",
                 # double-encoded, mixed, overlong UTF-8, backslash, NUL: decoded once they are only odd names
                 "/static/%252e%252e/app.py", "/static/%252e%252e%252fapp.py", "/static/..%252f..%252fstore.py",
                 "/static/%25252e%25252e%25252fapp.py", "/static/.%2e/app.py", "/static/%2e./app.py",
                 "/static/%c0%ae%c0%ae/app.py", "/static/..%5capp.py", "/static/%5c..%5capp.py",
                 "/static/app.js%00.py", "/static/%00/../app.py", "/static/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd"):
        status = raw_get(live.url, path)
        assert status in (400, 404), (path, status)
