"""Measure the library views (judgements table, theme timeline, claim check) on the dev set.

    python bench/views_eval.py [--splits train test] [--views judgements timeline claims]
        [--models FILE] [--groups GROUP ...]

`--groups` measures some train groups only: with QA_RERANKER naming the reranker fold that
never saw them and `--models` the view models fitted without them (train_views.py --groups),
it validates a change without reading the test split.

Gold: the grades in bench/devset/<group>/facts.jsonl, the theme sentences in
bench/views/timeline.jsonl, the claims and their supporting sentences in
bench/views/claims.jsonl (all written for this project). Printed per split: precision and
recall of grade cells (a cell is a document, judgement and grade; of the inspectorate's own
reports and letters: the dev set's writers did not mark grades that articles restate in
prose consistently, so second-hand grades are not scored), of timeline sentences and
of claim pairings, the share of unsupported claims flagged, and whether every displayed quote
is verbatim on its page; targets beside them.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from devsets import DEVSET, groups, index, norm
from train_views import is_gold, load_gold, same_sentence, stem

from qa import store
from qa.claims import check_claims
from qa.features import INSPECTORATE_KINDS
from qa.judgements import judgements
from qa.timeline import timeline
from qa.view_models import BUNDLED, ViewModels, load

VIEWS = Path(__file__).resolve().parent / "views"
TARGETS = {"judgements": 0.95, "timeline": 0.85, "claims": 0.85}


@dataclass
class Tally:
    found: int = 0  # predicted items
    right: int = 0  # predicted and in gold
    gold: int = 0
    hit: int = 0  # gold items predicted

    def add(self, predicted: AbstractSet[tuple[str, ...]], gold: AbstractSet[tuple[str, ...]]) -> None:
        self.found += len(predicted)
        self.right += len(predicted & gold)
        self.gold += len(gold)
        self.hit += len(gold & predicted)

    @property
    def precision(self) -> float:
        return self.right / self.found if self.found else float("nan")

    @property
    def recall(self) -> float:
        return self.hit / self.gold if self.gold else float("nan")


def verbatim(snap: store.Snapshot, quotes: Iterable[tuple[str, int | None, int, int, str]]) -> float:
    """Share of quotes (doc, page, start, end, text) that are their page's text at that span."""
    pages: dict[tuple[str, int | None], list[tuple[int, str]]] = {}
    for c in snap.chunks:
        pages.setdefault((c.doc, c.page), []).append((c.start, c.text))
    ok = total = 0
    for doc, page, start, end, text in quotes:
        total += 1
        ok += any(
            s <= start and end <= s + len(t) and t[start - s : end - s] == text for s, t in pages[(doc, page)]
        )
    return ok / total if total else float("nan")


def judgements_eval(split: str, only: list[str] | None = None) -> tuple[Tally, float]:
    folder = index(split)
    snap = store.cached(folder)
    gold: set[tuple[str, ...]] = set()
    docs: set[str] = set()
    for g in only or groups(split):
        for line in (DEVSET / g / "facts.jsonl").read_text(encoding="utf-8").splitlines():
            f = json.loads(line) if line.strip() else {}
            docs.add(str(f.get("doc")))
            if f.get("kind") in INSPECTORATE_KINDS:  # the table's own rows; see the note in main()
                gold |= {(f["doc"], norm(j), grade) for j, grade in f["judgements"].items()}
    rows = [r for r in judgements(index=folder) if Path(r.doc).stem in docs]
    predicted = {
        (Path(r.doc).stem, norm(c.judgement), c.grade) for r in rows if not r.second_hand for c in r.grades
    }
    tally = Tally()
    tally.add(predicted, gold)
    quotes = [
        (q.doc, q.page, q.start, q.end, q.text)
        for r in rows
        for q in [*(c.quote for c in r.grades), r.headline]
        if q is not None
    ]
    missing = sum(1 for r in rows for c in r.grades if c.quote is None)
    return tally, verbatim(snap, quotes) if not missing else 0.0


def timeline_eval(
    split: str, models: ViewModels, only: list[str] | None = None
) -> tuple[Tally, float, float]:
    """Timeline sentences (document, gold sentence) found and kept, over every council and
    theme of the split; polarity accuracy on the sentences kept that are gold; verbatim."""
    folder = index(split)
    snap = store.cached(folder)
    tally = Tally()
    polarity_ok: list[bool] = []
    quotes = []
    for item in load_gold("timeline.jsonl", split, only):
        entries = timeline(str(item["theme"]), index=folder, council=str(item["council"]), models=models)
        kept = [s for e in entries for s in e.sentences]
        gold = list(item["sentences"])
        tally.found += len(kept)
        tally.right += sum(1 for s in kept if is_gold(s.quote, gold))
        tally.gold += len(gold)
        tally.hit += sum(1 for g in gold if any(is_gold(s.quote, [g]) for s in kept))
        for s in kept:
            match = next((g for g in gold if is_gold(s.quote, [g])), None)
            if match is not None:
                polarity_ok.append(s.polarity == match["polarity"])
            quotes.append((s.quote.doc, s.quote.page, s.quote.start, s.quote.end, s.quote.text))
    accuracy = sum(polarity_ok) / len(polarity_ok) if polarity_ok else float("nan")
    return tally, accuracy, verbatim(snap, quotes)


def claims_eval(
    split: str, models: ViewModels, only: list[str] | None = None
) -> tuple[Tally, Tally, float, float]:
    """Claims detected (precision, recall against the gold claims), claim pairings (a pairing
    is right when the supporting sentence is a gold one: precision over the pairings made,
    recall over gold supported claims), the share of gold unsupported claims flagged, verbatim."""
    folder = index(split)
    snap = store.cached(folder)
    detected, pairs = Tally(), Tally()
    flagged: list[bool] = []
    quotes = []
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for item in load_gold("claims.jsonl", split, only):
        by_doc.setdefault(str(item["doc"]), []).append(item)
    for doc in sorted(d for d in snap.manifest.files if stem(d) in by_doc):
        gold = by_doc[stem(doc)]
        checks = check_claims(doc, index=folder, models=models)
        matched = [
            (c, next((g for g in gold if same_sentence(str(g["claim"]), c.claim.text)), None)) for c in checks
        ]
        detected.found += len(checks)
        detected.right += sum(1 for _, g in matched if g is not None)
        detected.gold += len(gold)
        detected.hit += sum(
            1 for g in gold if any(same_sentence(str(g["claim"]), c.claim.text) for c in checks)
        )
        for c, g in matched:
            quotes.append((c.claim.doc, c.claim.page, c.claim.start, c.claim.end, c.claim.text))
            if c.support is not None:
                quotes.append((c.support.doc, c.support.page, c.support.start, c.support.end, c.support.text))
                pairs.found += 1
                pairs.right += g is not None and is_gold(c.support, list(g["support"]))
            if g is not None and g["support"]:
                pairs.hit += c.support is not None and is_gold(c.support, list(g["support"]))
            if g is not None and not g["support"]:
                flagged.append(c.support is None)
        pairs.gold += sum(1 for g in gold if g["support"])
        flagged += [
            False
            for g in gold
            if not g["support"] and not any(same_sentence(str(g["claim"]), c.claim.text) for c in checks)
        ]
    share = sum(flagged) / len(flagged) if flagged else float("nan")
    return detected, pairs, share, verbatim(snap, quotes)


def line(view: str, what: str, tally: Tally, extra: str) -> str:
    """One view's figures beside its target (precision and recall both at least it)."""
    target = TARGETS[view]
    met = tally.precision >= target and tally.recall >= target
    return (
        f"{view}: {what} precision {tally.precision:.3f}, recall {tally.recall:.3f} "
        f"({tally.hit}/{tally.gold}); {extra}; target >= {target} {'met' if met else 'MISSED'}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--splits", nargs="*", default=["train", "test"])
    ap.add_argument("--views", nargs="*", default=sorted(TARGETS), choices=sorted(TARGETS))
    ap.add_argument("--models", default=str(BUNDLED), help="view models to measure (train_views.py --out)")
    ap.add_argument("--groups", nargs="*", help="only these groups of the split (timeline and claims)")
    args = ap.parse_args(argv)
    if unknown := set(args.groups or ()) - {g for split in args.splits for g in groups(split)}:
        ap.error(f"no such group in {', '.join(args.splits)}: {', '.join(sorted(unknown))}")
    models = load(Path(args.models))
    for split in args.splits:
        print(
            f"== {split} split ({', '.join(g for g in groups(split) if g in (args.groups or groups(split)))})"
        )
        if "judgements" in args.views:
            tally, ok = judgements_eval(split, args.groups)
            print(line("judgements", "grade cells", tally, f"quotes verbatim {ok:.3f}"))
        if "timeline" in args.views:
            tally, polarity, ok = timeline_eval(split, models, args.groups)
            print(
                line(
                    "timeline", "sentences", tally, f"polarity right {polarity:.3f}; quotes verbatim {ok:.3f}"
                )
            )
        if "claims" in args.views:
            detected, pairs, flagged, ok = claims_eval(split, models, args.groups)
            target = TARGETS["claims"]
            met = pairs.precision >= target and pairs.recall >= target and flagged == 1.0
            print(
                f"claims: detected precision {detected.precision:.3f}, recall {detected.recall:.3f} "
                f"({detected.hit}/{detected.gold}); pairs precision {pairs.precision:.3f}, recall "
                f"{pairs.recall:.3f} ({pairs.hit}/{pairs.gold}); unsupported flagged {flagged:.3f}; "
                f"quotes verbatim {ok:.3f}; target >= {target} with every unsupported claim flagged "
                f"{'met' if met else 'MISSED'}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
