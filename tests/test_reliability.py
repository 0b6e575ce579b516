"""Reliability: bad input gets a clear error and loses nothing; nothing hangs.

Crashes are real SIGKILLs of a rebuilding child process; PDFs are hand-built hostile files;
the state machine drives the real indexer and model through adds, changes, deletes, renames,
rebuilds and failed rebuilds.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from pathlib import Path

import hostile_pdfs
import numpy as np
import pytest
from conftest import write_corpus
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

import qa
from qa import store
from qa.config import Settings
from qa.documents import PdfParser, load_document
from qa.errors import DocumentError, IndexWriteError, QueryError

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = Settings(pdf_timeout_s=20, pdf_memory_mb=1024, max_pages=2000)

CHILD = """
import sys
from qa.config import Settings
from qa.embedding import Embedder
from qa.indexing import build_index
Embedder.shared(Settings()).encode(["warm up"])
print("ready", flush=True)
build_index(sys.argv[1], sys.argv[2], full=sys.argv[3] == "full")
print("done", flush=True)
"""


def _kill_rebuilds(tmp_path: Path, kills: int, seed: int) -> None:
    """Rebuild in a child and SIGKILL it at a random moment, `kills` times; after each kill the
    index must verify against its manifest and answer from one whole generation."""
    docs = write_corpus(tmp_path / "docs")
    for i in range(6):
        (docs / f"report-{i}.txt").write_text(
            f"Report {i}. " + "Plans for children in need show drift. " * 60
        )
    index = tmp_path / "index"
    qa.build_index(docs, index)
    generations = {store.load(index).generation: {c.doc for c in store.load(index).chunks}}
    rng = random.Random(seed)
    for n in range(kills):
        # Alternate the corpus so that old and new generations differ.
        extra = docs / "alternating.txt"
        if n % 2:
            extra.unlink(missing_ok=True)
        else:
            extra.write_text(f"Alternating report {n} about supervision of social workers. " * 20)
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(docs), str(index), "full" if n % 3 == 0 else "inc"],
            stdout=subprocess.PIPE,
            cwd=ROOT,
        )
        assert child.stdout is not None and child.stdout.readline().strip() == b"ready"
        time.sleep(rng.uniform(0.0, 1.2))
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        snap = store.load(index)  # checksums, counts and ids verified against the manifest
        docs_in_snap = {c.doc for c in snap.chunks}
        generations.setdefault(snap.generation, docs_in_snap)
        assert docs_in_snap == generations[snap.generation]
        assert docs_in_snap == {p for p, r in snap.manifest.files.items() if r.status == "indexed"}
        hits = qa.search("drift in plans for children in need", index=index)
        assert hits and {h.doc for h in hits} <= docs_in_snap
    qa.build_index(docs, index)
    assert not list(index.glob(".tmp-*"))


@pytest.mark.slow
def test_rebuild_killed_50_times(tmp_path: Path) -> None:
    _kill_rebuilds(tmp_path, 50, seed=1)


@pytest.mark.slow
@pytest.mark.soak
def test_rebuild_killed_many_more_times(tmp_path: Path) -> None:
    _kill_rebuilds(tmp_path, 100, seed=2)


@pytest.mark.slow
def test_disk_full_during_rebuild(tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    index = tmp_path / "index"
    qa.build_index(corpus, index)
    before = (index / "CURRENT").read_text()
    (corpus / "new.txt").write_text("A new report on supervision and caseloads in the east team.")

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store.faiss, "write_index", full)
    with pytest.raises(IndexWriteError, match=r"No space left on device.*previous index is still in place"):
        qa.build_index(corpus, index)
    assert (index / "CURRENT").read_text() == before
    assert not list(index.glob(".tmp-*"))
    assert "new.txt" not in {c.doc for c in store.load(index).chunks}
    monkeypatch.undo()
    assert qa.build_index(corpus, index).added == ["new.txt"]


@pytest.mark.slow
def test_queries_during_generation_swaps(tmp_path: Path) -> None:
    docs = write_corpus(tmp_path / "docs")
    index = tmp_path / "index"
    qa.build_index(docs, index)
    errors: list[BaseException] = []
    seen: list[frozenset[str]] = []
    stop = threading.Event()

    def ask_repeatedly() -> None:
        while not stop.is_set():
            try:
                hits = qa.search("supervision and caseloads", k=5, index=index)
                seen.append(frozenset(h.doc for h in hits))
            except BaseException as exc:
                errors.append(exc)

    threads = [threading.Thread(target=ask_repeatedly) for _ in range(6)]
    for t in threads:
        t.start()
    extra = docs / "swap.txt"
    valid = [{"dudley-monitoring-letter.pdf", "news.txt", "scrutiny.md"}]
    for n in range(8):
        if n % 2 == 0:
            extra.write_text(f"Swap {n}: supervision and caseloads were discussed at length. " * 5)
        else:
            extra.unlink()
        qa.build_index(docs, index)
        valid.append(
            {"dudley-monitoring-letter.pdf", "news.txt", "scrutiny.md"}
            | ({"swap.txt"} if n % 2 == 0 else set())
        )
    stop.set()
    for t in threads:
        t.join()
    assert errors == []
    assert len(seen) > 20
    assert all(any(s <= v for v in valid) for s in seen)


@pytest.mark.slow
def test_hostile_pdfs_are_skipped_or_capped(tmp_path: Path) -> None:
    docs = write_corpus(tmp_path / "docs")
    for name, make in hostile_pdfs.ALL.items():
        (docs / name).write_bytes(make())
    t0 = time.perf_counter()
    report = qa.build_index(docs, tmp_path / "index", settings=HOSTILE)
    assert time.perf_counter() - t0 < 240
    reasons = {s.path: s.reason for s in report.skipped}
    for name in (
        "circular-pages.pdf",
        "huge-length.pdf",
        "bomb.pdf",
        "deep-nesting.pdf",
        "zero.pdf",
        "truncated.pdf",
        "not-a-pdf.pdf",
    ):
        assert reasons.get(name)
    assert "Limit reached while decompressing" in reasons["bomb.pdf"]
    snap = store.load(tmp_path / "index")
    indexed = snap.manifest.files
    assert indexed["many-pages.pdf"].pages == 2000
    assert any("first 2000 of 3000" in n for n in indexed["many-pages.pdf"].notes)
    for name in ("dudley-monitoring-letter.pdf", "news.txt", "scrutiny.md"):
        assert indexed[name].status == "indexed"


def test_pdf_over_memory_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.pdf"
    path.write_bytes(hostile_pdfs.decompression_bomb(40))
    with pytest.raises(DocumentError) as info:
        load_document(path, tmp_path, Settings(pdf_memory_mb=300))
    assert "MB of memory" in info.value.reason or "Limit reached" in info.value.reason


def test_pdf_worker_runs_under_memory_limit(tmp_path: Path) -> None:
    path = tmp_path / "good.pdf"
    path.write_bytes(hostile_pdfs.good())
    with PdfParser(Settings(pdf_memory_mb=1500)) as parser:
        assert "supervision" in parser.load(path, "good.pdf").pages[0].text
        assert parser._proc is not None
        limits = Path(f"/proc/{parser._proc.pid}/limits").read_text()
    line = next(ln for ln in limits.splitlines() if ln.startswith("Max address space"))
    assert line.split()[3] == str(1500 * 1024 * 1024)


def test_pdf_loader_only_raises_its_own_error(tmp_path: Path) -> None:
    """A short fuzzing run: mutated PDFs give a Document or a DocumentError, nothing else."""
    seed = hostile_pdfs.good()
    path = tmp_path / "fuzz.pdf"
    with PdfParser(HOSTILE) as parser:

        @hsettings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
        @given(
            st.lists(st.tuples(st.integers(0, len(seed) - 1), st.binary(min_size=0, max_size=8)), max_size=6),
            st.integers(1, len(seed)),
        )
        def check(edits: list[tuple[int, bytes]], cut: int) -> None:
            data = bytearray(seed[:cut])
            for pos, chunk in edits:
                data[pos % max(len(data), 1) : pos % max(len(data), 1) + len(chunk)] = chunk
            path.write_bytes(bytes(data))
            with contextlib.suppress(DocumentError):
                load_document(path, tmp_path, HOSTILE, parser)

        check()


@pytest.mark.slow
@pytest.mark.soak
def test_pdf_loader_fuzz_longer(tmp_path: Path) -> None:
    seed = hostile_pdfs.many_pages(3)
    path = tmp_path / "fuzz.pdf"
    rng = random.Random(3)
    with PdfParser(HOSTILE) as parser:
        for _ in range(400):
            data = bytearray(seed)
            for _ in range(rng.randint(1, 10)):
                pos = rng.randrange(len(data))
                data[pos : pos + rng.randint(0, 6)] = bytes(
                    rng.randrange(256) for _ in range(rng.randint(0, 6))
                )
            path.write_bytes(bytes(data))
            with contextlib.suppress(DocumentError):
                load_document(path, tmp_path, HOSTILE, parser)


@pytest.mark.slow
def test_names_that_differ_only_in_unicode_form(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    nfc = unicodedata.normalize("NFC", "café-report.txt")
    nfd = unicodedata.normalize("NFD", "café-report.txt")
    (docs / nfc).write_text("The café report praises supervision of social workers in detail.")
    (docs / nfd).write_text("A different text about caseloads of social workers in the east.")
    (docs / ("long-" + "n" * 230 + ".txt")).write_text("A report with a very long file name about adoption.")
    report = qa.build_index(docs, tmp_path / "index")
    assert report.documents == 2
    assert any("Unicode" in s.reason for s in report.skipped)
    names = set(store.load(tmp_path / "index").manifest.files)
    assert nfc in names and all(unicodedata.is_normalized("NFC", n) for n in names)


@pytest.mark.slow
@pytest.mark.parametrize(
    "question",
    [
        "Que dit l'inspection sur la supervision ?",
        "监督的情况如何？",
        "Супервизия социальных работников?",
        "supervision " * 150,
        "what\u200babout\u00a0supervision\u202e?",
    ],
)
def test_questions_in_any_shape_get_an_answer_fast(tmp_path: Path, corpus: Path, question: str) -> None:
    index = tmp_path / "index"
    qa.build_index(corpus, index)
    t0 = time.perf_counter()
    answer = qa.ask(question, index=index)
    assert time.perf_counter() - t0 < 5
    assert isinstance(answer, qa.Answer)
    assert answer.abstained or answer.citations


@pytest.mark.slow
@pytest.mark.parametrize("question", ["", "   ", "\x00\x1b\x07\x08\r\n", "x" * 100_000])
def test_unusable_questions_get_a_clear_message(tmp_path: Path, corpus: Path, question: str) -> None:
    index = tmp_path / "index"
    qa.build_index(corpus, index)
    t0 = time.perf_counter()
    with pytest.raises(QueryError) as info:
        qa.ask(question, index=index)
    assert time.perf_counter() - t0 < 1
    assert "question" in str(info.value)


@pytest.mark.slow
def test_works_with_no_network_at_all(tmp_path: Path, corpus: Path) -> None:
    """Index, answer and serve the page inside a network namespace with no interfaces up but
    loopback, recording every attempt to open a connection elsewhere."""
    if shutil.which("unshare") is None or os.geteuid() != 0:
        pytest.fail("needs root and unshare(1) (util-linux)")
    script = tmp_path / "offline.py"
    script.write_text(OFFLINE_SCRIPT)
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    result = subprocess.run(
        [
            "unshare",
            "--net",
            "sh",
            "-c",
            f"ip link set lo up 2>/dev/null; exec {sys.executable} {script} {corpus} {tmp_path / 'index'}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "ATTEMPTS []" in result.stdout, result.stdout
    assert "ANSWERED True" in result.stdout and "PAGE 200" in result.stdout


OFFLINE_SCRIPT = r"""
import socket, sys, threading, time, urllib.request
attempts = []
real_connect = socket.socket.connect
real_getaddrinfo = socket.getaddrinfo

def connect(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and host not in ("127.0.0.1", "::1", "localhost") and "/" not in host:
        attempts.append(str(address))
    return real_connect(self, address)

def getaddrinfo(host, *args, **kwargs):
    if host not in (None, "127.0.0.1", "::1", "localhost", "0.0.0.0"):
        attempts.append(f"dns:{host}")
    return real_getaddrinfo(host, *args, **kwargs)

socket.socket.connect = connect
socket.getaddrinfo = getaddrinfo
sys.path.insert(0, ".")
import qa, uvicorn, app
docs, index = sys.argv[1], sys.argv[2]
qa.build_index(docs, index)
answer = qa.ask("What did inspectors say about supervision?", index=index)
print("ANSWERED", not answer.abstained and bool(answer.citations))
server = uvicorn.Server(uvicorn.Config(app.create_app(app.parse_args(
    ["--documents", docs, "--index", index, "--port", "7999"])), host="127.0.0.1", port=7999,
    log_level="warning"))
threading.Thread(target=server.run, daemon=True).start()
for _ in range(100):
    try:
        with urllib.request.urlopen("http://127.0.0.1:7999/", timeout=5) as r:
            print("PAGE", r.status)
            break
    except OSError:
        time.sleep(0.2)
server.should_exit = True
time.sleep(0.5)
print("ATTEMPTS", attempts)
"""


REBUILDS: list[int] = []
ADDS: list[int] = []


class IndexMachine(RuleBasedStateMachine):
    """Random add / change / delete / rename / rebuild / failed rebuild sequences."""

    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(dir=os.environ["QA_MACHINE_TMP"]))
        self.docs = self.root / "docs"
        self.docs.mkdir(parents=True)
        self.index = self.root / "index"
        self.counter = 0
        self.indexed: set[str] | None = None  # files present at the last successful rebuild
        for doc in ("a.txt", "b.txt", "c.md"):
            (self.docs / doc).write_text(self._text())
        self.rebuild()

    def _text(self) -> str:
        self.counter += 1
        topics = ["supervision", "caseloads", "adoption", "care leavers", "fostering", "drift"]
        return f"Report {self.counter} on {topics[self.counter % len(topics)]}. " * (3 + self.counter % 5)

    @rule(doc=st.sampled_from(["a.txt", "b.txt", "c.md", "d.txt"]), then_rebuild=st.booleans())
    def add_or_change(self, doc: str, then_rebuild: bool) -> None:
        ADDS.append(1)
        (self.docs / doc).write_text(self._text())
        if then_rebuild:
            self.rebuild()

    @rule(doc=st.sampled_from(["a.txt", "b.txt", "c.md", "d.txt"]), then_rebuild=st.booleans())
    def delete(self, doc: str, then_rebuild: bool) -> None:
        (self.docs / doc).unlink(missing_ok=True)
        if then_rebuild:
            self.rebuild()

    @rule(
        src=st.sampled_from(["a.txt", "b.txt"]),
        dst=st.sampled_from(["e.txt", "f.md"]),
        then_rebuild=st.booleans(),
    )
    def rename(self, src: str, dst: str, then_rebuild: bool) -> None:
        if (self.docs / src).exists() and not (self.docs / dst).exists():
            (self.docs / src).rename(self.docs / dst)
        if then_rebuild:
            self.rebuild()

    @rule()
    def rebuild(self) -> None:
        REBUILDS.append(1)
        qa.build_index(self.docs, self.index)
        self.indexed = {p.name for p in self.docs.iterdir()}
        full = self.root / "full"
        shutil.rmtree(full, ignore_errors=True)
        qa.build_index(self.docs, full, full=True)
        inc, ref = store.load(self.index), store.load(full)
        assert [(c.doc, c.page, c.start, c.end, c.id) for c in inc.chunks] == [
            (c.doc, c.page, c.start, c.end, c.id) for c in ref.chunks
        ]
        np.testing.assert_allclose(np.asarray(inc.dense), np.asarray(ref.dense), atol=1e-4)

    @rule()
    def failed_rebuild(self) -> None:
        real = store.Lexical.save

        def crash(*args: object, **kwargs: object) -> None:
            raise OSError(5, "Input/output error")

        store.Lexical.save = crash  # type: ignore[method-assign]
        try:
            if self.indexed is None or any(True for _ in self.docs.iterdir()):
                with pytest.raises((IndexWriteError, qa.QAError)):
                    qa.build_index(self.docs, self.index, full=True)
        finally:
            store.Lexical.save = real  # type: ignore[method-assign]

    @invariant()
    def answers_only_from_last_successful_rebuild(self) -> None:
        if self.indexed is None:
            return
        hits = qa.search("supervision caseloads adoption", k=10, index=self.index)
        assert {h.doc for h in hits} <= self.indexed


@pytest.mark.slow
def test_index_state_machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hypothesis.stateful import run_state_machine_as_test

    monkeypatch.setenv("QA_MACHINE_TMP", str(tmp_path))
    run_state_machine_as_test(
        IndexMachine,
        settings=hsettings(
            max_examples=8, stateful_step_count=12, deadline=None, suppress_health_check=list(HealthCheck)
        ),
    )
