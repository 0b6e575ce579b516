"""HTML and Markdown for the web app: answers with clickable markers, the sources panel.

Pure functions of `Answer`s, so they are tested without a browser. Every piece of document
text is HTML-escaped before it is placed in markup.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote

from qa.answer import Answer, nice_date, source_label
from qa.library import LibraryEntry, RemovedEntry
from qa.search import Hit


def doc_url(doc: str, page: int | None) -> str:
    """Where the app serves an indexed document; PDFs open at the cited page."""
    url = "/doc/" + quote(doc)
    return f"{url}#page={page}" if page else url


def chat_markdown(answer: Answer) -> str:
    """The answer for the chat bubble, each [n] a link to its source in the panel."""
    if answer.abstained:
        return f"**Not in the documents.** {answer.text}"
    return re.sub(
        r"\[(\d+)\]", r'<a href="#src-\1" class="cite">[\1]</a>', html.escape(answer.text, quote=False)
    )


def _highlight(passage: str, start: int, end: int) -> str:
    if not (0 <= start < end <= len(passage)):
        return html.escape(" ".join(passage.split()))
    before, quote_text, after = passage[:start], passage[start:end], passage[end:]
    return (
        html.escape(" ".join(before.split()))
        + " <mark>"
        + html.escape(" ".join(quote_text.split()))
        + "</mark> "
        + html.escape(" ".join(after.split()))
    ).strip()


def _link(doc: str, page: int | None, label: str) -> str:
    return (
        f'<a href="{html.escape(doc_url(doc, page))}" target="_blank" rel="noopener">{html.escape(label)}</a>'
    )


def sources_html(answer: Answer | None) -> str:
    """The sources panel: each citation's passage with the quote highlighted, or the closest
    matches when the answer abstained."""
    if answer is None:
        return '<div class="sources empty">Sources for the answer appear here.</div>'
    parts = ['<div class="sources">']
    if answer.abstained:
        parts.append("<h4>Closest matches (not an answer)</h4>")
        for n, h in enumerate(answer.hits, 1):
            parts.append(_hit_card(f"match-{n}", h))
    else:
        for c in answer.citations:
            label = source_label(c.doc, c.title, c.date, c.page, c.page_label)
            passage = _highlight(c.passage, c.start - c.passage_start, c.end - c.passage_start)
            parts.append(
                f'<div class="source" id="src-{c.n}"><div class="source-head"><b>[{c.n}]</b> '
                f'{_link(c.doc, c.page, label)}</div><div class="passage">{passage}</div></div>'
            )
    parts.append("</div>")
    return "".join(parts)


def _hit_card(anchor: str, h: Hit) -> str:
    label = source_label(h.doc, h.title, h.date, h.page, h.page_label)
    head = _link(h.doc, h.page, label)
    text = html.escape(" ".join(h.text.split()))
    return (
        f'<div class="source match" id="{anchor}"><div class="source-head">{head}</div>'
        f'<div class="passage">{text}</div></div>'
    )


def user_turns(messages: list[dict[str, object]] | None) -> list[str]:
    """The user's earlier questions from a Gradio chat history, oldest first.

    Gradio 6 gives message content either as a string or as a list of {"type", "text"} parts.
    """
    turns = []
    for m in messages or []:
        if m.get("role") != "user":
            continue
        content = m.get("content")
        if isinstance(content, list):
            text = " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
        else:
            text = str(content or "")
        if text.strip():
            turns.append(text)
    return turns


def library_rows(rows: list[LibraryEntry]) -> list[list[object]]:
    return [[e.doc, e.title, e.date or "", e.pages or "", e.passages or "", e.status, e.reason] for e in rows]


LIBRARY_HEADERS = ["Document", "Title", "Date", "Pages", "Passages", "Status", "Reason"]


def doc_label(title: str, date_iso: str | None, doc: str) -> str:
    """How a document is named in a picker: `Monitoring visit to Dudley (22 October 2024)`.

    The title leads; the date, or the file name when there is no date, tells apart two
    documents with one title.
    """
    return f"{title} ({nice_date(date_iso) if date_iso else doc})"


def doc_choices(rows: list[LibraryEntry], *, indexed_only: bool = False) -> list[tuple[str, str]]:
    """(label, file name) pairs for a dropdown: titles shown, file names kept as the value."""
    return [
        (doc_label(e.title, e.date, e.doc), e.doc) for e in rows if e.status == "indexed" or not indexed_only
    ]


def removed_choices(rows: list[RemovedEntry]) -> list[tuple[str, str]]:
    """(label, entry id) pairs for the removed files, newest first."""
    return [
        (f"{doc_label(e.title, e.date, e.doc)}, removed {e.removed_at[:16].replace('T', ' ')}", e.id)
        for e in rows
    ]
