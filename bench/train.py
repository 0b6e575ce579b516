"""Fit the scoring model (qa/model.json) on the development set's train split only.

    python bench/train.py [--out qa/model.json] [--drop GROUP ...]

Three logistic regressions over the named features of qa/features.py, fitted in order:
passages (label: the passage holds a gold quote), sentences of the top passages that model
ranks (label: the sentence holds a gold quote), and the question (label: answerable), whose
probability decides when to decline. The decline threshold and the sentence selection rule
are chosen on train too. The test split is never read here. The same data gives the same
file byte for byte (weights rounded to 6 places, keys sorted).

`--drop GROUP` fits without a feature group (bench/eval.py --scorer reads the result) for the
ablation table: retrieval, overlap, facts, answer, layout.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parent))

from devsets import Case, gold_in, index, questions

from qa import store
from qa.answer import sentence_candidates
from qa.config import Settings
from qa.features import ANSWER_FEATURES, PASSAGE_FEATURES, SENTENCE_FEATURES, answer_row
from qa.model import Logistic, ScoringModel
from qa.query import plan
from qa.search import candidates, rank

ROOT = Path(__file__).resolve().parent.parent
# Feature groups for the ablation: a dropped group's columns are fitted as constants (weight 0).
GROUPS = {
    "retrieval": ("dense", "bm25", "neighbour", "document", "passage", "top_passage"),
    "overlap": ("overlap",),
    "facts": ("council", "kind", "inspectorate", "year", "ordinal"),
    "answer": ("answer_kind", "answer_near", "reason", "unmet"),
    "layout": ("boilerplate", "label_line", "length"),
}


def fit(x: np.ndarray, y: np.ndarray, names: tuple[str, ...], dropped: set[str]) -> Logistic:
    """A standardised L2 logistic regression; dropped features get weight 0."""
    keep = [i for i, n in enumerate(names) if n not in dropped]
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = (x - mean) / scale
    lr = LogisticRegression(C=1.0, max_iter=5000, solver="lbfgs")
    lr.fit(z[:, keep], y)
    weights = np.zeros(len(names))
    weights[keep] = lr.coef_[0]
    return Logistic(
        names,
        tuple(round(float(v), 6) for v in mean),
        tuple(round(float(v), 6) for v in scale),
        tuple(round(float(v), 6) for v in weights),
        round(float(lr.intercept_[0]), 6),
    )


def provisional(passage: Logistic, sentence: Logistic | None = None) -> ScoringModel:
    """A model holding what is fitted so far (the later stages are placeholders)."""
    zero_s = Logistic(SENTENCE_FEATURES, (0.0,) * 14, (1.0,) * 14, (0.0,) * 14, 0.0)
    zero_a = Logistic(ANSWER_FEATURES, (0.0,) * 7, (1.0,) * 7, (0.0,) * 7, 0.0)
    return ScoringModel(passage, sentence or zero_s, zero_a, 0.5, 0.5, 0.1, {})


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(ROOT / "qa" / "model.json"))
    ap.add_argument("--drop", nargs="*", default=[], choices=sorted(GROUPS))
    args = ap.parse_args(argv)
    dropped = {f for g in args.drop for f in GROUPS[g]}
    settings = Settings()
    began = time.perf_counter()
    snap = store.load(index("train", settings))
    cases = [c for c in questions("train")]
    plans = {c.id: plan(c.question, c.history, snap.councils) for c in cases}
    print(f"train split: {len(cases)} questions, {len(snap.manifest.files)} documents", flush=True)

    # 1. Passages.
    xs, ys = [], []
    for c in cases:
        if not c.answerable or plans[c.id].missing:
            continue
        found = candidates(snap, plans[c.id], settings)
        for row, feats in zip(found.rows, found.features, strict=True):
            chunk = snap.chunks[int(row)]
            xs.append(feats)
            ys.append(any(gold_in(g, chunk.doc, chunk.text) for g in c.gold))
    passage = fit(np.array(xs), np.array(ys), PASSAGE_FEATURES, dropped)
    print(f"passages: {len(ys)} rows, {sum(ys)} holding gold", flush=True)

    # 2. Sentences of the passages that model ranks first.
    model = provisional(passage)
    hits_of = {}
    xs, ys = [], []
    for c in cases:
        if plans[c.id].missing:
            continue
        hits_of[c.id] = rank(snap, plans[c.id], settings.k, settings, scorer=model)
        if not c.answerable:
            continue
        sentences, matrix = sentence_candidates(plans[c.id], hits_of[c.id], snap, settings)
        for s, feats in zip(sentences, matrix, strict=True):
            xs.append(feats)
            ys.append(any(gold_in(g, s.hit.doc, s.text) for g in c.gold))
    sentence = fit(np.array(xs), np.array(ys), SENTENCE_FEATURES, dropped)
    print(f"sentences: {len(ys)} rows, {sum(ys)} holding gold", flush=True)

    # 3. The question: answered or declined; and which sentences to quote.
    model = provisional(passage, sentence)
    xs, ys, scored = [], [], {}
    for c in cases:
        if plans[c.id].missing:
            continue
        hits = hits_of[c.id]
        sentences, matrix = sentence_candidates(plans[c.id], hits, snap, settings)
        probability = sentence.probability(matrix)
        scored[c.id] = sorted(zip(probability, sentences, strict=True), key=lambda t: -t[0])
        xs.append(
            answer_row(
                plans[c.id],
                [(float(p), list(m)) for p, m in zip(probability, matrix, strict=True)],
                [h.score for h in hits],
            )
        )
        ys.append(c.answerable)
    answer = fit(np.array(xs), np.array(ys), ANSWER_FEATURES, dropped)
    p_answer = answer.probability(np.array(xs))
    labels = np.array(ys)
    threshold = choose_threshold(p_answer, labels)
    ratio, floor = choose_selection([c for c in cases if c.id in scored], scored, settings)
    print(
        f"answer: {len(ys)} questions; decline below {threshold:.3f} "
        f"(train: {np.mean(p_answer[~labels] < threshold):.3f} of unanswerable declined, "
        f"{np.mean(p_answer[labels] < threshold):.3f} of answerable declined); "
        f"quote sentences with p >= max({floor}, {ratio} x best)",
        flush=True,
    )
    final = ScoringModel(
        passage,
        sentence,
        answer,
        round(threshold, 6),
        ratio,
        floor,
        {
            "split": "train",
            "questions": len(cases),
            "documents": len(snap.manifest.files),
            "encoder": settings.embedder_id,
            "dropped": sorted(args.drop),
        },
    )
    final.save(Path(args.out))
    print(f"wrote {args.out} in {time.perf_counter() - began:.0f} s")
    return 0


def choose_threshold(p: np.ndarray, answerable: np.ndarray) -> float:
    """The decline threshold with the best balanced accuracy on train: the mean of the share
    of answerable questions answered and the share of unanswerable ones declined."""
    best, best_t = -1.0, 0.5
    for t in np.unique(np.round(p, 4)):
        score = 0.5 * (np.mean(p[answerable] >= t) + np.mean(p[~answerable] < t))
        if score > best:
            best, best_t = score, float(t)
    return best_t


def choose_selection(
    cases: list[Case], scored: dict[str, list[tuple[float, object]]], settings: Settings
) -> tuple[float, float]:
    """The sentence rule (p >= max(floor, ratio x best)) that quotes the gold for the most
    answerable train questions, less a small cost per sentence quoted."""
    best, choice = -1.0, (0.5, 0.1)
    for ratio in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        for floor in (0.02, 0.05, 0.1, 0.2, 0.3):
            hits, count = 0.0, 0
            for c in cases:
                if not c.answerable or not scored[c.id]:
                    continue
                top = scored[c.id][0][0]
                quoted = [s for p, s in scored[c.id] if p >= max(floor, ratio * top)][
                    : settings.max_answer_sentences
                ]
                quoted = quoted or [scored[c.id][0][1]]
                hits += any(gold_in(g, s.hit.doc, s.text) for g in c.gold for s in quoted)  # type: ignore[attr-defined]
                count += len(quoted)
            n = sum(1 for c in cases if c.answerable)
            value = hits / n - 0.01 * count / n
            if value > best:
                best, choice = value, (ratio, floor)
    return choice


if __name__ == "__main__":
    sys.exit(main())
