"""Fit the library views' models (qa/views.json) on the development set's train split only.

    python bench/train_views.py [--out qa/views.json] [--folds FOLDER=GROUP,...] [--groups GROUP ...]

Gold: bench/views/timeline.jsonl (the sentences of each council's documents that speak to a
theme, with their polarity) and bench/views/claims.jsonl (the claims of press releases,
papers and articles, with the inspectorate's supporting sentences or none), both written for
this project. Fitted, on train groups only: the timeline model (does a candidate statement
speak to the theme) and its threshold (best F1 on train), the polarity model (strength,
weakness or neutral, from the words of the train gold sentences), the claim pairing model
(is a candidate the supporting sentence) and its threshold (best share of train claims
answered right: supported with the right sentence, or unsupported and flagged). The test
split is never read here; bench/views_eval.py reports it. Same data, same bytes.

`--folds FOLDER=GROUP,...` (as bench/train.py): the reranker's logits for a group's sentences
come from weights fine-tuned without that group, so the models learn from scores like those
it gives a library it never saw.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parent))

from devsets import groups, index, norm
from train import fit, reranker_folds

from qa import store
from qa.claims import claim_council, claims_in, support_candidates
from qa.config import Settings
from qa.judgements import Quote
from qa.timeline import candidates as timeline_candidates
from qa.view_models import (
    BUNDLED,
    CLAIM_FEATURES,
    POLARITIES,
    TIMELINE_FEATURES,
    Polarity,
    ViewModels,
    polarity_terms,
)

VIEWS = Path(__file__).resolve().parent / "views"
MIN_TERM_COUNT = 2


def same_sentence(gold: str, text: str) -> bool:
    """A gold sentence (from a source line) and a statement (from the rendered document) are
    the same when either holds the other, compared without case or spacing."""
    a, b = norm(gold), norm(text)
    return bool(a and b) and (a in b or (b in a and len(b.split()) >= 5))


def stem(doc: str) -> str:
    return Path(doc).stem


def is_gold_text(doc: str, text: str, gold: list[dict[str, Any]]) -> bool:
    """Whether `text`, a statement of document `doc`, is one of the gold sentences ({doc, text})."""
    return any(stem(doc) == g["doc"] and same_sentence(str(g["text"]), text) for g in gold)


def is_gold(quote: Quote, gold: list[dict[str, Any]]) -> bool:
    """Whether a quoted statement is one of the gold sentences ({doc, text})."""
    return is_gold_text(quote.doc, quote.text, gold)


def load_gold(name: str, split: str, only: list[str] | None = None) -> list[dict[str, Any]]:
    """The gold items of a split's groups (of `only` those, when given)."""
    wanted = set(groups(split)) & set(only or groups(split))
    lines = (VIEWS / name).read_text(encoding="utf-8").splitlines()
    return [d for d in map(json.loads, filter(str.strip, lines)) if d["group"] in wanted]


def timeline_data(
    snap: store.Snapshot, gold: list[dict[str, Any]], settings: Settings, folds: dict[str, Settings]
) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = [], []
    for item in gold:
        sentences = list(item["sentences"])
        fold = folds.get(str(item["group"]), settings)
        for _, found in timeline_candidates(snap, str(item["theme"]), str(item["council"]), fold):
            for c in found:
                xs.append(c.features)
                ys.append(is_gold(c.quote, sentences))
    return np.array(xs, dtype=np.float64).reshape(len(xs), len(TIMELINE_FEATURES)), np.array(ys, dtype=bool)


def best_f1_threshold(p: np.ndarray, y: np.ndarray) -> float:
    best, choice = -1.0, 0.5
    for t in np.unique(np.round(p, 3)):
        chosen = p >= t
        tp = float(np.sum(chosen & y))
        f1 = 2 * tp / (chosen.sum() + y.sum()) if chosen.sum() + y.sum() else 0.0
        if f1 > best:
            best, choice = f1, float(t)
    return choice


def fit_polarity(gold: list[dict[str, Any]]) -> Polarity:
    texts, labels = [], []
    for item in gold:
        for s in item["sentences"]:
            texts.append(str(s["text"]))
            labels.append(str(s["polarity"]))
    counts: dict[str, int] = {}
    for t in texts:
        for term in set(polarity_terms(t)):
            counts[term] = counts.get(term, 0) + 1
    vocab = sorted(t for t, n in counts.items() if n >= MIN_TERM_COUNT)
    column = {t: n for n, t in enumerate(vocab)}
    x = np.zeros((len(texts), len(vocab)))
    for i, t in enumerate(texts):
        for term in set(polarity_terms(t)):
            if term in column:
                x[i, column[term]] = 1.0
    lr = LogisticRegression(C=1.0, max_iter=5000).fit(x, labels)
    classes = tuple(str(c) for c in lr.classes_)
    assert set(classes) <= set(POLARITIES), classes
    coef = lr.coef_
    return Polarity(
        classes,
        {t: tuple(round(float(coef[k, n]), 6) for k in range(len(classes))) for t, n in column.items()},
        tuple(round(float(b), 6) for b in lr.intercept_),
    )


def claims_data(
    snap: store.Snapshot, gold: list[dict[str, Any]], settings: Settings, folds: dict[str, Settings]
) -> list[tuple[np.ndarray, np.ndarray, bool]]:
    """Per gold claim found in its document: (candidate features, which candidates are a gold
    support, whether the claim is supported)."""
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for item in gold:
        by_doc.setdefault(str(item["doc"]), []).append(item)
    out = []
    for doc in sorted(d for d in snap.manifest.files if stem(d) in by_doc):
        facts = snap.facts.get(doc)
        for claim in claims_in(snap, doc):
            matches = [g for g in by_doc[stem(doc)] if same_sentence(str(g["claim"]), claim.text)]
            if not matches:
                continue
            item = matches[0]
            supports = list(item["support"])
            fold = folds.get(str(item["group"]), settings)
            found, features = support_candidates(snap, claim, claim_council(claim.text, facts), fold)
            labels = np.array([is_gold(q, supports) for q in found], dtype=bool)
            out.append((features, labels, bool(supports)))
    return out


def best_claim_threshold(data: list[tuple[np.ndarray, np.ndarray, bool]], p: list[np.ndarray]) -> float:
    best, choice = -1.0, 0.5
    for t in np.unique(np.round(np.concatenate([q for q in p if len(q)]), 3)):
        right = 0
        for (_, labels, supported), q in zip(data, p, strict=True):
            if not len(q) or q.max() < t:
                right += not supported
            else:
                right += supported and bool(labels[int(np.argmax(q))])
        if right > best:
            best, choice = right, float(t)
    return choice


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(BUNDLED))
    ap.add_argument("--folds", nargs="*", default=[], metavar="FOLDER=GROUP,GROUP")
    ap.add_argument(
        "--groups",
        nargs="*",
        help="fit on these train groups only, to validate on the others (views_eval.py --groups)",
    )
    args = ap.parse_args(argv)
    if unknown := set(args.groups or ()) - set(groups("train")):
        ap.error(f"no such train group: {', '.join(sorted(unknown))}")
    began = time.perf_counter()
    settings = Settings()
    folds = reranker_folds(args.folds, settings)
    snap = store.load(index("train", settings))

    timeline_gold = load_gold("timeline.jsonl", "train", args.groups)
    x, y = timeline_data(snap, timeline_gold, settings, folds)
    timeline = fit(x, y, TIMELINE_FEATURES, set())
    timeline_min = best_f1_threshold(timeline.probability(x), y)
    print(f"timeline: {len(y)} candidates, {int(y.sum())} gold; keep p >= {timeline_min}", flush=True)
    polarity = fit_polarity(timeline_gold)
    print(f"polarity: {len(polarity.terms)} terms", flush=True)

    claims_gold = load_gold("claims.jsonl", "train", args.groups)
    data = claims_data(snap, claims_gold, settings, folds)
    rows = [(f, lab) for f, lab, _ in data if len(lab)]
    claims = fit(
        np.vstack([f for f, _ in rows]), np.concatenate([lab for _, lab in rows]), CLAIM_FEATURES, set()
    )
    claims_min = best_claim_threshold(data, [claims.probability(f) for f, _, _ in data])
    print(
        f"claims: {len(data)} claims found of {len(claims_gold)}; supported when p >= {claims_min}",
        flush=True,
    )

    ViewModels(
        timeline,
        round(timeline_min, 6),
        polarity,
        claims,
        round(claims_min, 6),
        {
            "split": "train",
            "groups": [g for g in groups("train") if g in (args.groups or groups("train"))],
            "gold": ["bench/views/timeline.jsonl", "bench/views/claims.jsonl"],
            "reranker folds": sorted(args.folds),
        },
    ).save(Path(args.out))
    print(f"wrote {args.out} in {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
