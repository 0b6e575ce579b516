"""How cost grows with the corpus: 1k, 10k, 100k and 1M passages through the real index code.

    python bench/scale.py [--sizes 1000,10000,100000,1000000] [--queries 60]

Passages are realistic English: sentences of the shipped corpus recombined into ~100-word
passages over many synthetic documents. Encoding a million passages would take nine hours
here, so each passage's vector is made from the real embeddings of its sentences (their
normalised sum plus a little noise); everything after that (FAISS, BM25, manifest, loading,
hybrid search with the model encoding each question) is the product's own code.

For each size, in a fresh child process so memory figures are its own: build time and
passages/s, size on disk, resident memory after load, query latency p50/p95 of qa's hybrid
search (retrieval and passage model; the p50 with the reranker's second look beside it),
for an approximate index the recall@10 of its dense search (quantised graph, exact
re-scoring) against exact search, and the time to write the generation that adds one
20-passage report (grown from the previous one) beside writing that report alone.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def build(size: int, workdir: Path) -> dict[str, float]:
    """Make the corpus and write its index into workdir/index; vectors kept for recall."""

    from qa import store
    from qa.chunking import Chunk, chunk_id, sentence_spans
    from qa.config import Settings
    from qa.documents import discover, load_document
    from qa.embedding import Embedder
    from qa.lexical import Lexical
    from qa.store import FileRecord, Manifest

    settings = Settings.from_env()
    embedder = Embedder.shared(settings)
    pool: list[str] = []
    for path in discover(ROOT / "documents"):
        doc = load_document(path, ROOT / "documents", settings)
        for page in doc.pages:
            pool += [" ".join(page.text[a:b].split()) for a, b in sentence_spans(page.text)]
    pool = [s for s in pool if len(s.split()) >= 6]
    pool_vecs = embedder.encode(pool)
    rng = np.random.default_rng(size)
    per_doc = 20
    chunks: list[Chunk] = []
    vectors = np.zeros((size, pool_vecs.shape[1]), dtype=np.float32)
    files: dict[str, FileRecord] = {}
    for n in range(size):
        picks = rng.choice(len(pool), size=int(rng.integers(3, 7)), replace=False)
        text = " ".join(pool[i] for i in picks)
        v = pool_vecs[picks].sum(axis=0) + rng.normal(0, 0.05, pool_vecs.shape[1])
        vectors[n] = v / np.linalg.norm(v)
        name = f"report-{n // per_doc:06d}.txt"
        chunks.append(Chunk(chunk_id(name, None, n, n + len(text)), name, None, "", n, n + len(text), text))
    for d in sorted({c.doc for c in chunks}):
        files[d] = FileRecord(d, "0" * 64, 0, 0, "indexed", title=d, passages=per_doc)
    manifest = Manifest(
        model=settings.embedder_id,
        dimension=vectors.shape[1],
        chunking=settings.chunking(),
        files=files,
        passages=size,
        index_type=store.index_type_for(size, settings.hnsw_threshold),
    )
    index = workdir / "index"
    index.mkdir()
    t0 = time.perf_counter()
    first = store.write_generation(index, manifest, chunks, vectors)
    build_s = time.perf_counter() - t0
    disk = sum(p.stat().st_size for p in index.rglob("*") if p.is_file())
    # One more report of `per_doc` passages: written as a new generation grown from this one,
    # beside a generation of that report alone.
    extra = [
        Chunk(chunk_id("added.txt", None, n, n + 1), "added.txt", None, "", n, n + 1, chunks[n].text)
        for n in range(per_doc)
    ]
    extra_vecs = vectors[:per_doc] * 0.9 + 0.1 * vectors[per_doc : 2 * per_doc]
    extra_vecs /= np.linalg.norm(extra_vecs, axis=1, keepdims=True)
    files["added.txt"] = FileRecord("added.txt", "1" * 64, 0, 0, "indexed", title="added", passages=per_doc)
    grown = replace(manifest, files=files, passages=size + per_doc)
    t0 = time.perf_counter()
    store.write_generation(index, grown, chunks + extra, np.vstack([vectors, extra_vecs]), previous=first)
    add_s = time.perf_counter() - t0
    alone = replace(manifest, files={"added.txt": files["added.txt"]}, passages=per_doc, index_type="flat")
    t0 = time.perf_counter()
    (workdir / "alone").mkdir()
    store.write_generation(workdir / "alone", alone, extra, extra_vecs)
    alone_s = time.perf_counter() - t0
    np.save(workdir / "vectors.npy", np.vstack([vectors, extra_vecs]))
    # What of the add is BM25: it is built again from every passage's text.
    t0 = time.perf_counter()
    Lexical.build([c.text for c in chunks + extra])
    bm25_s = time.perf_counter() - t0
    return {
        "bm25_s": bm25_s,
        "passages": size,
        "build_s": build_s,
        "per_s": size / build_s,
        "disk_mb": disk / 2**20,
        "add_s": add_s,
        "alone_s": alone_s,
    }


def measure(workdir: Path, queries: int) -> dict[str, float | str]:
    """Load the index in a fresh process and query it as the product does."""
    import faiss

    from qa import store
    from qa.config import Settings
    from qa.embedding import Embedder
    from qa.query import plan
    from qa.search import dense_scores, rank

    settings = Settings.from_env()
    embedder = Embedder.shared(settings)
    embedder.encode(["load the model first"])
    before = rss_mb()
    snap = store.load(workdir / "index")
    after = rss_mb()
    rng = np.random.default_rng(0)

    questions = [
        json.loads(line)["question"]
        for line in (ROOT / "bench" / "questions_extra.jsonl").open()
        if "question" in json.loads(line)
    ]
    questions += ["What did Ofsted say about supervision?", "caseloads of social workers", "agency staff"]
    # Timed as the product searches: the question read once, then ranked; "search" is the
    # retrieval and the passage model (what grows with the corpus), "full" adds the second
    # look, whose cost (the reranker reading ~100 statements) does not depend on the corpus.
    retrieval = settings.replace(rerank_passages=0)
    times: dict[str, list[float]] = {"search": [], "full": []}
    for name, chosen in (("search", retrieval), ("full", settings)):
        rank(snap, plan("warm up", None, snap.councils), 5, chosen)
        for i in range(queries if name == "search" else max(5, queries // 4)):
            q = questions[i % len(questions)] + ("" if i < len(questions) else f" {i}")
            t = time.perf_counter()
            rank(snap, plan(q, None, snap.councils), 5, chosen)
            times[name].append((time.perf_counter() - t) * 1000)

    recall = 1.0
    if snap.manifest.index_type != "flat":
        vectors = np.load(workdir / "vectors.npy")
        size = len(vectors)
        exact = faiss.IndexFlatIP(vectors.shape[1])
        exact.add(vectors)
        probe = np.vstack([embedder.encode(questions), vectors[rng.choice(size, 100)] + 0.02])
        probe /= np.linalg.norm(probe, axis=1, keepdims=True)
        _, truth = exact.search(probe, 10)
        # The product's dense search: the quantised graph's candidates, scored again exactly.
        got = [np.argsort(-dense_scores(snap, q, 10, None, settings), kind="stable")[:10] for q in probe]
        recall = float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(truth, got, strict=True)]))
    return {
        "index": snap.manifest.index_type,
        "rss_mb": after,
        "load_mb": after - before,
        "p50_ms": float(np.percentile(times["search"], 50)),
        "p95_ms": float(np.percentile(times["search"], 95)),
        "full_p50_ms": float(np.percentile(times["full"], 50)),
        "recall10": recall,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--build", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        print(json.dumps(build(args.build, args.workdir)))
        return 0
    if args.measure:
        print(json.dumps(measure(args.workdir, args.queries)))
        return 0
    print(
        f"{'passages':>9} {'index':>5} {'build s':>8} {'pass/s':>8} {'disk MB':>8} {'RSS MB':>7} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'recall@10':>9} {'add 1 s':>8} {'alone s':>8} {'full p50':>8}"
    )
    results: dict[int, dict[str, object]] = {}
    for size in (int(s) for s in args.sizes.split(",")):
        r: dict[str, object] = {"passages": size}
        results[size] = r
        with tempfile.TemporaryDirectory() as tmp:
            for step in (["--build", str(size)], ["--measure"]):
                out = subprocess.run(
                    [sys.executable, __file__, *step, "--workdir", tmp, "--queries", str(args.queries)],
                    capture_output=True,
                    text=True,
                )
                if out.returncode != 0:
                    r["failed"] = (out.stderr.strip().splitlines() or ["?"])[-1]
                    break
                r.update(json.loads(out.stdout.strip().splitlines()[-1]))
        if "failed" in r:
            print(f"{size:>9} failed: {r['failed']}")
            continue
        print(
            f"{r['passages']:>9} {r['index']:>5} {r['build_s']:>8.1f} {r['per_s']:>8.0f} "
            f"{r['disk_mb']:>8.0f} {r['rss_mb']:>7.0f} {r['p50_ms']:>7.1f} {r['p95_ms']:>7.1f} "
            f"{r['recall10']:>9.3f} {r['add_s']:>8.1f} {r['alone_s']:>8.2f} {r['full_p50_ms']:>8.0f}",
            flush=True,
        )
    for size, r in results.items():
        if "bm25_s" in r:
            print(f"{size:>9}: of adding a report, BM25 rebuilt from every passage: {r['bm25_s']:.1f} s")
    print_targets(results)
    return 0


def print_targets(results: dict[int, dict[str, object]]) -> None:
    """The issue's targets beside the figures, with the known cause where one is missed."""

    def check(label: str, value: object, limit: float, unit: str, below: bool = True, why: str = "") -> None:
        if not isinstance(value, float | int):
            return
        met = value <= limit if below else value >= limit
        verdict = "met" if met else f"NOT met{': ' + why if why else ''}"
        shown = f"{value:8.3f}" if not unit else f"{value:8.1f}"
        print(f"{label:38} {shown} {unit:3} ({'<=' if below else '>='} {limit:g}) {verdict}")

    print()
    check("p95 at 100k passages", results.get(100_000, {}).get("p95_ms"), 100, "ms")
    check("p95 at 1M passages", results.get(1_000_000, {}).get("p95_ms"), 250, "ms")
    check(
        "resident memory at 1M passages",
        results.get(1_000_000, {}).get("rss_mb"),
        2500,
        "MB",
    )
    big = results.get(1_000_000, {})
    add_s, alone_s = big.get("add_s"), big.get("alone_s")
    if isinstance(add_s, float) and isinstance(alone_s, float):
        ratio = add_s / alone_s
        check("adding a report at 1M / writing it alone", ratio, 5, "", why="see docs/SCALING.md")
    for size, r in results.items():
        if r.get("index") == "hnsw":
            check(f"recall@10 vs exact at {size:,}", r.get("recall10"), 0.98, "", below=False)


if __name__ == "__main__":
    sys.exit(main())
