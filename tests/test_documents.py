from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from conftest import DUDLEY_LETTER, make_pdf

from qa.config import Settings
from qa.documents import (
    PdfParser,
    date_from_text,
    decode_text,
    discover,
    is_ignored,
    load_document,
    parse_date,
    title_from_text,
)
from qa.errors import DocumentError


def test_pdf_pages_titles_and_dates(tmp_path: Path, settings: Settings) -> None:
    pdf = make_pdf(tmp_path / "letter.pdf", DUDLEY_LETTER, title="Monitoring visit to Dudley")
    doc = load_document(pdf, tmp_path, settings)
    assert [p.number for p in doc.pages] == [1, 2, 3]
    assert [p.label for p in doc.pages] == ["1", "2", "3"]
    assert "safeguarding hub" in doc.pages[1].text
    assert doc.title == "Monitoring visit to Dudley"
    assert doc.date == "2024-10-22"


def test_text_document_title_and_date(tmp_path: Path, settings: Settings) -> None:
    f = tmp_path / "a.txt"
    f.write_text(
        "[Skip to content]\n\nCouncil makes a promise about services\n\nPublished: 4 February 2026\nBody."
    )
    doc = load_document(f, tmp_path, settings)
    assert doc.title == "Council makes a promise about services"
    assert doc.date == "2026-02-04"
    assert doc.pages[0].number is None


def test_markdown_heading_is_title(tmp_path: Path, settings: Settings) -> None:
    f = tmp_path / "n.md"
    f.write_text("Intro line here\n\n## The real heading\n\ntext")
    assert load_document(f, tmp_path, settings).title == "The real heading"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (codecs.BOM_UTF8 + "café report".encode(), "café report"),
        ("café report".encode("cp1252"), "café report"),
        ("café report".encode("utf-16"), "café report"),
        ("naïve “quotes”".encode(), "naïve “quotes”"),
        (b"line one\r\nline two\r\n", "line one\nline two"),
    ],
)
def test_decode_text(data: bytes, expected: str) -> None:
    assert decode_text(data, "x.txt")[0] == expected


def test_cp1252_is_noted() -> None:
    _, notes = decode_text("café".encode("cp1252"), "x.txt")
    assert notes and "Windows-1252" in notes[0]


@pytest.mark.parametrize(
    "data", [b"\x00\x01\x02binary\x00" * 10, bytes(range(256)) * 4, bytes(range(1, 32)) * 40 + b"text"]
)
def test_binary_named_txt_is_rejected(data: bytes) -> None:
    with pytest.raises(DocumentError, match="binary"):
        decode_text(data, "x.txt")


def test_bad_files_give_reasons(tmp_path: Path, settings: Settings) -> None:
    (tmp_path / "empty.pdf").write_bytes(b"")
    (tmp_path / "corrupt.pdf").write_bytes(b"%PDF-1.4\nthis is not really a pdf\n%%EOF")
    (tmp_path / "blank.txt").write_text("   \n\n  ")
    (tmp_path / "old.docx").write_bytes(b"PK\x03\x04")
    reasons = {}
    with PdfParser(settings) as pdf:
        for f in sorted(tmp_path.iterdir()):
            with pytest.raises(DocumentError) as info:
                load_document(f, tmp_path, settings, pdf)
            reasons[f.name] = info.value.reason
    assert "empty" in reasons["empty.pdf"]
    assert "PDF" in reasons["corrupt.pdf"] or "text" in reasons["corrupt.pdf"]
    assert "whitespace" in reasons["blank.txt"]
    assert "unsupported" in reasons["old.docx"]


def test_encrypted_pdfs(tmp_path: Path, settings: Settings) -> None:
    from pypdf import PdfReader, PdfWriter

    plain = make_pdf(tmp_path / "src" / "plain.pdf", ["Inspectors praised the supervision of staff."])
    for name, password in (("locked.pdf", "secret"), ("open.pdf", "")):
        writer = PdfWriter()
        for page in PdfReader(plain).pages:
            writer.add_page(page)
        writer.encrypt(user_password=password, owner_password="owner", algorithm="AES-128")
        with (tmp_path / name).open("wb") as fh:
            writer.write(fh)
    with pytest.raises(DocumentError, match="password"):
        load_document(tmp_path / "locked.pdf", tmp_path, settings)
    doc = load_document(tmp_path / "open.pdf", tmp_path, settings)
    assert "supervision" in doc.pages[0].text


def test_pdf_without_text_layer(tmp_path: Path, settings: Settings) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 100)  # a drawing, no text: like a scanned page
    pdf.output(str(tmp_path / "scan.pdf"))
    with pytest.raises(DocumentError, match="no text layer"):
        load_document(tmp_path / "scan.pdf", tmp_path, settings)


def test_pdf_parse_time_limit(tmp_path: Path) -> None:
    pages = [f"Page {i} of a long report about children's services. " * 40 for i in range(300)]
    big = make_pdf(tmp_path / "big.pdf", pages)
    quick = Settings(pdf_timeout_s=0.05)
    with pytest.raises(DocumentError, match="longer than"):
        load_document(big, tmp_path, quick)
    # The parser restarts after a timeout and reads the next file normally.
    small = make_pdf(tmp_path / "small.pdf", ["A short letter about supervision."])
    with PdfParser(Settings(pdf_timeout_s=30)) as pdf:
        assert "supervision" in pdf.load(small, "small.pdf").pages[0].text


def test_page_cap(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "long.pdf", [f"Page number {i} text." for i in range(12)])
    doc = load_document(pdf, tmp_path, Settings(max_pages=5))
    assert len(doc.pages) == 5
    assert any("first 5 of 12" in n for n in doc.notes)


def test_discover_ignores_temp_and_dotfiles(tmp_path: Path) -> None:
    for name in ("a.pdf", "b.txt", ".DS_Store", "~$draft.docx", "c.md~", ".hidden.txt", "d.txt.part"):
        (tmp_path / name).write_text("x")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text("x")
    assert [p.name for p in discover(tmp_path)] == ["a.pdf", "b.txt"]
    assert is_ignored("~$x.docx") and not is_ignored("report.pdf")


def test_dates() -> None:
    assert parse_date("on 22 October 2024 and 1 May 2020") == "2024-10-22"
    assert parse_date("October 11, 2017") == "2017-10-11"
    assert parse_date("in 2024-10-22") == "2024-10-22"
    assert parse_date("31 February 2024") is None
    assert date_from_text("Visit on 1 May 2020.\nDate of letter: 22 October 2024") == "2024-10-22"
    assert date_from_text("no dates at all, only 2016") is None


def test_title_skips_boilerplate() -> None:
    assert title_from_text("[Skip to content]\nDue\nCouncil praised by Ofsted inspectors") == (
        "Council praised by Ofsted inspectors"
    )


WEB_PAGE = """Skip to main content
We use cookies on this website. Some are essential to make the site work.
Wirral Council
Residents | Business | Council and democracy | Jobs | Contact us
Home  News  Politics  Sport
Home > News > Press releases
Breaking: Road closed near the station after a collision
Wednesday 14 May 2025 | Bin collections are running as normal this week.
Easter bank holiday: bin collections will be one day later than usual this week.
Press release: Thursday 17 April 2025
Ofsted finds "better service" for Wirral's children
Wirral Council has welcomed a letter from Ofsted which finds a better service.
"""


def test_a_web_page_is_titled_by_its_headline_not_its_chrome() -> None:
    # Banner, cookie notice, masthead, menus, breadcrumb, ticker, site notices, dateline: none
    # of them names the article.
    assert title_from_text(WEB_PAGE) == 'Ofsted finds "better service" for Wirral\'s children'
    # A page whose only candidate is a sentence keeps it rather than a menu.
    sentence = "The council will not rest on its laurels, the director said."
    assert title_from_text(f"Home  News  Sport\n{sentence}") == sentence


def test_running_headers_footers_and_page_numbers_stay_out_of_passages(
    tmp_path: Path, settings: Settings
) -> None:
    from qa.chunking import chunk

    header = "Inspection of Dudley local authority children's services"
    bodies = [
        "Social workers said that supervision is regular and reflective.\nManagers know their teams.",
        "The safeguarding hub responds quickly to contacts.\nThresholds are applied consistently.",
        "Care leavers told inspectors that advisers keep in touch.\nToo few are in education.",
        "Leaders have plans to increase apprenticeships.\nThe plan will go to cabinet in May.",
    ]
    pages = [f"{header}\n{body}\nPage {n} of 4" for n, body in enumerate(bodies, 1)]
    doc = load_document(make_pdf(tmp_path / "report.pdf", pages), tmp_path, settings)
    for page in doc.pages:
        assert [page.text[a:b] for a, b in page.running] == [header, f"Page {page.number} of 4"]
    passages = chunk(doc, "sha", settings)
    assert passages and all(header not in c.text and " of 4" not in c.text for c in passages)
    for c in passages:  # offsets still index the full page text
        assert doc.pages[(c.page or 1) - 1].text[c.start : c.end] == c.text
    assert any(c.text.startswith("Social workers said") for c in passages)


def test_repeated_body_lines_on_few_pages_are_kept(tmp_path: Path, settings: Settings) -> None:
    pages = [
        "Summary\nThe service requires improvement.",
        "Findings\nThe service requires improvement.",
    ]
    doc = load_document(make_pdf(tmp_path / "short.pdf", pages), tmp_path, settings)
    assert all(not p.running for p in doc.pages)  # two pages are too few to call anything a header


def test_pages_that_repeat_one_text_keep_it(tmp_path: Path, settings: Settings) -> None:
    from qa.chunking import chunk

    pages = ["Annual report\nThe service requires improvement.\n1"] * 4
    doc = load_document(make_pdf(tmp_path / "same.pdf", pages), tmp_path, settings)
    assert all(not p.running for p in doc.pages)
    assert len(chunk(doc, "sha", settings)) == 4
