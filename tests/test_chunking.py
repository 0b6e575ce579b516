from __future__ import annotations

from qa.chunking import chunk, chunk_id, page_chunks, sentence_spans
from qa.config import Settings
from qa.documents import Document, Page


def test_sentence_spans_respect_abbreviations() -> None:
    text = "Cllr. Smith met Dr. Jones on 3 May. They agreed e.g. a plan. Then left!"
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "Cllr. Smith met Dr. Jones on 3 May.",
        "They agreed e.g. a plan.",
        "Then left!",
    ]


def _doc(*texts: str) -> Document:
    pages = tuple(Page(number=i + 1, label=str(i + 1), text=t) for i, t in enumerate(texts))
    return Document(path="r.pdf", title="R", date=None, pages=pages)


def test_chunks_are_exact_spans_within_pages() -> None:
    sentence = "Inspectors found that social workers know their children well and visit them often. "
    doc = _doc(sentence * 30, sentence * 3)
    settings = Settings(chunk_max_words=60, chunk_min_words=20)
    chunks = chunk(doc, "abc", settings)
    for c in chunks:
        page = doc.pages[(c.page or 1) - 1]
        assert page.text[c.start : c.end] == c.text
        assert len(c.text.split()) <= 60
    assert {c.page for c in chunks} == {1, 2}
    assert len({c.id for c in chunks}) == len(chunks)


def test_short_tail_joins_previous_passage() -> None:
    text = ("Word " * 9 + "end. ") * 10 + "Short tail."
    spans = page_chunks(Page(1, "1", text), Settings(chunk_max_words=50, chunk_min_words=20))
    assert spans[-1][1] == len(text)
    assert all(len(text[a:b].split()) >= 20 for a, b in spans)


def test_enormous_line_is_split() -> None:
    text = "word " * 1000
    spans = page_chunks(Page(1, "1", text), Settings(chunk_max_words=100))
    assert len(spans) == 10


def test_ids_are_stable_and_positive() -> None:
    assert chunk_id("abc", 1, 0, 10) == chunk_id("abc", 1, 0, 10)
    assert chunk_id("abc", 1, 0, 10) != chunk_id("abd", 1, 0, 10)
    assert 0 < chunk_id("abc", None, 5, 9) < 2**63


def test_missing_space_after_full_stop_still_ends_a_sentence() -> None:
    text = "That led to better outcomes, inspectors said.The final rating was fair. See ofsted.gov.uk today."
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "That led to better outcomes, inspectors said.",
        "The final rating was fair.",
        "See ofsted.gov.uk today.",
    ]


def test_pdf_lines_end_sentences_where_the_layout_says_so() -> None:
    """PDF text breaks every line; only bullets, numbered paragraphs, headings and
    "Label: value" lines end a sentence at a line break, wrapped prose does not."""
    text = (
        "Inspection dates: 3 to 14 March 2025\n"
        "Lead inspector: Sarah Quinlan\n"
        "What needs to improve in this local authority?\n"
        "- The quality and frequency of supervision for social workers\n"
        "- The sufficiency of local homes for children in care\n"
        "The experiences and progress of children\n"
        "1. Children and families who need help receive a prompt response from the front door and\n"
        "decisions are made quickly by experienced managers who know the families well.\n"
        "2. Most assessments are thorough, but a small number do not consider the family's history."
    )
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "Inspection dates: 3 to 14 March 2025",
        "Lead inspector: Sarah Quinlan",
        "What needs to improve in this local authority?",
        "- The quality and frequency of supervision for social workers",
        "- The sufficiency of local homes for children in care",
        "The experiences and progress of children",
        "1. Children and families who need help receive a prompt response from the front door and\n"
        "decisions are made quickly by experienced managers who know the families well.",
        "2. Most assessments are thorough, but a small number do not consider the family's history.",
    ]
