"""How well `qa.facts.extract_facts` reads report facts, against the dev set's gold facts.

    python bench/facts_eval.py [--root bench/devset] [--side train|test|both] [--failures]

For every group in split.json, loads each rendered document in corpus/<group>/ exactly as
the product does (`qa.documents.load_document`), extracts its facts and compares them with
<group>/facts.jsonl. Prints precision and recall per field, for the train groups and the
test groups separately:

- council, kind, visit dates (the pair), published: precision = right / answered,
  recall = right / documents whose gold has a value;
- councils_mentioned, inspectors, judgements: over the items of every document together
  (micro-averaged); a judgement is a (judgement, grade) pair, compared case-insensitively.

Council names are compared as `qa.councils` canonicalises them, so gold "Hull" equals
"Kingston upon Hull". `--failures` lists each wrong field of the train groups only: the
extractors are tuned on train documents and the test groups are only ever scored.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.config import Settings  # noqa: E402
from qa.councils import find_councils  # noqa: E402
from qa.documents import Document, PdfParser, load_document  # noqa: E402
from qa.errors import QAError  # noqa: E402
from qa.facts import ReportFacts, extract_facts  # noqa: E402

SINGLE = ("council", "kind", "visit dates", "published")
MULTI = ("councils_mentioned", "inspectors", "judgements")


@dataclass
class Tally:
    """Counts for one field: right answers, answers given, answers the gold holds."""

    right: int = 0
    answered: int = 0
    expected: int = 0

    def add(self, predicted: set[object], gold: set[object]) -> None:
        self.right += len(predicted & gold)
        self.answered += len(predicted)
        self.expected += len(gold)

    def line(self, name: str) -> str:
        p = self.right / self.answered if self.answered else float("nan")
        r = self.right / self.expected if self.expected else float("nan")
        return (
            f"  {name:<20} precision {p:6.1%} ({self.right}/{self.answered})"
            f"  recall {r:6.1%} ({self.right}/{self.expected})"
        )


@dataclass
class Report:
    tallies: dict[str, Tally] = field(default_factory=lambda: {f: Tally() for f in SINGLE + MULTI})
    documents: int = 0
    missing: list[str] = field(default_factory=list)


def council_keys(name: str) -> list[str]:
    """A council name as `qa.councils` canonicalises it: "Hull" -> ["Kingston upon Hull"];
    a former county stands for its successors: "Cumbria" -> ["Cumberland", "Westmorland and
    Furness"]."""
    found = find_councils(name)
    return [m.council for m in found] if found else [" ".join(name.split())]


def person_key(name: str) -> str:
    return " ".join(name.replace("’", "'").split()).lower()


def fields_of(facts: ReportFacts) -> dict[str, set[object]]:
    """Each field of `facts` as a set of comparable items (empty when unknown)."""
    visit: set[object] = {(facts.visit_start, facts.visit_end)} if facts.visit_start else set()
    return {
        "council": {council_keys(facts.council)[0]} if facts.council else set(),
        "kind": {facts.kind} if facts.kind else set(),
        "visit dates": visit,
        "published": {facts.published} if facts.published else set(),
        "councils_mentioned": {k for c in facts.councils_mentioned for k in council_keys(c)},
        "inspectors": {person_key(n) for n in facts.inspectors},
        "judgements": {(person_key(j), g.lower()) for j, g in facts.judgements},
    }


def gold_facts(line: dict[str, Any]) -> ReportFacts:
    """A facts.jsonl line as `ReportFacts`."""
    visit = [str(d) for d in line.get("visit_dates") or []]
    judgements: dict[str, str] = line.get("judgements") or {}
    return ReportFacts(
        council=str(line["council"]) if line.get("council") else None,
        councils_mentioned=tuple(str(c) for c in line.get("councils_mentioned") or []),
        kind=str(line["kind"]) if line.get("kind") else None,
        visit_start=visit[0] if visit else None,
        visit_end=visit[-1] if visit else None,
        published=str(line["published"]) if line.get("published") else None,
        inspectors=tuple(str(n) for n in line.get("inspectors") or []),
        judgements=tuple((str(j), str(g)) for j, g in judgements.items()),
    )


def corpus_files(folder: Path) -> dict[str, Path]:
    """Rendered documents by stem ("sheffield-ilacs-2023" for sheffield-ilacs-2023.pdf)."""
    if not folder.is_dir():
        return {}
    return {p.name.split(".")[0]: p for p in sorted(folder.iterdir()) if p.is_file()}


def evaluate_group(
    root: Path, group: str, report: Report, parser: PdfParser, settings: Settings, *, failures: bool
) -> None:
    facts_path = root / group / "facts.jsonl"
    if not facts_path.exists():
        report.missing.append(f"{group}/facts.jsonl")
        return
    folder = root / "corpus" / group
    files = corpus_files(folder)
    for raw in facts_path.read_text(encoding="utf-8").splitlines():
        if not raw.strip():
            continue
        line = json.loads(raw)
        gold = fields_of(gold_facts(line))
        path = files.get(str(line["doc"]))
        predicted_facts = ReportFacts()
        if path is None:
            report.missing.append(f"corpus/{group}/{line['doc']}.*")
        else:
            try:
                document: Document = load_document(path, folder, settings, parser)
            except QAError as exc:
                report.missing.append(f"{exc}")
            else:
                predicted_facts = extract_facts(document)
        predicted = fields_of(predicted_facts)
        report.documents += 1
        for name, tally in report.tallies.items():
            tally.add(predicted[name], gold[name])
            if failures and predicted[name] != gold[name]:
                extra = sorted(map(str, predicted[name] - gold[name]))
                lacking = sorted(map(str, gold[name] - predicted[name]))
                print(f"  {group}/{line['doc']}: {name}: got {extra or '-'}, wanted {lacking or '-'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--root", type=Path, default=ROOT / "bench" / "devset")
    parser.add_argument("--failures", action="store_true", help="list wrong fields (train groups only)")
    parser.add_argument("--side", choices=("train", "test", "both"), default="both")
    args = parser.parse_args(argv)
    split = json.loads((args.root / "split.json").read_text(encoding="utf-8"))
    settings = Settings()
    with PdfParser(settings) as pdf:
        for side in ("train", "test") if args.side == "both" else (args.side,):
            groups = [str(g) for g in split[side]]
            report = Report()
            show = args.failures and side == "train"
            if show:
                print(f"{side} failures:")
            for group in groups:
                evaluate_group(args.root, group, report, pdf, settings, failures=show)
            print(f"{side} ({', '.join(groups)}): {report.documents} documents")
            for name, tally in report.tallies.items():
                print(tally.line(name))
            for missing in report.missing:
                print(f"  missing: {missing}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
