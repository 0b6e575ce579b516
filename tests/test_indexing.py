"""Incremental rebuilds with the real model and a real FAISS index on tiny corpora."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import make_pdf, write_corpus

import qa
from qa import indexing, store
from qa.config import Settings
from qa.documents import READER_VERSION
from qa.errors import IndexBusyError

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent


def _state(index: Path) -> tuple[list[tuple[str, int | None, int, int, str, int]], np.ndarray]:
    snap = store.load(index)
    passages = [(c.doc, c.page, c.start, c.end, c.text, c.id) for c in snap.chunks]
    return passages, np.asarray(snap.dense)


def _assert_same_as_full(docs: Path, index: Path, tmp_path: Path, settings: Settings) -> None:
    full = tmp_path / "full-index"
    shutil.rmtree(full, ignore_errors=True)
    qa.build_index(docs, full, full=True, settings=settings)
    inc_passages, inc_vecs = _state(index)
    full_passages, full_vecs = _state(full)
    assert inc_passages == full_passages
    np.testing.assert_allclose(inc_vecs, full_vecs, atol=1e-4)
    assert store.load(index).manifest.files.keys() == store.load(full).manifest.files.keys()


def test_incremental_add_change_remove_rename(tmp_path: Path, corpus: Path, settings: Settings) -> None:
    index = tmp_path / "index"
    first = qa.build_index(corpus, index, settings=settings)
    assert first.full and sorted(first.added) == ["dudley-monitoring-letter.pdf", "news.txt", "scrutiny.md"]
    assert first.documents == 3 and first.passages > 0

    # Add one, change one, remove one, rename one.
    (corpus / "new.txt").write_text("Caseloads for social workers are too high in the east team. " * 3)
    (corpus / "news.txt").write_text(
        "Council praised for adoption work.\n\nAdopters feel supported by staff."
    )
    (corpus / "scrutiny.md").unlink()
    (corpus / "dudley-monitoring-letter.pdf").rename(corpus / "letter-renamed.pdf")
    report = qa.build_index(corpus, index, settings=settings)
    assert report.added == ["new.txt"]
    assert report.changed == ["news.txt"]
    assert report.removed == ["scrutiny.md"]
    assert report.renamed == [("dudley-monitoring-letter.pdf", "letter-renamed.pdf")]
    assert not report.full
    # Only the new and changed files were embedded: the renamed PDF kept its vectors.
    assert report.passages_embedded == 2
    snap = store.load(index)
    assert {c.doc for c in snap.chunks} == {"letter-renamed.pdf", "new.txt", "news.txt"}
    assert not any("agency social workers fell" in c.text for c in snap.chunks)
    _assert_same_as_full(corpus, index, tmp_path, settings)


def test_unchanged_files_are_not_read_again(
    tmp_path: Path, corpus: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = tmp_path / "index"
    qa.build_index(corpus, index, settings=settings)
    generation = (index / "CURRENT").read_text()
    calls: list[str] = []
    real = indexing.load_document

    def counting(path: Path, *args: object, **kwargs: object) -> object:
        calls.append(path.name)
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(indexing, "load_document", counting)
    report = qa.build_index(corpus, index, settings=settings)
    assert calls == [] and report.passages_embedded == 0
    assert sorted(report.unchanged) == ["dudley-monitoring-letter.pdf", "news.txt", "scrutiny.md"]
    assert (index / "CURRENT").read_text() == generation  # nothing changed, nothing written

    (corpus / "extra.txt").write_text("A new report about care leavers and their personal advisers.")
    qa.build_index(corpus, index, settings=settings)
    assert calls == ["extra.txt"]


def test_same_bytes_under_two_names_indexed_once(tmp_path: Path, corpus: Path, settings: Settings) -> None:
    shutil.copy(corpus / "news.txt", corpus / "news-copy.txt")
    report = qa.build_index(corpus, tmp_path / "index", settings=settings)
    assert report.duplicates == [("news.txt", "news-copy.txt")] or report.duplicates == [
        ("news-copy.txt", "news.txt")
    ]
    snap = store.load(tmp_path / "index")
    docs = {c.doc for c in snap.chunks}
    assert len(docs & {"news.txt", "news-copy.txt"}) == 1


def test_bad_files_are_skipped_with_reasons(tmp_path: Path, corpus: Path, settings: Settings) -> None:
    from fpdf import FPDF
    from pypdf import PdfReader, PdfWriter

    (corpus / "zero.pdf").write_bytes(b"")
    (corpus / "corrupt.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <<>> garbage")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 8)
    scan = FPDF()
    scan.add_page()
    scan.rect(10, 10, 50, 50)
    scan.output(str(corpus / "scanned.pdf"))
    writer = PdfWriter()
    for page in PdfReader(make_pdf(tmp_path / "p.pdf", ["secret text"])).pages:
        writer.add_page(page)
    writer.encrypt(user_password="pw", owner_password="owner")
    with (corpus / "locked.pdf").open("wb") as fh:
        writer.write(fh)
    (corpus / "legacy.txt").write_bytes("Caf\xe9 report on fostering".encode("latin-1"))

    report = qa.build_index(corpus, tmp_path / "index", settings=settings)
    reasons = {s.path: s.reason for s in report.skipped}
    assert set(reasons) == {"zero.pdf", "corrupt.pdf", "binary.txt", "scanned.pdf", "locked.pdf"}
    assert "empty" in reasons["zero.pdf"]
    assert "password" in reasons["locked.pdf"]
    assert "no text layer" in reasons["scanned.pdf"]
    assert "binary" in reasons["binary.txt"]
    assert report.documents == 4  # the three good ones and the Windows-1252 text
    snap = store.load(tmp_path / "index")
    assert any("Café report" in c.text for c in snap.chunks)
    # Skipped files are remembered: an unchanged bad file is not parsed again.
    again = qa.build_index(corpus, tmp_path / "index", settings=settings)
    assert {s.path for s in again.skipped} == set(reasons) and again.passages_embedded == 0


def test_settings_change_forces_full_rebuild(tmp_path: Path, corpus: Path, settings: Settings) -> None:
    index = tmp_path / "index"
    qa.build_index(corpus, index, settings=settings)
    changed = settings.replace(chunk_max_words=60, chunk_min_words=20)
    report = qa.build_index(corpus, index, settings=changed)
    assert report.full
    assert any("chunking settings changed" in n for n in report.notes)
    assert store.load(index).manifest.chunking["chunk_max_words"] == 60


def test_an_index_read_by_an_older_reader_is_read_again(
    tmp_path: Path, corpus: Path, settings: Settings
) -> None:
    # A new build reads titles, dates and report facts better: every file is read again once.
    index = tmp_path / "index"
    qa.build_index(corpus, index, settings=settings)
    manifest = index / str(store.current_generation(index)) / "manifest.json"
    data = json.loads(manifest.read_text())
    del data["reader"]  # as an index built before readers were versioned
    manifest.write_text(json.dumps(data))
    report = qa.build_index(corpus, index, settings=settings)
    assert report.full and any("the way documents are read changed" in n for n in report.notes)
    assert store.load(index).manifest.reader == READER_VERSION
    assert not qa.build_index(corpus, index, settings=settings).full


def test_concurrent_rebuild_is_refused(tmp_path: Path, corpus: Path, settings: Settings) -> None:
    index = tmp_path / "index"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import sys, time
            from pathlib import Path
            from qa import store
            with store.rebuild_lock(Path({str(index)!r})):
                print("locked", flush=True)
                time.sleep(30)
        """),
        ],
        stdout=subprocess.PIPE,
        cwd=ROOT,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"locked"
        with pytest.raises(IndexBusyError, match="another rebuild"):
            qa.build_index(corpus, index, settings=settings)
    finally:
        holder.kill()
        holder.wait()
    assert qa.build_index(corpus, index, settings=settings).documents == 3


CHILD = """
import sys
from qa.embedding import Embedder
from qa.config import Settings
from qa.documents import READER_VERSION
from qa.indexing import build_index
Embedder.shared(Settings()).encode(["warm up"])
print("ready", flush=True)
build_index(sys.argv[1], sys.argv[2], full=True)
print("done", flush=True)
"""


def test_killed_rebuild_leaves_a_whole_index(tmp_path: Path, settings: Settings) -> None:
    docs = write_corpus(tmp_path / "docs")
    for i in range(12):
        (docs / f"extra-{i}.txt").write_text(
            f"Report {i}. " + "Inspectors reviewed plans for children in need and found drift. " * 40
        )
    index = tmp_path / "index"
    qa.build_index(docs, index, settings=settings)
    baseline = len(store.load(index).chunks)
    rng = random.Random(7)
    for _ in range(4):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(docs), str(index)], stdout=subprocess.PIPE, cwd=ROOT
        )
        assert child.stdout is not None and child.stdout.readline().strip() == b"ready"
        time.sleep(rng.uniform(0.0, 2.5))
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        snap = store.load(index)  # verifies checksums, counts and ids
        assert len(snap.chunks) == baseline
        hits = qa.search("drift in plans for children in need", index=index, settings=settings)
        assert hits and "drift" in hits[0].text
    report = qa.build_index(docs, index, settings=settings)
    assert not list(index.glob(".tmp-*"))
    assert report.documents == 15


def test_approximate_index_above_threshold(tmp_path: Path, corpus: Path) -> None:
    small = Settings(hnsw_threshold=3)
    index = tmp_path / "index"
    qa.build_index(corpus, index, settings=small)
    snap = store.load(index)
    assert snap.manifest.index_type == "hnsw" and len(snap.chunks) >= 3
    hits = qa.search("foster carers recruited", index=index, settings=small)
    assert hits[0].doc == "news.txt"
    only = qa.search("foster carers recruited", index=index, settings=small, documents=["scrutiny.md"])
    assert {h.doc for h in only} == {"scrutiny.md"}
    before = snap.vectors.ntotal
    (corpus / "more.txt").write_text("Another report about adoption panels and adopters. " * 4)
    report = qa.build_index(corpus, index, settings=small)
    grown = store.load(index)
    # The graph was grown, not built again: the old vectors kept, only the new one added.
    assert not report.full and report.passages_embedded == 1
    assert grown.vectors.ntotal == before + 1 and len(grown.dead) == 0
    _assert_same_as_full(corpus, index, tmp_path, small)
    # A removed document's passages stay in the graph as dead ids and are never found.
    gone = {c.id for c in grown.chunks if c.doc == "news.txt"}
    (corpus / "news.txt").unlink()
    qa.build_index(corpus, index, settings=small)
    after = store.load(index)
    assert after.vectors.ntotal == grown.vectors.ntotal and set(after.dead.tolist()) == gone
    hits = qa.search("foster carers recruited", index=index, settings=small)
    assert hits and all(h.doc != "news.txt" for h in hits)
    # Below the threshold the same corpus is searched exactly.
    exact = tmp_path / "exact"
    qa.build_index(corpus, exact)
    assert store.load(exact).manifest.index_type == "flat"


def test_int8_encoder_is_recorded_and_forces_rebuild(
    tmp_path: Path, corpus: Path, settings: Settings
) -> None:
    index = tmp_path / "index"
    qa.build_index(corpus, index, settings=settings)
    fast = settings.replace(encoder="torch-int8")
    report = qa.build_index(corpus, index, settings=fast)
    assert report.full and any("embedding model changed" in n for n in report.notes)
    assert store.load(index).manifest.model.endswith("+torch-int8")
    hits = qa.search("foster carers recruited", index=index, settings=fast)
    assert hits[0].doc == "news.txt"
