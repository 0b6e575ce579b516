"""Speed and memory, each figure beside a baseline measured in the same run.

    python bench/speed.py [--documents 1000] [--reports 40]

1. The encoders on exactly the same passage texts: the default (ONNX Runtime, int8) beside
   plain PyTorch (batches of 8 and of 32, the faster taken) and PyTorch's dynamic int8.
   Target: the default >= 2x plain PyTorch.
2. Index throughput: `build_index` on a fresh folder of reports (passages/s), beside the
   default encoder's raw rate on the same passages: how much of its speed the pipeline keeps.
3. Adding one report to an index of N documents, beside indexing that report alone.
4. A command-line call (`qa search`, `qa ask`, fresh processes) on the shipped corpus.
   Target <= 3 s.
5. Peak resident memory of the process.

Reports are made from the shipped corpus's sentences, shuffled into new documents, so the
text is realistic English of the right kind. The model is loaded before any timing.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import qa  # noqa: E402
from qa import store  # noqa: E402
from qa.chunking import sentence_spans  # noqa: E402
from qa.config import Settings  # noqa: E402
from qa.documents import discover, load_document  # noqa: E402
from qa.embedding import Embedder  # noqa: E402


def sentences() -> list[str]:
    out = []
    for path in discover(ROOT / "documents"):
        doc = load_document(path, ROOT / "documents", Settings())
        for page in doc.pages:
            out += [" ".join(page.text[a:b].split()) for a, b in sentence_spans(page.text)]
    return [s for s in out if len(s.split()) >= 6]


def write_reports(folder: Path, count: int, words: int, rng: random.Random, pool: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        paragraphs, total = [], 0
        while total < words:
            para = " ".join(rng.choice(pool) for _ in range(rng.randint(2, 5)))
            paragraphs.append(para)
            total += len(para.split())
        (folder / f"report-{i:05d}.txt").write_text(f"Report {i}\n\n" + "\n\n".join(paragraphs))


def rate(embedder: Embedder, texts: list[str]) -> float:
    """Passages per second of `embedder` on `texts`, model loaded and warmed up first."""
    embedder.encode(["warm up the model"] * 8)
    t0 = time.perf_counter()
    embedder.encode(texts)
    return len(texts) / (time.perf_counter() - t0)


def command_line(repeats: int = 5) -> None:
    """Median wall time of `qa search` and `qa ask` in fresh processes on the shipped corpus."""
    qa_bin = Path(sys.executable).with_name("qa")
    with tempfile.TemporaryDirectory() as tmp:
        index = Path(tmp) / "index"
        qa.build_index(ROOT / "documents", index)
        for verb in ("search", "ask"):
            times = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                subprocess.run(
                    [
                        str(qa_bin),
                        verb,
                        "what did ofsted say about supervision",
                        "--index",
                        str(index),
                        "--json",
                    ],
                    check=True,
                    capture_output=True,
                )
                times.append(time.perf_counter() - t0)
            print(f"qa {verb:<6} (command line)    {statistics.median(times):8.2f} s   (target <= 3)")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", type=int, default=1000, help="size of the large index")
    parser.add_argument("--reports", type=int, default=40, help="reports for the throughput test")
    args = parser.parse_args()
    rng = random.Random(1)
    pool = sentences()
    settings = Settings.from_env()
    embedder = Embedder.shared(settings)
    embedder.encode(["warm up the model"] * 8)

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        docs = root / "throughput"
        write_reports(docs, args.reports, 700, rng, pool)
        t0 = time.perf_counter()
        report = qa.build_index(docs, root / "i1", settings=settings)
        index_s = time.perf_counter() - t0
        texts = [c.text for c in store.load(root / "i1").chunks]
        print(f"passages                    {report.passages}")
        encode_rate = rate(embedder, texts)
        plain = {
            batch: rate(Embedder(settings.model, encoder="torch", batch_size=batch), texts)
            for batch in (8, 32)
        }
        best = max(plain.values())
        for batch, value in plain.items():
            print(f"plain PyTorch, batch {batch:<3}    {value:8.1f} passages/s")
        int8 = rate(Embedder(settings.model, encoder="torch-int8"), texts)
        print(f"PyTorch dynamic int8        {int8:8.1f} passages/s")
        print(
            f"default ({settings.encoder:<9})         {encode_rate:8.1f} passages/s  "
            f"({encode_rate / best:.2f}x the faster plain PyTorch; target >= 2)"
        )
        index_rate = report.passages / index_s
        print(f"build_index (whole)         {index_rate:8.1f} passages/s")
        print(f"throughput ratio            {index_rate / encode_rate:8.2f}   (target >= 0.85)")

        big = root / "big"
        write_reports(big, args.documents, 90, rng, pool)
        t0 = time.perf_counter()
        built = qa.build_index(big, root / "i2", settings=settings)
        big_s = time.perf_counter() - t0
        print(f"\nindex of {args.documents} documents    {built.passages} passages in {big_s:.1f} s")
        new = root / "new"
        write_reports(new, 1, 700, rng, pool)
        report_file = next(new.iterdir())
        t0 = time.perf_counter()
        alone = qa.build_index(new, root / "i3", settings=settings)
        alone_s = time.perf_counter() - t0
        (big / "added-report.txt").write_bytes(report_file.read_bytes())
        t0 = time.perf_counter()
        added = qa.build_index(big, root / "i2", settings=settings)
        add_s = time.perf_counter() - t0
        assert added.added == ["added-report.txt"] and added.passages_embedded == alone.passages
        print(f"index one report alone      {alone_s * 1000:8.0f} ms ({alone.passages} passages)")
        print(f"add it to the large index   {add_s * 1000:8.0f} ms")
        print(f"add cost ratio              {add_s / alone_s:8.2f}   (target <= 2)")
    print()
    command_line()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak resident memory        {peak:8.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
