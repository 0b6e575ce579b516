"""Reading report files into `Document`s of `Page`s: PDF page by page, plain text and Markdown.

In: discovery of files in a folder, text decoding, PDF text extraction (in a separate,
time- and memory-limited process, see `qa.pdfworker`), titles and document dates.
Out: chunking, embedding and anything about the index.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import logging
import os
import re
import select
import subprocess
import sys
import unicodedata
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import IO, Any

from qa.boilerplate import is_boilerplate
from qa.config import Settings
from qa.errors import DocumentError

# What reading a file yields (its text, title, date) and what qa.facts extracts from it: an
# index made by another reader is rebuilt, so that an upgrade re-reads every file once.
READER_VERSION = 3

log = logging.getLogger(__name__)

SUPPORTED = {".pdf", ".txt", ".md"}
# Editors, office suites and file managers leave these beside real files.
_IGNORED_NAMES = re.compile(r"^(\.|~\$|~|#.*#$)|(~|\.tmp|\.part|\.swp|\.crdownload)$", re.I)


@dataclass(frozen=True, slots=True)
class Page:
    """One page of text. `number` is 1-based for PDFs and None for text files."""

    number: int | None
    label: str
    text: str
    # Spans of running headers and footers (and bare page numbers) in `text`: kept in the
    # page text so offsets stay true, but left out of passages.
    running: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Document:
    path: str  # relative to the documents folder, POSIX separators, NFC
    title: str
    date: str | None  # ISO 8601 (YYYY-MM-DD) or None when unknown
    pages: tuple[Page, ...]
    notes: tuple[str, ...] = ()


def is_ignored(name: str) -> bool:
    """True for dotfiles and editor/office temp files: `is_ignored("~$x.docx") -> True`."""
    return bool(_IGNORED_NAMES.search(name))


def discover(folder: Path) -> list[Path]:
    """Every candidate file below `folder` (any extension), sorted, ignoring temp files and dotfiles."""
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            if not is_ignored(name):
                found.append(Path(root) / name)
    return sorted(found, key=lambda p: relative_name(p, folder))


def relative_name(path: Path, folder: Path) -> str:
    """The document's name as the index records it: relative, POSIX, NFC-normalised."""
    rel = path.relative_to(folder).as_posix()
    return unicodedata.normalize("NFC", rel)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_document(path: Path, folder: Path, settings: Settings, pdf: PdfParser | None = None) -> Document:
    """Read one file; raises DocumentError with a one-line reason when it cannot be used."""
    name = relative_name(path, folder)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise DocumentError(name, f"unsupported file type {suffix or '(none)'}; use PDF, TXT or MD")
    size = path.stat().st_size
    if size == 0:
        raise DocumentError(name, "empty file (0 bytes)")
    if size > settings.max_file_mb * 1024 * 1024:
        raise DocumentError(name, f"larger than the {settings.max_file_mb} MB limit")
    if suffix == ".pdf":
        if pdf is None:
            with PdfParser(settings) as own:
                return own.load(path, name)
        return pdf.load(path, name)
    text, notes = decode_text(path.read_bytes(), name)
    if not text.strip():
        raise DocumentError(name, "no text (only whitespace)")
    title = markdown_title(text) if suffix == ".md" else None
    page = Page(number=None, label="", text=text)
    return Document(
        path=name,
        title=title or title_from_text(text) or Path(name).stem,
        date=date_from_text(text) or date_from_name(name),
        pages=(page,),
        notes=tuple(notes),
    )


def decode_text(data: bytes, name: str) -> tuple[str, list[str]]:
    """Decode a text file: UTF-8 (with or without BOM), UTF-16/32 with BOM, else Windows-1252.

    Binary data is rejected rather than mangled into text.
    >>> decode_text("café".encode("cp1252"), "x.txt")[0]
    'café'
    """
    notes: list[str] = []
    text: str | None = None
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise DocumentError(name, f"invalid {encoding.upper()} text ({exc.reason})") from exc
            break
    if text is None:
        if b"\x00" in data:
            raise DocumentError(name, "binary data, not text (contains NUL bytes)")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError as exc:
                raise DocumentError(name, "not valid UTF-8 or Windows-1252 text") from exc
            notes.append("decoded as Windows-1252 (not UTF-8)")
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f")
    if controls > max(2, len(text) // 200):
        raise DocumentError(name, "binary data, not text (control characters)")
    return clean_text(text), notes


def clean_text(text: str) -> str:
    """NFC, Unix newlines, no trailing spaces: the page text every span refers to."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.replace("\x00", "")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


_PAGE_NUMBER = re.compile(r"^(page\s+)?\d{1,4}(\s*(of|/)\s*\d{1,4})?$|^[-–—]\s*\d{1,4}\s*[-–—]$", re.I)
_EDGE_LINES = 3


def mark_running_lines(pages: list[Page]) -> tuple[Page, ...]:
    """Find each page's running header and footer lines and bare page numbers.

    A line counts when it is among the first or last three lines of its page, is short (15
    words at most) and the same line, digits aside ("Inspection of Dudley ... 4 of 20"),
    sits at an edge of at least half of the pages (and at least three). Repeated in every
    passage, such lines would match every question and clutter every quote.
    """
    edges: list[list[tuple[int, int, str]]] = []
    counts: list[int] = []  # non-empty lines per page
    for page in pages:
        lines, pos = [], 0
        for line in page.text.split("\n"):
            if line.strip():
                lines.append((pos, pos + len(line), line))
            pos += len(line) + 1
        picked = lines if len(lines) <= 2 * _EDGE_LINES else lines[:_EDGE_LINES] + lines[-_EDGE_LINES:]
        edges.append(picked)
        counts.append(len(lines))

    def key(line: str) -> str:
        return re.sub(r"\d+", "#", " ".join(line.lower().split()))

    seen: dict[str, int] = {}
    for picked in edges:
        for k in {key(line) for _, _, line in picked}:
            seen[k] = seen.get(k, 0) + 1
    needed = max(3, (len(pages) + 1) // 2)
    out = []
    for page, picked, count in zip(pages, edges, counts, strict=True):
        running = tuple(
            (a + len(line) - len(line.lstrip()), b)
            for a, b, line in picked
            if _PAGE_NUMBER.match(line.strip())
            or (len(pages) >= 3 and seen[key(line)] >= needed and len(line.split()) <= 15)
        )
        # A page made only of such lines (a file whose pages all repeat one text) keeps them.
        if running and len(running) < count:
            page = replace(page, running=running)
        out.append(page)
    return tuple(out)


def markdown_title(text: str) -> str | None:
    for line in text.split("\n"):
        match = re.match(r"^#{1,3}\s+(.+?)\s*#*$", line)
        if match:
            return match.group(1).strip()
    return None


def title_from_text(text: str) -> str | None:
    """The first line that reads like a headline (4 to 25 words, not web page chrome such as
    "Skip to main content" or a menu, not a dateline), else the first line."""
    lines = [ln.strip() for ln in text.split("\n")[:60] if ln.strip()]
    candidates = [
        line
        for line in lines
        if not (line.startswith("[") and line.endswith("]"))
        and 4 <= len(line.split()) <= 25
        and _headline(line)
    ]
    # A headline seldom ends with a full stop; a site's notice ("Bin collections will be one
    # day later.") and an article's first sentence do.
    best = next((c for c in candidates if not c.endswith(".")), candidates[0] if candidates else None)
    return _shorten(best) if best else (_shorten(lines[0]) if lines else None)


def _headline(line: str) -> bool:
    """Whether `line` can be a headline: not boilerplate, a dateline, a web menu ("Home  News
    Sport"), a ticker ("Breaking: ...") or a name alone ("Rotherham Metropolitan Borough Council",
    a masthead), which has no lower-case word but its short joining words."""
    if is_boilerplate(line) or _DATELINE.fullmatch(line) or _TICKER.match(line):
        return False
    parts = re.split(r"\s{2,}|\s[|•·]\s", line)
    if len(parts) >= 3 or (len(parts) == 2 and any(_DATELINE.fullmatch(p.strip()) for p in parts)):
        return False
    return any(w[:1].islower() and w.lower() not in _JOINING for w in line.split())


def _shorten(line: str, limit: int = 160) -> str:
    return line if len(line) <= limit else line[: limit - 1].rsplit(" ", 1)[0] + "…"


_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ]
    )
}
_MONTH_RE = "(" + "|".join(_MONTHS) + "|" + "|".join(m[:3] for m in _MONTHS) + r")\.?"
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH_RE}\s*,?\s+((?:19|20)\d\d)\b", re.I)
_MONTH_DAY_YEAR = re.compile(rf"\b{_MONTH_RE}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+((?:19|20)\d\d)\b", re.I)
_ISO = re.compile(r"\b((?:19|20)\d\d)-(\d\d)-(\d\d)\b")
# A line that is only a date ("Thursday 17 April 2025", "Press release: 3 May 2024"): a
# dateline, not a headline.
_DATELINE = re.compile(
    rf"(?:[\w ]{{1,25}}:\s*)?(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
    rf"(?:\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH_RE}|{_MONTH_RE}\s+\d{{1,2}}(?:st|nd|rd|th)?),?\s+(?:19|20)\d\d",
    re.I,
)
_TICKER = re.compile(r"(breaking|live|latest|trending|most read|advertisement|watch)\b", re.I)
_JOINING = frozenset({"and", "of", "the", "for", "in", "on", "at", "to", "a", "an", "&"})
_LABELLED = re.compile(
    r"(date of (?:letter|report|publication|inspection|visit)|published(?: on)?|publication date|"
    r"report date|date)\s*[:\-–]?\s*",
    re.I,
)


def _make_date(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def parse_date(text: str) -> str | None:
    """The first complete date in `text`: `parse_date("on 22 October 2024") -> '2024-10-22'`."""
    found: list[tuple[int, str]] = []
    for m in _DAY_MONTH_YEAR.finditer(text):
        iso = _make_date(int(m.group(3)), _month_number(m.group(2)), int(m.group(1)))
        if iso:
            found.append((m.start(), iso))
    for m in _MONTH_DAY_YEAR.finditer(text):
        iso = _make_date(int(m.group(3)), _month_number(m.group(1)), int(m.group(2)))
        if iso:
            found.append((m.start(), iso))
    for m in _ISO.finditer(text):
        iso = _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if iso:
            found.append((m.start(), iso))
    return min(found)[1] if found else None


def _month_number(name: str) -> int:
    key = name.lower().rstrip(".")
    for month, number in _MONTHS.items():
        if month.startswith(key):
            return number
    raise KeyError(name)


def date_from_text(text: str) -> str | None:
    """A labelled date ("Date of letter: 22 October 2024") wins; else the first full date near the top."""
    for m in _LABELLED.finditer(text[:20000]):
        iso = parse_date(text[m.end() : m.end() + 40])
        if iso:
            return iso
    return parse_date(text[:3000])


def date_from_name(name: str) -> str | None:
    m = re.search(r"((?:19|20)\d\d)[-_]?(\d\d)[-_]?(\d\d)", Path(name).stem)
    return _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


class PdfParser:
    """Parses PDFs in a child process (`python -m qa.pdfworker`) with a time and memory limit.

    The child is reused across files and restarted after a timeout or crash, so a hostile PDF
    costs at most `pdf_timeout_s` and cannot exhaust this process's memory.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> PdfParser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            assert proc.stdin is not None
            proc.stdin.close()
            proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()

    def _start(self) -> subprocess.Popen[bytes]:
        if self._proc is None or self._proc.poll() is not None:
            env = dict(os.environ, QA_PDF_MEMORY_MB=str(self.settings.pdf_memory_mb))
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "qa.pdfworker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=env,
                cwd=str(Path(__file__).resolve().parent.parent),
            )
        return self._proc

    def _kill(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._proc = None

    def load(self, path: Path, name: str) -> Document:
        reply = self._request(path, name)
        if not reply.get("ok"):
            raise DocumentError(name, str(reply.get("reason", "could not be read")))
        pages = mark_running_lines(
            [
                Page(number=i + 1, label=str(label), text=clean_text(str(text)))
                for i, (label, text) in enumerate(reply["pages"])
            ]
        )
        if sum(len(p.text.strip()) for p in pages) < 20:
            raise DocumentError(name, "no text layer (a scanned or image-only PDF?); OCR is not supported")
        first_text = "\n".join(p.text for p in pages[:2])
        meta_title = str(reply.get("title") or "").strip()
        title = meta_title if _good_meta_title(meta_title) else title_from_text(first_text)
        return Document(
            path=name,
            title=title or Path(name).stem,
            date=date_from_text(first_text) or reply.get("date") or date_from_name(name),
            pages=pages,
            notes=tuple(str(n) for n in reply.get("notes", [])),
        )

    def _request(self, path: Path, name: str) -> dict[str, Any]:
        for attempt in (1, 2):
            proc = self._start()
            assert proc.stdin is not None and proc.stdout is not None
            try:
                request = {"path": str(path.resolve()), "max_pages": self.settings.max_pages}
                proc.stdin.write(json.dumps(request).encode() + b"\n")
                proc.stdin.flush()
            except BrokenPipeError:
                self._kill()
                if attempt == 2:
                    raise DocumentError(name, "the PDF parser could not be started") from None
                continue
            line = _read_line(proc.stdout, self.settings.pdf_timeout_s)
            if line is None:
                self._kill()
                raise DocumentError(
                    name, f"took longer than {self.settings.pdf_timeout_s:g} s to parse; skipped"
                )
            if not line:
                self._kill()
                raise DocumentError(
                    name,
                    f"the PDF parser crashed or exceeded {self.settings.pdf_memory_mb} MB of memory",
                )
            reply: dict[str, Any] = json.loads(line)
            return reply
        raise DocumentError(name, "could not be parsed")


def _good_meta_title(title: str) -> bool:
    words = title.split()
    junk = ("untitled", "microsoft word", ".doc", ".pdf", "powerpoint")
    return 2 <= len(words) <= 30 and not any(j in title.lower() for j in junk)


def _read_line(stream: IO[bytes], timeout: float) -> bytes | None:
    """One line from the worker, b"" if it died, None on timeout."""
    ready, _, _ = select.select([stream], [], [], timeout)
    if not ready:
        return None
    return stream.readline()
