"""Passages on disk as columns, memory-mapped: a million of them cost tens of megabytes of
memory until their texts are read.

In: writing a generation's passages (`write(folder, chunks)`) and reading them back as a
`PassageTable`, a read-only sequence of `Chunk` made on demand from the columns.
Out: which passages exist (qa.indexing), where the folder lives (qa.store).

Layout of `passages/` (nothing pickled):
    text.bin      every passage's text, UTF-8, one after another
    offsets.npy   int64, n+1 byte offsets into text.bin
    ids.npy       int64 chunk ids
    doc.npy       int32 position in names.json's "docs"
    label.npy     int32 position in names.json's "labels"
    page.npy      int32 page number, -1 for none
    start.npy, end.npy   int64 character span in the document
    names.json    {"docs": [...], "labels": [...]}
"""

from __future__ import annotations

import json
import mmap
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import overload

import numpy as np

from qa.chunking import Chunk

COLUMNS = ("offsets", "ids", "doc", "label", "page", "start", "end")


def write(folder: Path, chunks: Sequence[Chunk]) -> None:
    """The passages as columns in `folder` (created); the caller makes the write atomic."""
    folder.mkdir(parents=True, exist_ok=True)
    docs = sorted({c.doc for c in chunks})
    labels = sorted({c.label for c in chunks})
    doc_at = {d: n for n, d in enumerate(docs)}
    label_at = {lb: n for n, lb in enumerate(labels)}
    offsets = np.zeros(len(chunks) + 1, dtype=np.int64)
    with (folder / "text.bin").open("wb") as fh:
        for n, c in enumerate(chunks):
            data = c.text.encode("utf-8")
            fh.write(data)
            offsets[n + 1] = offsets[n] + len(data)
    columns: dict[str, np.ndarray] = {
        "offsets": offsets,
        "ids": np.array([c.id for c in chunks], dtype=np.int64),
        "doc": np.array([doc_at[c.doc] for c in chunks], dtype=np.int32),
        "label": np.array([label_at[c.label] for c in chunks], dtype=np.int32),
        "page": np.array([-1 if c.page is None else c.page for c in chunks], dtype=np.int32),
        "start": np.array([c.start for c in chunks], dtype=np.int64),
        "end": np.array([c.end for c in chunks], dtype=np.int64),
    }
    for name, values in columns.items():
        np.save(folder / f"{name}.npy", values, allow_pickle=False)
    (folder / "names.json").write_text(json.dumps({"docs": docs, "labels": labels}))


class PassageTable(Sequence[Chunk]):
    """The passages of one generation; `table[n]` is a Chunk read from the columns."""

    def __init__(self, folder: Path) -> None:
        names = json.loads((folder / "names.json").read_text())
        self.docs: list[str] = [str(d) for d in names["docs"]]
        self.labels: list[str] = [str(lb) for lb in names["labels"]]
        cols = {name: np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False) for name in COLUMNS}
        self.offsets: np.ndarray = cols["offsets"]
        self.ids: np.ndarray = np.asarray(cols["ids"], dtype=np.int64)
        self.doc: np.ndarray = np.asarray(cols["doc"], dtype=np.int32)
        self.label: np.ndarray = cols["label"]
        self.page: np.ndarray = cols["page"]
        self.start: np.ndarray = cols["start"]
        self.end: np.ndarray = cols["end"]
        n = len(self.ids)
        if not all(len(cols[c]) == n for c in COLUMNS[1:]) or len(self.offsets) != n + 1:
            raise ValueError("the passage columns differ in length")
        if n and (self.doc.max() >= len(self.docs) or self.label.max() >= len(self.labels)):
            raise ValueError("a passage names a document or label that names.json lacks")
        text = folder / "text.bin"
        if int(self.offsets[-1]) != text.stat().st_size:
            raise ValueError("text.bin is not as long as the offsets say")
        self._text: mmap.mmap | bytes = b""
        if text.stat().st_size:
            with text.open("rb") as fh:
                self._text = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)

    def __len__(self) -> int:
        return len(self.ids)

    def text(self, row: int) -> str:
        return self._text[int(self.offsets[row]) : int(self.offsets[row + 1])].decode("utf-8")

    def doc_name(self, row: int) -> str:
        return self.docs[int(self.doc[row])]

    @overload
    def __getitem__(self, row: int) -> Chunk: ...

    @overload
    def __getitem__(self, row: slice) -> list[Chunk]: ...

    def __getitem__(self, row: int | slice) -> Chunk | list[Chunk]:
        if isinstance(row, slice):
            return [self[n] for n in range(*row.indices(len(self)))]
        n = len(self)
        if not -n <= row < n:
            raise IndexError(row)
        row %= n
        page = int(self.page[row])
        return Chunk(
            int(self.ids[row]),
            self.docs[int(self.doc[row])],
            None if page < 0 else page,
            self.labels[int(self.label[row])],
            int(self.start[row]),
            int(self.end[row]),
            self.text(row),
        )

    def __iter__(self) -> Iterator[Chunk]:
        for n in range(len(self)):
            yield self[n]

    def rows_of(self, doc: str) -> np.ndarray:
        """The rows of one document's passages (none for a name not in the table)."""
        try:
            at = self.docs.index(doc)
        except ValueError:
            return np.zeros(0, dtype=np.int64)
        return np.flatnonzero(self.doc == at)
