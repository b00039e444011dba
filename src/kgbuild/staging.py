"""Replacing a whole store: bulk-load N-Quads into a staging store beside it, then swap it in atomically.

A staging store is a new store in a hidden folder beside the real one
(`.NAME.staging-PID-XXXX`), filled by Oxigraph's bulk loader and then swapped in with
one atomic rename (Linux `renameat2(RENAME_EXCHANGE)`; elsewhere two renames, undone
on the next open if a crash falls between them). Oxigraph's bulk loader is not
transactional, so a process killed mid-load leaves only a staging folder, which the
next writer removes (`recover`); the store itself never holds a partly loaded corpus.

`KgStore.swap_in()` uses the folder steps here; `load_and_swap`
is the pipeline a build runs to fill a staging store from mapped articles. For an
on-disk store the bulk loads run in child processes (`python -m kgbuild.loadchild`), a
few batches each, so the memory Oxigraph's loader keeps leaves with them; a child dies
with the build (Linux: PR_SET_PDEATHSIG), and a child that fails becomes one StoreError
with nothing swapped in.
"""
from __future__ import annotations

import ctypes
import errno
import os
import queue
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from .errors import StoreError

if TYPE_CHECKING:
    from .store import KgStore

# N-Quads per bulk_load call: Oxigraph holds a call's input in memory until the call ends, so this bounds
# the build's memory; small batches also let loading start while the workers are still mapping
# (1,000 articles: 4.0 s in 64 MB batches, 3.2 s in 8 MB; 10,000: 31.5 s and 28.9 s, peak RSS 519 and
# 479 MB). $KGBUILD_BULK_BATCH_MB changes it.
BULK_BATCH_BYTES = max(1, int(os.environ.get("KGBUILD_BULK_BATCH_MB") or 8)) << 20
# Batches per loader child (_Children): a child costs an interpreter start and leaves with the memory it grew
# (16: 54 children at 100,000 articles, each at 80 to 120 MB). $KGBUILD_LOADER_BATCHES changes it.
BATCHES_PER_LOADER = max(1, int(os.environ.get("KGBUILD_LOADER_BATCHES") or 16))
LOADER = "kgbuild.loadchild"  # the child's module, run with `python -m` (named, not imported: it imports the store)


# ---------------------------------------------------------------- folders beside the store
def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _siblings(path: Path, kind: str) -> list[tuple[Path, int]]:
    """Hidden staging (or displaced) folders of the store at `path`: (folder, pid of the process that made it)."""
    out = []
    for entry in path.parent.glob(f".{path.name}.{kind}-*"):
        try:
            out.append((entry, int(entry.name.rsplit(f".{kind}-", 1)[1].split("-", 1)[0])))
        except ValueError:
            continue
    return out


def recover(path: Path) -> None:
    """Undo what a killed writer left beside `path`: a store displaced mid-swap comes back; dead staging goes."""
    if not path.exists():
        displaced = sorted((p for p, pid in _siblings(path, "old") if not _pid_alive(pid)),
                           key=lambda p: p.stat().st_mtime)
        if displaced:
            os.rename(displaced[-1], path)
    for kind in ("staging", "old"):
        for entry, pid in _siblings(path, kind):
            if not _pid_alive(pid):
                shutil.rmtree(entry, ignore_errors=True)


def staging_path(path: Path) -> Path:
    """A new hidden folder name beside `path`, naming this process (so a later writer knows when it died)."""
    return path.parent / f".{path.name}.staging-{os.getpid()}-{secrets.token_hex(4)}"


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(err, os.strerror(err), str(a))


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def swap_folders(staged: Path, path: Path) -> None:
    """Put the (closed) store folder `staged` at `path` in one atomic step; the old store is removed."""
    if _exchange(staged, path):
        displaced = staged  # now holds the old store
    else:
        displaced = path.parent / f".{path.name}.old-{os.getpid()}-{secrets.token_hex(4)}"
        os.rename(path, displaced)  # a crash between the renames is undone by the next open (recover)
        try:
            os.rename(staged, path)
        except OSError:
            os.rename(displaced, path)
            raise
    _fsync_dir(path.parent)
    shutil.rmtree(displaced, ignore_errors=True)


# ---------------------------------------------------------------- filling a staging store
class _Spooler(threading.Thread):
    """Writes the N-Quads `chunks` into batch files of about `batch` bytes, one batch ahead of the loader.

    Oxigraph's bulk loader releases the GIL when it reads a file, but needs it for every
    read from a Python stream (and then waits on the other threads): so the mapped
    articles go through files, and the next batch is written while the current one loads.
    """

    def __init__(self, chunks: Iterable[bytes], folder: Path, batch: int):
        super().__init__(name="kgbuild-spooler", daemon=True)
        self.chunks, self.folder, self.batch = chunks, folder, batch
        self.ready: queue.Queue[Path | BaseException | None] = queue.Queue(maxsize=1)
        self.stop = threading.Event()

    def _put(self, item: Path | BaseException | None) -> bool:
        while not self.stop.is_set():
            try:
                self.ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def run(self) -> None:
        try:
            out, size, n = None, 0, 0
            for chunk in self.chunks:
                if self.stop.is_set():
                    return
                if out is None:
                    out, size, n = open(self.folder / f"{n}.nq", "wb"), 0, n + 1  # noqa: SIM115
                out.write(chunk)
                size += len(chunk)
                if size >= self.batch:
                    out.close()
                    if not self._put(Path(out.name)):
                        return
                    out = None
            if out is not None:
                out.close()
                if not self._put(Path(out.name)):
                    return
            self._put(None)
        except BaseException as exc:  # a bad article: the loader's thread raises it
            self._put(exc)


def file_chunks(spool: BinaryIO, size: int = 1 << 20) -> Iterator[bytes]:
    """A spool file in pieces of whole lines: a bulk-load batch may end after any piece, never mid-quad."""
    spool.seek(0)
    while chunk := spool.read(size):
        yield chunk + spool.readline()


class _InProcess:
    """Batches loaded by this process into a staging store it holds open (an in-memory store has no folder)."""

    def __init__(self, store: KgStore):
        self.store, self.staged = store, type(store)()  # a new in-memory KgStore

    def load(self, batch: Path) -> None:
        self.staged.bulk_load_nquads(batch)

    def finish(self) -> None:
        self.store.swap_in(self.staged)

    def abort(self) -> None:
        self.staged.close()


class _Children:
    """Batches loaded into a staging folder by short-lived child processes, BATCHES_PER_LOADER each.

    The process that calls Oxigraph's bulk loader keeps memory it does not give back
    (RocksDB's and the allocator's): in one process it grew with every batch, and
    reopening the store did not return it. A child that exits returns all of it, so
    the build's own memory stays what it was before loading began. This process never
    opens the staging store: it names it (so `recover` knows whose it is) and swaps
    it in once the last child exited cleanly.
    """

    def __init__(self, store: KgStore):
        assert store.path is not None
        recover(store.path)  # dead writers' staging folders go first
        self.store, self.folder = store, staging_path(store.path)
        self.child: subprocess.Popen[str] | None = None
        self.errors: BinaryIO | None = None
        self.loaded = 0

    def _start(self) -> subprocess.Popen[str]:
        self.errors = tempfile.TemporaryFile()  # noqa: SIM115 (read once the child has exited)
        return subprocess.Popen([sys.executable, "-m", LOADER, str(self.folder), str(os.getpid())],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.errors, text=True)

    def load(self, batch: Path) -> None:
        child = self.child = self.child or self._start()
        assert child.stdin is not None and child.stdout is not None
        try:
            child.stdin.write(f"{batch}\n")
            child.stdin.flush()
        except BrokenPipeError:
            pass  # it died: its exit status and error line say why
        if child.stdout.readline() != "ok\n":
            self._end(child, failed=f"it did not load {batch.name}")
        self.loaded += 1
        if self.loaded % BATCHES_PER_LOADER == 0:
            self._end(child)

    def _release(self, child: subprocess.Popen[str]) -> list[str]:
        """Wait for the child (its stdin closed), close its pipes, and return its error lines."""
        self.child = None
        assert child.stdin is not None and child.stdout is not None and self.errors is not None
        try:
            child.stdin.close()
        except BrokenPipeError:
            pass
        child.wait()
        child.stdout.close()
        self.errors.seek(0)
        lines = self.errors.read().decode("utf-8", "replace").strip().splitlines()
        self.errors.close()
        return lines

    def _end(self, child: subprocess.Popen[str], failed: str | None = None) -> None:
        """Let the child close the staging store and exit; raise its error line if it failed (or `failed`
        says it did, whatever its exit status: a batch it did not answer for is a batch not loaded)."""
        lines = self._release(child)
        code = child.returncode
        if code != 0 or failed:
            why = lines[-1] if lines else f"exit status {code}" if code else failed
            raise StoreError(f"bulk loading into a staging store beside {self.store.path} failed: {why}; "
                             f"the store is unchanged")

    def finish(self) -> None:
        if self.child is not None:
            self._end(self.child)
        if not self.folder.is_dir():  # nothing to load at all: an empty store
            self.folder.mkdir()
        self.store.swap_in(self.folder)

    def abort(self) -> None:
        if self.child is not None:
            self.child.kill()
            self._release(self.child)
        shutil.rmtree(self.folder, ignore_errors=True)


def load_and_swap(store: KgStore, chunks: Iterable[bytes], batch: int | None = None) -> None:
    """Bulk-load the N-Quads `chunks` into a staging store and swap it in; on any failure, discard it.

    Oxigraph's bulk loader keeps a call's quads in memory and makes them visible only at
    the end of the call (1.6 GB for 2.7 million quads in one call), so the chunks go in
    batches of BULK_BATCH_BYTES, loaded by child processes (_Children): memory stays flat
    in the corpus size, and loading in batches measured faster than one call. Batches are
    not atomic together, which is why they go to a staging store that replaces the real
    one only once all are in.
    """
    sink = _InProcess(store) if store.path is None else _Children(store)
    with tempfile.TemporaryDirectory(prefix="kgbuild-load-") as tmp:
        spooler = _Spooler(chunks, Path(tmp), batch or BULK_BATCH_BYTES)
        spooler.start()
        try:
            while (item := spooler.ready.get()) is not None:
                if isinstance(item, BaseException):
                    raise item
                sink.load(item)
                item.unlink()
            sink.finish()
        except BaseException:
            spooler.stop.set()
            spooler.join()
            sink.abort()
            raise
        spooler.join()
