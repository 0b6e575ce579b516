"""inspection-qa web app: layout and wiring only; every handler is a thin call into `qa`.

    python app.py [--host 127.0.0.1] [--port 7860] [--documents documents] [--index index]
                  [--auth USER:PASSWORD] [--allow-changes] [--max-upload-mb 50]

Each option can also come from the environment (QA_HOST, QA_PORT, QA_DOCUMENTS, QA_INDEX,
QA_AUTH, QA_ALLOW_CHANGES, QA_MAX_UPLOAD_MB). The index is brought up to date at start-up
(built if missing). On a host other than loopback without --auth the app is read-only
(asking and reading only) unless --allow-changes is given.
"""

from __future__ import annotations

import argparse
import base64
import html
import ipaddress
import logging
import os
import secrets
import sys
import tempfile
import threading
import uuid
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import gradio as gr
import uvicorn
from fastapi import FastAPI, HTTPException, Query
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, Response

import qa
from qa import library, pages, store, ui_format
from qa.config import Settings
from qa.embedding import Embedder
from qa.timeline import to_markdown as timeline_markdown

log = logging.getLogger("inspection-qa")

EXAMPLES = [
    "What did Ofsted say about supervision?",
    "How did inspectors describe the multi-agency safeguarding hub?",
    "What has the council promised to do about caseloads?",
    "When were Dudley's children's services judged inadequate?",
]

CSS = """
.sources .source { border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: 8px 10px; margin-bottom: 8px; }
.sources .source:target, .sources .source:has(span:target) { outline: 3px solid var(--color-accent); }
.sources .passage { font-size: 0.92em; line-height: 1.45; margin-top: 4px; }
.sources mark { background: #ffe58a; color: inherit; padding: 0 2px; }
.sources.empty { color: var(--body-text-color-subdued); }
a.cite { text-decoration: none; font-weight: 600; }
#library th { white-space: nowrap; }
.sources .page-view { display: none; margin-top: 6px; }
table.judgements { border-collapse: collapse; width: 100%; font-size: 0.9em; }
table.judgements th, table.judgements td { border: 1px solid var(--border-color-primary); padding: 4px 6px;
  vertical-align: top; text-align: left; }
table.judgements .cell-source { display: block; font-size: 0.85em; color: var(--body-text-color-subdued); }
svg.grades-chart { width: 100%; max-width: 900px; height: auto; }
ol.timeline { list-style: none; padding-left: 0; border-left: 3px solid var(--border-color-primary); }
ol.timeline > li.entry { display: flex; gap: 12px; margin: 0 0 14px 0; padding-left: 12px; }
ol.timeline .when { min-width: 130px; font-weight: 600; }
.polarity { font-size: 0.8em; padding: 1px 5px; border-radius: 4px; }
.polarity.strength { background: #d9f2d9; } .polarity.weakness { background: #fbdada; }
table.claims { border-collapse: collapse; width: 100%; font-size: 0.9em; }
table.claims td, table.claims th { border: 1px solid var(--border-color-primary); padding: 4px 6px;
  vertical-align: top; }
table.claims .unsupported { color: #b00020; font-weight: 600; }
.sources .source:target .page-view, .sources .source:has(span:target) .page-view { display: block; }
.sources .page-view img { width: 100%; border: 1px solid var(--border-color-primary); }
#library td { overflow-wrap: anywhere; }
"""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    env = os.environ.get
    p = argparse.ArgumentParser(description="Chat with cited answers over inspection reports.")
    p.add_argument(
        "--host", default=env("QA_HOST", "127.0.0.1"), help="address to bind (default 127.0.0.1; QA_HOST)"
    )
    p.add_argument(
        "--port", type=int, default=int(env("QA_PORT", "7860")), help="port (default 7860; QA_PORT)"
    )
    p.add_argument(
        "--documents",
        default=env("QA_DOCUMENTS", "documents"),
        help="documents folder (default documents; QA_DOCUMENTS)",
    )
    p.add_argument("--index", default=env("QA_INDEX", "index"), help="index folder (default index; QA_INDEX)")
    p.add_argument(
        "--auth", default=env("QA_AUTH"), help="require login as USER:PASSWORD for every page (QA_AUTH)"
    )
    p.add_argument(
        "--allow-changes",
        action="store_true",
        default=env("QA_ALLOW_CHANGES", "") not in ("", "0"),
        help="let visitors add and remove documents even on a public host without --auth (QA_ALLOW_CHANGES)",
    )
    p.add_argument(
        "--max-upload-mb",
        type=int,
        default=int(env("QA_MAX_UPLOAD_MB", "50")),
        help="largest accepted upload in MB (default 50; QA_MAX_UPLOAD_MB)",
    )
    return p.parse_args(argv)


class App:
    """The handlers; each reads or changes state only through the `qa` package."""

    def __init__(self, documents: Path, index: Path, max_upload_mb: int, *, read_only: bool = False) -> None:
        self.documents = documents
        self.index = index
        self.max_bytes = max_upload_mb * 1024 * 1024
        self.read_only = read_only
        self.settings = Settings.from_env(documents=documents, index=index)

    def library_view(self) -> tuple[Any, ...]:
        """The library as it is now, for every page load: table, filter, remove and restore
        lists, and the reports one can ask about."""
        rows = library.entries(self.index)
        indexed = ui_format.doc_choices(rows, indexed_only=True)
        return (
            ui_format.library_rows(rows),
            gr.update(choices=indexed),
            gr.update(choices=ui_format.doc_choices(rows), value=None),
            gr.update(choices=ui_format.removed_choices(library.removed(self.documents)), value=None),
            gr.update(choices=indexed, value=None),
        )

    def judgements_view(self, council: str | None) -> tuple[Any, ...]:
        """Outputs: council picker, chart of overall grades, judgements table (all councils
        unless one is chosen), the timeline's council picker."""
        try:
            everything = qa.judgements(index=self.index)
        except qa.QAError as exc:
            return gr.update(), "", ui_format.judgements_html([]) + f"<p>{exc}</p>", gr.update()
        councils = sorted({r.council for r in everything if r.council})
        rows = [r for r in everything if not council or r.council == council]
        picker = gr.update(choices=councils, value=council if council in councils else None)
        about = sorted({f.council for f in store.cached(self.index).facts.values() if f.council})
        return (
            picker,
            ui_format.grades_chart_svg(rows),
            ui_format.judgements_html(rows),
            gr.update(choices=about),
        )

    def timeline_view(self, theme: str, council: str | None) -> tuple[Any, ...]:
        """Outputs: the timeline, its Markdown export."""
        if not theme.strip():
            return '<div class="timeline empty">Type a theme, for example “supervision”.</div>', gr.update()
        try:
            entries = qa.timeline(theme, index=self.index, council=council or None, settings=self.settings)
        except qa.QAError as exc:
            return f'<div class="timeline empty">{html.escape(str(exc))}</div>', gr.update()
        export = Path(tempfile.mkdtemp(prefix="qa-timeline-")) / "timeline.md"
        export.write_text(timeline_markdown(theme, entries), encoding="utf-8")
        return ui_format.timeline_html(theme, entries), gr.update(value=str(export), interactive=True)

    def check_claims(self, name: str | None) -> tuple[Any, ...]:
        """Outputs: the claim check of the chosen document, library status."""
        if not name:
            return "", "Choose a report to check."
        try:
            checks = qa.check_claims(name, index=self.index, settings=self.settings)
        except qa.QAError as exc:
            return "", str(exc)
        return ui_format.claims_html(name, checks), ""

    def ask_about(self, name: str | None) -> tuple[Any, ...]:
        """Outputs: tabs, document filter, note under the question, library status. The chat
        opens with the filter set to the chosen report alone."""
        entry = next(
            (e for e in library.entries(self.index) if e.doc == name and e.status == "indexed"), None
        )
        if entry is None:
            return gr.update(), gr.update(), gr.update(), "Choose a report to ask about."
        label = ui_format.doc_label(entry.title, entry.date, entry.doc)
        note = f"Asking only about **{label}**; clear *Only these documents* to ask about every report."
        return gr.Tabs(selected="ask"), gr.update(value=[entry.doc]), note, ""

    def respond(
        self, message: str, chat: list[dict[str, Any]], docs: list[str] | None, since: str, until: str
    ) -> tuple[Any, ...]:
        """Outputs: question box, conversation, sources, download, note under the question. A
        blank question or a bad filter is said in the note; nothing else changes."""
        if not message.strip():
            return message, gr.update(), gr.update(), gr.update(), "Type a question."
        try:
            answer = qa.ask(
                message,
                history=ui_format.user_turns(chat),
                index=self.index,
                documents=docs or None,
                since=since.strip() or None,
                until=until.strip() or None,
                settings=self.settings,
            )
        except qa.QAError as exc:
            return message, gr.update(), gr.update(), gr.update(), str(exc)
        key = uuid.uuid4().hex[:8]
        chat = [
            *chat,
            {"role": "user", "content": message},
            {"role": "assistant", "content": ui_format.chat_markdown(answer, key)},
        ]
        download = Path(tempfile.mkdtemp(prefix="qa-answer-")) / "answer.md"
        download.write_text(qa.to_markdown(answer), encoding="utf-8")
        return (
            "",
            chat,
            ui_format.sources_html(answer, key),
            gr.update(value=str(download), interactive=True),
            "",
        )

    def rebuild(self) -> Iterator[tuple[str, qa.IndexReport | None]]:
        """Rebuild the index in a worker thread: yields (progress HTML, None) while it runs and
        ("", report) when done. The old index keeps answering questions meanwhile."""
        state: dict[str, Any] = {"stage": "starting", "done": 0, "total": 0}
        outcome: list[qa.IndexReport | BaseException] = []

        def note(stage: str, done: int, total: int) -> None:
            state.update(stage=stage, done=done, total=total)

        def work() -> None:
            try:
                outcome.append(
                    qa.build_index(self.documents, self.index, settings=self.settings, progress=note)
                )
            except BaseException as exc:  # handed to the page's handler below
                outcome.append(exc)

        worker = threading.Thread(target=work, name="rebuild", daemon=True)
        worker.start()
        shown = ""
        while worker.is_alive():
            worker.join(PROGRESS_EVERY_S)
            now = ui_format.progress_html(state["stage"], state["done"], state["total"])
            if now != shown and worker.is_alive():
                shown = now
                yield now, None
        if isinstance(outcome[0], BaseException):
            raise outcome[0]
        yield "", outcome[0]

    def _changing(self, lead: tuple[Any, ...]) -> Iterator[tuple[Any, ...] | qa.IndexReport]:
        """Progress updates for a change's outputs (`lead` values first, the library outputs
        untouched, the progress box last) while the index is rebuilt; the report is sent last."""
        for bar, report in self.rebuild():
            if report is None:
                yield (*lead, *([gr.update()] * CHANGED_OUTPUTS), bar)
            else:
                yield report

    def upload(self, files: list[str] | None) -> Iterator[tuple[Any, ...]]:
        if self.read_only:
            yield self._after_change(READ_ONLY)
            return
        uploads = [(Path(f).name, Path(f)) for f in files or []]
        saved, refused = library.add_files(uploads, self.documents, max_bytes=self.max_bytes)
        lines = [f"Refused **{r.name}**: {r.reason}" for r in refused]
        if saved:
            try:
                for step in self._changing(()):
                    if isinstance(step, qa.IndexReport):
                        lines += ui_format.upload_outcomes(saved, step)
                    else:
                        yield step
            except qa.QAError as exc:
                lines.append(f"Saved {', '.join(saved)}, but the index was not rebuilt: {exc}")
        yield self._after_change("\n\n".join(lines) or "Choose files to add.")

    def ask_remove(self, name: str | None) -> tuple[Any, ...]:
        """First step of a removal: name the document and ask to confirm; changes nothing."""
        entry = next((e for e in library.entries(self.index) if e.doc == name), None) if name else None
        if self.read_only or entry is None:
            message = READ_ONLY if self.read_only else "Choose a document to remove."
            return None, gr.update(visible=False), "", message
        question = (
            f"Remove **{entry.title}** (`{entry.doc}`) from the library? It will no longer be quoted; "
            "the file is kept aside and can be restored."
        )
        return name, gr.update(visible=True), question, ""

    def remove(self, pending: str | None) -> Iterator[tuple[Any, ...]]:
        """Second step: only the document confirmed in this page's session is moved aside."""
        if self.read_only or not pending:
            yield (None, *self._after_change(READ_ONLY if self.read_only else "Nothing to remove."))
            return
        try:
            entry = library.remove_document(pending, self.documents, self.index)
        except qa.QAError as exc:
            yield (None, *self._after_change(str(exc)))
            return
        message = f"Removed **{entry.title}** (`{entry.doc}`); it will not be quoted again. Restore it below."
        try:
            yield from (step for step in self._changing((None,)) if not isinstance(step, qa.IndexReport))
        except qa.QAError as exc:
            message += f" The index was not rebuilt: {exc}"
        yield (None, *self._after_change(message, restore=entry.id))

    def restore(self, entry_id: str | None) -> Iterator[tuple[Any, ...]]:
        if self.read_only or not entry_id:
            yield self._after_change(READ_ONLY if self.read_only else "Choose a removed document to restore.")
            return
        try:
            name = library.restore(entry_id, self.documents)
        except qa.QAError as exc:
            yield self._after_change(str(exc))
            return
        message = f"Restored **{name}**."
        try:
            yield from (step for step in self._changing(()) if not isinstance(step, qa.IndexReport))
        except qa.QAError as exc:
            message += f" The index was not rebuilt: {exc}"
        yield self._after_change(message)

    def ask_empty(self) -> tuple[Any, ...]:
        """First step of emptying the removed files: say how many and ask; changes nothing."""
        count = len(library.removed(self.documents))
        if self.read_only or not count:
            message = READ_ONLY if self.read_only else "No removed files."
            return False, gr.update(visible=False), gr.update(value=message)
        question = f"Delete the {count} removed file(s) for good? This cannot be undone."
        return True, gr.update(visible=True), gr.update(value=question)

    def empty(self, pending: bool) -> tuple[Any, ...]:
        """Second step: deletes only when this page's session asked first."""
        if self.read_only or pending is not True:
            return (False, *self._after_change(READ_ONLY if self.read_only else "Nothing deleted."))
        count = library.empty_removed(self.documents)
        return (False, *self._after_change(f"Deleted {count} removed file(s) for good."))

    def _after_change(self, message: str, *, restore: str | None = None) -> tuple[Any, ...]:
        table, doc_filter, remove_choice, restore_choice, ask_choice = self.library_view()
        if restore:
            restore_choice["value"] = restore
        hidden = gr.update(visible=False)
        return message, table, doc_filter, remove_choice, restore_choice, ask_choice, None, hidden, ""

    def serve_page(self, name: str, page: int, q: list[str] = Query(default=[])) -> Response:  # noqa: B008
        """A page of a library PDF as a PNG, the quotes `q` marked on it (rendered here, locally)."""
        try:
            path = library.document_path(name, self.documents, self.index)
            if path.suffix.lower() != ".pdf":
                raise qa.QAError(f"{name} is not a PDF")
            image, _ = pages.render_page(path, page, q[:MAX_QUOTES])
        except qa.QAError:
            raise HTTPException(status_code=404, detail="no such page of a PDF in the library") from None
        return Response(image, media_type="image/png", headers={"X-Content-Type-Options": "nosniff"})

    def serve_document(self, name: str) -> FileResponse:
        try:
            path = library.document_path(name, self.documents, self.index)
        except qa.QAError:
            raise HTTPException(status_code=404, detail="not a document in the library") from None
        media = "application/pdf" if path.suffix == ".pdf" else "text/plain; charset=utf-8"
        return FileResponse(
            path,
            media_type=media,
            content_disposition_type="inline",
            headers={"X-Content-Type-Options": "nosniff"},
        )


READ_ONLY = "This server is read-only: documents cannot be added or removed here."
# The outputs a library change refreshes (status, table, filter, remove, restore and ask lists,
# upload box, confirmation box), then the progress box; and how often a rebuild's progress is shown.
CHANGED_OUTPUTS = 8
MAX_QUOTES = 8  # quotes marked on one page image
# After an answer, a source clicked in an earlier one must not stay marked: the panel is updated
# in place, and the browser keeps a replaced card as the URL's target. Navigating to an empty
# fragment clears the target; the address then loses the bare "#".
FORGET_CLICKED_SOURCE = """() => {
  if (location.hash.startsWith('#src-')) {
    const y = window.scrollY;
    location.hash = '';
    history.replaceState(null, '', location.pathname + location.search);
    window.scrollTo(0, y);
  }
}"""
PROGRESS_EVERY_S = 0.25


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach: `is_loopback("127.0.0.1") -> True`."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def build_blocks(app: App) -> gr.Blocks:
    blocks = gr.Blocks(title="inspection-qa")
    with blocks:
        with gr.Sidebar(open=True):
            gr.Markdown("### Narrow the question")
            doc_filter = gr.Dropdown([], multiselect=True, label="Only these documents", elem_id="doc-filter")
            since = gr.Textbox(label="Dated from (YYYY-MM-DD)", elem_id="since")
            until = gr.Textbox(label="Dated until (YYYY-MM-DD)", elem_id="until")
            new_chat = gr.Button("New conversation", elem_id="new-chat")
            download = gr.DownloadButton("Download answer (.md)", interactive=False, elem_id="download")
        gr.Markdown("## inspection-qa\nAnswers quoted from the reports, every sentence cited.")
        tabs = gr.Tabs(selected="ask")
        with tabs, gr.Tab("Ask", id="ask", elem_id="tab-ask"), gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(
                    label="Conversation",
                    height=520,
                    elem_id="chat",
                    buttons=["copy", "copy_all"],
                    sanitize_html=True,
                )
                question = gr.Textbox(
                    label="Question",
                    placeholder="Ask about the reports…",
                    elem_id="question",
                    submit_btn=True,
                )
                note = gr.Markdown("", elem_id="question-note")
                gr.Examples(EXAMPLES, inputs=question, label="Try asking")
            with gr.Column(scale=2):
                gr.Markdown("### Sources")
                sources = gr.HTML(ui_format.sources_html(None), elem_id="sources")
        with tabs, gr.Tab("Judgements", id="judgements", elem_id="tab-judgements") as judgements_tab:
            gr.Markdown(
                "How each inspection graded the council: every grade is cited (its words and page); "
                "a monitoring or focused visit has no grades, so its headline finding is quoted."
            )
            judgement_council = gr.Dropdown(
                [], value=None, label="Council (all when empty)", elem_id="judgement-council"
            )
            grades_chart = gr.HTML(elem_id="grades-chart")
            judgement_table = gr.HTML(elem_id="judgements")
        with tabs, gr.Tab("Timeline", id="timeline", elem_id="tab-timeline"):
            gr.Markdown(
                "What the documents say about one theme, oldest first: each sentence quoted and cited, "
                "marked as a strength or a weakness where it says so."
            )
            with gr.Row():
                theme = gr.Textbox(
                    label="Theme",
                    placeholder="supervision, caseloads, the front door…",
                    elem_id="theme",
                    scale=3,
                )
                timeline_council = gr.Dropdown(
                    [], value=None, label="Council (all when empty)", elem_id="timeline-council", scale=2
                )
                show_timeline = gr.Button(
                    "Show timeline", variant="primary", elem_id="show-timeline", scale=1
                )
            timeline_box = gr.HTML(elem_id="timeline")
            export = gr.DownloadButton("Export to Markdown", interactive=False, elem_id="timeline-export")
        with tabs, gr.Tab("Library", id="library", elem_id="tab-library"):
            table = gr.Dataframe(
                [],
                headers=ui_format.LIBRARY_HEADERS,
                column_widths=ui_format.LIBRARY_WIDTHS,
                interactive=False,
                elem_id="library",
                wrap=True,
            )
            with gr.Row():
                ask_choice = gr.Dropdown([], value=None, label="A report", elem_id="ask-choice", scale=3)
                ask_one = gr.Button("Ask about this report", elem_id="ask-one", scale=1)
                check = gr.Button("Check against the inspectors' letters", elem_id="check-claims", scale=1)
            status = gr.Markdown(READ_ONLY if app.read_only else "", elem_id="library-status")
            progress_box = gr.HTML("", elem_id="rebuild-progress")
            claims_box = gr.HTML("", elem_id="claims")
            with gr.Group(visible=not app.read_only):
                files = gr.File(
                    file_count="multiple",
                    file_types=[".pdf", ".txt", ".md"],
                    type="filepath",
                    label="Add reports (PDF, TXT, MD): drop them here, each is added at once",
                    elem_id="upload",
                )
                with gr.Row():
                    remove_choice = gr.Dropdown(
                        [], value=None, label="Remove a document", elem_id="remove-choice", scale=3
                    )
                    remove = gr.Button("Remove…", variant="stop", elem_id="remove", scale=1)
                pending = gr.State(None)
                with gr.Group(visible=False, elem_id="confirm-remove") as confirm_box:
                    confirm_text = gr.Markdown(elem_id="confirm-remove-text")
                    with gr.Row():
                        confirm = gr.Button("Yes, remove it", variant="stop", elem_id="confirm-remove-yes")
                        cancel = gr.Button("Cancel", elem_id="confirm-remove-cancel")
                with gr.Row():
                    restore_choice = gr.Dropdown(
                        [],
                        value=None,
                        label="Removed documents (kept aside)",
                        elem_id="restore-choice",
                        scale=3,
                    )
                    restore = gr.Button("Restore", elem_id="restore", scale=1)
                    empty = gr.Button("Empty removed…", elem_id="empty", scale=1)
                empty_pending = gr.State(False)
                with gr.Group(visible=False, elem_id="confirm-empty") as empty_box:
                    empty_text = gr.Markdown()
                    with gr.Row():
                        empty_yes = gr.Button("Delete for good", variant="stop", elem_id="confirm-empty-yes")
                        empty_no = gr.Button("Cancel", elem_id="confirm-empty-cancel")

        question.submit(
            app.respond,
            [question, chat, doc_filter, since, until],
            [question, chat, sources, download, note],
            concurrency_id="ask",
            concurrency_limit=4,
        ).then(None, js=FORGET_CLICKED_SOURCE, api_visibility="private")
        new_chat.click(
            lambda: ([], ui_format.sources_html(None), gr.update(value=None, interactive=False)),
            outputs=[chat, sources, download],
        )
        view = [table, doc_filter, remove_choice, restore_choice, ask_choice]
        # Every page load (and every tab) shows the library as it is now, not as it was at start.
        blocks.load(app.library_view, outputs=view, api_visibility="private")
        judgement_view = [judgement_council, grades_chart, judgement_table, timeline_council]
        blocks.load(app.judgements_view, [judgement_council], judgement_view, api_visibility="private")
        # Shown as the library is now: on load, on choosing a council, on opening the tab.
        for event in (judgement_council.input, judgements_tab.select):
            event(app.judgements_view, [judgement_council], judgement_view, api_visibility="private")
        for event in (show_timeline.click, theme.submit):
            event(
                app.timeline_view, [theme, timeline_council], [timeline_box, export], api_visibility="private"
            )
        check.click(app.check_claims, [ask_choice], [claims_box, status], api_visibility="private")
        ask_one.click(app.ask_about, [ask_choice], [tabs, doc_filter, note, status], api_visibility="private")
        if not app.read_only:
            # Changes to the library are not API endpoints: only this page's own buttons call them.
            private: dict[str, Any] = {
                "api_visibility": "private",
                "concurrency_id": "rebuild",
                "concurrency_limit": 1,
                # Progress shows in its own box; the table, upload box and sidebar stay in view.
                "show_progress": "hidden",
            }
            changed = [status, *view, files, confirm_box, progress_box]
            files.upload(app.upload, [files], changed, **private)
            remove.click(
                app.ask_remove,
                [remove_choice],
                [pending, confirm_box, confirm_text, status],
                api_visibility="private",
            )
            confirm.click(app.remove, [pending], [pending, *changed], **private)
            cancel.click(
                lambda: (None, gr.update(visible=False)),
                outputs=[pending, confirm_box],
                api_visibility="private",
            )
            restore.click(app.restore, [restore_choice], changed, **private)
            empty.click(
                app.ask_empty, outputs=[empty_pending, empty_box, empty_text], api_visibility="private"
            )
            empty_yes.click(app.empty, [empty_pending], [empty_pending, *changed], **private).then(
                lambda: gr.update(visible=False), outputs=[empty_box], api_visibility="private"
            )
            empty_no.click(lambda: gr.update(visible=False), outputs=[empty_box], api_visibility="private")
    return blocks


def basic_auth(app: Any, user: str, password: str) -> Callable[..., Awaitable[None]]:
    """Every route, the app's own included, refuses a request without the credentials."""
    expected = base64.b64encode(f"{user}:{password}".encode()).decode()

    async def middleware(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket"):
            header = dict(scope.get("headers") or []).get(b"authorization", b"").decode(errors="ignore")
            if not secrets.compare_digest(header.removeprefix("Basic ").strip(), expected):
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1008})
                    return
                await send(
                    {
                        "type": "http.response.start",
                        "status": 401,
                        "headers": [
                            (b"www-authenticate", b'Basic realm="inspection-qa"'),
                            (b"content-type", b"text/plain"),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": b"login required"})
                return
        await app(scope, receive, send)

    return middleware


def create_app(args: argparse.Namespace) -> Any:
    read_only = not (is_loopback(args.host) or args.auth or args.allow_changes)
    if read_only:
        log.warning(
            "public host %s without --auth: read-only (pass --allow-changes to allow edits)", args.host
        )
    app = App(Path(args.documents), Path(args.index), args.max_upload_mb, read_only=read_only)
    api = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    # Same-origin only. Gradio's own CORS layer reflects any origin with credentials when the
    # host is not localhost (a shared deployment); configuring CORS here switches it off.
    api.add_middleware(CORSMiddleware, allow_origins=[], allow_credentials=False)
    api.get("/doc/{name:path}")(app.serve_document)
    api.get("/page/{page:int}/{name:path}")(app.serve_page)
    blocks = build_blocks(app)
    blocks.queue(default_concurrency_limit=4, max_size=64)
    gr.mount_gradio_app(
        api,
        blocks,
        path="",
        css=CSS,
        max_file_size=f"{args.max_upload_mb}mb",
        footer_links=[],
        allowed_paths=[],
        blocked_paths=[str(Path(args.index).resolve())],
    )
    if args.auth:
        user, _, password = args.auth.partition(":")
        if not user or not password:
            raise SystemExit("--auth must be USER:PASSWORD")
        return basic_auth(api, user, password)
    return api


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    documents, index = Path(args.documents), Path(args.index)
    if not documents.is_dir():
        print(f"error: documents folder {documents} does not exist", file=sys.stderr)
        return 1
    try:
        report = qa.build_index(documents, index)
    except qa.QAError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    log.info(
        "index: %d documents, %d passages (%d new)",
        report.documents,
        report.passages,
        report.passages_embedded,
    )
    for skipped in report.skipped:
        log.warning("skipped %s: %s", skipped.path, skipped.reason)
    # Load the model and index now, in the background, so the first question is fast.
    threading.Thread(
        target=lambda: (Embedder.shared(Settings()).encode_query("warm up"), store.cached(index)), daemon=True
    ).start()
    log.info("open http://%s:%d", args.host, args.port)
    uvicorn.run(create_app(args), host=args.host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
