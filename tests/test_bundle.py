"""`kgbuild export --bundle DIR`: a folder that rdflib, Apache Jena (riot --validate) and Oxigraph load unchanged."""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from helpers import BASE, REPO, SEED_GRAPH
from rdflib.compare import isomorphic

from kgbuild.cli import main
from kgbuild.paths import ontology_files
from kgbuild.store import KgStore

JAVA_DIR = Path("/usr/share/java")
# The jars of Debian's libapache-jena-java and the libraries it depends on (bookworm, Jena 4.5).
JENA_JARS = [
    "jena-arq", "jena-base", "jena-cmds", "jena-core", "jena-dboe-base", "jena-dboe-index", "jena-dboe-storage",
    "jena-dboe-trans-data", "jena-dboe-transaction", "jena-iri", "jena-rdfconnection", "jena-shacl", "jena-shex",
    "jena-tdb", "jena-tdb2", "commons-cli", "commons-codec", "commons-compress", "commons-csv", "commons-io",
    "commons-lang3", "dexx.collection", "gson", "guava", "httpclient", "httpcore", "jackson-core", "jackson-databind",
    "jackson-annotations", "jsonld-java", "jakarta.json-api", "protobuf", "thrift", "titanium-json-ld", "slf4j-api",
    "slf4j-simple",
]


@pytest.fixture(scope="module")
def bundle(seed_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export") / "bundle"
    result = CliRunner().invoke(main, ["export", "--bundle", str(path), "--store", str(seed_store_path)])
    assert result.exit_code == 0, result.output
    assert "wrote bundle" in result.output
    return path


def rdf_files(bundle: Path) -> list[Path]:
    return sorted([*bundle.rglob("*.ttl"), *bundle.rglob("*.trig")])


def test_bundle_layout_and_manifest(bundle: Path, seed_store: KgStore) -> None:
    names = {str(p.relative_to(bundle)) for p in bundle.rglob("*") if p.is_file()}
    graphs = {f"graphs/{g.value.rsplit('/', 1)[1]}.ttl" for g in seed_store.graphs()}
    assert graphs == {"graphs/a2fbfe0915b87551.ttl", "graphs/ontology.ttl", "graphs/registry.ttl", "graphs/void.ttl"}
    ontology = {f"ontology/{p.name}" for p in ontology_files()}
    assert "ontology/kgbuild.ttl" in ontology and "ontology/cameo.ttl" in ontology
    assert names == graphs | ontology | {"dataset.trig", "void.ttl", "context.jsonld", "manifest.json"}
    manifest = json.loads((bundle / "manifest.json").read_text("utf-8"))
    assert manifest["base"] == BASE
    assert set(manifest["files"]) == names - {"manifest.json"}
    for name, entry in manifest["files"].items():
        data = (bundle / name).read_bytes()
        assert entry == {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    for name in ontology:
        assert (bundle / name).read_bytes() == (REPO / name).read_bytes()


def test_rdflib_loads_every_file_with_the_store_counts(bundle: Path, seed_store: KgStore) -> None:
    for graph in seed_store.graphs():
        parsed = rdflib.Graph().parse(bundle / f"graphs/{graph.value.rsplit('/', 1)[1]}.ttl", format="turtle")
        assert len(parsed) == len({(q.subject, q.predicate, q.object) for q in seed_store.quads(graph)}), graph
    dataset = rdflib.Dataset()
    dataset.parse(bundle / "dataset.trig", format="trig")
    named = {str(g.identifier): len(g) for g in dataset.graphs() if len(g)}
    assert named == {g.value: sum(1 for _ in seed_store.quads(g)) for g in seed_store.graphs()}
    void = rdflib.Graph().parse(bundle / "void.ttl", format="turtle")
    assert (rdflib.URIRef(BASE + "dataset"), rdflib.RDF.type, rdflib.URIRef("http://rdfs.org/ns/void#Dataset")) in void
    for path in (bundle / "ontology").glob("*.ttl"):
        assert len(rdflib.Graph().parse(path, format="turtle")) > 0


def test_oxigraph_loads_the_bundle_back_into_the_same_dataset(bundle: Path, seed_store: KgStore) -> None:
    store = ox.Store()
    store.load(path=str(bundle / "dataset.trig"), format=ox.RdfFormat.TRIG)

    def ground(quads: object) -> set[str]:
        return {str(q) for q in quads if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)}

    assert len(store) == len(seed_store)
    assert ground(store) == ground(seed_store.quads())
    for path in bundle.rglob("*.ttl"):
        assert list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)), path
    article = list(ox.parse(path=str(bundle / "graphs/a2fbfe0915b87551.ttl"), format=ox.RdfFormat.TURTLE))
    assert {str(ox.Triple(q.subject, q.predicate, q.object)) for q in seed_store.quads(ox.NamedNode(SEED_GRAPH))} \
        == {str(t) for t in article}


def test_the_json_ld_context_maps_the_project_terms(bundle: Path) -> None:
    context = json.loads((bundle / "context.jsonld").read_text("utf-8"))["@context"]
    assert context["kg"] == "https://w3id.org/kgbuild/ontology#" and context["id"] == BASE
    assert context["holdsPosition"] == {"@id": "kg:holdsPosition", "@type": "@id"}
    assert context["sameAs"] == {"@id": "owl:sameAs", "@type": "@id"}
    doc = json.dumps({"@context": context, "@id": "id:actor/netanyahu", "@type": ["Person", "Actor"],
                      "label": {"@value": "Benjamin Netanyahu", "@language": "en"},
                      "holdsPosition": "id:position/prime-minister-of-israel", "sameAs": "wd:Q43723"})
    expected = {
        f"<{BASE}actor/netanyahu> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/kgbuild/ontology#Person>",
        f"<{BASE}actor/netanyahu> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/kgbuild/ontology#Actor>",
        f'<{BASE}actor/netanyahu> <http://www.w3.org/2000/01/rdf-schema#label> "Benjamin Netanyahu"@en',
        f"<{BASE}actor/netanyahu> <https://w3id.org/kgbuild/ontology#holdsPosition> <{BASE}position/prime-minister-of-israel>",
        f"<{BASE}actor/netanyahu> <http://www.w3.org/2002/07/owl#sameAs> <http://www.wikidata.org/entity/Q43723>",
    }
    assert {str(t) for t in ox.parse(doc.encode(), format=ox.RdfFormat.JSON_LD)} == expected
    graph = rdflib.Graph().parse(data=doc, format="json-ld")
    assert {f"{s.n3()} {p.n3()} {o.n3()}" for s, p, o in graph} == expected


def test_the_context_compacts_the_article_graph_without_loss(bundle: Path) -> None:
    context = json.loads((bundle / "context.jsonld").read_text("utf-8"))
    graph = rdflib.Graph().parse(bundle / "graphs/a2fbfe0915b87551.ttl", format="turtle")
    compact = graph.serialize(format="json-ld", context=context["@context"])
    assert '"holdsPosition"' in compact and '"sameAs"' in compact
    again = rdflib.Graph().parse(data=compact, format="json-ld")
    assert len(again) == len(graph)
    assert isomorphic(again, graph)


def riot_command() -> list[str] | None:
    """Apache Jena's riot: on PATH, or from Debian's libapache-jena-java jars."""
    found = shutil.which("riot")
    if found:
        return [found]
    jars = [JAVA_DIR / f"{name}.jar" for name in JENA_JARS]
    if not shutil.which("java") or not all(j.is_file() for j in jars):
        return None
    return ["java", "-cp", ":".join(map(str, jars)), "riotcmd.riot"]


def debian_jena_fix(tmp_path: Path) -> Path:
    """Debian's jena-core renames Jena's bundled Xerces to the package `xerces` but leaves its message
    files under org/apache/jena/ext/xerces, so XSD datatypes fail to initialise; copy them where it looks."""
    out = tmp_path / "xerces-messages"
    import zipfile

    with zipfile.ZipFile(JAVA_DIR / "jena-core.jar") as jar:
        for name in jar.namelist():
            if name.startswith("org/apache/jena/ext/xerces/") and name.endswith(".properties"):
                target = out / name[len("org/apache/jena/ext/"):]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    return out


def test_apache_jena_riot_validates_every_rdf_file(bundle: Path, tmp_path: Path) -> None:
    command = riot_command()
    if command is None:
        pytest.skip("Apache Jena's riot is not installed: `apt-get install libapache-jena-java` (Debian) "
                    "or put Jena's bin/riot on PATH")
    if command[0] == "java":
        command[2] = f"{debian_jena_fix(tmp_path)}:{command[2]}"
    files = [str(p) for p in rdf_files(bundle)]
    result = subprocess.run([*command, "--validate", *files], capture_output=True, text=True, timeout=300)
    problems = [line for line in (result.stdout + result.stderr).splitlines() if "WARN" in line or "ERROR" in line]
    assert result.returncode == 0 and problems == [], result.stdout + result.stderr
    assert len(files) >= 8
    # riot really checks: a broken file fails.
    broken = tmp_path / "broken.ttl"
    broken.write_text("<https://w3id.org/kgbuild/id/x> kg:undeclared 1 .\n", "utf-8")
    assert subprocess.run([*command, "--validate", str(broken)], capture_output=True, timeout=300).returncode != 0


def test_export_bundle_replaces_an_earlier_bundle_but_not_other_folders(seed_store_path: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    target = tmp_path / "b"
    for _ in range(2):
        result = runner.invoke(main, ["export", "--bundle", str(target), "--store", str(seed_store_path)])
        assert result.exit_code == 0, result.output
    assert not list(tmp_path.glob("*.part")) and not list(tmp_path.glob("*.old"))
    other = tmp_path / "notes"
    other.mkdir()
    (other / "keep.txt").write_text("mine", "utf-8")
    result = runner.invoke(main, ["export", "--bundle", str(other), "--store", str(seed_store_path)])
    assert result.exit_code == 1 and "not empty" in result.output
    assert [p.name for p in other.iterdir()] == ["keep.txt"]
    result = runner.invoke(main, ["export", "--bundle", str(target), "--graph", SEED_GRAPH,
                                  "--store", str(seed_store_path)])
    assert result.exit_code == 2
