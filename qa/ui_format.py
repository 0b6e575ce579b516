"""HTML and Markdown for the web app: answers with clickable markers, the sources panel.

Pure functions of `Answer`s, so they are tested without a browser. Every piece of document
text is HTML-escaped before it is placed in markup.
"""

from __future__ import annotations

import html
import re
from datetime import date
from urllib.parse import quote

from qa.answer import Answer, Citation, nice_date, source_label
from qa.claims import ClaimCheck
from qa.indexing import IndexReport
from qa.judgements import GRADE_LEVEL, Judgement, Quote
from qa.library import LibraryEntry, RemovedEntry
from qa.search import Hit
from qa.timeline import TimelineEntry


def page_image_url(doc: str, page: int, quotes: list[str]) -> str:
    """Where the app serves a PDF page as an image with `quotes` marked on it."""
    query = "&".join("q=" + quote(" ".join(q.split()), safe="") for q in quotes)
    return f"/page/{page}/{quote(doc)}" + (f"?{query}" if query else "")


def doc_url(doc: str, page: int | None) -> str:
    """Where the app serves an indexed document; PDFs open at the cited page."""
    url = "/doc/" + quote(doc)
    return f"{url}#page={page}" if page else url


def chat_markdown(answer: Answer, key: str = "") -> str:
    """The answer for the chat bubble, each [n] a link to its source in the panel. `key` is
    this answer's own (the same in `sources_html`): an anchor left in the address by an
    earlier answer's link then marks nothing in the next one's sources."""
    if answer.abstained:
        return f"**Not in the documents.** {answer.text}"
    return re.sub(
        r"\[(\d+)\]",
        lambda m: f'<a href="#{_anchor(key, m.group(1))}" class="cite">[{m.group(1)}]</a>',
        html.escape(answer.text, quote=False),
    )


def _anchor(key: str, n: int | str) -> str:
    return f"src-{key}-{n}" if key else f"src-{n}"


def _highlight(passage: str, spans: list[tuple[int, int]]) -> str:
    """The passage with each quoted span (offsets into `passage`) marked; whitespace collapsed."""
    parts, at = [], 0
    for start, end in sorted(spans):
        if not (at <= start < end <= len(passage)):
            continue
        parts += [html.escape(" ".join(passage[at:start].split())), " <mark>"]
        parts += [html.escape(" ".join(passage[start:end].split())), "</mark> "]
        at = end
    parts.append(html.escape(" ".join(passage[at:].split())))
    return "".join(parts).strip()


def _link(doc: str, page: int | None, label: str) -> str:
    return (
        f'<a href="{html.escape(doc_url(doc, page))}" target="_blank" rel="noopener">{html.escape(label)}</a>'
    )


def sources_html(answer: Answer | None, key: str = "") -> str:
    """The sources panel: each citation's passage with the quote highlighted, or the closest
    matches when the answer abstained; `key` as for `chat_markdown`."""
    if answer is None:
        return '<div class="sources empty">Sources for the answer appear here.</div>'
    parts = ['<div class="sources">']
    if answer.abstained:
        parts.append("<h4>Closest matches (not an answer)</h4>")
        for n, h in enumerate(answer.hits, 1):
            parts.append(_hit_card(f"match-{n}", h))
    else:
        # One card per passage, every sentence quoted from it highlighted; each marker [n]
        # jumps to the card of its passage.
        cards: dict[tuple[str, int | None, int], list[Citation]] = {}
        for c in answer.citations:
            cards.setdefault((c.doc, c.page, c.passage_start), []).append(c)
        for group in cards.values():
            c = group[0]
            label = source_label(c.doc, c.title, c.date, c.page, c.page_label)
            numbers = " ".join(f"[{g.n}]" for g in group)
            spans = [(g.start - g.passage_start, g.end - g.passage_start) for g in group]
            anchors = "".join(f'<span id="{_anchor(key, g.n)}"></span>' for g in group[1:])
            passage = _highlight(c.passage, spans)
            card = _anchor(key, c.n)
            parts.append(
                f'<div class="source" id="{card}">{anchors}<div class="source-head"><b>{numbers}</b> '
                f'{_link(c.doc, c.page, label)}</div><div class="passage">{passage}</div>'
                f"{_page_view(group)}</div>"
            )
    parts.append("</div>")
    return "".join(parts)


def _page_view(group: list[Citation]) -> str:
    """For a PDF: the cited page as an image with the quotes marked, shown when the card's
    marker is clicked (loaded only then), and a link to the original at that page."""
    c = group[0]
    if c.page is None or not c.doc.lower().endswith(".pdf"):
        return ""
    src = page_image_url(c.doc, c.page, [g.quote for g in group])
    alt = f"Page {c.page_label or c.page} of {c.title}, the quoted sentences marked"
    return (
        f'<div class="page-view"><img loading="lazy" src="{html.escape(src)}" alt="{html.escape(alt)}">'
        f"<div>{_link(c.doc, c.page, f'Open the original at page {c.page_label or c.page}')}</div></div>"
    )


def _hit_card(anchor: str, h: Hit) -> str:
    label = source_label(h.doc, h.title, h.date, h.page, h.page_label)
    head = _link(h.doc, h.page, label)
    text = html.escape(" ".join(h.text.split()))
    return (
        f'<div class="source match" id="{anchor}"><div class="source-head">{head}</div>'
        f'<div class="passage">{text}</div></div>'
    )


def upload_outcomes(saved: list[str], result: IndexReport) -> list[str]:
    """One line per file saved by an upload, saying what became of it in the rebuild."""
    skipped = {s.path: s.reason for s in result.skipped}
    same = dict(result.duplicates)
    out = []
    for name in saved:
        if name in skipped:
            out.append(f"Not added **{name}**: {skipped[name]} (kept in the folder, not searched)")
        elif name in same:
            out.append(f"Added **{name}**: the same text as **{same[name]}**, searched once")
        else:
            out.append(f"Added **{name}**")
    return out


def progress_html(stage: str, done: int, total: int) -> str:
    """A rebuild's progress: a bar and its words, both from the same two numbers."""
    if total <= 0:
        return f'<div class="rebuild-progress">{html.escape(stage.capitalize())}…</div>'
    share = round(100 * done / total)
    unit = "files" if stage == "reading" else "passages"
    return (
        f'<div class="rebuild-progress"><progress value="{done}" max="{total}"></progress> '
        f"{html.escape(stage.capitalize())}: {done} of {total} {unit} ({share}%)</div>"
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
    """One row per file: title, the file name, the facts read from it, its status in words."""
    return [
        [
            e.title,
            e.doc,
            e.council,
            e.kind,
            nice_date(e.date) if e.date else "",
            e.pages or "",
            e.passages or "",
            e.status if not e.reason else f"{e.status}: {e.reason}",
        ]
        for e in rows
    ]


LIBRARY_HEADERS = ["Title", "File", "Council", "Kind", "Date", "Pages", "Passages", "Status"]
# Shares of the table's width: short numbers narrow, title and status (with its reason) wide,
# so that every header stays on one line at 1400 px.
LIBRARY_WIDTHS: list[str | int] = ["22%", "14%", "10%", "11%", "10%", "7%", "10%", "16%"]


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


# -- judgements -------------------------------------------------------------------------------

_SHORT_JUDGEMENT = (
    ("leaders", "Leaders"),
    ("help and protection", "Help and protection"),
    ("children in care", "Children in care"),
    ("care leavers", "Care leavers"),
    ("overall", "Overall"),
)


def short_judgement(label: str) -> str:
    """'The experiences and progress of care leavers' -> 'Care leavers' (a column heading)."""
    low = label.lower()
    return next((short for key, short in _SHORT_JUDGEMENT if key in low), label)


def _cite(q: Quote | None, text: str) -> str:
    """`text` linked to the page it was read from, the verbatim words in its tooltip."""
    if q is None:
        return html.escape(text)
    words = html.escape(" ".join(q.text.split()))
    where = f"page {q.page_label or q.page}" if q.page else "document"
    return (
        f'<a href="{html.escape(doc_url(q.doc, q.page))}" target="_blank" rel="noopener" title="“{words}”">'
        f'{html.escape(text)}</a><span class="cell-source"> “{words}” ({html.escape(where)})</span>'
    )


def judgements_html(rows: list[Judgement]) -> str:
    """The judgements table: one row per report or letter, each grade cited (verbatim words in
    the cell, linked to the page); a visit's row quotes its headline finding."""
    if not rows:
        return '<div class="judgements empty">No inspection reports or letters in the library.</div>'
    columns = [short for _, short in _SHORT_JUDGEMENT]
    head = "".join(f"<th>{c}</th>" for c in ["Council", "Kind", "Visit", "Published", "Report", *columns])
    body = []
    for r in rows:
        visit = " to ".join(nice_date(d) for d in dict.fromkeys(x for x in (r.visit_start, r.visit_end) if x))
        kind = html.escape(r.kind or "")
        if r.second_hand:
            source = html.escape(r.kind or "document")
            kind += f"<br><small>grades reported second-hand by this {source}</small>"
        cells = {short_judgement(g.judgement): _cite(g.quote, g.grade) for g in r.grades}
        report = _link(r.doc, None, r.title)
        first = [
            html.escape(r.council or ""),
            kind,
            visit,
            nice_date(r.published) if r.published else "",
            report,
        ]
        if r.grades:
            graded = [cells.get(c, "") for c in columns]
            body.append("<tr>" + "".join(f"<td>{v}</td>" for v in [*first, *graded]) + "</tr>")
        else:
            headline = _cite(r.headline, "Headline finding") if r.headline else "No grades (a visit letter)"
            body.append(
                "<tr>"
                + "".join(f"<td>{v}</td>" for v in first)
                + f'<td colspan="{len(columns)}">{headline}</td></tr>'
            )
    return f'<table class="judgements"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def grades_chart_svg(rows: list[Judgement], width: int = 760, height: int = 300) -> str:
    """Each council's overall grade over time as a line chart (SVG, drawn here: no script)."""
    points: dict[str, list[tuple[date, int, str]]] = {}
    for r in rows:
        g = r.overall
        when = r.published or r.visit_end
        if g is None or when is None or r.second_hand:
            continue
        points.setdefault(r.council or r.doc, []).append(
            (date.fromisoformat(when), GRADE_LEVEL[g.grade], g.grade)
        )
    if not points:
        return '<div class="grades-chart empty">No overall grades in the library to chart.</div>'
    left, right, top, bottom = 200, 20, 20, 40
    days = [d for series in points.values() for d, _, _ in series]
    first, last = min(days), max(days)
    first, last = date(first.year, 1, 1), date(last.year + 1, 1, 1)
    span = (last - first).days or 1

    def x(d: date) -> float:
        return left + (width - left - right) * (d - first).days / span

    def y(level: int) -> float:
        return top + (height - top - bottom) * (len(GRADE_LEVEL) - level) / (len(GRADE_LEVEL) - 1)

    parts = [
        f'<svg class="grades-chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Overall effectiveness grade of each council over time" xmlns="http://www.w3.org/2000/svg">'
    ]
    for grade, level in GRADE_LEVEL.items():
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(level):.1f}" y2="{y(level):.1f}" stroke="#ddd"/>'
            f'<text x="{left - 8}" y="{y(level) + 4:.1f}" text-anchor="end" font-size="11">'
            f"{html.escape(grade)}</text>"
        )
    for year in range(first.year, last.year + 1):
        xx = x(date(year, 1, 1))
        parts.append(
            f'<text x="{xx:.1f}" y="{height - 15}" text-anchor="middle" font-size="11">{year}</text>'
        )
    for n, (council, series) in enumerate(sorted(points.items())):
        colour = _PALETTE[n % len(_PALETTE)]
        series.sort()
        path = " ".join(f"{x(d):.1f},{y(level):.1f}" for d, level, _ in series)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for d, level, grade in series:
            label = html.escape(f"{council}: {grade} ({nice_date(d.isoformat())})")
            parts.append(
                f'<circle class="grade-point" cx="{x(d):.1f}" cy="{y(level):.1f}" r="5" fill="{colour}">'
                f"<title>{label}</title></circle>"
            )
        d, level, _ = series[-1]
        parts.append(
            f'<text x="{x(d) + 8:.1f}" y="{y(level) - 8:.1f}" font-size="12" fill="{colour}">'
            f"{html.escape(council)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


_PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")


# -- theme timeline and claim check -----------------------------------------------------------


def timeline_html(theme: str, entries: list[TimelineEntry]) -> str:
    """The timeline, top to bottom oldest first: each document's date, title and the sentences
    that speak to the theme, each quoted with a link to its page and marked as a strength or
    a weakness where it says so."""
    if not entries:
        return (
            f'<div class="timeline empty">No document in the library speaks to “{html.escape(theme)}”.</div>'
        )
    parts = ['<ol class="timeline">']
    for e in entries:
        when = nice_date(e.date) if e.date else "Undated"
        items = []
        for s in e.sentences:
            q = s.quote
            where = f"page {q.page_label or q.page}" if q.page else "document"
            badge = (
                "" if s.polarity == "neutral" else f'<span class="polarity {s.polarity}">{s.polarity}</span> '
            )
            items.append(
                f"<li>{badge}“{html.escape(' '.join(q.text.split()))}” ({_link(q.doc, q.page, where)})</li>"
            )
        parts.append(
            f'<li class="entry"><div class="when">{html.escape(when)}</div>'
            f'<div class="what"><b>{_link(e.doc, None, e.title)}</b> '
            f"<small>{html.escape(e.kind or '')}</small><ul>{''.join(items)}</ul></div></li>"
        )
    parts.append("</ol>")
    return "".join(parts)


def claims_html(document: str, checks: list[ClaimCheck]) -> str:
    """Each claim beside the inspectorate's sentence that supports it, or the flag that none
    in the library does."""
    if not checks:
        return (
            f'<div class="claims empty">{html.escape(document)} attributes nothing to the inspectors.</div>'
        )
    rows = []
    for c in checks:
        claim = f"“{html.escape(' '.join(c.claim.text.split()))}”"
        if c.support is None:
            support = f'<span class="unsupported">{html.escape(c.verdict)}</span>'
        else:
            where = f"page {c.support.page_label or c.support.page}" if c.support.page else "document"
            label = f"{c.support.title} ({where})"
            words = html.escape(" ".join(c.support.text.split()))
            support = f"“{words}” ({_link(c.support.doc, c.support.page, label)})"
            if c.figures_differ:
                figures = html.escape(", ".join(c.figures_differ))
                support += f'<br><span class="figures">Figures the letter does not give: {figures}</span>'
        rows.append(f"<tr><td>{claim}</td><td>{support}</td></tr>")
    head = "<tr><th>What the document says the inspectors said</th><th>What the inspectors wrote</th></tr>"
    return f'<table class="claims"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'
