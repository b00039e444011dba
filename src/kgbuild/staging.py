"""Replacing a whole store: bulk-load N-Quads into a staging store beside it, then swap it in atomically.

A staging store is a new store in a hidden folder beside the real one
(`.NAME.staging-PID-XXXX`), filled by Oxigraph's bulk loader and then swapped in with
one atomic rename (Linux `renameat2(RENAME_EXCHANGE)`; elsewhere two renames, undone
on the next open if a crash falls between them). Oxigraph's bulk loader is not
transactional, so a process killed mid-load leaves only a staging folder, which the
next writer removes (`recover`); the store itself never holds a partly loaded corpus.

`KgStore.staging()` and `KgStore.swap_in()` use the folder steps here; `load_and_swap`
is the pipeline a build runs to fill a staging store from mapped articles.
"""
from __future__ import annotations

import ctypes
import errno
import os
import queue
import secrets
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from .store import KgStore

# N-Quads per bulk_load call: Oxigraph holds a call's input in memory until the call ends, so this bounds
# the build's memory; small batches also let loading start while the workers are still mapping
# (1,000 articles: 4.0 s in 64 MB batches, 3.2 s in 8 MB; 10,000: 31.5 s and 28.9 s, peak RSS 519 and
# 479 MB). $KGBUILD_BULK_BATCH_MB changes it.
BULK_BATCH_BYTES = max(1, int(os.environ.get("KGBUILD_BULK_BATCH_MB") or 8)) << 20


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


def load_and_swap(store: KgStore, chunks: Iterable[bytes], batch: int | None = None) -> None:
    """Bulk-load the N-Quads `chunks` into a staging store and swap it in; on any failure, discard it.

    Oxigraph's bulk loader keeps a call's quads in memory and makes them visible only at
    the end of the call (1.6 GB for 2.7 million quads in one call), so the chunks go in
    batches of BULK_BATCH_BYTES: memory stays flat in the corpus size, and loading in
    batches measured faster than one call. Batches are not atomic together, which is why
    they go to a staging store that replaces the real one only once all are in.
    """
    staged = store.staging()
    with tempfile.TemporaryDirectory(prefix="kgbuild-load-") as tmp:
        spooler = _Spooler(chunks, Path(tmp), batch or BULK_BATCH_BYTES)
        spooler.start()
        try:
            while (item := spooler.ready.get()) is not None:
                if isinstance(item, BaseException):
                    raise item
                staged.bulk_load_nquads(item)
                item.unlink()
        except BaseException:
            spooler.stop.set()
            spooler.join()
            staged.discard()
            raise
        spooler.join()
    store.swap_in(staged)
