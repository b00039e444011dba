"""The bulk-loading child process of a build: `python -m kgbuild.loadchild STAGING_FOLDER PARENT_PID`.

Reads batch file names on stdin, bulk-loads each into the staging store, answers `ok`
after each, and closes the store at the end of its input. Started and read by
`staging._Children`; living for a few batches only, it takes the memory Oxigraph's
loader keeps with it when it exits. It dies with the build that started it, so it
never writes into a staging folder the next writer is removing.
"""
from __future__ import annotations

import ctypes
import os
import signal
import sys
from pathlib import Path

from .store import KgStore

PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """Linux: be killed when the build is; anywhere: stop if the build is already gone."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        sys.exit(1)


def main(folder: str, parent: int) -> int:
    _die_with_parent(parent)
    try:
        staged = KgStore(folder)
        for line in sys.stdin:
            staged.bulk_load_nquads(Path(line.rstrip("\n")))
            sys.stdout.write("ok\n")
            sys.stdout.flush()
        staged.close()
    except Exception as exc:  # noqa: BLE001 (the process boundary: the parent reports this one line)
        sys.stderr.write(f"{type(exc).__name__}: {exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
