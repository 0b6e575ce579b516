"""Retrieval and answer quality on the evaluation questions, beside a naive baseline.

    python bench/eval.py [EXTRA.jsonl ...] [--documents documents] [--no-baseline]
                         [--no-distractors] [--failures]

Runs ../shared/eval/questions.jsonl (and bench/questions_extra.jsonl, plus any files given)
through the public API (qa.search, qa.ask) over an index built from the documents folder,
and prints recall@5, MRR, page accuracy, citation verbatim rate, answer-contains-gold,
abstention accuracy, false abstentions and latency p50/p95. The baseline (fixed 120-word
windows; dense only, BM25 only, and the two fused by reciprocal rank) is measured in the
same run on the same questions. The same questions are then run over the documents plus
bench/distractors/ (articles about other councils' children's services, in the same words),
to show how quality holds when a folder holds many similar reports.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import devsets  # noqa: E402
from devsets import Case, doc_match, gold_in, norm  # noqa: E402

import qa  # noqa: E402
from qa.config import Settings  # noqa: E402
from qa.documents import discover, load_document  # noqa: E402
from qa.embedding import Embedder  # noqa: E402
from qa.reranker import Reranker  # noqa: E402

SHARED = ROOT.parent / "shared" / "eval" / "questions.jsonl"
EXTRA = ROOT / "bench" / "questions_extra.jsonl"
DISTRACTORS = ROOT / "bench" / "distractors"


def load_cases(paths: list[Path]) -> list[Case]:
    return [c for path in paths for c in devsets.load_cases(path)]


def gold_match(gold: dict[str, object], doc: str, page: int | None, text: str) -> bool:
    """`gold_in`, and on the gold quote's page when it names one."""
    return (gold.get("page") is None or page == gold["page"]) and gold_in(gold, doc, text)


@dataclass
class Scores:
    recall: list[float] = field(default_factory=list)
    rr: list[float] = field(default_factory=list)
    page_ok: list[float] = field(default_factory=list)


def score_ranking(cases: list[Case], ranked: dict[str, list[tuple[str, int | None, str]]]) -> Scores:
    s = Scores()
    for case in cases:
        if not case.answerable:
            continue
        hits = ranked[case.id][:5]
        found = [any(gold_match(g, *h) for h in hits) for g in case.gold]
        s.recall.append(sum(found) / len(case.gold))
        rank = next((i + 1 for i, h in enumerate(hits) if any(gold_match(g, *h) for g in case.gold)), None)
        s.rr.append(1 / rank if rank else 0.0)
        for g in case.gold:
            same_doc = [h for h in hits if doc_match(g, h[0]) and norm(str(g["text"])) in norm(h[2])]
            if same_doc:
                s.page_ok.append(float(g.get("page") is None or same_doc[0][1] == g["page"]))
    return s


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def run_system(
    cases: list[Case], index: Path, page_texts: dict[tuple[str, int | None], str]
) -> dict[str, float]:
    ranked: dict[str, list[tuple[str, int | None, str]]] = {}
    search_ms: list[float] = []
    ask_ms: list[float] = []
    verbatim: list[float] = []
    contains: list[float] = []
    abstain_ok: list[float] = []
    false_abstain = 0
    answerable = 0
    followups: list[float] = []
    qa.search("warm up", index=index)
    qa.ask("warm up", index=index)
    failures = []
    for case in cases:
        history = case.turns[:-1]
        question = case.turns[-1]
        Reranker.forget_all()  # each call timed as if the question were new
        Embedder.forget_all()
        t0 = time.perf_counter()
        hits = qa.search(question, k=5, history=history, index=index)
        search_ms.append((time.perf_counter() - t0) * 1000)
        ranked[case.id] = [(h.doc, h.page, h.text) for h in hits]
        Reranker.forget_all()
        Embedder.forget_all()
        t0 = time.perf_counter()
        answer = qa.ask(question, history=history, index=index)
        ask_ms.append((time.perf_counter() - t0) * 1000)
        for c in answer.citations:
            page = page_texts.get((c.doc, c.page), "")
            verbatim.append(float(bool(c.quote) and norm(c.quote) in norm(page)))
        if case.answerable:
            answerable += 1
            false_abstain += int(answer.abstained)
            ok = any(norm(str(g["text"])) in norm(answer.text) for g in case.gold)
            contains.append(float(ok and not answer.abstained))
            if len(case.turns) > 1:
                found = any(gold_match(g, h.doc, h.page, h.text) for g in case.gold for h in hits)
                followups.append(float(found and not answer.abstained))
            if not ok or answer.abstained:
                failures.append(f"  {case.id} answer misses gold: {question!r} -> {answer.text[:160]!r}")
        else:
            abstain_ok.append(float(answer.abstained))
            if not answer.abstained:
                failures.append(f"  {case.id} should abstain: {question!r} -> {answer.text[:120]!r}")
    s = score_ranking(cases, ranked)
    for case in cases:
        if case.answerable:
            top = ranked[case.id][:5]
            missing = [g["text"] for g in case.gold if not any(gold_match(g, *h) for h in top)]
            if missing:
                failures.append(f"  {case.id} not in top 5: {missing}")
    return {
        "recall@5": statistics.mean(s.recall),
        "MRR": statistics.mean(s.rr),
        "page accuracy": statistics.mean(s.page_ok) if s.page_ok else float("nan"),
        "citation verbatim": statistics.mean(verbatim) if verbatim else float("nan"),
        "answer contains gold": statistics.mean(contains) if contains else float("nan"),
        "abstention accuracy": statistics.mean(abstain_ok) if abstain_ok else float("nan"),
        "false abstentions": float(false_abstain),
        "follow-ups answered": statistics.mean(followups) if followups else float("nan"),
        "answerable": float(answerable),
        "search p50 ms": pct(search_ms, 50),
        "search p95 ms": pct(search_ms, 95),
        "ask p50 ms": pct(ask_ms, 50),
        "ask p95 ms": pct(ask_ms, 95),
        "_failures": failures,  # type: ignore[dict-item]
    }


def run_baseline(cases: list[Case], docs: list[tuple[str, int | None, str]]) -> dict[str, dict[str, float]]:
    """Fixed 120-word windows; dense only, BM25 only, reciprocal-rank fusion of the two."""
    import bm25s

    from qa.embedding import Embedder

    windows: list[tuple[str, int | None, str]] = []
    for doc, page, text in docs:
        w = text.split()
        for i in range(0, max(len(w), 1), 120):
            windows.append((doc, page, " ".join(w[i : i + 120])))
    embedder = Embedder.shared(Settings())
    matrix = embedder.encode([t for _, _, t in windows])
    bm = bm25s.BM25()
    bm.index(
        bm25s.tokenize([t for _, _, t in windows], stopwords="en", show_progress=False),
        show_progress=False,
    )
    out: dict[str, dict[str, float]] = {}
    rankings: dict[str, dict[str, list[tuple[str, int | None, str]]]] = {
        "dense": {},
        "bm25": {},
        "rrf": {},
    }
    for case in cases:
        q = " ".join(case.turns)
        d_order = np.argsort(-(matrix @ embedder.encode_query(q)))
        tokens = bm25s.tokenize([q], stopwords="en", show_progress=False, return_ids=False)[0]
        b_scores = bm.get_scores(tokens) if tokens else np.zeros(len(windows))
        b_order = np.argsort(-b_scores)
        rrf = np.zeros(len(windows))
        for order in (d_order, b_order):
            for rank, i in enumerate(order):
                rrf[i] += 1 / (60 + rank + 1)
        for name, order in (("dense", d_order), ("bm25", b_order), ("rrf", np.argsort(-rrf))):
            rankings[name][case.id] = [windows[i] for i in order[:5]]
    for name, ranked in rankings.items():
        s = score_ranking(cases, ranked)
        out[name] = {"recall@5": statistics.mean(s.recall), "MRR": statistics.mean(s.rr)}
    return out


def print_targets(result: dict[str, float], base: dict[str, dict[str, float]] | None) -> None:
    """The issue's targets for the shared set beside the figures, each marked met or missed."""
    rows = [
        ("recall@5 >= 0.95", result["recall@5"] >= 0.95),
        ("MRR >= 0.85", result["MRR"] >= 0.85),
        ("citation verbatim 100%", result["citation verbatim"] == 1.0),
        ("every unanswerable abstained", result["abstention accuracy"] == 1.0),
        ("no false abstention", result["false abstentions"] == 0),
        ("follow-up answered", result["follow-ups answered"] == 1.0),
        ("search p50 <= 50 ms", result["search p50 ms"] <= 50),
        ("search p95 <= 150 ms", result["search p95 ms"] <= 150),
    ]
    if base is not None:
        best = max(base.values(), key=lambda m: m["MRR"])
        rows.append(
            (
                "beats the best baseline (recall and MRR)",
                result["recall@5"] > best["recall@5"] and result["MRR"] > best["MRR"],
            )
        )
    print("targets:")
    for name, met in rows:
        print(f"  {'met   ' if met else 'MISSED'} {name}")


def with_distractors(documents: Path, folder: Path) -> Path:
    """A corpus of `documents` plus the distractor articles, copied into `folder`."""
    folder.mkdir(parents=True)
    for src in [*discover(documents), *sorted(DISTRACTORS.glob("*.txt"))]:
        shutil.copy2(src, folder / src.name)
    return folder


def read_pages(
    documents: Path, settings: Settings
) -> tuple[dict[tuple[str, int | None], str], list[tuple[str, int | None, str]]]:
    page_texts: dict[tuple[str, int | None], str] = {}
    docs: list[tuple[str, int | None, str]] = []
    for path in discover(documents):
        try:
            d = load_document(path, documents, settings)
        except qa.QAError:
            continue
        for p in d.pages:
            page_texts[(d.path, p.number)] = p.text
            docs.append((d.path, p.number, p.text))
    return page_texts, docs


HEADLINE = ("recall@5", "MRR", "answer contains gold", "abstention accuracy", "citation verbatim")
BASELINE_FILE = ROOT / "bench" / "baseline.json"


def print_split_targets(name: str, result: dict[str, float]) -> bool:
    """The issue's targets for the development set's test split, each met or missed."""
    answerable = result["answerable"]
    rows = [
        ("recall@5 >= 0.95", result["recall@5"] >= 0.95),
        ("MRR >= 0.85", result["MRR"] >= 0.85),
        ("answer quotes the gold for >= 85% of answerable", result["answer contains gold"] >= 0.85),
        (">= 95% of unanswerable declined", result["abstention accuracy"] >= 0.95),
        ("<= 5% false declines", result["false abstentions"] <= 0.05 * answerable),
        ("100% verbatim quotes", result["citation verbatim"] == 1.0),
        ("quotes on the right page", result["page accuracy"] == 1.0),
    ]
    print(f"targets ({name}):")
    for label, met in rows:
        print(f"  {'met   ' if met else 'MISSED'} {label}")
    return all(met for _, met in rows)


def check_baseline(figures: dict[str, dict[str, float]], tolerance: float = 0.02) -> list[str]:
    """Headline figures more than `tolerance` under those committed in bench/baseline.json."""
    committed = json.loads(BASELINE_FILE.read_text())
    problems = []
    for run, values in committed["figures"].items():
        for key, floor in values.items():
            now = figures.get(run, {}).get(key)
            if now is None or now < floor - tolerance:
                problems.append(f"{run} {key}: {now} < committed {floor} - {tolerance}")
    return problems


def report(
    label: str,
    cases: list[Case],
    index: Path,
    documents: Path,
    settings: Settings,
    baseline: bool,
    show_failures: bool,
) -> dict[str, float]:
    page_texts, docs = read_pages(documents, settings)
    result = run_system(cases, index, page_texts)
    failures = result.pop("_failures")
    print(f"\n== {label}: {len(cases)} questions, {len(docs)} pages", flush=True)
    if baseline:
        for name, m in run_baseline(cases, docs).items():
            print(f"baseline {name:5}  recall@5 {m['recall@5']:.3f}  MRR {m['MRR']:.3f}")
    for key, value in result.items():
        print(f"{key:22} {value:.3f}" if "ms" not in key else f"{key:22} {value:.1f}")
    if show_failures:
        for f in failures:  # type: ignore[attr-defined]
            print(f)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sets",
        nargs="*",
        default=["shared", "train", "test"],
        choices=["shared", "extra", "train", "test", "distractors"],
    )
    parser.add_argument("--documents", type=Path, default=ROOT / "documents")
    parser.add_argument("--scorer", help="a model file to use instead of qa/model.json (ablations)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the naive baselines")
    parser.add_argument("--failures", action="store_true", help="list the questions that miss")
    parser.add_argument(
        "--groups",
        nargs="*",
        help="of the dev splits, only these groups' questions (validation of a model fitted "
        "without them: bench/train.py --groups)",
    )
    parser.add_argument(
        "--write-baseline", action="store_true", help="commit these figures to bench/baseline.json"
    )
    parser.add_argument(
        "--check-baseline",
        action="store_true",
        help="exit 1 when a headline figure falls more than 0.02 under bench/baseline.json",
    )
    args = parser.parse_args()
    if args.scorer:
        os.environ["QA_SCORER"] = str(Path(args.scorer).resolve())
    settings = Settings.from_env()
    baseline = not args.no_baseline
    figures: dict[str, dict[str, float]] = {}
    met = True
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.sets:
            if name in ("train", "test"):
                index = devsets.index(name, settings)
                cases = [c for c in devsets.questions(name) if not args.groups or c.source in args.groups]
                documents = devsets.WORK / name / "documents"
                label = f"dev set, {name} split ({', '.join(devsets.groups(name))})"
            else:
                documents = args.documents
                if name == "distractors":
                    documents = with_distractors(args.documents, Path(tmp) / "mixed")
                index = Path(tmp) / f"index-{name}"
                qa.build_index(documents, index, settings=settings)
                paths = [EXTRA] if name == "extra" else [SHARED]
                cases = load_cases(paths)
                label = f"{name} set ({', '.join(p.name for p in paths)})" + (
                    " + distractors" if name == "distractors" else ""
                )
            result = report(label, cases, index, documents, settings, baseline, args.failures)
            figures[name] = {k: round(result[k], 4) for k in HEADLINE}
            if name == "test":
                met = print_split_targets("test split", result) and met
            if name == "shared":
                print_targets(result, None)
    if args.write_baseline:
        BASELINE_FILE.write_text(
            json.dumps(
                {"note": "headline figures of bench/eval.py; CI fails 0.02 under", "figures": figures},
                indent=1,
                sort_keys=True,
            )
            + "\n"
        )
        print(f"wrote {BASELINE_FILE}")
    if args.check_baseline:
        problems = check_baseline(figures)
        for p in problems:
            print(f"QUALITY GATE: {p}")
        if problems:
            return 1
        print("quality gate: no headline figure fell more than 0.02 under bench/baseline.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
