"""Fit the abstention rule on the evaluation questions and print the settings to use.

    python bench/calibrate.py [EXTRA.jsonl ...]

For every question (the shared set, bench/questions_extra.jsonl and any files given), over
the shipped documents and over them plus bench/distractors/, it computes the three evidence
features the answerer uses (best passage cosine, keyword coverage, best sentence score),
then searches weights (steps of 0.1, summing to 1) and a threshold that
classify answerable vs unanswerable best; ties go to the widest margin. Put the result in
`Settings.confidence_weights` / `Settings.abstain_below` (or QA_ABSTAIN_BELOW).
"""

from __future__ import annotations

import itertools
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from eval import EXTRA, SHARED, load_cases, with_distractors  # noqa: E402

import qa  # noqa: E402
from qa import store  # noqa: E402
from qa.answer import evidence, score_sentences  # noqa: E402
from qa.config import Settings  # noqa: E402
from qa.search import rank, understand  # noqa: E402


def main() -> int:
    paths = [SHARED, EXTRA, *[Path(p) for p in sys.argv[1:]]]
    cases = load_cases([p for p in paths if p.exists()])
    settings = Settings.from_env()
    feats, labels, ids = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        # Fitted on the shipped corpus and on it plus the distractors together, so the rule
        # holds when a folder holds many similar reports, not only these five.
        mixed = with_distractors(ROOT / "documents", Path(tmp) / "mixed")
        corpora = [("", ROOT / "documents"), ("+d", mixed)]
        for n, (suffix, documents) in enumerate(corpora):
            index = Path(tmp) / f"index{n}"
            qa.build_index(documents, index, settings=settings)
            snap = store.load(index)
            for case in cases:
                query = understand(case.turns[-1], case.turns[:-1])
                hits = rank(snap, query, settings.k, settings)
                sentences = score_sentences(query, hits, snap, settings)
                feats.append(evidence(query, hits, sentences, snap, settings))
                labels.append(case.answerable)
                ids.append(case.id + suffix)
    x = np.array(feats)
    y = np.array(labels)
    results = []
    steps = np.round(np.arange(0, 1.01, 0.1), 1)
    for wd, wc in itertools.product(steps, steps):
        ws = round(1 - wd - wc, 1)
        if ws < 0:
            continue
        score = x @ np.array([wd, wc, ws])
        cuts = np.sort(score)
        for t in (cuts[:-1] + cuts[1:]) / 2:
            pred = score >= t
            accuracy = float((pred == y).mean())
            margin = float(np.min(np.abs(score - t)))
            results.append((accuracy, margin, (float(wd), float(wc), float(ws)), float(t)))
    results.sort(key=lambda r: (-r[0], -r[1]))
    accuracy, margin, weights, threshold = results[0]
    score = x @ np.array(weights)
    counts = f"{int(y.sum())} answerable, {int((~y).sum())} unanswerable"
    print(f"{len(ids)} question runs over {len(corpora)} corpora ({counts})")
    print(f"confidence_weights = {weights}  abstain_below = {threshold:.3f}")
    print(f"accuracy {accuracy:.3f}, margin {margin:.3f}")
    for i in np.argsort(score):
        wrong = (score[i] >= threshold) != y[i]
        flag = "  <- wrong" if wrong else ""
        print(f"  {ids[i]:5} {'answerable' if y[i] else 'unanswerable':12} {score[i]:.3f}{flag}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
