"""Shared fixtures: tiny corpora built in tmp_path, generated PDFs, and no network."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from qa.config import Settings

DUDLEY_LETTER = [
    (
        "Ofsted monitoring visit to Dudley children's services\n\n"
        "Date of letter: 22 October 2024\n\n"
        "Dear Director, this letter summarises the findings of the monitoring visit. "
        "Inspectors reviewed the progress made in the area of help and protection. "
        "Social workers said that supervision is regular and reflective, and managers know their teams well. "
        "Caseloads have reduced since the last visit and are now manageable for most workers."
    ),
    (
        "Inspectors found that the multi-agency safeguarding hub responds quickly to contacts. "
        "Thresholds are applied consistently and decisions are recorded clearly. "
        "Some assessments of risk for disabled children lack depth and are not always updated. "
        "The local authority has recruited more permanent social workers this year."
    ),
    (
        "Care leavers told inspectors that their personal advisers keep in touch. "
        "Pathway plans are written with young people and reflect their wishes. "
        "Too few care leavers are in education, employment or training. "
        "Leaders have plans to increase apprenticeships for care leavers next year."
    ),
]


def make_pdf(path: Path, pages: list[str], *, title: str | None = None) -> Path:
    """A real PDF with a text layer, one string per page (latin-1 text only)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_auto_page_break(auto=True, margin=15)
    if title:
        pdf.set_title(title)
    for text in pages:
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        for para in text.split("\n\n"):
            pdf.multi_cell(0, 6, para)
            pdf.ln(3)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path


def write_corpus(folder: Path) -> Path:
    """Three small documents: a 3-page PDF letter, a text article and a Markdown note."""
    folder.mkdir(parents=True, exist_ok=True)
    make_pdf(folder / "dudley-monitoring-letter.pdf", DUDLEY_LETTER, title="Monitoring visit to Dudley")
    (folder / "news.txt").write_text(
        "Council praised for foster care recruitment\n\n"
        "Published 3 March 2023\n\n"
        "The council recruited forty new foster carers last year, inspectors said. "
        "Foster carers receive training and support from a dedicated team. "
        "The recruitment campaign ran on local radio and in schools across the borough.\n",
        encoding="utf-8",
    )
    (folder / "scrutiny.md").write_text(
        "# Scrutiny committee briefing\n\n"
        "The committee met on 14 January 2025 to review the improvement plan. "
        "Members asked about agency staff costs and the use of temporary managers. "
        "Officers reported that the number of agency social workers fell by a third.\n",
        encoding="utf-8",
    )
    return folder


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Any attempt to reach another host fails the test: the product must work offline."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in ("127.0.0.1", "localhost", "::1") and "/" not in host:
            raise OSError(f"network access attempted in a test: {address!r}")
        return real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)
    yield


@pytest.fixture
def settings() -> Settings:
    return Settings(pdf_timeout_s=30)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "documents")
