"""The index on disk: generations of (manifest, passages, FAISS vectors, BM25), swapped atomically.

Layout of an index folder:
    CURRENT            name of the generation being served (replaced atomically)
    gen-<stamp>/       manifest.json, passages/ (columns, qa.passages), vectors.npy (float32,
                       one row per passage, memory-mapped), vectors.faiss (the search index),
                       dead.npy (ids the HNSW graph still holds but no passage has), bm25/
    .tmp-<stamp>/      a generation being written; removed if a rebuild dies
    .lock              held by the one rebuild allowed at a time

A reader resolves CURRENT once and then reads only that folder, so it always sees one whole
generation. Nothing here is pickled: JSON, FAISS's own format and .npy without pickle.

Vectors: below `hnsw_threshold` passages an exact inner-product index; above it an HNSW graph
over 8-bit scalar-quantised vectors (a quarter of the memory), whose candidates search scores
again exactly from vectors.npy. A rebuild adds new passages to the previous generation's
graph instead of building it again; passages that left stay in the graph as dead ids, filtered
out of every search, until they are more than `DEAD_SHARE` of it.
"""

from __future__ import annotations

import bisect
import contextlib
import json
import logging
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import faiss
import numpy as np
from filelock import FileLock, Timeout

from qa import passages
from qa.chunking import Chunk
from qa.documents import READER_VERSION, file_sha256
from qa.errors import IndexBusyError, IndexCorruptError, IndexMissingError, QAError
from qa.facts import ReportFacts
from qa.lexical import Lexical

log = logging.getLogger(__name__)

FORMAT_VERSION = 2
KEEP_GENERATIONS = 2
# A graph whose dead ids pass this share of its vectors is built again from the live ones.
DEAD_SHARE = 0.2
_FIX = "rebuild it with `qa index --full`"


def _flat(record: Any) -> dict[str, Any]:
    """A flat dataclass as a dict; dataclasses.asdict deep-copies and is 10x slower here."""
    return {f.name: getattr(record, f.name) for f in fields(record)}


@dataclass(frozen=True, slots=True)
class FileRecord:
    """What the index knows of one file in the documents folder."""

    path: str
    sha256: str
    size: int
    mtime_ns: int
    status: str  # "indexed", "skipped" or "duplicate"
    reason: str = ""
    title: str = ""
    date: str | None = None
    pages: int = 0
    passages: int = 0
    duplicate_of: str | None = None
    notes: tuple[str, ...] = ()
    # What the document says about itself (qa.facts.ReportFacts.to_json()): council, kind,
    # dates, inspectors, judgements. None for files that were not read.
    facts: dict[str, Any] | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FileRecord:
        data = dict(data)
        data["notes"] = tuple(data.get("notes", ()))
        return cls(**data)


@dataclass(frozen=True, slots=True)
class Manifest:
    model: str
    dimension: int
    chunking: dict[str, int]
    files: dict[str, FileRecord]
    passages: int
    faiss_version: str = faiss.__version__
    format: int = FORMAT_VERSION
    index_type: str = "flat"
    created: str = ""
    checksums: dict[str, str] = field(default_factory=dict)
    reader: int = READER_VERSION  # qa.documents.READER_VERSION of the build

    def to_json(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "files"}
        data["files"] = {k: _flat(v) for k, v in self.files.items()}
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        data = dict(data)
        data["files"] = {k: FileRecord.from_json(v) for k, v in data["files"].items()}
        data.setdefault("reader", 1)  # built before the reader was versioned
        return cls(**data)


@dataclass(frozen=True)
class Snapshot:
    """One loaded generation: everything a search needs, immutable once loaded."""

    folder: Path
    generation: str
    manifest: Manifest
    chunks: passages.PassageTable  # a sequence of Chunk, read from memory-mapped columns
    vectors: Any  # faiss.IndexIDMap2: the search index (its vectors may be quantised)
    dense: np.ndarray  # float32 (passages, dimension), memory-mapped, row order: exact vectors
    dead: np.ndarray  # ids the search index holds that no passage has (int64)
    lexical: Lexical
    ids: np.ndarray  # chunk ids in `chunks` order (int64)
    doc_names: list[str]  # distinct documents, sorted
    doc_index: np.ndarray  # for each chunk, its document's position in `doc_names`
    before: np.ndarray  # for each chunk, the row of the passage just before it in its document, or -1
    after: np.ndarray  # ... and just after it, or -1
    id_order: np.ndarray  # argsort of `ids`, for looking rows up by id
    sorted_ids: np.ndarray  # ids[id_order]
    sequence: np.ndarray  # every row in reading order (document, page, start)
    bounds: np.ndarray  # document d's rows are sequence[bounds[d]:bounds[d + 1]]

    def rows_of(self, ids: np.ndarray) -> np.ndarray:
        """The rows of chunk ids (int64), -1 for an id no passage has."""
        ids = np.asarray(ids, dtype=np.int64)
        if not len(self.ids):
            return np.full(len(ids), -1, dtype=np.int64)
        at = np.clip(np.searchsorted(self.sorted_ids, ids), 0, len(self.sorted_ids) - 1)
        found = self.sorted_ids[at] == ids
        return np.where(found, self.id_order[at], -1).astype(np.int64)

    def cosines(self, rows: np.ndarray, qvec: np.ndarray) -> np.ndarray:
        """The cosine of each row's exact vector with `qvec` (rows in any order)."""
        rows = np.asarray(rows, dtype=np.int64)
        if not len(rows):
            return np.zeros(0, dtype=np.float32)
        order = np.argsort(rows, kind="stable")  # memory-mapped rows read in file order
        out = np.empty(len(rows), dtype=np.float32)
        out[order] = np.asarray(self.dense[rows[order]], dtype=np.float32) @ qvec.astype(np.float32)
        return out

    def rows_of_document(self, doc: str) -> np.ndarray:
        """The rows of one document's passages, in reading order (none for an unknown name)."""
        d = bisect.bisect_left(self.doc_names, doc)
        if d == len(self.doc_names) or self.doc_names[d] != doc:
            return np.zeros(0, dtype=np.int64)
        return self.sequence[self.bounds[d] : self.bounds[d + 1]]

    def row(self, chunk_id: int) -> int | None:
        """The row of one chunk id, or None."""
        n = int(self.rows_of(np.array([chunk_id]))[0])
        return None if n < 0 else n

    @cached_property
    def facts(self) -> dict[str, ReportFacts]:
        """Each indexed document's report facts, read from the manifest once."""
        out: dict[str, ReportFacts] = {}
        for name, rec in self.manifest.files.items():
            if rec.facts is not None:
                try:
                    out[name] = ReportFacts.from_json(rec.facts)
                except QAError:
                    log.warning("report facts of %s are damaged; ignored", name)
        return out

    def title(self, doc: str) -> str:
        """A document's title, or its file name when the manifest has none."""
        rec = self.manifest.files.get(doc)
        return rec.title if rec else doc

    @cached_property
    def councils(self) -> frozenset[str]:
        """Every council a document of this generation is about or mentions."""
        found: set[str] = set()
        for f in self.facts.values():
            found.update(f.councils_mentioned)
            if f.council:
                found.add(f.council)
        return frozenset(found)

    def vectors_by_id(self) -> dict[int, np.ndarray]:
        """Each passage's exact vector by chunk id (rows of the memory-mapped file)."""
        return {int(i): self.dense[n] for n, i in enumerate(self.ids)}


def graph_ids(index: Any) -> np.ndarray:
    """The ids an IndexIDMap2 holds, in insertion order."""
    if index.ntotal == 0:
        return np.zeros(0, dtype=np.int64)
    return faiss.vector_to_array(index.id_map).astype(np.int64)


HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80


def index_type_for(count: int, hnsw_threshold: int) -> str:
    """Exact search while it is fast enough (bench/scale.py), a graph index above that."""
    return "hnsw" if count >= hnsw_threshold else "flat"


def build_vectors(vectors: np.ndarray, ids: np.ndarray, dimension: int, kind: str = "flat") -> Any:
    """An inner-product index over unit vectors, keyed by chunk id: exact ("flat") or an
    approximate HNSW graph over 8-bit quantised vectors ("hnsw")."""
    inner: Any
    if kind == "hnsw":
        eight_bit: Any = faiss.ScalarQuantizer.QT_8bit
        inner = faiss.IndexHNSWSQ(dimension, eight_bit, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        inner.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        if len(ids):
            inner.train(np.ascontiguousarray(vectors, dtype=np.float32))
    else:
        inner = faiss.IndexFlatIP(dimension)
    index = faiss.IndexIDMap2(inner)
    if len(ids):
        index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids.astype(np.int64))
    return index


def search_index(
    kind: str, vectors: np.ndarray, ids: np.ndarray, dimension: int, previous: Path | None
) -> tuple[Any, np.ndarray]:
    """The search index of a new generation and its dead ids.

    An HNSW graph is grown from the previous generation's (`previous`: its folder) when that
    one is a graph too: only the passages it lacks are added, and the ones that left are
    marked dead; built afresh when there is none or when the dead would pass DEAD_SHARE."""
    if kind == "hnsw" and previous is not None and (previous / "vectors.faiss").is_file():
        old: Any = faiss.read_index(str(previous / "vectors.faiss"))
        if isinstance(faiss.downcast_index(old.index), faiss.IndexHNSWSQ) and old.d == dimension:
            held = graph_ids(old)
            fresh = ~np.isin(ids, held)
            dead = np.setdiff1d(held, ids)
            if len(dead) <= DEAD_SHARE * (len(held) + int(fresh.sum())):
                if fresh.any():
                    old.add_with_ids(np.ascontiguousarray(vectors[fresh], dtype=np.float32), ids[fresh])
                return old, dead.astype(np.int64)
    return build_vectors(vectors, ids, dimension, kind), np.zeros(0, dtype=np.int64)


# ---------------------------------------------------------------- writing


@contextlib.contextmanager
def rebuild_lock(folder: Path) -> Iterator[None]:
    """Held for the whole of a rebuild; a second rebuild is refused at once."""
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(folder / ".lock"), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise IndexBusyError(
            f"another rebuild of {folder} is running; wait for it to finish and try again"
        ) from None
    try:
        yield
    finally:
        lock.release()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    with path.open("rb") as fh:
        os.fsync(fh.fileno())


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with tmp.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(path.parent)


def clean_temporary(folder: Path) -> None:
    """Remove generations that a dead rebuild left half-written."""
    for tmp in folder.glob(".tmp-*"):
        shutil.rmtree(tmp, ignore_errors=True)
    for tmp in folder.glob(".*.tmp"):
        tmp.unlink(missing_ok=True)


def write_generation(
    folder: Path,
    manifest: Manifest,
    chunks: list[Chunk],
    vectors: np.ndarray,
    previous: str | None = None,
) -> str:
    """Write a complete new generation and switch CURRENT to it; returns its name.

    `previous` names the generation this one grows from (its HNSW graph is reused).
    Until the final os.replace of CURRENT, readers keep the previous generation; a crash at any
    point leaves either the old or the new generation served, never a mix.
    """
    name = f"gen-{_next_sequence(folder):08d}-{time.strftime('%Y%m%dT%H%M%S')}"
    tmp = folder / f".tmp-{name}"
    tmp.mkdir(parents=True)
    try:
        ids = np.array([c.id for c in chunks], dtype=np.int64)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(chunks), manifest.dimension)
        grown_from = folder / previous if previous else None
        index, dead = search_index(manifest.index_type, vectors, ids, manifest.dimension, grown_from)
        faiss.write_index(index, str(tmp / "vectors.faiss"))
        del index
        np.save(tmp / "vectors.npy", vectors, allow_pickle=False)
        np.save(tmp / "dead.npy", dead, allow_pickle=False)
        passages.write(tmp / "passages", chunks)
        Lexical.build([c.text for c in chunks]).save(tmp / "bm25")
        checksums = {str(p.relative_to(tmp)): file_sha256(p) for p in sorted(tmp.rglob("*")) if p.is_file()}
        final = replace(manifest, checksums=checksums)
        (tmp / "manifest.json").write_text(json.dumps(final.to_json(), indent=1))
        for p in tmp.rglob("*"):
            if p.is_file():
                _fsync_file(p)
        _fsync_dir(tmp / "bm25")
        _fsync_dir(tmp / "passages")
        _fsync_dir(tmp)
        os.rename(tmp, folder / name)
        _fsync_dir(folder)
        write_atomic(folder / "CURRENT", name.encode())
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _prune(folder, keep=name)
    return name


def _sequence(name: str) -> int:
    try:
        return int(name.split("-")[1])
    except (IndexError, ValueError):
        return -1


def _next_sequence(folder: Path) -> int:
    """Generations are numbered so that pruning keeps the newest, whatever the clock says."""
    names = [p.name.removeprefix(".tmp-") for p in folder.glob("*gen-*")]
    return max((_sequence(n) for n in names), default=0) + 1


def _prune(folder: Path, keep: str) -> None:
    gens = sorted((p for p in folder.glob("gen-*") if p.is_dir()), key=lambda p: _sequence(p.name))
    old = [g for g in gens if g.name != keep][: -(KEEP_GENERATIONS - 1) or None]
    for g in old:
        shutil.rmtree(g, ignore_errors=True)


# ---------------------------------------------------------------- reading


def current_generation(folder: Path) -> str | None:
    try:
        name = (folder / "CURRENT").read_text().strip()
    except FileNotFoundError:
        return None
    if not name.startswith("gen-") or "/" in name:
        raise IndexCorruptError(f"{folder / 'CURRENT'} is damaged; {_FIX}")
    return name


def read_manifest(folder: Path) -> Manifest | None:
    """The manifest of the served generation, or None when there is no index yet."""
    name = current_generation(folder)
    if name is None:
        return None
    return _load_manifest(folder / name / "manifest.json")


def _load_manifest(path: Path) -> Manifest:
    try:
        return Manifest.from_json(json.loads(path.read_text()))
    except FileNotFoundError:
        raise IndexCorruptError(f"{path} is missing; {_FIX}") from None
    except (ValueError, TypeError, KeyError) as exc:
        raise IndexCorruptError(f"{path} is damaged ({exc}); {_FIX}") from None


def load(folder: Path, *, verify: bool = True) -> Snapshot:
    """Load the served generation, checking every file against the manifest."""
    name = current_generation(folder)
    if name is None:
        raise IndexMissingError(f"no index in {folder}; build one with `qa index`")
    gen = folder / name
    manifest = _load_manifest(gen / "manifest.json")
    if manifest.format != FORMAT_VERSION:
        raise IndexCorruptError(f"{gen} has index format {manifest.format}; {_FIX}")
    if verify:
        for rel, expected in manifest.checksums.items():
            path = gen / rel
            if not path.is_file() or file_sha256(path) != expected:
                raise IndexCorruptError(f"{path} does not match its manifest checksum; {_FIX}")
    try:
        table = passages.PassageTable(gen / "passages")
        vectors = faiss.read_index(str(gen / "vectors.faiss"))
        dense = np.load(gen / "vectors.npy", mmap_mode="r", allow_pickle=False)
        dead = np.load(gen / "dead.npy", allow_pickle=False).astype(np.int64)
        lexical = Lexical.load(gen / "bm25")
    except (OSError, ValueError, TypeError, KeyError, RuntimeError) as exc:
        raise IndexCorruptError(f"{gen} cannot be read ({exc}); {_FIX}") from None
    ids = table.ids
    n = len(table)
    if not (n == vectors.ntotal - len(dead) == len(dense) == lexical.size or (not n and lexical.size == 1)):
        raise IndexCorruptError(f"{gen}: passages, vectors and BM25 disagree in size; {_FIX}")
    if n != manifest.passages or dense.shape[1:] != (manifest.dimension,):
        raise IndexCorruptError(f"{gen}: the passages do not match the manifest; {_FIX}")
    if not np.array_equal(np.sort(np.setdiff1d(graph_ids(vectors), dead)), np.sort(ids)):
        raise IndexCorruptError(f"{gen}: passage ids do not match the vectors; {_FIX}")
    sequence = reading_sequence(table)
    before, after = neighbours(table.doc, sequence)
    # Where each document's rows begin in `sequence` (documents are numbered in name order).
    bounds = np.searchsorted(np.asarray(table.doc)[sequence], np.arange(len(table.docs) + 1))
    id_order = np.argsort(ids, kind="stable")
    return Snapshot(
        gen.parent,
        name,
        manifest,
        table,
        vectors,
        dense,
        dead,
        lexical,
        ids,
        table.docs,
        table.doc,
        before,
        after,
        id_order,
        np.asarray(ids[id_order]),
        sequence,
        bounds,
    )


def reading_sequence(table: passages.PassageTable) -> np.ndarray:
    """Every row, in reading order: by document, page, then start.

    Rows follow index order, which an incremental rebuild does not keep in reading order."""
    pages = np.maximum(np.asarray(table.page, dtype=np.int64), 0)
    return np.lexsort((np.asarray(table.start, dtype=np.int64), pages, np.asarray(table.doc)))


def neighbours(doc_index: np.ndarray, sequence: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each passage, the rows of its neighbours in the same document along `sequence`
    (-1 at either end)."""
    n = len(sequence)
    before = np.full(n, -1, dtype=np.int64)
    after = np.full(n, -1, dtype=np.int64)
    if n == 0:
        return before, after
    doc_index = np.asarray(doc_index)
    same = doc_index[sequence[1:]] == doc_index[sequence[:-1]]
    after[sequence[:-1][same]] = sequence[1:][same]
    before[sequence[1:][same]] = sequence[:-1][same]
    return before, after


def reading_order(table: passages.PassageTable) -> tuple[np.ndarray, np.ndarray]:
    """For each passage, the rows of its neighbours in the same document (-1 at either end)."""
    return neighbours(table.doc, reading_sequence(table))


_CACHE: dict[Path, Snapshot] = {}
_CACHE_LOCK = threading.Lock()


def cached(folder: Path) -> Snapshot:
    """The served generation, loaded once per process and reloaded when CURRENT moves."""
    key = folder.resolve()
    name = current_generation(key)
    with _CACHE_LOCK:
        snap = _CACHE.get(key)
        if snap is not None and snap.generation == name:
            return snap
    try:
        snap = load(key)
    except (IndexCorruptError, IndexMissingError):
        # A rebuild may have switched and pruned between reading CURRENT and loading: retry
        # once with the new CURRENT; a real fault raises again.
        if current_generation(key) == name:
            raise
        snap = load(key)
    with _CACHE_LOCK:
        _CACHE[key] = snap
    return snap
