"""Incremental (re)building of the index from the documents folder: `build_index(...) -> IndexReport`.

Files are compared by content hash (size and mtime first, to avoid re-hashing unchanged files):
unchanged and renamed files reuse their stored passages and vectors, so only new or changed
files are read and embedded. The result is the same as a full rebuild, passage for passage.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from qa import store
from qa.chunking import Chunk, chunk
from qa.config import Settings
from qa.documents import READER_VERSION, PdfParser, discover, file_sha256, load_document, relative_name
from qa.embedding import Embedder
from qa.errors import DocumentError, IndexCorruptError, IndexWriteError
from qa.facts import extract_facts
from qa.store import FileRecord, Manifest

log = logging.getLogger(__name__)

# (stage, done, total): stage is "reading" or "embedding".
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class Skipped:
    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class IndexReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (old, new)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (path, same as)
    notes: list[str] = field(default_factory=list)
    documents: int = 0
    passages: int = 0
    passages_embedded: int = 0
    full: bool = False
    generation: str = ""
    seconds: float = 0.0

    def to_json(self) -> dict[str, object]:
        return {
            "added": self.added,
            "changed": self.changed,
            "removed": self.removed,
            "renamed": [{"from": a, "to": b} for a, b in self.renamed],
            "unchanged": self.unchanged,
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
            "duplicates": [{"path": a, "same_as": b} for a, b in self.duplicates],
            "notes": self.notes,
            "documents": self.documents,
            "passages": self.passages,
            "passages_embedded": self.passages_embedded,
            "full": self.full,
            "generation": self.generation,
            "seconds": round(self.seconds, 3),
        }


def _settings_change(old: Manifest, settings: Settings) -> str | None:
    if old.model != settings.embedder_id:
        return f"the embedding model changed ({old.model} -> {settings.embedder_id})"
    if old.chunking != settings.chunking():
        return f"chunking settings changed ({old.chunking} -> {settings.chunking()})"
    if old.format != store.FORMAT_VERSION:
        return "the index format changed"
    if old.reader != READER_VERSION:
        return "the way documents are read changed (titles, dates, report facts)"
    return None


def build_index(
    documents: str | Path = "documents",
    index: str | Path = "index",
    full: bool = False,
    *,
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> IndexReport:
    """Bring the index in `index` up to date with the files in `documents`.

    Only new and changed files are read and embedded unless `full` is set. Bad files are
    skipped with a reason; a rebuild already running elsewhere raises IndexBusyError.
    """
    settings = (settings or Settings.from_env()).replace(documents=Path(documents), index=Path(index))
    docs_dir, index_dir = Path(documents), Path(index)
    if not docs_dir.is_dir():
        raise DocumentError(str(docs_dir), "the documents folder does not exist")
    began = time.perf_counter()
    with store.rebuild_lock(index_dir):
        store.clean_temporary(index_dir)
        return _build(docs_dir, index_dir, full, settings, progress, began)


def _build(
    docs_dir: Path,
    index_dir: Path,
    full: bool,
    settings: Settings,
    progress: Progress | None,
    began: float,
) -> IndexReport:
    report = IndexReport(full=full)
    embedder = Embedder.shared(settings)

    old: store.Snapshot | None = None
    try:
        if store.current_generation(index_dir) is not None:
            old = store.load(index_dir)
    except IndexCorruptError as exc:
        report.notes.append(f"the previous index could not be used ({exc}); full rebuild")
    if old is not None and not full:
        why = _settings_change(old.manifest, settings)
        if why:
            report.notes.append(f"{why}: full rebuild")
            full = True
    if old is None or full:
        report = replace(report, full=True)
        full = True
    old_files = {} if old is None else old.manifest.files
    old_by_sha: dict[str, FileRecord] = {}
    for rec in old_files.values():
        if rec.status != "duplicate":
            old_by_sha.setdefault(rec.sha256, rec)
    old_chunks: dict[str, list[Chunk]] = {}
    if old is not None and not full:
        for c in old.chunks:
            old_chunks.setdefault(c.doc, []).append(c)
    old_vectors = old.vectors_by_id() if old is not None and not full else {}

    # Hash what is there now; a file whose size and mtime match the manifest is not re-read.
    present: dict[str, tuple[Path, str, int, int]] = {}
    docs_root = docs_dir.resolve()
    for path in discover(docs_dir):
        name = relative_name(path, docs_dir)
        if name in present:
            # Two names that differ only in Unicode normalisation (NFC vs NFD) on disk.
            report.skipped.append(Skipped(path.name, f"same name as {name} once Unicode is normalised"))
            continue
        if path.is_symlink() and docs_root not in path.resolve().parents:
            report.skipped.append(Skipped(name, "a link to a file outside the documents folder"))
            continue
        try:
            st = path.stat()
            prev = old_files.get(name)
            if not full and prev and prev.size == st.st_size and prev.mtime_ns == st.st_mtime_ns:
                sha = prev.sha256
            else:
                sha = file_sha256(path)
        except OSError as exc:
            report.skipped.append(Skipped(name, f"cannot be read ({exc.strerror or exc})"))
            continue
        present[name] = (path, sha, st.st_size, st.st_mtime_ns)

    files: dict[str, FileRecord] = {}
    chunks: list[Chunk] = []
    to_read: list[str] = []
    first_with_sha: dict[str, str] = {}
    for name, (_path, sha, size, mtime) in present.items():
        if sha in first_with_sha:
            files[name] = FileRecord(
                name,
                sha,
                size,
                mtime,
                "duplicate",
                duplicate_of=first_with_sha[sha],
                reason=f"same content as {first_with_sha[sha]}",
            )
            report.duplicates.append((name, first_with_sha[sha]))
            continue
        first_with_sha[sha] = name
        prev = old_by_sha.get(sha) if not full else None
        if prev is None:
            to_read.append(name)
            (report.changed if name in old_files else report.added).append(name)
            continue
        if prev.path == name:
            report.unchanged.append(name)
        elif prev.path in present:
            report.added.append(name)
        else:
            report.renamed.append((prev.path, name))
        files[name] = replace(prev, path=name, size=size, mtime_ns=mtime, duplicate_of=None)
        if prev.status == "skipped":
            report.skipped.append(Skipped(name, prev.reason))
        else:
            chunks.extend(replace(c, doc=name) for c in old_chunks.get(prev.path, []))
    renamed_from = {a for a, _ in report.renamed}
    report.removed.extend(n for n in old_files if n not in present and n not in renamed_from)

    new_chunks: list[Chunk] = []
    with PdfParser(settings) as pdf:
        for done, name in enumerate(to_read, 1):
            path, sha, size, mtime = present[name]
            try:
                doc = load_document(path, docs_dir, settings, pdf)
                doc_chunks = chunk(doc, sha, settings)
                if not doc_chunks:
                    raise DocumentError(name, "no text to index")
            except DocumentError as exc:
                files[name] = FileRecord(name, sha, size, mtime, "skipped", reason=exc.reason)
                report.skipped.append(Skipped(name, exc.reason))
                log.warning("skipped %s: %s", name, exc.reason)
            except OSError as exc:
                files[name] = FileRecord(name, sha, size, mtime, "skipped", reason=str(exc))
                report.skipped.append(Skipped(name, f"cannot be read ({exc})"))
            else:
                facts = extract_facts(doc)
                files[name] = FileRecord(
                    name,
                    sha,
                    size,
                    mtime,
                    "indexed",
                    title=doc.title,
                    # A letter is dated by its letter date, a report by its publication date.
                    date=facts.published or doc.date,
                    pages=len(doc.pages),
                    passages=len(doc_chunks),
                    notes=doc.notes,
                    facts=facts.to_json(),
                )
                new_chunks.extend(doc_chunks)
            if progress:
                progress("reading", done, len(to_read))

    if old is not None and not full and not new_chunks and old.manifest.files == files:
        # Nothing to do: keep serving the current generation rather than writing a copy.
        return replace(
            report,
            documents=sum(1 for f in files.values() if f.status == "indexed"),
            passages=len(chunks),
            generation=old.generation,
            seconds=time.perf_counter() - began,
        )
    dimension = embedder.dimension if new_chunks or old is None else old.manifest.dimension
    new_vectors = embedder.encode(
        [c.text for c in new_chunks],
        progress=(lambda d, t: progress("embedding", d, t)) if progress else None,
    )
    vectors_by_id = old_vectors
    for c, v in zip(new_chunks, new_vectors, strict=True):
        vectors_by_id[c.id] = v
    chunks.extend(new_chunks)
    chunks.sort(key=lambda c: (c.doc, c.page or 0, c.start, c.end))
    matrix = (
        np.stack([vectors_by_id[c.id] for c in chunks]).astype(np.float32)
        if chunks
        else np.zeros((0, dimension), dtype=np.float32)
    )
    manifest = Manifest(
        model=settings.embedder_id,
        dimension=dimension,
        chunking=settings.chunking(),
        files=dict(sorted(files.items())),
        passages=len(chunks),
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        index_type=store.index_type_for(len(chunks), settings.hnsw_threshold),
    )
    try:
        previous = old.generation if old is not None and not full else None
        generation = store.write_generation(index_dir, manifest, chunks, matrix, previous)
    except OSError as exc:
        raise IndexWriteError(
            f"could not write the new index in {index_dir} ({exc.strerror or exc}); "
            "the previous index is still in place"
        ) from exc
    return replace(
        report,
        documents=sum(1 for f in files.values() if f.status == "indexed"),
        passages=len(chunks),
        passages_embedded=len(new_chunks),
        generation=generation,
        seconds=time.perf_counter() - began,
    )
