"""Measure the library views (judgements table, theme timeline, claim check) on the dev set.

    python bench/views_eval.py [--splits train test] [--views judgements timeline claims]

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

sys.path.insert(0, str(Path(__file__).resolve().parent))

from devsets import DEVSET, groups, index, norm

from qa import store
from qa.features import INSPECTORATE_KINDS
from qa.judgements import judgements

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


def judgements_eval(split: str) -> tuple[Tally, float]:
    folder = index(split)
    snap = store.cached(folder)
    gold: set[tuple[str, ...]] = set()
    for g in groups(split):
        for line in (DEVSET / g / "facts.jsonl").read_text(encoding="utf-8").splitlines():
            f = json.loads(line) if line.strip() else {}
            if f.get("kind") in INSPECTORATE_KINDS:  # the table's own rows; see the note in main()
                gold |= {(f["doc"], norm(j), grade) for j, grade in f["judgements"].items()}
    rows = judgements(index=folder)
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--splits", nargs="*", default=["train", "test"])
    ap.add_argument("--views", nargs="*", default=["judgements"], choices=sorted(TARGETS))
    args = ap.parse_args(argv)
    for split in args.splits:
        print(f"== {split} split ({', '.join(groups(split))})")
        if "judgements" in args.views:
            tally, ok = judgements_eval(split)
            target = TARGETS["judgements"]
            met = tally.precision >= target and tally.recall >= target
            print(
                f"judgements: grade cells precision {tally.precision:.3f}, recall {tally.recall:.3f} "
                f"({tally.hit}/{tally.gold}); quotes verbatim {ok:.3f}; target >= {target} "
                f"{'met' if met else 'MISSED'}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
