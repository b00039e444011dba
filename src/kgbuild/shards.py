"""Sharded N-Quads for bulk loaders: gzip files that never split a graph, and a manifest that lists them.

`kgbuild export --shards N -f nquads DIR` writes DIR/shard-0001.nq.gz ... and
DIR/manifest.json; `kgbuild push` writes the same kind of files (only the changed
graphs) for an engine's bulk loader (Virtuoso's `ld_dir`, Oxigraph's POST /store).

A graph goes to shard `sha256(IRI) mod N`, so an article keeps its shard from one
export to the next (an incremental reload touches the same files), and every
graph is written whole into one file: a loader that dies mid-file can reload that
file's graphs from scratch. Each graph's quads are canonical (sorted, blank nodes
labelled by RDFC-1.0) and gzip gets no time stamp, so the same store always gives
the same bytes and the same checksums.

The manifest (JSON): `format`, `shards` (file, graphs, quads, bytes, sha256 of the
file) and `graphs` (IRI -> shard file, version, quads). A graph's version is the
kg:sourceHash of its article, else a digest of its N-Quads: what `kgbuild push`
compares to send only what changed.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .errors import KgbuildError
from .paths import atomic_write
from .store import KgStore, as_nquads, canonical

MANIFEST = "manifest.json"


def graph_versions(store: KgStore) -> dict[str, str]:
    """Named graph IRI -> its version: the article's kg:sourceHash, else a digest of the graph's N-Quads."""
    hashes = store.graph_hashes()
    out = {}
    for graph in store.graphs():
        out[graph.value] = hashes.get(graph.value) or "sha256:" + hashlib.sha256(graph_nquads(store, graph)).hexdigest()
    return out


def graph_nquads(store: KgStore, graph: ox.NamedNode) -> bytes:
    """One graph as canonical N-Quads (the same bytes for the same content)."""
    return as_nquads(canonical(store.quads(graph)))


def shard_of(graph: str, shards: int) -> int:
    """The shard (0-based) a graph always goes to, whatever else is in the store."""
    return int.from_bytes(hashlib.sha256(graph.encode("utf-8")).digest()[:8], "big") % shards


@dataclass
class Shard:
    file: str
    graphs: list[str] = field(default_factory=list)
    quads: int = 0
    bytes: int = 0
    sha256: str = ""


@dataclass
class Manifest:
    """What a sharded export holds: files, and for each graph its file and version."""

    shards: list[Shard]
    graphs: dict[str, dict[str, object]]

    def to_json(self) -> str:
        return json.dumps({"format": "nquads", "compression": "gzip",
                           "shards": [vars(s) for s in self.shards], "graphs": self.graphs}, indent=1) + "\n"


def write_shards(store: KgStore, folder: Path, shards: int, *, graphs: Iterable[str] | None = None,
                 versions: dict[str, str] | None = None, prefix: str = "shard",
                 progress: Callable[[int, int], None] | None = None) -> Manifest:
    """Write `graphs` (default: every named graph) of `store` as `shards` gzip N-Quads files in `folder`.

    Files are written beside their final name and renamed into place, the manifest
    last: a folder with a manifest is complete. Empty shards are not written.
    """
    if shards < 1:
        raise KgbuildError(f"--shards must be at least 1, not {shards}")
    versions = versions if versions is not None else graph_versions(store)
    chosen = sorted(versions if graphs is None else graphs)
    folder.mkdir(parents=True, exist_ok=True)
    buckets: dict[int, list[str]] = {}
    for graph in chosen:
        buckets.setdefault(shard_of(graph, shards), []).append(graph)
    width = max(4, len(str(shards)))
    out: list[Shard] = []
    entries: dict[str, dict[str, object]] = {}
    done = 0
    for index in sorted(buckets):
        shard = Shard(f"{prefix}-{index + 1:0{width}d}.nq.gz")
        target = folder / shard.file
        tmp = target.with_name(target.name + ".part")
        digest = hashlib.sha256()
        with open(tmp, "wb") as raw:
            hashing = _Hashing(raw, digest)
            with gzip.GzipFile(fileobj=hashing, mode="wb", mtime=0, compresslevel=5) as gz:  # type: ignore[arg-type]
                for graph in buckets[index]:
                    data = graph_nquads(store, ox.NamedNode(graph))
                    gz.write(data)
                    count = data.count(b"\n")
                    shard.graphs.append(graph)
                    shard.quads += count
                    entries[graph] = {"shard": shard.file, "version": versions.get(graph), "quads": count}
                    done += 1
                    if progress:
                        progress(done, len(chosen))
            shard.bytes = hashing.size
        os.replace(tmp, target)
        shard.sha256 = digest.hexdigest()
        out.append(shard)
    manifest = Manifest(out, entries)
    atomic_write(folder / MANIFEST, manifest.to_json())
    return manifest


class _Hashing:
    """A write-only file that hashes and counts what passes through it (the gzip stream's bytes)."""

    def __init__(self, raw: object, digest: hashlib._Hash):
        self.raw, self.digest, self.size = raw, digest, 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self.raw.write(data)  # type: ignore[attr-defined, no-any-return]

    def flush(self) -> None:
        self.raw.flush()  # type: ignore[attr-defined]
