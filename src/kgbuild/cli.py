"""The `kgbuild` command: a thin click shell over the library API.

Over 450 lines: one short function per command, with its options; the work
is done by the library modules each one calls.
"""
from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from . import build as build_mod
from .errors import KgbuildError
from .export import export
from .formats import CONSTRUCT_FORMATS, EXPORT_FORMATS, RESULT_FORMATS
from .names import Names
from .paths import atomic_write, default_data_dir, queries_dirs, shapes_file
from .queries import find_query, run_saved_query, saved_queries
from .results import default_format, render, short
from .settings import ServeSettings
from .stats import stats as store_stats
from .store import STORE_ENV, KgStore, default_store_path

console = Console(stderr=True)
DEFAULTS = ServeSettings()  # `kgbuild serve`'s option defaults
out = Console()


class KgbuildGroup(click.Group):
    """The command group that turns any error of any command into one line on stderr.

    A library error (KgbuildError) exits 1 (2 is click's usage error); anything else is a
    bug, still one line, exit 70. `kgbuild --debug ...` shows the traceback instead.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KgbuildError as exc:
            if ctx.params.get("debug"):
                raise
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(1)
        except Exception as exc:  # a bug: still one line, with the way to see more
            if ctx.params.get("debug"):
                raise
            click.echo(f"Error: internal error ({type(exc).__name__}: {exc}); rerun with --debug "
                       "for the traceback and report it", err=True)
            ctx.exit(70)


store_option = click.option(
    "--store", "store_path", type=click.Path(file_okay=False, path_type=Path), envvar=STORE_ENV,
    default=None, help=f"Store folder (default: ${STORE_ENV} or .kgbuild/store).",
)
queries_option = click.option(
    "--queries", "extra_queries", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A folder of saved queries (.rq) added to the shipped ones and ./queries (repeatable; a name here wins).")


@click.group(cls=KgbuildGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.version_option(package_name="kgbuild")
def main(debug: bool) -> None:
    """Build a knowledge graph from annotated news articles and query, export or serve it."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@store_option
@click.option("--base", envvar="KGBUILD_BASE", default=None,
              help="Base IRI for minted IRIs (default: the one the store was built with, else "
                   "https://w3id.org/kgbuild/id/); the store records it for serve, export and bundle.")
@click.option("--workers", type=int, default=None, help="Processes for validating and mapping (default: all cores).")
@click.option("--prune", is_flag=True, help="Drop article graphs whose annotation file is gone.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def build(paths: tuple[Path, ...], store_path: Path | None, base: str | None, workers: int | None,
          prune: bool, quiet: bool) -> None:
    """Validate, map and load annotation files (default: the project's data/)."""
    store = KgStore(store_path or default_store_path())
    progress = Progress(TextColumn("building"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("{task.fields[rate]} articles/s"), TimeElapsedColumn(),
                        console=console, disable=quiet or not console.is_terminal, transient=True)
    with progress:
        task = progress.add_task("build", total=None, rate="-")

        def tick(done: int, total: int) -> None:
            elapsed = progress.tasks[0].elapsed or 0
            rate = f"{done / elapsed:,.0f}" if elapsed > 0 else "-"
            progress.update(task, completed=done, total=total, rate=rate)

        report = build_mod.build(paths, store=store, base=base, workers=workers, prune=prune, progress=tick)
    where = store.path or "memory"
    click.echo(f"built {len(report.built)} article(s), {report.quads:,} quads; skipped {len(report.skipped)} "
               f"unchanged; removed {len(report.removed)}; store: {where} ({len(store):,} quads)")


@main.command()
@click.argument("name_or_file")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="A query parameter (repeatable).")
@click.option("--format", "-f", "fmt", default=None,
              type=click.Choice(["table", *RESULT_FORMATS, *CONSTRUCT_FORMATS]),
              help="Output format (default: table on a terminal; CSV, or Turtle for CONSTRUCT, in a pipe).")
@store_option
@queries_option
def query(name_or_file: str, params: tuple[str, ...], fmt: str | None, store_path: Path | None,
          extra_queries: tuple[Path, ...]) -> None:
    """Run a saved query (queries/NAME.rq) or a .rq file against the store."""
    values: dict[str, str] = {}
    for item in params:
        if "=" not in item:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--param")
        key, value = item.split("=", 1)
        values[key] = value
    saved = find_query(name_or_file, queries_dirs(extra_queries))
    store = KgStore(store_path or default_store_path(), read_only=True)
    names = Names(store)
    result = run_saved_query(store, saved, values, resolve=names.resolve)
    data = render(result, fmt or default_format(result, out.is_terminal), out, names.prefixes)
    if data is not None:
        sys.stdout.buffer.write(data)


@main.command("show")
@click.argument("entity")
@store_option
def show(entity: str, store_path: Path | None) -> None:
    """An entity's profile: what it said, claimed and did, and where it is named.

    ENTITY is a registry id (trump), a prefixed name (actor:trump), an exact label ("Donald Trump") or an IRI.
    """
    from .profile import profile
    from .show import print_profile

    store = KgStore(store_path or default_store_path(), read_only=True)
    names = Names(store)
    iri = names.resolve(entity, "entity").value
    found = profile(store, iri)
    if found is None:
        raise KgbuildError(f"{names.short(iri)} has no label in the store: it is not an entity kgbuild describes")
    print_profile(found, out, names.short)


@main.command("draw")
@click.argument("kind", type=click.Choice(["network", "timeline"]))
@click.option("--article", default=None, help="Only this article (its id, article:ID or IRI).")
@click.option("--actor", default=None, help="Only this actor's links or events (id, prefixed name, label or IRI).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write: .svg or .png.")
@click.option("--max-nodes", type=click.IntRange(min=2), default=40, show_default=True,
              help="Network: keep the actors with the most links (events, quotes, claims).")
@click.option("--max-edges", type=click.IntRange(min=1), default=120, show_default=True,
              help="Network: keep the strongest links among them.")
@store_option
def draw(kind: str, article: str | None, actor: str | None, output: Path, max_nodes: int, max_edges: int,
         store_path: Path | None) -> None:
    """Draw the actor network or the timeline (Graphviz) as SVG or PNG."""
    from .draw import FORMATS, Scope, picture

    fmt = output.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise click.BadParameter(f"{output.name}: write a .svg or .png file", param_hint="--output")
    store = KgStore(store_path or default_store_path(), read_only=True)
    names = Names(store)
    scope = Scope(article=names.resolve(article, "article").value if article else None,
                  actor=names.resolve(actor, "actor").value if actor else None)
    data = picture(store, kind, scope, fmt, max_nodes=max_nodes, max_edges=max_edges)
    atomic_write(output, data)
    click.echo(f"wrote {output} ({kind}, {len(data):,} bytes)", err=True)


@main.command("queries")
@queries_option
def list_queries(extra_queries: tuple[Path, ...]) -> None:
    """List the saved queries with their parameters."""
    for name, q in saved_queries(queries_dirs(extra_queries)).items():
        params = " ".join(f"{p.name}:{p.type}{'?' if p.optional else ''}" for p in q.parameters)
        click.echo(f"{name:32} {q.title}" + (f"  [{params}]" if params else ""))


@main.command("export")
@click.option("--format", "-f", "fmt", default="turtle", type=click.Choice([*EXPORT_FORMATS, "webannotation"]),
              help="RDF format, or webannotation: W3C Web Annotation JSON-LD built from the annotation files.")
@click.option("--graph", "-g", default=None, help="Export only this named graph (IRI).")
@click.option("--output", "-o", type=click.Path(path_type=Path), default=None,
              help="Write to this file (default: stdout); with webannotation, a .jsonld file or a folder.")
@click.option("--annotations", "-a", "annotation_paths", multiple=True, type=click.Path(path_type=Path),
              help="With webannotation: annotation files or folders (repeatable; default: the project's data/).")
@click.option("--bundle", "bundle_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write a bundle folder instead: Turtle per graph, TriG, ontology, VoID/DCAT, JSON-LD context.")
@click.option("--shards", type=click.IntRange(min=1), default=None,
              help="With -f nquads and a FOLDER: gzip N-Quads in this many files for bulk loaders (a graph is never "
                   "split) and a manifest.json.")
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@store_option
def export_cmd(fmt: str, graph: str | None, output: Path | None, bundle_dir: Path | None, store_path: Path | None,
               shards: int | None = None, folder: Path | None = None,
               annotation_paths: tuple[Path, ...] = ()) -> None:
    """Export the store (or one graph) as readable, deterministic RDF, or a bundle folder (--bundle).

    `--format webannotation` instead writes each article's annotation file as a W3C Web
    Annotation collection (no store needed).
    """
    path = store_path or default_store_path()
    if fmt == "webannotation":  # IRIs under the store's base when there is a store, else the default base
        _export_webannotation(annotation_paths, output, KgStore(path, read_only=True).base if path.is_dir() else None)
        return
    if (shards is None) != (folder is None):
        raise click.UsageError("--shards N and a FOLDER go together: kgbuild export --shards 8 -f nquads FOLDER")
    if output is not None and output.is_dir():
        raise click.BadParameter(f"{output} is a folder; RDF formats write one file", param_hint="--output")
    store = KgStore(path, read_only=True)
    if shards is not None and folder is not None:
        if fmt != "nquads" or graph or output or bundle_dir:
            raise click.UsageError("--shards writes gzip N-Quads of every graph: use -f nquads, without --graph, "
                                   "--output or --bundle")
        from .shards import write_shards

        manifest = write_shards(store, folder, shards)
        click.echo(f"wrote {len(manifest.shards)} shard(s) of {len(manifest.graphs)} graph(s), "
                   f"{sum(s.quads for s in manifest.shards):,} quads, and {folder / 'manifest.json'}", err=True)
        return
    if bundle_dir is not None:
        if graph or output:
            raise click.UsageError("--bundle writes every graph to its own folder; drop --graph and --output")
        from .bundle import write_bundle

        bundle = write_bundle(store, bundle_dir)
        click.echo(f"wrote bundle {bundle.path}: {len(bundle.files)} files, {bundle.graphs} graph(s)", err=True)
        return
    data = export(store, fmt, graph=graph)
    assert data is not None
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        atomic_write(output, data)
        click.echo(f"wrote {output} ({len(data):,} bytes, {fmt}; usual extension .{EXPORT_FORMATS[fmt].extension})",
                   err=True)


@main.group()
def link() -> None:
    """Curated links to Wikidata and DBpedia (data/links.yaml)."""


@link.command("check")
@click.option("--data", "data_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Corpus folder holding registry.yaml and links.yaml (default: the project's data/).")
def link_check(data_dir: Path | None) -> None:
    """Report unlinked entities and malformed links; exit 1 if any link is malformed."""
    from rich.table import Table

    from .linking import check_links

    report = check_links(data_dir or default_data_dir())
    if report.unlinked:
        table = Table("entity", "type", "label", "note", title="Entities with no link")
        for u in report.unlinked:
            table.add_row(u.entity, u.type, u.label, u.note or "")
        out.print(table)
    for title, rows in (("Malformed links", report.problems), ("Warnings", report.warnings)):
        if rows:
            table = Table("entity", "line", "field", "value", "problem", title=title)
            for p in rows:
                table.add_row(p.entity, str(p.line or ""), p.field or "", p.value or "", p.message)
            out.print(table)
    click.echo(f"{len(report.links)} link(s) ok, {len(report.unlinked)} entit(ies) unlinked "
               f"({len(report.unlinked_actors)} named actor(s)), "
               f"{len(report.problems)} malformed, {len(report.warnings)} warning(s) "
               f"[{report.root / 'links.yaml'}]")
    if not report.ok:
        sys.exit(1)


@main.command()
@store_option
def stats(store_path: Path | None) -> None:
    """Counts by graph, class and article."""
    s = store_stats(KgStore(store_path or default_store_path(), read_only=True))
    out.print(f"[bold]{s.quads:,}[/] quads in {len(s.graphs)} named graph(s)")
    from rich.table import Table

    for title, header, data in (
        ("Graphs", ("graph", "quads"), [(g, f"{n:,}") for g, n in s.graphs]),
        ("Classes", ("class", "instances"), [(short(_iri(c)), f"{n:,}") for c, n in s.classes]),
        ("Articles", ("article", "headline", "statements", "claims", "events", "annotations"),
         [(short(_iri(a)), h, str(ns), str(nc), str(ne), str(na)) for a, h, ns, nc, ne, na in s.articles]),
    ):
        table = Table(*header, title=title)
        for row in data:
            table.add_row(*row)
        out.print(table)


@main.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@store_option
@click.option("--no-shacl", is_flag=True, help="Skip the SHACL shapes check of the store.")
@click.option("--no-owl", is_flag=True, help="Skip the OWL consistency check of the store (HermiT, needs Java).")
def validate_cmd(paths: tuple[Path, ...], store_path: Path | None, no_shacl: bool, no_owl: bool) -> None:
    """Check annotation files (default: data/), then the store against the SHACL shapes and the ontology."""
    from . import validate as checks  # pyshacl and owlready2 load slowly: import them only here

    files: list[Path] = []
    errors = checks.check_annotations(paths, on_file=files.append)
    for error in errors:
        click.echo(str(error))
    click.echo(f"annotations: {len(files)} file(s), " + (f"{len(errors)} with errors" if errors else "no errors"))
    failed = bool(errors)
    path = store_path or default_store_path()
    if not path.is_dir():
        click.echo(f"store: none at {path}; SHACL and OWL checks skipped (run `kgbuild build` first)")
        sys.exit(1 if failed or store_path else 0)  # a store asked for by name must exist
    store = KgStore(path, read_only=True)
    if not no_shacl:
        report = checks.check_shacl(store, shapes_file())
        for line in report.results:
            click.echo(line)
        click.echo("shacl: conforms" if report.conforms else
                   f"shacl: {len(report.results)} result(s) from {len(report.shapes)} shape(s): {', '.join(report.shapes)}")
        failed = failed or not report.conforms
    if not no_owl:
        owl = checks.check_owl(store)
        click.echo(f"owl: {owl.message}")
        failed = failed or not owl.consistent
    if failed:
        sys.exit(1)


@main.command()
@store_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", type=int, default=8000, show_default=True, help="TCP port.")
@click.option("--write-token-file", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help="File holding the bearer token that allows SPARQL Update and graph-store writes "
                   "(or $KGBUILD_WRITE_TOKEN). Without one the server is read-only.")
@click.option("--timeout", "query_timeout", type=click.FloatRange(min=0.01), default=DEFAULTS.query_timeout,
              show_default=True,
              help="Per-query time limit in seconds (503 past it).")
@click.option("--max-body", type=click.IntRange(min=1), default=DEFAULTS.max_body, show_default=True,
              help="Largest request body in bytes (413 past it).")
@click.option("--max-html-rows", type=click.IntRange(min=1), default=DEFAULTS.max_html_rows, show_default=True,
              help="Most rows an HTML page or the query page shows.")
@click.option("--cors", "cors", multiple=True, metavar="ORIGIN",
              help="Allowed CORS origin (repeatable; default '*'; 'none' turns CORS off).")
@click.option("--workers", "query_workers", type=click.IntRange(min=1), default=DEFAULTS.query_workers,
              show_default=True,
              help="Query worker threads (the most queries that run at once).")
@click.option("--allow-service", is_flag=True,
              help="Allow SERVICE and LOAD to loopback hosts (the server then fetches those URLs).")
@click.option("--service-allow", "service_hosts", multiple=True, metavar="HOST",
              help="Also let SERVICE and LOAD reach HOST (repeatable; implies --allow-service).")
@click.option("--backend", "backend_url", default=None, metavar="URL",
              help="Serve from this SPARQL 1.1 endpoint instead of the store, e.g. http://HOST:8890/sparql "
                   "(Virtuoso), http://HOST:7878/query (oxigraph serve --union-default-graph).")
@click.option("--backend-update", "backend_update", default=None, metavar="URL",
              help="With --backend and a write token: the engine's SPARQL Update endpoint (default: /update beside "
                   "a /query URL, else --backend). Credentials: $KGBUILD_BACKEND_USER, $KGBUILD_BACKEND_PASSWORD.")
@click.option("--poll", "poll_interval", type=click.FloatRange(min=0), default=DEFAULTS.poll_interval, show_default=True,
              help="With --backend: seconds between checks of the engine's VoID graph for new data (0: never).")
@click.option("--cache-ttl", type=click.FloatRange(min=0), default=DEFAULTS.cache_ttl, show_default=True,
              help="With --backend: the longest a cached saved-query answer is served (0: no caching).")
@click.option("--processes", type=click.IntRange(min=1), default=1, show_default=True,
              help="Server processes sharing the port (read-only stores only; each has --workers threads).")
@click.option("--answer-cache/--no-answer-cache", default=DEFAULTS.answer_cache, show_default=True,
              help="Answer a repeated GET query from memory until the store changes.")
@queries_option
def serve(store_path: Path | None, host: str, port: int, write_token_file: Path | None,
          query_timeout: float, max_body: int, max_html_rows: int, cors: tuple[str, ...], query_workers: int,
          allow_service: bool, service_hosts: tuple[str, ...], extra_queries: tuple[Path, ...],
          backend_url: str | None, backend_update: str | None, poll_interval: float,
          cache_ttl: float, processes: int, answer_cache: bool) -> None:
    """Serve the store (or a SPARQL engine, --backend) over SPARQL 1.1, with saved queries, linked-data pages
    and a query page."""
    import os

    import uvicorn

    from .server import create_app

    token = None
    if write_token_file is not None:
        token = write_token_file.read_text("utf-8").strip()
    elif os.environ.get("KGBUILD_WRITE_TOKEN"):
        token = os.environ["KGBUILD_WRITE_TOKEN"].strip()
    if token is not None and not token:
        raise KgbuildError("the write token is empty")
    if token is not None and processes > 1:
        raise KgbuildError("a writable store is held by one process: use --processes 1 with a write token")
    if backend_url is not None and processes > 1:
        raise KgbuildError("--processes serves a store on disk; in front of --backend, start several "
                           "`kgbuild serve --backend` processes instead")
    if backend_url is not None:
        from .remote import RemoteStore

        if store_path is not None:
            raise click.UsageError("give either --store or --backend, not both")
        user, password = os.environ.get("KGBUILD_BACKEND_USER"), os.environ.get("KGBUILD_BACKEND_PASSWORD")
        store: KgStore | RemoteStore = RemoteStore(backend_url, update_url=backend_update, timeout=query_timeout + 1,
                                                   auth=(user, password or "") if user else None)
    else:
        store = KgStore(store_path or default_store_path(), read_only=token is None)
    origins: tuple[str, ...] = () if cors == ("none",) else (cors or ("*",))
    try:
        settings = ServeSettings(
            queries_dirs=tuple(queries_dirs(extra_queries)), write_token=token, query_timeout=query_timeout,
            max_body=max_body, max_html_rows=max_html_rows, cors_origins=origins, query_workers=query_workers,
            allow_service=allow_service or bool(service_hosts), service_hosts=service_hosts,
            poll_interval=poll_interval, cache_ttl=cache_ttl, answer_cache=answer_cache)
        app = create_app(store, settings)
    except ValueError as exc:
        raise KgbuildError(str(exc)) from None
    mode = "read-write (bearer token)" if token else "read-only"
    click.echo(f"serving {store.path or backend_url} ({mode}) on http://{host}:{port}/ — SPARQL at /sparql, "
               f"pages of {app.state.kg.base} at {app.state.kg.ld_prefixes[0]}"
               + (f" ({processes} processes)" if processes > 1 else ""), err=True)
    if processes > 1:
        from .server.processes import serve_processes

        path = store.path
        assert path is not None
        app.state.kg.runner.close()  # the settings are valid: each process builds its own app from them
        del app, store  # and opens the store itself; this one would only keep old files open after a rebuild
        serve_processes(processes, host=host, port=port, store=path, settings=settings)
        return
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)


@main.command("push")
@click.option("--to", "url", required=True, metavar="URL",
              help="Where to push: a Graph Store endpoint for --engine gsp, e.g. http://localhost:7878/store "
                   "(Oxigraph), http://host:3030/DATASET/data (Fuseki); the server's root for oxigraph and virtuoso.")
@store_option
@click.option("--engine", type=click.Choice(["gsp", "oxigraph", "virtuoso"]), default="gsp", show_default=True,
              help="gsp: one Graph Store PUT per graph. oxigraph/virtuoso: PUTs for small changes, the engine's "
                   "bulk loader for large ones (see --bulk-threshold).")
@click.option("--bulk-threshold", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Changed graphs from which oxigraph/virtuoso use the bulk path instead of one PUT each.")
@click.option("--shards", type=click.IntRange(min=1), default=8, show_default=True,
              help="Bulk path: the changed graphs go in this many N-Quads files, loaded (and recorded) one by one.")
@click.option("--load-dir", type=click.Path(file_okay=False, exists=True, path_type=Path), default=None,
              help="Virtuoso: a folder its server can read and lists under DirsAllowed; shard files go there.")
@click.option("--isql", "isql_address", default="127.0.0.1:1111", show_default=True, metavar="HOST:PORT",
              help="Virtuoso: its SQL port, for isql (user $KGBUILD_ISQL_USER, password $KGBUILD_ISQL_PASSWORD; "
                   "default dba/dba).")
@click.option("--auth-header", "auth_headers", multiple=True, metavar="'Name: value'",
              help="An HTTP header sent with every request, e.g. 'Authorization: Bearer TOKEN' (repeatable).")
@click.option("--state-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Resume file of graphs already pushed (default: STORE.push.jsonl beside the store).")
@click.option("--retries", type=click.IntRange(0, 20), default=5, show_default=True,
              help="Retries per graph on connection errors, timeouts, 429 and 5xx (exponential backoff).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def push_cmd(url: str, store_path: Path | None, engine: str, bulk_threshold: int, shards: int, load_dir: Path | None,
             isql_address: str, auth_headers: tuple[str, ...], state_file: Path | None, retries: int,
             quiet: bool) -> None:
    """Bring a SPARQL server up to date with the store: only changed graphs go, deleted ones are deleted there.

    Resumable: rerun the same command after a failure and it carries on where it stopped.
    """
    import os

    from .push import VirtuosoOptions, parse_header, push

    path = store_path or default_store_path()
    store = KgStore(path, read_only=True)
    headers = dict(parse_header(h) for h in auth_headers)
    state = state_file or path.with_name(path.name + ".push.jsonl")
    virtuoso = VirtuosoOptions(isql_address, os.environ.get("KGBUILD_ISQL_USER", "dba"),
                               os.environ.get("KGBUILD_ISQL_PASSWORD", "dba"), load_dir)
    progress = Progress(TextColumn("pushing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=console, disable=quiet or not console.is_terminal, transient=True)
    with progress:
        task = progress.add_task("push", total=None)
        report = push(store, url, headers=headers, state=state, retries=retries, engine=engine,
                      bulk_threshold=bulk_threshold, shards=shards, virtuoso=virtuoso,
                      progress=lambda done, total: progress.update(task, completed=done, total=total))
    how = f" in {report.batches} bulk load(s)" if report.batches else ""
    click.echo(f"pushed {len(report.pushed)} graph(s){how}, {report.bytes:,} bytes; skipped {len(report.skipped)} "
               f"already pushed; deleted {len(report.deleted)}; {report.retries} retries; state: {state}")


def _iri(value: str) -> Any:
    import pyoxigraph as ox

    return ox.NamedNode(value)


# ---------------------------------------------------------------- annotation files in and out
def _export_webannotation(paths: tuple[Path, ...], output: Path | None, base: str | None) -> None:
    from .webannotation import collections_for, dumps

    found = collections_for(list(paths), base=base)
    if output is None or output.suffix in (".jsonld", ".json"):
        if len(found) != 1:
            raise click.UsageError(f"{len(found)} articles: give -o FOLDER to write one .jsonld file each")
        text = dumps(found[0][1])
        if output is None:
            sys.stdout.write(text)
            return
        targets = [(output, text)]
    else:
        targets = [(output / (path.stem + ".jsonld"), dumps(coll)) for path, coll in found]
    for target, text in targets:
        atomic_write(target, text)
        click.echo(f"wrote {target} (Web Annotation collection, {len(text):,} bytes)", err=True)


registry_option = click.option(
    "--registry", "registry_path", type=click.Path(exists=True, path_type=Path), default=None,
    help="The corpus registry (registry.yaml or its folder; default: found above the output, else data/).")


@main.group("import")
def import_group() -> None:
    """Write kgbuild annotation files from other tools' exports (brat, W3C Web Annotation)."""


@import_group.command("brat")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--output", "-o", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the annotation files (default: beside each .ann); texts are copied there.")
@registry_option
@click.option("--write-conf", is_flag=True, help="Only write kgbuild's brat annotation.conf into SOURCE.")
def import_brat_cmd(source: Path, out_dir: Path | None, registry_path: Path | None, write_conf: bool) -> None:
    """Import brat standoff (.txt + .ann pairs) from SOURCE (a folder, or one file)."""
    from .corpus import corpus_for
    from .importers import brat

    if write_conf:
        click.echo(f"wrote {brat.write_conf(source)}", err=True)
        return
    registry = corpus_for(registry_path, *([out_dir] if out_dir else []), source).registry
    report = brat.import_brat(source, out_dir, registry=registry)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for path in report.written:
        click.echo(f"wrote {path}", err=True)


@import_group.command("webannotation")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Annotation file to write (default: FILE with .yaml); the text is written beside it if missing.")
@click.option("--text", "text_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="The article text, when the collection does not carry it.")
@registry_option
def import_webannotation_cmd(file: Path, output: Path | None, text_path: Path | None,
                             registry_path: Path | None) -> None:
    """Import a W3C Web Annotation collection (as `kgbuild export --format webannotation` writes)."""
    from .corpus import corpus_for
    from .webannotation import import_file

    target = output or file.with_suffix(".yaml")
    registry = corpus_for(registry_path, target.parent, file.parent).registry
    warnings = import_file(file, target, registry=registry, text_path=text_path)
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"wrote {target}", err=True)


@main.command("draft")
@click.argument("articles", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Annotation file to write (default: stdout). For an HTML page the text goes beside it (.txt).")
@click.option("--output-dir", "-d", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write each article's draft here, as NAME.yaml (or NAME.ann); needed for several articles.")
@click.option("--format", "fmt", type=click.Choice(["yaml", "brat"]), default="yaml", show_default=True,
              help="yaml: a kgbuild annotation to review; brat: attributions in PolNeAR's standoff layout.")
@registry_option
@click.option("--force", is_flag=True, help="Overwrite drafts that exist.")
def draft_cmd(articles: tuple[Path, ...], output: Path | None, output_dir: Path | None, fmt: str,
              registry_path: Path | None, force: bool) -> None:
    """Draft annotations for ARTICLES (.txt, or saved .html pages): attributions, quotes, claims, events, entities.

    With several articles, one that cannot be drafted is reported in one line and the others are
    still drafted; the exit status is then 1.
    """
    from .corpus import corpus_for

    if output is not None and (output_dir is not None or len(articles) > 1):
        raise click.UsageError("-o names one draft: give one ARTICLE, or use --output-dir for several")
    if output_dir is None and len(articles) > 1:
        raise click.UsageError("several articles need --output-dir DIR (each draft is DIR/NAME.yaml)")
    suffix = ".ann" if fmt == "brat" else ".yaml"
    targets = [output_dir / (a.stem + suffix) if output_dir else output for a in articles]
    registry = None if fmt == "brat" else corpus_for(
        registry_path, *[t.parent for t in targets[:1] if t is not None], articles[0].parent).registry
    if output_dir is not None:
        output_dir.mkdir(parents=True, exist_ok=True)
    failed = 0
    target_of = dict(zip(articles, targets, strict=True))  # (the same article twice has the same target)
    for article, outcome in _draft_many(articles, targets, fmt, registry, force):
        if not isinstance(outcome, KgbuildError):
            click.echo(_write_draft(article, target_of[article], outcome), err=True)
            continue
        if len(articles) == 1:
            raise outcome
        failed += 1
        click.echo(f"error: {outcome}", err=True)
    if len(articles) > 1:
        click.echo(f"drafted {len(articles) - failed} of {len(articles)} articles", err=True)
    if failed:
        raise SystemExit(1)


def _check_free(article: Path, output: Path | None, force: bool) -> None:
    """Refuse to overwrite a draft (or the text saved beside it) that may have been reviewed."""
    text_out = output.with_suffix(".txt") if output is not None else None
    for target in (output, text_out if text_out != article else None):
        if target is not None and target.exists() and not force:
            raise KgbuildError(f"{target} exists (a reviewed annotation?); use --force to overwrite it")


def _draft_many(articles: tuple[Path, ...], targets: list[Path | None], fmt: str, registry: Any,
                force: bool) -> Iterator[tuple[Path, Any]]:
    """(article, its draft or the error it gave) for each article, parsed in batches."""
    from .draft import draft_articles, draft_brats

    free: list[tuple[Path, Path | None]] = []
    for article, target in zip(articles, targets, strict=True):
        try:
            _check_free(article, target, force)
            free.append((article, target))
        except KgbuildError as exc:
            yield article, exc
    if fmt == "brat":
        yield from draft_brats(a for a, _ in free)
    else:
        yield from draft_articles(((a, t or a.with_suffix(".yaml")) for a, t in free), registry=registry)


def _write_draft(article: Path, output: Path | None, drafted: Any) -> str:
    """Write one article's draft to `output` (stdout if None); the line that says what was written."""
    from .draft import pending_reviews

    if isinstance(drafted, tuple):  # brat: (source, standoff)
        source, ann = drafted
        found = sum(1 for line in ann.splitlines() if line.startswith("E"))
        if output is None:
            sys.stdout.write(ann)
            return f"{article}: {found} attribution(s)"
        if source.is_html:
            atomic_write(output.with_suffix(".txt"), source.body)
        atomic_write(output, ann)
        return f"wrote {output}: {found} attribution(s)"
    result = drafted
    if output is None:
        if result.is_html:
            raise KgbuildError(f"{article}: an HTML page needs -o FILE.yaml: its extracted text is saved beside it")
        sys.stdout.write(result.yaml)
    else:
        if result.is_html and result.text_path is not None:
            atomic_write(result.text_path, result.body)
        atomic_write(output, result.yaml)
    unresolved = sum(1 for s in result.statements if s.speaker is None)
    return (f"{'wrote ' + str(output) if output else article}: {len(result.statements)} quote(s) "
            f"({unresolved} without a speaker), {len(result.claims)} claim(s), {len(result.events)} event(s), "
            f"{len(result.mentions)} entities mentioned, {len(result.proposals)} new entities proposed, "
            f"{len(result.dates)} date(s); {pending_reviews(result.yaml)} REVIEW note(s) to work through")


@main.group("eval")
def eval_group() -> None:
    """Score drafts against gold annotations."""


@eval_group.command("attribution")
@click.argument("gold_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--drafts", "drafts_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Score the NAME.ann files here instead of drafting each text now.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Score the first N articles only.")
def eval_attribution_cmd(gold_dir: Path, drafts_dir: Path | None, limit: int | None) -> None:
    """Content, source and cue precision/recall/F1 (exact and overlap) and direct-quote speaker accuracy."""
    from .draft import draft_attributions
    from .drafting.evaluate import drafting, evaluate, report, saved_drafts

    drafter = saved_drafts(drafts_dir) if drafts_dir else drafting(draft_attributions)
    click.echo(report(evaluate(gold_dir, drafter, limit)))
