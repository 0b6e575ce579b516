"""The document library as the app manages it: listing, safe uploads, removals and restores.

In: turning an uploaded file's name into a safe name inside the documents folder, refusing
wrong types and oversized files, listing what the index holds, moving a removed file aside
(`documents/.removed/`, which indexing never reads) so it can be restored until the user
empties the removed files. Out: rebuilding (see `qa.indexing`); the caller rebuilds after a
change.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from qa import store
from qa.documents import SUPPORTED, is_ignored
from qa.errors import QAError

MAX_NAME = 120
# Removed files are kept here, one folder per removal: <id>/<file> and <id>/entry.json.
# A dot-folder, so discovery (qa.documents.discover) never indexes it.
REMOVED_DIR = ".removed"


@dataclass(frozen=True, slots=True)
class LibraryEntry:
    doc: str
    title: str
    date: str | None
    pages: int
    passages: int
    status: str  # indexed, skipped, duplicate
    reason: str
    council: str = ""  # the council the document is about (qa.facts), "" when unknown
    kind: str = ""  # full inspection, monitoring visit, ... (qa.facts), "" when unknown


@dataclass(frozen=True, slots=True)
class RemovedEntry:
    """A file moved aside by a removal: `id` names its folder under documents/.removed/."""

    id: str
    doc: str
    title: str
    date: str | None
    removed_at: str  # ISO 8601, UTC


@dataclass(frozen=True, slots=True)
class Refusal:
    name: str
    reason: str


def safe_name(name: str) -> str:
    """A plain file name, no folders: `safe_name("../../etc/x.PDF") -> 'x.pdf'`.

    Separators, control characters and leading dots are dropped, unicode is NFC, the
    extension is lowercased and the stem shortened to keep the name under 120 characters.
    """
    base = unicodedata.normalize("NFC", name.replace("\\", "/").split("/")[-1])
    base = "".join(ch for ch in base if ch.isprintable())
    base = re.sub(r"[<>:\"|?*\x00]", "_", base).strip().lstrip(".").strip()
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    stem = re.sub(r"\s+", " ", stem).strip() or "document"
    ext = ext.lower()
    room = MAX_NAME - len(ext) - 1
    while len(stem.encode()) > room:
        stem = stem[:-1]
    return f"{stem}.{ext}" if ext else stem


def add_files(
    uploads: list[tuple[str, Path]], documents: Path, *, max_bytes: int
) -> tuple[list[str], list[Refusal]]:
    """Copy uploaded files (original name, temporary path) into `documents`.

    Returns the names saved and the files refused with a reason; nothing is written outside
    `documents` and an existing file is never overwritten (a numbered name is used instead).
    """
    documents.mkdir(parents=True, exist_ok=True)
    root = documents.resolve()
    saved: list[str] = []
    refused: list[Refusal] = []
    for original, tmp in uploads:
        name = safe_name(original)
        suffix = Path(name).suffix
        if suffix not in SUPPORTED:
            refused.append(Refusal(original, f"not a PDF, TXT or MD file ({suffix or 'no extension'})"))
            continue
        if is_ignored(name):
            refused.append(Refusal(original, "looks like a temporary or hidden file"))
            continue
        size = tmp.stat().st_size
        if size > max_bytes:
            refused.append(Refusal(original, f"larger than the {max_bytes // (1024 * 1024)} MB upload limit"))
            continue
        if size == 0:
            refused.append(Refusal(original, "empty file"))
            continue
        target = _free_name(root, name)
        if target.parent != root:
            refused.append(Refusal(original, "unsafe file name"))
            continue
        partial = target.with_name(f".{target.name}.part")
        shutil.copyfile(tmp, partial)
        os.replace(partial, target)
        saved.append(target.name)
    return saved, refused


def _free_name(root: Path, name: str) -> Path:
    target = (root / name).resolve()
    stem, suffix = Path(name).stem, Path(name).suffix
    n = 1
    while target.exists():
        target = (root / f"{stem} ({n}){suffix}").resolve()
        n += 1
    return target


def remove_document(name: str, documents: Path, index: Path) -> RemovedEntry:
    """Move a document that the index knows about out of the library; anything else is refused.

    The file is kept under documents/.removed/ with its title and date, so `restore` can put
    it back; nothing is deleted here.
    """
    manifest = store.read_manifest(index)
    record = manifest.files.get(name) if manifest else None
    if record is None:
        raise QAError(f"{name!r} is not in the library")
    root = documents.resolve()
    target = (root / name).resolve()
    if root not in target.parents:
        raise QAError(f"{name!r} is outside the documents folder")
    if not target.is_file():
        raise QAError(f"{name!r} is no longer in the documents folder")
    now = datetime.now(UTC)
    entry = RemovedEntry(
        id=now.strftime("%Y%m%dT%H%M%S%fZ"),
        doc=name,
        title=record.title,
        date=record.date,
        removed_at=now.isoformat(timespec="seconds"),
    )
    folder = root / REMOVED_DIR / entry.id
    folder.mkdir(parents=True, exist_ok=False)
    _write_json(
        folder / "entry.json",
        {
            "version": 1,
            "doc": entry.doc,
            "title": entry.title,
            "date": entry.date,
            "removed_at": entry.removed_at,
        },
    )
    kept = folder / Path(name).name
    os.replace(target, kept)
    return entry


def removed(documents: Path) -> list[RemovedEntry]:
    """The files moved aside by removals, newest first; unreadable entries are skipped."""
    base = documents / REMOVED_DIR
    found: list[RemovedEntry] = []
    for folder in sorted(base.iterdir(), reverse=True) if base.is_dir() else []:
        try:
            data = json.loads((folder / "entry.json").read_text(encoding="utf-8"))
            entry = RemovedEntry(
                folder.name, str(data["doc"]), str(data["title"]), data.get("date"), str(data["removed_at"])
            )
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if (folder / Path(entry.doc).name).is_file():
            found.append(entry)
    return found


def restore(entry_id: str, documents: Path) -> str:
    """Put a removed file back under its old name (a numbered name if that is taken now).

    Returns the name it was restored as; the caller rebuilds.
    """
    entry = _removed_entry(entry_id, documents)
    root = documents.resolve()
    target = _free_name(root, entry.doc)
    if root not in target.parents:
        raise QAError(f"{entry.doc!r} would be restored outside the documents folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    folder = root / REMOVED_DIR / entry.id
    os.replace(folder / Path(entry.doc).name, target)
    shutil.rmtree(folder, ignore_errors=True)
    return target.relative_to(root).as_posix()


def empty_removed(documents: Path) -> int:
    """Delete every removed file for good (the user confirmed it); returns how many."""
    entries = removed(documents)
    for entry in entries:
        shutil.rmtree(documents / REMOVED_DIR / entry.id, ignore_errors=True)
    return len(entries)


def _removed_entry(entry_id: str, documents: Path) -> RemovedEntry:
    for entry in removed(documents):
        if entry.id == entry_id:
            return entry
    raise QAError(f"{entry_id!r} is not a removed document")


def _write_json(path: Path, data: dict[str, object]) -> None:
    partial = path.with_name(f".{path.name}.part")
    partial.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(partial, path)


def document_path(name: str, documents: Path, index: Path) -> Path:
    """The file behind an indexed document, for serving it; anything else is refused.

    Only names the current index lists as indexed qualify, and the path must resolve inside
    the documents folder (no `..`, no links pointing out).
    """
    manifest = store.read_manifest(index)
    record = manifest.files.get(name) if manifest else None
    root = documents.resolve()
    path = (root / name).resolve()
    if record is None or record.status != "indexed" or root not in path.parents or not path.is_file():
        raise QAError(f"{name!r} is not a document in the library")
    return path


def entries(index: Path) -> list[LibraryEntry]:
    """Every file the index knows of, indexed or not, by name."""
    manifest = store.read_manifest(index)
    if manifest is None:
        return []
    return [
        LibraryEntry(
            r.path,
            r.title,
            r.date,
            r.pages,
            r.passages,
            r.status,
            r.reason,
            str((r.facts or {}).get("council") or ""),
            str((r.facts or {}).get("kind") or ""),
        )
        for r in manifest.files.values()
    ]
