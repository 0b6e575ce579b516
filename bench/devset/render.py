"""Render the development set: sources -> corpus/, questions with gold pages, validation.

    .venv/bin/python bench/devset/render.py [--root bench/devset] [--check]

For every group in split.json (train, then test):
  1. each `<group>/docs/<stem>.pdf.txt` is rendered to `corpus/<group>/<stem>.pdf` with fpdf2
     (A4, DejaVu Sans, the markup of README.md), byte for byte reproducible; `.txt` and `.md`
     files are copied unchanged; files in `corpus/<group>/` without a source are removed.
  2. `<group>/questions.jsonl` is written to `questions/<group>.jsonl` with each gold quote's
     page filled in, found in the rendered file as the product reads it (qa.documents).
  3. Every gold quote, gold document and question id is checked, and a report printed.
`--check` exits 1 when there is any problem.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from qa.config import Settings  # noqa: E402
from qa.documents import Document, PdfParser, load_document  # noqa: E402
from qa.errors import DocumentError  # noqa: E402

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT = "DejaVu"
CREATED = datetime(2026, 1, 1, tzinfo=UTC)  # fixed, so the same source gives the same bytes

KINDS = {
    "theme", "factual", "date", "who", "howmany", "why", "yesno", "compare", "trend", "summary",
    "paraphrase", "followup", "unanswerable",
}  # fmt: skip
MIN_WORDS, MAX_WORDS = 4, 25

# Layout, in millimetres (body text 10.5 pt).
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 20.0, 20.0, 24.0
BODY_PT, BODY_LH = 10.5, 5.2
H1_PT, H1_LH = 16.0, 7.6
H2_PT, H2_LH = 12.0, 6.0
SMALL_PT, SMALL_LH = 8.5, 4.0
BLOCK_GAP, BLANK_GAP = 1.8, 2.6
BULLET_X, BULLET_TEXT, NUMBER_TEXT = 3.0, 8.0, 9.0
CELL_PAD_X, CELL_PAD_Y = 2.0, 1.4


# ---------------------------------------------------------------------------------------------
# Source markup


@dataclass(frozen=True, slots=True)
class Block:
    kind: str  # "h1", "h2", "bullet", "numbered", "para", "table", "blank", "pagebreak"
    text: str = ""
    number: str = ""
    rows: tuple[tuple[str, ...], ...] = ()


@dataclass(slots=True)
class Source:
    header: str = ""
    footer: str = ""
    blocks: list[Block] = field(default_factory=list)

    def texts(self) -> list[str]:
        """The text of every block (every table cell on its own), as quotes must come from one."""
        out: list[str] = []
        for block in self.blocks:
            if block.kind == "table":
                out.extend(cell for row in block.rows for cell in row)
            elif block.text:
                out.append(block.text)
        return out

    def title(self) -> str | None:
        return next((b.text for b in self.blocks if b.kind == "h1"), None)


_HEADING = re.compile(r"^(#{1,6})\s+(.+)$")
_BULLET = re.compile(r"^-\s+(.+)$")
_NUMBERED = re.compile(r"^(\d{1,3}\.)\s+(.+)$")
_SEPARATOR_CELL = re.compile(r"^:?-{2,}:?$")


def clean(text: str) -> str:
    """One source line as text to draw: no soft hyphens (fpdf2 would hyphenate at them), no tabs."""
    return " ".join(text.replace("\u00ad", "").replace("\t", " ").split())


def table_cells(line: str) -> tuple[str, ...]:
    inner = line.strip()[1:]
    if inner.endswith("|"):
        inner = inner[:-1]
    return tuple(clean(cell) for cell in inner.split("|"))


def parse_source(text: str) -> Source:
    """Blocks of a `*.pdf.txt` source: one line is one block, table rows grouped into tables."""
    source = Source()
    rows: list[tuple[str, ...]] = []

    def end_table() -> None:
        if rows:
            source.blocks.append(Block("table", rows=tuple(rows)))
            rows.clear()

    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        if line.startswith("|") and len(line) > 1:
            cells = table_cells(line)
            if not all(_SEPARATOR_CELL.match(cell) for cell in cells):  # a Markdown |---| row
                rows.append(cells)
            continue
        end_table()
        if line.lower().startswith("@header:"):
            source.header = clean(line[len("@header:") :])
        elif line.lower().startswith("@footer:"):
            source.footer = clean(line[len("@footer:") :])
        elif not line:
            source.blocks.append(Block("blank"))
        elif line == "<<pagebreak>>":
            source.blocks.append(Block("pagebreak"))
        elif m := _HEADING.match(line):
            source.blocks.append(Block("h1" if len(m.group(1)) == 1 else "h2", clean(m.group(2))))
        elif m := _BULLET.match(line):
            source.blocks.append(Block("bullet", clean(m.group(1))))
        elif m := _NUMBERED.match(line):
            source.blocks.append(Block("numbered", clean(m.group(2)), number=m.group(1)))
        else:
            source.blocks.append(Block("para", clean(line)))
    end_table()
    return source


# ---------------------------------------------------------------------------------------------
# Rendering


class ReportPDF(FPDF):
    """An A4 report in the style of an Ofsted inspection report."""

    def __init__(self, header_text: str, footer_text: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.header_text = header_text
        self.footer_text = footer_text
        self.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_margins(MARGIN_X, MARGIN_TOP, MARGIN_X)
        self.set_auto_page_break(True, margin=MARGIN_BOTTOM)
        self.c_margin = 0.0
        self.set_creation_date(CREATED)
        self.set_creator("inspection-qa bench/devset/render.py")
        self.set_producer("fpdf2")
        self.set_lang("en-GB")

    def header(self) -> None:
        if self.page_no() > 1 and self.header_text:
            self.set_font(FONT, "", SMALL_PT)
            self.set_text_color(90, 90, 90)
            self.set_xy(self.l_margin, 10.0)
            self.cell(self.epw, SMALL_LH, self.header_text)
            self.set_draw_color(170, 170, 170)
            self.set_line_width(0.2)
            self.line(self.l_margin, 15.0, self.w - self.r_margin, 15.0)
        self.set_text_color(0, 0, 0)
        self.set_xy(self.l_margin, self.t_margin)

    def footer(self) -> None:
        self.set_font(FONT, "", SMALL_PT)
        self.set_text_color(90, 90, 90)
        self.set_draw_color(170, 170, 170)
        self.set_line_width(0.2)
        self.line(self.l_margin, self.h - 19.0, self.w - self.r_margin, self.h - 19.0)
        self.set_xy(self.l_margin, self.h - 17.5)
        if self.footer_text:
            self.cell(self.epw, SMALL_LH, self.footer_text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.cell(self.epw, SMALL_LH, f"Page {self.page_no()} of {self.str_alias_nb_pages}")
        self.set_text_color(0, 0, 0)

    # -- helpers

    def at_top(self) -> bool:
        return self.y <= self.t_margin + 0.01

    def space(self, height: float) -> None:
        """Vertical space between blocks; none at the top of a page or across a page break."""
        if not self.at_top() and self.y + height < self.page_break_trigger:
            self.set_y(self.y + height)

    def room_for(self, height: float) -> None:
        """Start a new page unless `height` fits below the current position."""
        if not self.at_top() and self.y + height > self.page_break_trigger:
            self.add_page()

    def text_block(self, x: float, text: str, line_h: float) -> None:
        self.set_x(x)
        self.multi_cell(
            self.w - self.r_margin - x, line_h, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )

    def line_count(self, width: float, text: str) -> int:
        lines = self.multi_cell(width, BODY_LH, text, dry_run=True, output="LINES")
        assert isinstance(lines, list)
        return max(1, len(lines))

    # -- blocks

    def heading(
        self, text: str, size: float, line_h: float, before: float, after: float, then: float
    ) -> None:
        """A heading, kept on one page with the `then` millimetres of what follows it."""
        self.set_font(FONT, "B", size)
        lines = self.line_count(self.epw, text)
        self.space(before)
        self.keep_together(lines * line_h + after + max(then, 2 * BODY_LH))
        self.set_font(FONT, "B", size)
        self.text_block(self.l_margin, text, line_h)
        self.space(after)

    def text_height(self, block: Block) -> float:
        """The height of a paragraph, bullet or numbered block (0 for any other block)."""
        indent = {"para": 0.0, "bullet": BULLET_TEXT, "numbered": NUMBER_TEXT}.get(block.kind)
        if indent is None:
            return 0.0
        self.set_font(FONT, "", BODY_PT)
        return self.line_count(self.epw - indent, block.text) * BODY_LH

    def keep_together(self, height: float) -> None:
        """Move a block that fits on one page to the next page rather than split it, so a quote
        from one source line never spans a page break."""
        page_room = self.page_break_trigger - self.t_margin
        self.room_for(height if height <= page_room else BODY_LH)

    def body(self, block: Block, marker: str = "", marker_x: float = 0.0, text_x: float = 0.0) -> None:
        text = block.text
        self.keep_together(self.text_height(block))
        self.set_font(FONT, "", BODY_PT)
        if marker:
            self.set_x(self.l_margin + marker_x)
            self.cell(text_x - marker_x, BODY_LH, marker)
        self.text_block(self.l_margin + text_x, text, BODY_LH)
        self.space(BLOCK_GAP)

    def column_widths(self, rows: tuple[tuple[str, ...], ...], columns: int) -> list[float]:
        """Every column after the first as wide as its widest cell on one line (up to half the
        width shared between them); the first takes the rest, so a long name wraps there."""
        total = self.epw
        if columns == 1:
            return [total]
        natural = []
        for col in range(columns):
            widest = 0.0
            for i, row in enumerate(rows):
                self.set_font(FONT, "B" if i == 0 else "", BODY_PT)
                cell = row[col] if col < len(row) else ""
                widest = max(widest, self.get_string_width(cell))
            natural.append(widest + 2 * CELL_PAD_X + 0.5)
        cap = total * 0.5 / (columns - 1)
        rest = [min(width, cap) for width in natural[1:]]
        return [total - sum(rest), *rest]

    def grid(self, rows: tuple[tuple[str, ...], ...]) -> None:
        columns = max(len(row) for row in rows)
        widths = self.column_widths(rows, columns)
        self.set_draw_color(120, 120, 120)
        self.set_line_width(0.25)
        self.set_fill_color(228, 228, 236)
        for i, row in enumerate(rows):
            cells = [*row, *[""] * (columns - len(row))]
            self.set_font(FONT, "B" if i == 0 else "", BODY_PT)
            counts = [self.line_count(w - 2 * CELL_PAD_X, c) for w, c in zip(widths, cells, strict=True)]
            height = max(counts) * BODY_LH + 2 * CELL_PAD_Y
            if self.y + height > self.page_break_trigger:
                self.add_page()
                self.set_font(FONT, "B" if i == 0 else "", BODY_PT)
            top, x = self.y, self.l_margin
            for width, cell in zip(widths, cells, strict=True):
                self.rect(x, top, width, height, style="DF" if i == 0 else "D")
                self.set_xy(x + CELL_PAD_X, top + CELL_PAD_Y)
                self.multi_cell(width - 2 * CELL_PAD_X, BODY_LH, cell, align="L")
                x += width
            self.set_xy(self.l_margin, top + height)
        self.space(BLOCK_GAP + 1.0)


def render_pdf(source: Source, title: str) -> bytes:
    pdf = ReportPDF(source.header, source.footer)
    pdf.set_title(source.title() or title)
    pdf.add_page()
    blocks = source.blocks
    for i, block in enumerate(blocks):
        following = next((b for b in blocks[i + 1 :] if b.kind != "blank"), Block("blank"))
        if block.kind == "pagebreak":
            pdf.add_page()
        elif block.kind == "blank":
            pdf.space(BLANK_GAP)
        elif block.kind == "h1":
            pdf.heading(block.text, H1_PT, H1_LH, 3.0, 2.0, then=pdf.text_height(following))
        elif block.kind == "h2":
            pdf.heading(block.text, H2_PT, H2_LH, 2.0, 1.2, then=pdf.text_height(following))
        elif block.kind == "bullet":
            pdf.body(block, "\u2022", BULLET_X, BULLET_TEXT)
        elif block.kind == "numbered":
            pdf.body(block, block.number, 0.0, NUMBER_TEXT)
        elif block.kind == "table":
            pdf.grid(block.rows)
        else:
            pdf.body(block)
    return bytes(pdf.output())


# ---------------------------------------------------------------------------------------------
# Corpus


@dataclass(slots=True)
class Doc:
    stem: str
    group: str
    source: Path
    output: Path
    parsed: Source | None = None  # for PDF sources
    document: Document | None = None

    @property
    def is_pdf(self) -> bool:
        return self.output.suffix == ".pdf"


@dataclass(slots=True)
class Report:
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    written: int = 0
    unchanged: int = 0
    removed: int = 0

    def problem(self, text: str) -> None:
        self.problems.append(text)

    def warn(self, text: str) -> None:
        self.warnings.append(text)


def write_if_changed(path: Path, data: bytes, report: Report) -> None:
    if path.exists() and path.read_bytes() == data:
        report.unchanged += 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    report.written += 1


def build_group(root: Path, group: str, report: Report) -> list[Doc]:
    """Render or copy one group's documents into corpus/<group>/ and remove stale files."""
    docs_dir = root / group / "docs"
    out_dir = root / "corpus" / group
    docs: list[Doc] = []
    if not docs_dir.is_dir():
        report.problem(f"{group}: no folder {docs_dir.relative_to(root)}")
    else:
        for path in sorted(docs_dir.iterdir()):
            if path.name.startswith(".") or not path.is_file():
                continue
            name = path.name
            if name.endswith(".pdf.txt"):
                stem = name[: -len(".pdf.txt")]
                doc = Doc(stem, group, path, out_dir / f"{stem}.pdf")
                doc.parsed = parse_source(path.read_text(encoding="utf-8"))
                write_if_changed(doc.output, render_pdf(doc.parsed, stem), report)
            elif path.suffix in (".txt", ".md"):
                doc = Doc(path.stem, group, path, out_dir / name)
                write_if_changed(doc.output, path.read_bytes(), report)
            else:
                report.problem(f"{group}: {name}: not a .pdf.txt, .txt or .md source; ignored")
                continue
            docs.append(doc)
    expected = {doc.output.name for doc in docs}
    if out_dir.is_dir():
        for path in sorted(out_dir.iterdir()):
            if path.name not in expected:
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink()
                report.removed += 1
    return docs


def load_all(docs: list[Doc], report: Report) -> None:
    settings = Settings()
    with PdfParser(settings) as parser:
        for doc in docs:
            if not doc.output.exists():
                continue
            try:
                doc.document = load_document(doc.output, doc.output.parent, settings, parser)
            except DocumentError as exc:
                report.problem(f"{doc.group}: {doc.output.name}: the product cannot read it ({exc.reason})")
                continue
            if doc.is_pdf and doc.document.date == CREATED.date().isoformat():
                report.warn(
                    f"{doc.group}: {doc.stem}: no date in the text of pages 1-2; the product would date it "
                    f"from the PDF metadata ({doc.document.date})"
                )


# ---------------------------------------------------------------------------------------------
# Questions


def norm(text: str) -> str:
    """As bench/eval.py: curly quotes straightened, whitespace collapsed, lower case."""
    return " ".join(
        text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"').split()
    ).lower()


def source_texts(doc: Doc) -> list[str]:
    if doc.parsed is not None:
        return doc.parsed.texts()
    return doc.source.read_text(encoding="utf-8", errors="replace").split("\n")


_PAGE_OF = re.compile(r"^Page \d+ of \d+$")


def body_text(doc: Doc, text: str) -> str:
    """A page's text without the running header, footer and page number lines."""
    running = {doc.parsed.header, doc.parsed.footer} - {""} if doc.parsed else set()
    lines = text.split("\n")
    return "\n".join(ln for ln in lines if ln.strip() not in running and not _PAGE_OF.match(ln.strip()))


def place_quote(qid: str, gold: dict[str, Any], doc: Doc, report: Report) -> int | None:
    """The page of `doc` (as the product reads it) that holds the quote; problems reported."""
    assert doc.document is not None
    quote = norm(str(gold.get("text") or ""))
    where = f"{qid}: quote {str(gold.get('text'))[:70]!r} in {doc.stem}"
    pages = doc.document.pages
    found = [page for page in pages if quote in norm(page.text)]
    if found:
        if len(found) > 1 and doc.is_pdf:
            report.warn(f"{where}: on pages {', '.join(str(p.number) for p in found)}; the first is used")
        return found[0].number
    blocks = [norm(text) for text in source_texts(doc)]
    whole_source = norm(" ".join(source_texts(doc)))
    if quote in norm(" ".join(body_text(doc, page.text) for page in pages)):
        report.problem(f"{where}: spans a page break")
    elif any(quote in block for block in blocks):
        report.problem(f"{where}: in the source but not in the text extracted from {doc.output.name}")
    elif quote in whole_source:
        report.problem(f"{where}: spans two source lines (or a table's cells)")
    else:
        report.problem(f"{where}: not found in the document")
    return None


@dataclass(slots=True)
class GroupStats:
    questions: int = 0
    answerable: int = 0
    unanswerable: int = 0
    quotes: int = 0


def check_question(qid: str, obj: dict[str, Any], where: str, report: Report) -> None:
    if "turns" in obj:
        turns = obj["turns"]
        if not isinstance(turns, list) or len(turns) < 2 or not all(isinstance(t, str) for t in turns):
            report.problem(f"{where}: 'turns' must be a list of two or more strings")
        if obj.get("kind") != "followup":
            report.warn(f"{where}: has 'turns' but kind {obj.get('kind')!r}, not 'followup'")
    elif not isinstance(obj.get("question"), str) or not obj["question"].strip():
        report.problem(f"{where}: no 'question' (or 'turns')")
    if obj.get("kind") not in KINDS:
        report.problem(f"{where}: kind {obj.get('kind')!r} is not one of the README's kinds")
    if "council" not in obj:
        report.problem(f"{where}: no 'council' (null when the question names none)")
    gold = obj.get("gold")
    if not isinstance(gold, list):
        report.problem(f"{where}: 'gold' must be a list")
    elif obj.get("kind") == "unanswerable" and gold:
        report.problem(f"{where}: kind 'unanswerable' but it has gold quotes")
    elif obj.get("kind") != "unanswerable" and not gold:
        report.problem(f"{where}: no gold quotes but kind {obj.get('kind')!r}, not 'unanswerable'")


def fill_questions(
    root: Path, group: str, by_stem: dict[str, Doc], seen_ids: dict[str, str], report: Report
) -> GroupStats:
    stats = GroupStats()
    path = root / group / "questions.jsonl"
    out_lines: list[str] = []
    if not path.exists():
        report.problem(f"{group}: no questions.jsonl")
    else:
        for lineno, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
            if not line.strip():
                continue
            where = f"{group}/questions.jsonl:{lineno}"
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                report.problem(f"{where}: not JSON ({exc.msg})")
                continue
            if not isinstance(obj, dict):
                report.problem(f"{where}: not a JSON object")
                continue
            qid = str(obj.get("id") or "")
            if not qid:
                report.problem(f"{where}: no id")
            elif qid in seen_ids:
                report.problem(f"{where}: duplicate id {qid} (also in {seen_ids[qid]})")
            else:
                seen_ids[qid] = where
            qid = qid or where
            check_question(qid, obj, where, report)
            stats.questions += 1
            gold: list[Any] = obj["gold"] if isinstance(obj.get("gold"), list) else []
            if gold:
                stats.answerable += 1
            else:
                stats.unanswerable += 1
            for item in gold:
                if not isinstance(item, dict):
                    report.problem(f"{qid}: a gold entry is not an object")
                    continue
                stats.quotes += 1
                item["page"] = None
                words = len(str(item.get("text") or "").split())
                if not MIN_WORDS <= words <= MAX_WORDS:
                    report.problem(f"{qid}: quote of {words} words (README: {MIN_WORDS} to {MAX_WORDS})")
                stem = str(item.get("doc") or "")
                doc = by_stem.get(stem)
                if doc is None:
                    report.problem(f"{qid}: gold doc {stem!r} does not exist")
                    continue
                if doc.group != group:
                    report.warn(f"{qid}: gold doc {stem} belongs to group {doc.group}")
                if doc.document is None:
                    continue  # unreadable: already a problem
                item["page"] = place_quote(qid, item, doc, report)
            out_lines.append(json.dumps(obj, ensure_ascii=False))
    out = root / "questions" / f"{group}.jsonl"
    write_if_changed(out, ("\n".join(out_lines) + "\n").encode() if out_lines else b"", report)
    return stats


# ---------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent)
    parser.add_argument("--check", action="store_true", help="exit 1 if there is any problem")
    parser.add_argument(
        "--groups", nargs="*", default=None, help="render and check only these groups (default: split.json's)"
    )
    args = parser.parse_args()
    root: Path = args.root.resolve()
    split = json.loads((root / "split.json").read_text(encoding="utf-8"))
    groups: list[str] = [*split.get("train", []), *split.get("test", [])]
    report = Report()
    for group, count in Counter(groups).items():
        if count > 1:
            report.problem(f"split.json: group {group} listed {count} times")
    groups = list(dict.fromkeys(groups))
    if args.groups is not None:
        groups = list(dict.fromkeys(args.groups))

    docs_by_group = {group: build_group(root, group, report) for group in groups}
    all_docs = [doc for docs in docs_by_group.values() for doc in docs]
    by_stem: dict[str, Doc] = {}
    for doc in all_docs:
        if doc.stem in by_stem:
            other = by_stem[doc.stem]
            report.problem(
                f"document id {doc.stem} is not unique: {other.group}/docs/{other.source.name} "
                f"and {doc.group}/docs/{doc.source.name}"
            )
        else:
            by_stem[doc.stem] = doc
    load_all(all_docs, report)

    seen_ids: dict[str, str] = {}
    totals = GroupStats()
    total_pages = 0
    for group in groups:
        stats = fill_questions(root, group, by_stem, seen_ids, report)
        docs = docs_by_group[group]
        pdfs = [d for d in docs if d.is_pdf]
        pages = {d.stem: len(d.document.pages) for d in pdfs if d.document is not None}
        total_pages += sum(pages.values())
        side = "train" if group in split.get("train", []) else "test"
        report.lines.append(
            f"{group} ({side}): {len(docs)} documents ({len(pdfs)} PDF, {len(docs) - len(pdfs)} text); "
            f"{stats.questions} questions ({stats.answerable} answerable, {stats.unanswerable} "
            f"unanswerable), {stats.quotes} gold quotes"
        )
        for stem, count in pages.items():
            report.lines.append(f"    {stem}.pdf: {count} pages")
        for field_name in ("questions", "answerable", "unanswerable", "quotes"):
            setattr(totals, field_name, getattr(totals, field_name) + getattr(stats, field_name))

    for line in report.lines:
        print(line)
    print(f"corpus/ and questions/: {report.written} written, {report.unchanged} unchanged, "
          f"{report.removed} stale removed")  # fmt: skip
    if report.warnings:
        print(f"\nwarnings ({len(report.warnings)}):")
        for text in report.warnings:
            print(f"  - {text}")
    if report.problems:
        print(f"\nproblems ({len(report.problems)}):")
        for text in report.problems:
            print(f"  - {text}")
    print(
        f"\nsummary: {len(groups)} groups, {len(all_docs)} documents "
        f"({sum(d.is_pdf for d in all_docs)} PDF, {total_pages} pages), {totals.questions} questions "
        f"({totals.answerable} answerable, {totals.unanswerable} unanswerable), {totals.quotes} gold quotes; "
        f"{len(report.problems)} problems, {len(report.warnings)} warnings"
    )
    return 1 if args.check and report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
