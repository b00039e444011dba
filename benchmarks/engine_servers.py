"""Real SPARQL engines on loopback, for the tests and the benchmarks: Virtuoso and `oxigraph serve`.

Each runs on 127.0.0.1 on free ports with its own folder (database, ini, a load
folder Virtuoso's DirsAllowed lists), is started and stopped by its caller by its
own process id, and can be killed (SIGKILL) and restarted on the same folder.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
from common import free_port, stop

from kgbuild.bulk import VirtuosoLoader

BIN = Path(sys.executable).parent
OXIGRAPH = shutil.which("oxigraph", path=str(BIN)) or shutil.which("oxigraph")
VIRTUOSO = shutil.which("virtuoso-t")
ISQL = shutil.which("isql-vt") or shutil.which("isql")


def _wait_http(url: str, proc: subprocess.Popen[bytes], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode} while starting")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not answer {url} within {timeout:.0f} s")


class _Engine:
    """A server process the tests and benchmarks start, kill (SIGKILL) and stop (SIGTERM, then SIGKILL)."""

    proc: subprocess.Popen[bytes] | None = None
    GRACE = 10.0  # seconds between SIGTERM and SIGKILL in `stop`

    def kill(self) -> None:
        """SIGKILL: no checkpoint, no clean shutdown."""
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            stop(self.proc, grace=self.GRACE)


class OxigraphServer(_Engine):
    """`oxigraph serve` on 127.0.0.1 over a folder, optionally with the union default graph kgbuild assumes."""

    def __init__(self, location: Path, *, union_default_graph: bool = False):
        self.location, self.port = location, free_port()
        self.union_default_graph = union_default_graph

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """The Graph Store endpoint."""
        return self.root + "/store"

    @property
    def query_url(self) -> str:
        return self.root + "/query"

    def start(self) -> None:
        assert OXIGRAPH is not None
        args = [OXIGRAPH, "serve", "--location", str(self.location), "--bind", f"127.0.0.1:{self.port}"]
        if self.union_default_graph:
            args.append("--union-default-graph")
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_http(self.root + "/", self.proc, "oxigraph serve", timeout=30)


INI = """[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {load}
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
ThreadsPerQuery = 2
MaxClientConnections = 8

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {root}
ServerThreads = 8
MaxClientConnections = 8
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
MaxQueryCostEstimationTime = 0
"""


class Virtuoso(_Engine):
    """Virtuoso Open Source 7 on 127.0.0.1: its own database folder, ini, SQL and HTTP ports, and load folder.
    It checkpoints on SIGTERM, so `stop` gives it 30 s.

    The ini raises ResultSetMaxRows (Debian's default, 10,000, silently cuts longer
    answers) and lists `load` under DirsAllowed for the bulk loader.
    """

    GRACE = 30.0

    def __init__(self, folder: Path):
        self.folder = folder
        self.db = folder / "db"
        self.load_dir = folder / "load"
        self.http_port, self.sql_port = free_port(), free_port()
        for sub in (self.db, self.load_dir, folder / "www"):
            sub.mkdir(parents=True, exist_ok=True)
        self.ini = folder / "virtuoso.ini"
        self.ini.write_text(INI.format(db=self.db, sql_port=self.sql_port, load=self.load_dir,
                                       http_port=self.http_port, root=folder / "www"), "utf-8")

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def sparql_url(self) -> str:
        return self.root + "/sparql"

    @property
    def isql_address(self) -> str:
        return f"127.0.0.1:{self.sql_port}"

    def start(self) -> None:
        assert VIRTUOSO is not None
        log = open(self.folder / "stdout.log", "ab")  # noqa: SIM115 - the process keeps it
        self.proc = subprocess.Popen([VIRTUOSO, "+configfile", str(self.ini), "+foreground", "+wait"],
                                     cwd=self.folder, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        _wait_http(self.sparql_url + "?query=ASK%7B%7D", self.proc, "virtuoso-t", timeout=120)

    def isql(self, script: str) -> str:
        """Run SQL as dba through kgbuild's own isql runner (which raises on the first error)."""
        return VirtuosoLoader(self.isql_address, "dba", "dba", self.load_dir, isql=ISQL, timeout=120).run(script)
