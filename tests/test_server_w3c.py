"""Replay the W3C SPARQL 1.1 Protocol test manifest against the real server.

The suite lives outside the repository (../shared/w3c-rdf-tests). Each test gets a
fresh store holding its ut:graphData files as named graphs; its requests go over
HTTP as the manifest encodes them (path, method, headers, body in the stated
character encoding), with the server's write token as a bearer token so the
update tests can run. Responses are judged by status class, by media type for
mf:expectedFormat, and by parsing the ASK answer with rdflib for mf:expectedBoolean.
"""
from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import rdflib
from rdflib.collection import Collection
from server_fixtures import TOKEN, Live, serve

from kgbuild.store import KgStore

REPO = Path(__file__).resolve().parents[1]
SUITE = REPO / ".." / "shared" / "w3c-rdf-tests" / "sparql" / "sparql11" / "protocol"
MANIFEST = SUITE / "manifest.ttl"

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = rdflib.Namespace("http://www.w3.org/2011/http-statusCodes#")

TABULAR = {"application/sparql-results+json", "application/sparql-results+xml", "text/csv",
           "text/tab-separated-values"}
BOOLEAN = {"application/sparql-results+json", "application/sparql-results+xml"}
RDF = {"text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json", "application/trig",
       "application/n-quads"}

# Every test in the manifest: this server passes all of them.
MUST_PASS = {
    "query_post_form", "query_dataset_default_graphs_get", "query_dataset_default_graphs_post",
    "query_dataset_named_graphs_post", "query_dataset_named_graphs_get", "query_dataset_full",
    "query_multiple_dataset", "query_get", "query_content_type_select", "query_content_type_ask",
    "query_content_type_describe", "query_content_type_construct", "update_dataset_default_graph",
    "update_dataset_default_graphs", "update_dataset_named_graphs", "update_dataset_full", "update_post_form",
    "update_post_direct", "update_base_uri", "query_post_direct", "bad_query_method", "bad_multiple_queries",
    "bad_query_wrong_media_type", "bad_query_missing_form_type", "bad_query_missing_direct_type",
    "bad_query_non_utf8", "bad_query_syntax", "bad_update_get", "bad_multiple_updates",
    "bad_update_wrong_media_type", "bad_update_missing_form_type", "bad_update_non_utf8", "bad_update_syntax",
    "bad_update_dataset_conflict",
}

pytestmark = pytest.mark.skipif(not MANIFEST.is_file(), reason=f"W3C protocol tests not found at {SUITE} "
                                                                "(shared/w3c-rdf-tests is not part of this repo)")


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[str]
    expected_format: str | None
    expected_boolean: bool | None


@dataclass
class ProtocolTest:
    name: str
    title: str
    data: list[tuple[Path, str]] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)


def load_manifest() -> list[ProtocolTest]:
    g = rdflib.Graph().parse(MANIFEST, format="turtle", publicID=MANIFEST.resolve().as_uri())
    manifest = next(g.subjects(rdflib.RDF.type, MF.Manifest))
    tests = []
    for entry in Collection(g, g.value(manifest, MF.entries)):
        test = ProtocolTest(str(entry).rsplit("#", 1)[1], str(g.value(entry, MF.name)))
        for gd in g.objects(entry, UT.graphData):
            file_iri = str(g.value(gd, UT.graph))
            test.data.append((SUITE / file_iri.rsplit("/", 1)[1], str(g.value(gd, rdflib.RDFS.label))))
        action = g.value(entry, MF.action)
        for req in Collection(g, g.value(action, HT.requests)):
            headers = {}
            header_list = g.value(req, HT.headers)
            if header_list is not None:
                for h in Collection(g, header_list):
                    headers[str(g.value(h, HT.fieldName))] = str(g.value(h, HT.fieldValue))
            body = None
            content = g.value(req, HT.body)
            if content is not None:
                encoding = str(g.value(content, CNT.characterEncoding) or "UTF-8")
                body = str(g.value(content, CNT.chars)).encode(encoding.lower())
            resp = g.value(req, HT.resp)
            statuses = {str(s).rsplit("#", 1)[1] for s in g.objects(resp, MF.expectedStatus)}
            fmt = g.value(resp, MF.expectedFormat)
            boolean = g.value(resp, MF.expectedBoolean)
            test.requests.append(Request(str(g.value(req, HT.methodName)), str(g.value(req, HT.absolutePath)),
                                         headers, body, statuses, str(fmt) if fmt is not None else None,
                                         boolean.toPython() if boolean is not None else None))
        tests.append(test)
    return tests


def check(response: httpx.Response, req: Request) -> str | None:
    """None when the response meets the manifest's expectations, else why not."""
    status_class = f"StatusCode{response.status_code // 100}xx"
    if status_class not in req.statuses:
        return f"status {response.status_code} not in {sorted(req.statuses)}: {response.text[:200]}"
    media_type = response.headers.get("content-type", "").split(";")[0].strip()
    allowed = {"boolean": BOOLEAN, "tabular": TABULAR, "RDF": RDF}.get(req.expected_format or "")
    if allowed is not None and media_type not in allowed:
        return f"content type {media_type} is not a {req.expected_format} format"
    if req.expected_boolean is not None:
        fmt = "json" if media_type.endswith("json") else "xml"
        answer = rdflib.query.Result.parse(io.BytesIO(response.content), format=fmt).askAnswer
        if answer is not req.expected_boolean:
            return f"ASK answered {answer}, expected {req.expected_boolean}"
    return None


def fresh_store(test: ProtocolTest) -> KgStore:
    import pyoxigraph as ox

    store = KgStore()
    for path, graph in test.data:
        store.load(Path(path), ox.RdfFormat.N_TRIPLES, graph=ox.NamedNode(graph))
    return store


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    yield from serve(KgStore(), tmp_path_factory.mktemp("no-queries"), write_token=TOKEN)


def run(server: Live, test: ProtocolTest) -> str | None:
    server.state.store = fresh_store(test)
    server.state.changed()
    for i, req in enumerate(test.requests, 1):
        path = "/sparql" + req.path[len("/sparql/"):] if req.path.startswith("/sparql/") else req.path
        headers = {"Authorization": f"Bearer {TOKEN}", **req.headers}
        response = server.client.request(req.method, path, headers=headers, content=req.body)
        problem = check(response, req)
        if problem:
            return f"request {i}: {problem}"
    return None


def test_w3c_protocol_manifest(server: Live) -> None:
    tests = load_manifest()
    assert len(tests) == 34
    failures = {}
    for test in tests:
        problem = run(server, test)
        if problem:
            failures[test.name] = problem
    passed = [t.name for t in tests if t.name not in failures]
    print(f"\nW3C SPARQL 1.1 protocol tests: {len(passed)}/{len(tests)} pass")
    for name, problem in sorted(failures.items()):
        print(f"  FAIL {name}: {problem}")
    assert set(passed) >= MUST_PASS, {k: v for k, v in failures.items() if k in MUST_PASS}
