"""The `qa` command: `qa index`, `qa search`, `qa ask`. The only module that prints.

Library errors (QAError) become a one-line message on stderr and exit status 1.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from qa.config import Settings
from qa.errors import QAError


def _index(args: argparse.Namespace, settings: Settings) -> int:
    from tqdm import tqdm

    from qa.indexing import build_index

    bars: dict[str, Any] = {}

    def progress(stage: str, done: int, total: int) -> None:
        if args.json or total == 0:
            return
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(
                total=total,
                desc=stage.capitalize(),
                unit="file" if stage == "reading" else "passage",
            )
        bar.update(done - bar.n)

    try:
        report = build_index(args.documents, args.index, full=args.full, settings=settings, progress=progress)
    finally:
        for bar in bars.values():
            bar.close()
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
        return 0
    for note in report.notes:
        print(f"note: {note}")
    for label, names in (
        ("added", report.added),
        ("changed", report.changed),
        ("removed", report.removed),
    ):
        for name in names:
            print(f"{label:9} {name}")
    for old, new in report.renamed:
        print(f"renamed   {old} -> {new}")
    for dup, same in report.duplicates:
        print(f"duplicate {dup} (same content as {same}; indexed once)")
    for skip in report.skipped:
        print(f"skipped   {skip.path}: {skip.reason}")
    print(
        f"{report.documents} documents, {report.passages} passages "
        f"({report.passages_embedded} embedded, {len(report.unchanged)} files unchanged) "
        f"in {report.seconds:.1f} s{' (full rebuild)' if report.full else ''}"
    )
    return 0


def _filters(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "index": args.index,
        "documents": args.doc or None,
        "since": args.since,
        "until": args.until,
    }


def _search(args: argparse.Namespace, settings: Settings) -> int:
    from qa.answer import source_label
    from qa.search import search

    hits = search(args.question, k=args.k, settings=settings, **_filters(args))
    if args.json:
        print(json.dumps([asdict(h) for h in hits], indent=2, ensure_ascii=False))
        return 0
    if not hits:
        print("No passages found.")
    for n, h in enumerate(hits, 1):
        print(f"[{n}] {source_label(h.doc, h.title, h.date, h.page, h.page_label)}  score {h.score:.3f}")
        print(textwrap.indent(textwrap.fill(" ".join(h.text.split()), 96), "    "))
        print()
    return 0


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    from qa.answer import ask, to_markdown

    answer = ask(args.question, settings=settings, **_filters(args))
    if args.json:
        data = asdict(answer)
        data["hits"] = [asdict(h) for h in answer.hits]
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    print(to_markdown(answer))
    return 0


def _judgements(args: argparse.Namespace, settings: Settings) -> int:
    import csv

    from qa.judgements import judgements

    rows = judgements(index=args.index, council=args.council)
    if args.json:
        print(json.dumps([r.to_json() for r in rows], indent=2, ensure_ascii=False))
        return 0
    if args.csv:
        out = csv.writer(sys.stdout)
        out.writerow(["council", "kind", "document", "visit_start", "visit_end", "published", "judgement",
                      "grade", "second_hand", "page", "quote"])  # fmt: skip
        for r in rows:
            head = [
                r.council or "",
                r.kind or "",
                r.doc,
                r.visit_start or "",
                r.visit_end or "",
                r.published or "",
            ]
            cells = [(g.judgement, g.grade, g.quote) for g in r.grades] or [
                ("headline finding", "", r.headline)
            ]
            for judgement, grade, quote in cells:
                page = "" if quote is None or quote.page is None else quote.page
                text = "" if quote is None else " ".join(quote.text.split())
                second = "yes" if r.second_hand else ""
                out.writerow([*(v or "" for v in head), judgement, grade, second, page, text])
        return 0
    if not rows:
        print(
            "No inspection reports or letters in the library"
            + (f" about {args.council}." if args.council else ".")
        )
    for r in rows:
        when = r.published or r.visit_end or "undated"
        source = " (reported second-hand)" if r.second_hand else ""
        print(f"{when}  {r.council or '?'}  {r.kind or '?'}  {r.title} ({r.doc}){source}")
        for g in r.grades:
            page = f", page {g.quote.page}" if g.quote and g.quote.page else ""
            print(f"    {g.grade:34} {g.judgement}{page}")
        if r.headline:
            page = f" (page {r.headline.page})" if r.headline.page else ""
            print(f"    headline{page}: {' '.join(r.headline.text.split())}")
    return 0


def _timeline(args: argparse.Namespace, settings: Settings) -> int:
    from qa.timeline import timeline, to_markdown

    entries = timeline(args.theme, index=args.index, council=args.council, settings=settings)
    if args.json:
        print(json.dumps([e.to_json() for e in entries], indent=2, ensure_ascii=False))
    else:
        print(to_markdown(args.theme, entries))
    return 0


def _claims(args: argparse.Namespace, settings: Settings) -> int:
    from qa.claims import check_claims

    checks = check_claims(args.document, index=args.index, settings=settings)
    if args.json:
        print(json.dumps([c.to_json() for c in checks], indent=2, ensure_ascii=False))
        return 0
    if not checks:
        print(f"{args.document} attributes nothing to the inspectors.")
    for n, c in enumerate(checks, 1):
        print(f"[{n}] “{' '.join(c.claim.text.split())}”")
        if c.support is None:
            print(f"    {c.verdict}")
        else:
            page = f", page {c.support.page_label or c.support.page}" if c.support.page else ""
            print(f"    {c.verdict}: “{' '.join(c.support.text.split())}” ({c.support.doc}{page})")
            if c.figures_differ:
                figures = ", ".join(c.figures_differ)
                print(f"    figures in the claim that the letter does not give: {figures}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qa", description="Cited answers from inspection reports.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("index", help="build or update the index from the documents folder")
    p.add_argument("--documents", default=None, help="documents folder (default: documents, or QA_DOCUMENTS)")
    p.add_argument("--index", default=None, help="index folder (default: index, or QA_INDEX)")
    p.add_argument("--full", action="store_true", help="re-read and re-embed every file")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=_index)

    for name, func, text in (
        ("search", _search, "show the passages that best match a question"),
        ("ask", _ask, "answer a question with cited quotes from the documents"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("question")
        if name == "search":
            p.add_argument("-k", type=int, default=5, help="number of passages (default 5)")
        p.add_argument("--index", default=None, help="index folder (default: index, or QA_INDEX)")
        p.add_argument("--doc", action="append", help="limit to this document (repeatable)")
        p.add_argument("--since", help="only documents dated on or after YYYY-MM-DD")
        p.add_argument("--until", help="only documents dated on or before YYYY-MM-DD")
        p.add_argument("--json", action="store_true", help="print JSON")
        p.set_defaults(func=func)

    p = sub.add_parser("judgements", help="how each inspection graded the council, every grade cited")
    p.add_argument("--council", help="only reports about this council")
    p.add_argument("--index", default=None, help="index folder (default: index, or QA_INDEX)")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print JSON")
    fmt.add_argument("--csv", action="store_true", help="print CSV, one row per grade")
    p.set_defaults(func=_judgements)

    p = sub.add_parser("timeline", help="what the documents say about a theme, oldest first, cited")
    p.add_argument("theme", help='for example "supervision", "caseloads", "the front door"')
    p.add_argument("--council", help="only documents about this council")
    p.add_argument("--index", default=None, help="index folder (default: index, or QA_INDEX)")
    p.add_argument("--json", action="store_true", help="print JSON (default: Markdown)")
    p.set_defaults(func=_timeline)

    p = sub.add_parser("claims", help="check what a press release or article says the inspectors said")
    p.add_argument("document", help="the document's file name in the library")
    p.add_argument("--index", default=None, help="index folder (default: index, or QA_INDEX)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_claims)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    settings = Settings.from_env(
        documents=getattr(args, "documents", None), index=getattr(args, "index", None)
    )
    if getattr(args, "documents", None) is None:
        args.documents = settings.documents
    if getattr(args, "index", None) is None:
        args.index = settings.index
    try:
        code: int = args.func(args, settings)
        return code
    except QAError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; the previous index is still in place", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
