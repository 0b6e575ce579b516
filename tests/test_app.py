"""The web app in a real browser (Debian's Chromium through Playwright) and over raw HTTP.

Each test module starts `python app.py` on a free loopback port with a tiny corpus.
Screenshots of the main states go to artifacts/screenshots/ (not committed).
"""

from __future__ import annotations

import base64
import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import make_pdf, write_corpus

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@dataclass
class Server:
    url: str
    documents: Path
    index: Path
    proc: subprocess.Popen[bytes]
    started_s: float


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_app(tmp: Path, *extra: str) -> Server:
    docs = write_corpus(tmp / "documents")
    (docs / "broken.pdf").write_bytes(b"%PDF-1.4 not really")  # listed in the library as skipped
    index = tmp / "index"
    port = _free_port()
    log = (tmp / "app.log").open("wb")
    began = time.perf_counter()
    proc = subprocess.Popen(
        [
            sys.executable,
            "app.py",
            "--port",
            str(port),
            "--documents",
            str(docs),
            "--index",
            str(index),
            "--max-upload-mb",
            "1",
            *extra,
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "QA_AUTH": ""},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError((tmp / "app.log").read_text())
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        raise RuntimeError("app did not start")
    return Server(url, docs, index, proc, time.perf_counter() - began)


def stop(server: Server) -> None:
    server.proc.terminate()
    try:
        server.proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.proc.kill()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    s = start_app(tmp_path_factory.mktemp("app"))
    yield s
    stop(s)


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read(), dict(e.headers)


# ---------------------------------------------------------------- HTTP


@pytest.mark.slow
def test_documents_are_served_only_from_the_library(server: Server) -> None:
    status, body, headers = _get(f"{server.url}/doc/dudley-monitoring-letter.pdf")
    assert status == 200 and body.startswith(b"%PDF") and headers["content-type"] == "application/pdf"
    (server.documents / "not-indexed.txt").write_text("private notes")
    for path in (
        "/doc/not-indexed.txt",
        "/doc/broken.pdf",
        "/doc/../pyproject.toml",
        "/doc/%2e%2e/pyproject.toml",
        "/doc/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/doc//etc/passwd",
        "/page/1/news.txt",
        "/page/9/dudley-monitoring-letter.pdf",
        "/page/1/../pyproject.toml",
        "/page/1/not-indexed.txt",
        f"/gradio_api/file={server.index}/CURRENT",
        f"/gradio_api/file={server.documents}/news.txt",
        "/gradio_api/file=/etc/passwd",
        "/file=/etc/passwd",
    ):
        status, body, _ = _get(server.url + path)
        assert 400 <= status < 500, path
        assert b"root:" not in body and b"private notes" not in body and b"gen-" not in body


@pytest.mark.slow
def test_cross_origin_requests_get_no_credentials(server: Server) -> None:
    for host in (None, "reports.council.example"):  # on loopback, and as a shared deployment
        extra = {"Host": host} if host else {}
        for method_headers in ({}, {"Access-Control-Request-Method": "POST"}):
            _, _, headers = _get(
                f"{server.url}/gradio_api/info", {"Origin": "https://evil.example", **extra, **method_headers}
            )
            lower = {k.lower(): v for k, v in headers.items()}
            assert lower.get("access-control-allow-credentials") != "true"
            assert lower.get("access-control-allow-origin") not in ("*", "https://evil.example")


@pytest.mark.slow
def test_login_required_everywhere_when_enabled(tmp_path: Path) -> None:
    s = start_app(tmp_path, "--auth", "officer:s3cret-pass")
    try:
        for path in (
            "/",
            "/gradio_api/info",
            "/config",
            "/doc/news.txt",
            "/theme.css",
            "/gradio_api/queue/join",
        ):
            assert _get(s.url + path)[0] == 401, path
        bad = base64.b64encode(b"officer:wrong").decode()
        assert _get(s.url + "/", {"Authorization": f"Basic {bad}"})[0] == 401
        good = base64.b64encode(b"officer:s3cret-pass").decode()
        assert _get(s.url + "/", {"Authorization": f"Basic {good}"})[0] == 200
        assert _get(s.url + "/doc/news.txt", {"Authorization": f"Basic {good}"})[0] == 200
    finally:
        stop(s)


# ---------------------------------------------------------------- browser


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed (./dev.sh test installs it)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: object, server: Server) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    # The page must render with no outside network: any request off loopback fails the test.
    outside: list[str] = []
    context.route(
        "**/*",
        lambda route: (
            (outside.append(route.request.url), route.abort())
            if not route.request.url.startswith(("http://127.0.0.1", "data:", "blob:"))
            else route.continue_()
        ),
    )
    pg = context.new_page()
    pg.goto(server.url)
    pg.wait_for_selector("#question textarea")
    yield pg
    context.close()
    assert outside == [], f"the page tried to reach outside hosts: {outside}"


def _ask(page: object, question: str) -> float:
    before = page.locator("#chat .message").count()  # type: ignore[attr-defined]
    page.fill("#question textarea", question)  # type: ignore[attr-defined]
    t0 = time.perf_counter()
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        f"document.querySelectorAll('#chat .message').length >= {before + 2}", timeout=60000
    )
    page.wait_for_selector("#sources .source")  # type: ignore[attr-defined]
    return time.perf_counter() - t0


def _shot(page: object, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))  # type: ignore[attr-defined]


@pytest.mark.browser
def test_ask_and_follow_citation(page: object, server: Server) -> None:
    assert page.locator("text=Try asking").count() == 1  # type: ignore[attr-defined]
    seconds = _ask(page, "What did inspectors say about supervision?")
    print(f"\nbrowser answer latency: {seconds * 1000:.0f} ms; app start: {server.started_s:.1f} s")
    chat = page.inner_text("#chat")  # type: ignore[attr-defined]
    assert "supervision is regular and reflective" in chat and "[1]" in chat
    sources = page.inner_text("#sources")  # type: ignore[attr-defined]
    assert "Monitoring visit to Dudley" in sources and "page 1" in sources and "22 October 2024" in sources
    assert page.locator("#sources mark").count() >= 1  # type: ignore[attr-defined]
    _shot(page, "answer")
    cite = page.locator("#chat a.cite").first  # type: ignore[attr-defined]
    anchor = cite.get_attribute("href")
    cite.click()
    page.wait_for_function(f"location.hash === '{anchor}'")  # type: ignore[attr-defined]
    assert page.locator(anchor).is_visible()  # type: ignore[attr-defined]
    href = page.locator(f"{anchor} a").first.get_attribute("href")  # type: ignore[attr-defined]
    assert href.startswith("/doc/") and "#page=" in href
    status, body, _ = _get(server.url + href.split("#")[0])
    assert status == 200 and body.startswith(b"%PDF")
    # The cited page itself, rendered by the app with the quote marked, beside the chat.
    image = page.locator(f"{anchor} .page-view img")  # type: ignore[attr-defined]
    image.wait_for(state="visible")
    page.wait_for_function(  # type: ignore[attr-defined]
        f"document.querySelector('{anchor} .page-view img').naturalWidth > 0"
    )
    src = image.get_attribute("src")
    assert src.startswith("/page/1/dudley-monitoring-letter.pdf?q=") and "supervision" in src
    status, png, headers = _get(server.url + src)
    assert status == 200 and png.startswith(b"\x89PNG") and headers["content-type"] == "image/png"
    assert "Open the original at page 1" in page.inner_text(anchor)  # type: ignore[attr-defined]
    _shot(page, "cited-page")
    # Other cards keep their page images hidden (and unloaded) until their marker is clicked.
    hidden = page.evaluate(  # type: ignore[attr-defined]
        "[...document.querySelectorAll('#sources .page-view')].filter(v => v.offsetParent === null).length"
    )
    assert hidden == page.locator("#sources .page-view").count() - 1  # type: ignore[attr-defined]
    # A follow-up in the same conversation.
    _ask(page, "and what about caseloads?")
    assert "Caseloads have reduced" in page.inner_text("#chat")  # type: ignore[attr-defined]
    _shot(page, "follow-up")


@pytest.mark.browser
def test_a_clicked_source_is_not_outlined_in_the_next_answer(page: object) -> None:
    _ask(page, "What did inspectors say about supervision?")
    page.locator("#chat a.cite").first.click()  # type: ignore[attr-defined]
    outlined = (
        "[...document.querySelectorAll('#sources .source')]"
        ".filter(e => e.matches(':target, :has(span:target)')).length"
    )
    page.wait_for_function(f"{outlined} === 1")  # type: ignore[attr-defined]
    clicked = page.evaluate("location.hash")  # type: ignore[attr-defined]
    _ask(page, "What do care leavers say about their personal advisers?")
    # The next answer's sources replace this one's: its card (and anchor) is gone.
    page.wait_for_function(f"!document.getElementById('{clicked[1:]}')")  # type: ignore[attr-defined]
    page.wait_for_function(f"{outlined} === 0")  # type: ignore[attr-defined]
    assert not page.evaluate("location.hash")  # type: ignore[attr-defined]
    styles = page.evaluate(  # type: ignore[attr-defined]
        "[...document.querySelectorAll('#sources .source')].map(e => getComputedStyle(e).outlineStyle)"
    )
    assert styles and all(s == "none" for s in styles), styles
    # Its own marker still leads to its own card.
    cite = page.locator("#chat .message").last.locator("a.cite").first  # type: ignore[attr-defined]
    anchor = cite.get_attribute("href")
    cite.click()
    page.wait_for_function(f"location.hash === '{anchor}'")  # type: ignore[attr-defined]
    assert page.evaluate(outlined) == 1, (anchor, page.inner_html("#sources"))  # type: ignore[attr-defined]


@pytest.mark.browser
def test_an_empty_question_is_told_inline_without_error_badges(page: object, server: Server) -> None:
    log = server.documents.parent / "app.log"
    before = log.read_text(errors="replace")
    for text in ("", "   "):
        page.fill("#question textarea", text)  # type: ignore[attr-defined]
        page.keyboard.press("Enter")  # type: ignore[attr-defined]
        page.wait_for_function(  # type: ignore[attr-defined]
            "document.querySelector('#question-note').innerText.includes('Type a question')"
        )
    page.wait_for_timeout(500)  # type: ignore[attr-defined]
    body = page.inner_text("body")  # type: ignore[attr-defined]
    assert "Error" not in body, body
    assert page.locator(".toast-body, .error").count() == 0  # type: ignore[attr-defined]
    assert page.locator("#chat .message").count() == 0  # type: ignore[attr-defined]
    after = log.read_text(errors="replace")[len(before) :]
    assert "Traceback" not in after, after
    # The note goes with the next real question.
    _ask(page, "What did inspectors say about supervision?")
    assert "Type a question" not in page.inner_text("#question-note")  # type: ignore[attr-defined]


@pytest.mark.browser
def test_unanswerable_question_abstains(page: object) -> None:
    _ask(page, "How tall is the Eiffel Tower?")
    assert "Not in the documents" in page.inner_text("#chat")  # type: ignore[attr-defined]
    assert "Closest matches" in page.inner_text("#sources")  # type: ignore[attr-defined]
    _shot(page, "abstained")


def _upload(page: object, files: list[object]) -> str:
    """Drop files on the upload box (one step: no button) and wait for their outcome."""
    page.click("#tab-library-button")  # type: ignore[attr-defined]
    before = page.inner_text("#library-status")  # type: ignore[attr-defined]
    page.locator("#upload input[type=file]").set_input_files(files)  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "(before) => { const text = document.querySelector('#library-status').innerText;"
        " return text !== before && /Added|Not added|Refused/.test(text); }",
        arg=before,
        timeout=120000,
    )
    return str(page.inner_text("#library-status"))  # type: ignore[attr-defined]


@pytest.mark.browser
def test_upload_pdf_then_answer_from_it(page: object, server: Server, tmp_path: Path) -> None:
    pdf = make_pdf(
        tmp_path / "youth-justice.pdf",
        [
            "Youth justice inspection\n\nDate of report: 2 June 2025\n\nThe front page says little.",
            "The youth offending team keeps children out of custody through early help. "
            "Inspectors found that the youth offending team works closely with schools.",
        ],
    )
    status = _upload(page, [str(pdf)])
    assert "Added **youth-justice.pdf**" in status or "Added youth-justice.pdf" in status
    assert (server.documents / "youth-justice.pdf").exists()
    assert "youth-justice.pdf" in page.inner_text("#library")  # type: ignore[attr-defined]
    _shot(page, "library")
    page.click("#tab-ask-button")  # type: ignore[attr-defined]
    _ask(page, "What does the youth offending team do?")
    sources = page.inner_text("#sources")  # type: ignore[attr-defined]
    assert "youth-justice.pdf" in sources and "page 2" in sources


@pytest.mark.browser
def test_a_bad_file_gets_one_outcome_in_words(page: object, server: Server) -> None:
    bad = {"name": "random.pdf", "mimeType": "application/pdf", "buffer": os.urandom(4000)}
    good = {"name": "kinship-note.txt", "mimeType": "text/plain", "buffer": b"Kinship carers get support."}
    status = _upload(page, [bad, good])
    lines = [line for line in status.splitlines() if line.strip()]
    about_bad = [line for line in lines if "random.pdf" in line]
    assert len(about_bad) == 1, status
    assert about_bad[0].startswith("Not added random.pdf:") and "PDF" in about_bad[0], status
    assert [line for line in lines if "kinship-note.txt" in line] == ["Added kinship-note.txt"], status
    assert (server.documents / "random.pdf").is_file()  # kept, listed with its reason


@pytest.mark.browser
def test_unsafe_uploads_are_refused(page: object, server: Server) -> None:
    outside = {p.name for p in server.documents.parent.iterdir()}
    escape = {"name": "../escape.txt", "mimeType": "text/plain", "buffer": b"Escaped file about supervision."}
    status = _upload(page, [escape])
    # The folder part is dropped before anything is written: the file lands inside documents/.
    assert {p.name for p in server.documents.parent.iterdir()} == outside
    assert "Added escape.txt" in status and (server.documents / "escape.txt").is_file()
    wrong = {"name": "macro.docm", "mimeType": "application/octet-stream", "buffer": b"PK\x03\x04"}
    page.locator("#upload input[type=file]").set_input_files([wrong])  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "/macro|Invalid|invalid/.test(document.body.innerText)", timeout=30000
    )
    assert not (server.documents / "macro.docm").exists()
    big = {"name": "huge.txt", "mimeType": "text/plain", "buffer": b"word " * 400_000}  # 2 MB > 1 MB
    page.locator("#upload input[type=file]").set_input_files([big])  # type: ignore[attr-defined]
    page.wait_for_selector("text=exceed the maximum allowed size", timeout=30000)  # type: ignore[attr-defined]
    assert not (server.documents / "huge.txt").exists()
    _shot(page, "refused-upload")


@pytest.mark.browser
def test_filters_and_removal(page: object, server: Server) -> None:
    page.fill("#since input, #since textarea", "2025-01-01")  # type: ignore[attr-defined]
    _ask(page, "What did members ask about?")
    sources = page.inner_text("#sources")  # type: ignore[attr-defined]
    assert "scrutiny.md" in sources and "news.txt" not in sources
    page.fill("#since input, #since textarea", "")  # type: ignore[attr-defined]
    page.click("#new-chat")  # type: ignore[attr-defined]
    page.wait_for_function("document.querySelectorAll('#chat .message').length === 0")  # type: ignore[attr-defined]
    _remove(page, "Council praised for foster care", confirm=True)
    assert not (server.documents / "news.txt").exists()
    assert "news.txt" not in page.inner_text("#library")  # type: ignore[attr-defined]
    page.click("#tab-ask-button")  # type: ignore[attr-defined]
    _ask(page, "How many foster carers did the council recruit?")
    assert "news.txt" not in page.inner_text("#sources")  # type: ignore[attr-defined]
    _restore_last(page)
    assert (server.documents / "news.txt").is_file()


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under the documents folder (removed ones included) with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _pick(page: object, control: str, label: str) -> None:
    page.click(f"{control} input")  # type: ignore[attr-defined]
    page.click(f"ul[role=listbox] li:has-text({label!r})")  # type: ignore[attr-defined]


def _remove(page: object, label: str, *, confirm: bool) -> str:
    page.click("#tab-library-button")  # type: ignore[attr-defined]
    _pick(page, "#remove-choice", label)
    page.click("#remove")  # type: ignore[attr-defined]
    page.wait_for_selector("#confirm-remove-text:has-text('Remove')")  # type: ignore[attr-defined]
    question = str(page.inner_text("#confirm-remove-text"))  # type: ignore[attr-defined]
    if confirm:
        page.click("#confirm-remove-yes")  # type: ignore[attr-defined]
        page.wait_for_selector("#library-status:has-text('Removed')", timeout=60000)  # type: ignore[attr-defined]
    else:
        page.click("#confirm-remove-cancel")  # type: ignore[attr-defined]
        page.wait_for_selector("#confirm-remove-yes", state="hidden")  # type: ignore[attr-defined]
    return question


def _restore_last(page: object) -> None:
    page.click("#tab-library-button")  # type: ignore[attr-defined]
    page.click("#restore")  # type: ignore[attr-defined]
    page.wait_for_selector("#library-status:has-text('Restored')", timeout=60000)  # type: ignore[attr-defined]


@pytest.mark.browser
def test_removal_needs_a_choice_and_a_confirmation_and_can_be_undone(page: object, server: Server) -> None:
    before = _snapshot(server.documents)
    page.click("#tab-library-button")  # type: ignore[attr-defined]
    # Nothing is preselected: a click on Remove with no choice changes nothing.
    assert page.input_value("#remove-choice input") == ""  # type: ignore[attr-defined]
    assert page.input_value("#restore-choice input") == ""  # type: ignore[attr-defined]
    page.click("#remove")  # type: ignore[attr-defined]
    page.wait_for_selector("#library-status:has-text('Choose a document')")  # type: ignore[attr-defined]
    assert _snapshot(server.documents) == before
    # Pickers show titles with dates, not file names.
    page.click("#remove-choice input")  # type: ignore[attr-defined]
    options = page.inner_text("ul[role=listbox]")  # type: ignore[attr-defined]
    assert "Monitoring visit to Dudley" in options and "22 October 2024" in options
    page.keyboard.press("Escape")  # type: ignore[attr-defined]
    # Asking names the document; cancelling keeps it.
    question = _remove(page, "Monitoring visit to Dudley", confirm=False)
    assert "Monitoring visit to Dudley" in question and "dudley-monitoring-letter.pdf" in question
    assert _snapshot(server.documents) == before
    # Confirmed: moved aside, not deleted; gone from the library; one click puts it back.
    _remove(page, "Monitoring visit to Dudley", confirm=True)
    assert not (server.documents / "dudley-monitoring-letter.pdf").exists()
    kept = list((server.documents / ".removed").glob("*/dudley-monitoring-letter.pdf"))
    assert len(kept) == 1 and kept[0].read_bytes() == before["dudley-monitoring-letter.pdf"]
    assert "dudley-monitoring-letter.pdf" not in page.inner_text("#library")  # type: ignore[attr-defined]
    _shot(page, "removed")
    _restore_last(page)
    assert (server.documents / "dudley-monitoring-letter.pdf").read_bytes() == before[
        "dudley-monitoring-letter.pdf"
    ]
    page.wait_for_function(  # type: ignore[attr-defined]
        "document.querySelector('#library').innerText.includes('dudley-monitoring-letter.pdf')"
    )


@pytest.mark.browser
def test_a_reload_and_a_second_tab_show_uploads_made_elsewhere(
    browser: object, page: object, server: Server
) -> None:
    other = browser.new_context(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    second = other.new_page()
    second.goto(server.url)
    second.wait_for_selector("#question textarea")
    note = {"name": "adoption-note.txt", "mimeType": "text/plain", "buffer": _ADOPTION}
    assert "Added adoption-note.txt" in _upload(page, [note])
    # The tab opened before the upload shows it after a reload; a new tab shows it at once.
    second.reload()
    second.click("#tab-library-button")
    second.wait_for_function("document.querySelector('#library').innerText.includes('adoption-note.txt')")
    third = other.new_page()
    third.goto(server.url)
    third.click("#tab-library-button")
    third.wait_for_function("document.querySelector('#library').innerText.includes('adoption-note.txt')")
    third.click("#doc-filter input")
    assert "approved six adopters" in third.inner_text("ul[role=listbox]")
    other.close()


@pytest.mark.browser
def test_ask_about_one_report_from_the_library(page: object) -> None:
    page.click("#tab-library-button")  # type: ignore[attr-defined]
    assert page.input_value("#ask-choice input") == ""  # type: ignore[attr-defined]
    page.click("#ask-one")  # type: ignore[attr-defined]
    page.wait_for_selector("#library-status:has-text('Choose a report')")  # type: ignore[attr-defined]
    page.click("#ask-choice input")  # type: ignore[attr-defined]
    page.click("ul[role=listbox] >> text=Council praised for foster care recruitment")  # type: ignore[attr-defined]
    page.click("#ask-one")  # type: ignore[attr-defined]
    page.wait_for_selector("#question textarea", state="visible")  # type: ignore[attr-defined]
    page.wait_for_selector("#question-note:has-text('Asking only about')")  # type: ignore[attr-defined]
    assert "Council praised for foster care recruitment" in page.inner_text("#doc-filter")  # type: ignore[attr-defined]
    _ask(page, "What did inspectors say?")
    labels = page.locator("#sources .source-head").all_inner_texts()  # type: ignore[attr-defined]
    assert labels and all("news.txt" in label for label in labels), labels


def _full_report(path: Path, year: int, overall: str, leaders: str) -> Path:
    """A full inspection report PDF with its judgement table on the cover page."""
    return make_pdf(
        path,
        [
            f"Inspection of Dudley local authority children's services\n\n"
            f"Inspection dates: 6 to 17 March {year}\n\nLead inspector: Jo Marsh, His Majesty's Inspector\n\n"
            "Judgement Grade\n"
            f"The impact of leaders on social work practice with children and families {leaders}\n"
            f"The experiences and progress of children who need help and protection {overall}\n"
            f"The experiences and progress of children in care {overall}\n"
            f"The experiences and progress of care leavers {overall}\n"
            f"Overall effectiveness {overall}\n\nReport published: 2 May {year}",
            "Leaders know their services well. Social workers visit children regularly and know them well.",
        ],
        title=f"Inspection of Dudley local authority children's services {year}",
    )


@pytest.mark.browser
def test_the_judgements_tab_cites_every_grade_and_charts_the_overall_grade(
    page: object, server: Server, tmp_path: Path
) -> None:
    first = _full_report(tmp_path / "dudley-ilacs-2019.pdf", 2019, "Inadequate", "Inadequate")
    second = _full_report(tmp_path / "dudley-ilacs-2023.pdf", 2023, "Requires improvement to be good", "Good")
    status = _upload(page, [str(first), str(second)])
    assert "Added dudley-ilacs-2019.pdf" in status and "Added dudley-ilacs-2023.pdf" in status
    page.click("#tab-judgements-button")  # type: ignore[attr-defined]
    # Opening the tab shows the library as it is now, the reports just added included.
    page.wait_for_function(  # type: ignore[attr-defined]
        "document.querySelector('#judgements').innerText.includes('Overall effectiveness Inadequate')"
    )
    table = page.inner_text("#judgements")  # type: ignore[attr-defined]
    assert "Inadequate" in table and "Requires improvement to be good" in table
    assert "Headline finding" in table  # the monitoring letter: no grades, its finding quoted
    # Every grade cell links to its page and shows the words it was read from.
    cells = page.locator("#judgements td a[title]")  # type: ignore[attr-defined]
    assert cells.count() >= 10
    for n in range(cells.count()):
        href = cells.nth(n).get_attribute("href")
        assert href.startswith("/doc/") and "#page=" in href
    assert "Overall effectiveness Inadequate" in table
    # The chart: one point per overall grade, the later one higher (better).
    points = page.locator("#grades-chart circle.grade-point")  # type: ignore[attr-defined]
    assert points.count() == 2
    marks = dict(
        page.evaluate(  # type: ignore[attr-defined]
            "[...document.querySelectorAll('#grades-chart circle.grade-point')]"
            ".map(c => [c.textContent, parseFloat(c.getAttribute('cy'))])"
        )
    )
    inadequate = next(v for k, v in marks.items() if "Inadequate" in k and "2019" in k)
    better = next(v for k, v in marks.items() if "Requires improvement" in k and "2023" in k)
    assert better < inadequate, marks  # higher on the chart
    _shot(page, "judgements")
    # Choosing a council keeps its rows.
    page.click("#judgement-council input")  # type: ignore[attr-defined]
    page.click("ul[role=listbox] >> text=Dudley")  # type: ignore[attr-defined]
    page.wait_for_timeout(500)  # type: ignore[attr-defined]
    assert "Overall effectiveness Inadequate" in page.inner_text("#judgements")  # type: ignore[attr-defined]


@pytest.mark.browser
def test_the_timeline_tab_quotes_a_theme_by_date_and_exports_markdown(page: object, tmp_path: Path) -> None:
    page.click("#tab-timeline-button")  # type: ignore[attr-defined]
    page.click("#show-timeline")  # type: ignore[attr-defined]
    page.wait_for_selector("#timeline:has-text('Type a theme')")  # type: ignore[attr-defined]
    page.fill("#theme textarea, #theme input", "supervision")  # type: ignore[attr-defined]
    page.click("#show-timeline")  # type: ignore[attr-defined]
    page.wait_for_selector("#timeline ol.timeline", timeout=60000)  # type: ignore[attr-defined]
    text = page.inner_text("#timeline")  # type: ignore[attr-defined]
    assert "22 October 2024" in text and "supervision is regular and reflective" in text
    link = page.locator("#timeline a[href*='#page=']").first  # type: ignore[attr-defined]
    assert link.get_attribute("href").startswith("/doc/dudley-monitoring-letter.pdf#page=1")
    with page.expect_download() as download:  # type: ignore[attr-defined]
        page.click("#timeline-export")  # type: ignore[attr-defined]
    saved = tmp_path / "timeline.md"
    download.value.save_as(saved)
    assert "supervision is regular and reflective" in saved.read_text(encoding="utf-8")
    _shot(page, "timeline")


@pytest.mark.browser
def test_a_press_release_is_checked_against_the_inspectors_letter(page: object) -> None:
    release = {
        "name": "dudley-press-release.txt",
        "mimeType": "text/plain",
        "buffer": (
            b"Dudley welcomes Ofsted letter\n\nPublished 30 October 2024\n\n"
            b"Inspectors said that supervision is regular and reflective. "
            b"Ofsted said that every care leaver now has a job or a college place. "
            b"The council will open a new family hub in the spring.\n"
        ),
    }
    assert "Added dudley-press-release.txt" in _upload(page, [release])
    page.click("#ask-choice input")  # type: ignore[attr-defined]
    page.click("ul[role=listbox] >> text=Dudley welcomes Ofsted letter")  # type: ignore[attr-defined]
    page.click("#check-claims")  # type: ignore[attr-defined]
    page.wait_for_selector("#claims table.claims", timeout=60000)  # type: ignore[attr-defined]
    rows = page.locator("#claims tbody tr").all_inner_texts()  # type: ignore[attr-defined]
    assert len(rows) == 2, rows
    supervision = next(r for r in rows if "supervision" in r.split("\t")[0])
    assert "Social workers said that supervision is regular and reflective" in supervision
    assert any("college place" in r for r in rows)
    _shot(page, "claims")


@pytest.mark.browser
def test_the_library_table_reads_at_1400_px(page: object) -> None:
    page.click("#tab-library-button")  # type: ignore[attr-defined]
    page.wait_for_function("document.querySelector('#library').innerText.includes('news.txt')")  # type: ignore[attr-defined]
    heads = page.evaluate(  # type: ignore[attr-defined]
        """[...document.querySelectorAll('#library thead th')].filter(th => th.offsetParent).map(th => {
            const style = getComputedStyle(th.querySelector('span, div') || th);
            const line = parseFloat(style.lineHeight) || 1.4 * parseFloat(style.fontSize);
            const height = (th.querySelector('span, div') || th).getBoundingClientRect().height;
            return {text: th.innerText.trim(), lines: height / line};
        })"""
    )
    names = [h["text"] for h in heads]
    for wanted in ("Title", "Council", "Kind", "Date", "Pages", "Passages", "Status", "File"):
        assert any(wanted in n for n in names), names
    assert names.index(next(n for n in names if "Title" in n)) < names.index(
        next(n for n in names if "File" in n)
    )
    assert all(h["lines"] <= 2.05 for h in heads), [h for h in heads if h["lines"] > 2.05]
    # Every column, status and reason included, is in view without sideways scrolling.
    overflow = page.evaluate(  # type: ignore[attr-defined]
        """(() => { const t = document.querySelector('#library table');
            const box = document.querySelector('#library').getBoundingClientRect();
            return {table: t.getBoundingClientRect().right, box: box.right,
                    scroll: [...document.querySelectorAll('#library *')].some(
                        e => e.scrollWidth > e.clientWidth + 2
                        && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))}; })()"""
    )
    assert overflow["table"] <= overflow["box"] + 1 and not overflow["scroll"], overflow
    assert "not a readable PDF" in page.inner_text("#library")  # type: ignore[attr-defined]


@pytest.mark.browser
def test_rebuild_progress_has_its_own_place_and_questions_stay_answerable(
    browser: object, page: object, server: Server
) -> None:
    words = " ".join(
        f"Paragraph {n} of the annual report notes that visits to children in care number {n * 7}."
        for n in range(9000)
    )
    big = {"name": "annual-report.txt", "mimeType": "text/plain", "buffer": words.encode()[:990_000]}
    other = browser.new_context(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    asker = other.new_page()
    asker.goto(server.url)
    asker.wait_for_selector("#question textarea")
    page.click("#tab-library-button")  # type: ignore[attr-defined]
    page.locator("#upload input[type=file]").set_input_files([big])  # type: ignore[attr-defined]
    page.wait_for_selector("#rebuild-progress progress", timeout=60000)  # type: ignore[attr-defined]
    seen = []
    answered = False
    while page.locator("#rebuild-progress progress").count():  # type: ignore[attr-defined]
        state = page.evaluate(  # type: ignore[attr-defined]
            """(() => { const p = document.querySelector('#rebuild-progress progress');
                if (!p) return null;
                return {value: p.value, max: p.max,
                        text: document.querySelector('#rebuild-progress').innerText,
                        covered: document.querySelectorAll('#library .eta-bar, #library .progress-text, '
                                 + '#upload .progress-text, #upload .eta-bar').length,
                        table: document.querySelector('#library').getBoundingClientRect().height}; })()"""
        )
        if state is None:
            break
        seen.append(state)
        share = round(100 * state["value"] / state["max"])
        assert f"({share}%)" in state["text"], state
        assert state["covered"] == 0 and state["table"] > 0, state
        if not answered:  # a question in another tab is answered meanwhile
            _ask(asker, "What did inspectors say about supervision?")
            assert "supervision is regular" in asker.inner_text("#chat")
            answered = True
        page.wait_for_timeout(150)  # type: ignore[attr-defined]
    assert seen and answered
    page.wait_for_function(  # type: ignore[attr-defined]
        "document.querySelector('#library-status').innerText.includes('Added annual-report.txt')",
        timeout=120000,
    )
    assert page.locator("#rebuild-progress progress").count() == 0  # type: ignore[attr-defined]
    other.close()


_ADOPTION = b"Adoption panel note\n\nThe adoption panel met in May 2025 and approved six adopters.\n"


def _every_event(url: str) -> list[dict[str, object]]:
    """Every event the page can call, with its input count, from the app's own config."""
    import json

    with urllib.request.urlopen(f"{url}/config", timeout=30) as r:
        config = json.loads(r.read())
    return [{"fn_index": i, "inputs": len(d.get("inputs", []))} for i, d in enumerate(config["dependencies"])]


def _call_raw(url: str, fn_index: int, inputs: int, session: str) -> None:
    """Call one event over HTTP as a script would, with every input left empty."""
    import json

    body = json.dumps(
        {"data": [None] * inputs, "fn_index": fn_index, "session_hash": session, "event_data": None}
    ).encode()
    req = urllib.request.Request(
        f"{url}/gradio_api/queue/join", data=body, headers={"Content-Type": "application/json"}
    )
    try:
        urllib.request.urlopen(req, timeout=30).read()
    except urllib.error.HTTPError:
        return
    with urllib.request.urlopen(f"{url}/gradio_api/queue/data?session_hash={session}", timeout=60) as r:
        for line in r:
            if b"process_completed" in line or b"close_stream" in line:
                break


@pytest.mark.slow
def test_no_call_without_the_page_changes_the_library(server: Server) -> None:
    from gradio_client import Client

    before = _snapshot(server.documents)
    client = Client(server.url, verbose=False)
    named = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    assert not {"/remove", "/upload", "/restore", "/empty", "/ask_remove"} & set(named)
    for name in ("/remove", "/upload"):
        with pytest.raises(ValueError):
            client.predict(api_name=name)
    for name in named:  # a refusal is fine; only a change on disk fails the test
        with contextlib.suppress(Exception):
            client.predict(api_name=name)
    for n, event in enumerate(_every_event(server.url)):
        _call_raw(server.url, int(str(event["fn_index"])), int(str(event["inputs"])), f"raw-{n}")
    assert _snapshot(server.documents) == before


@pytest.mark.browser
def test_public_host_without_login_is_read_only(browser: object, tmp_path: Path) -> None:
    s = start_app(tmp_path, "--host", "0.0.0.0")
    try:
        before = _snapshot(s.documents)
        for n, event in enumerate(_every_event(s.url)):
            _call_raw(s.url, int(str(event["fn_index"])), int(str(event["inputs"])), f"ro-{n}")
        assert _snapshot(s.documents) == before
        context = browser.new_context(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
        pg = context.new_page()
        pg.goto(s.url)
        pg.wait_for_selector("#question textarea")
        pg.click("#tab-library-button")
        pg.wait_for_selector("#library-status:has-text('read-only')")
        assert pg.locator("#remove").count() == 0 or not pg.locator("#remove").is_visible()
        assert pg.locator("#upload").count() == 0 or not pg.locator("#upload").is_visible()
        pg.wait_for_function("document.querySelector('#library').innerText.includes('news.txt')")
        context.close()
    finally:
        stop(s)
