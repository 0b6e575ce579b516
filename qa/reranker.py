"""The reranker: a cross-encoder that reads a question and a sentence together.

In: loading the weights in qa/reranker/ (fine-tuned from the bundled all-MiniLM-L6-v2 by
bench/train_reranker.py on the development set's train split, stored in half precision) on
first use, and scoring (question, text) pairs as logits, a feature of the sentence model.
Runtimes: "onnx-int8" (the default, exported and quantised by qa.onnx_models) or "torch".
Out: fitting (bench/train_reranker.py); how its score is weighed (qa/model.json).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from qa.errors import QAError
from qa.onnx_models import OnnxModel, cache_root, exported

log = logging.getLogger(__name__)
WEIGHTS = Path(__file__).with_name("reranker")
MAX_TOKENS = 128
# Scores kept for pairs already seen: search's reranking and the answer read the same sentences.
MEMO_PAIRS = 4096
# Small batches of length-sorted pairs pad least: 16 was the fastest of 8-128 for ~100 pairs.
BATCH = 16
RUNTIMES = ("onnx-int8", "torch")


class Reranker:
    """Scores pairs with the cross-encoder in `folder`; one shared instance per folder."""

    _shared: ClassVar[dict[str, Reranker]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, folder: Path = WEIGHTS, runtime: str = "onnx-int8", cache: str = "") -> None:
        if runtime not in RUNTIMES:
            raise QAError(f"unknown reranker runtime {runtime!r}; use one of {', '.join(RUNTIMES)}")
        self.folder = folder
        self.runtime = runtime
        self.cache = cache
        self._model: Any = None
        self._memo: dict[tuple[str, str], float] = {}

    @classmethod
    def shared(cls, folder: Path = WEIGHTS, runtime: str = "onnx-int8", cache: str = "") -> Reranker:
        with cls._lock:
            key = f"{folder}|{runtime}|{cache}"
            if key not in cls._shared:
                cls._shared[key] = cls(folder, runtime, cache)
            return cls._shared[key]

    @classmethod
    def forget_all(cls) -> None:
        """Drop every remembered score: the benchmarks time each call from cold."""
        with cls._lock:
            for reranker in cls._shared.values():
                reranker._memo.clear()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                if not (self.folder / "config.json").is_file():
                    raise QAError(
                        f"the reranker weights are missing from {self.folder}; fit them with "
                        "bench/train_reranker.py"
                    )
                if self.runtime == "onnx-int8":
                    onnx = exported(self.folder, "reranker", cache_root(self.cache))
                    log.info("loading reranker %s (ONNX int8)", self.folder)
                    self._model = OnnxModel(onnx, self.folder, MAX_TOKENS)
                    return self._model
                import torch
                from sentence_transformers import CrossEncoder

                log.info("loading reranker %s", self.folder)
                # Stored in half precision to keep the repository small; run in full precision.
                model = CrossEncoder(
                    str(self.folder),
                    num_labels=1,
                    max_length=MAX_TOKENS,
                    device="cpu",
                    model_kwargs={"dtype": torch.float32},
                )
                model.model.to(torch.float32)
                model.model.eval()
                self._model = model
            return self._model

    def score(self, question: str, texts: list[str]) -> np.ndarray:
        """Logits, higher for a text that answers `question` (one per text); a pair scored
        before is not scored again."""
        seen = {t: self._memo.get((question, t)) for t in texts}  # .get: safe beside another thread
        known = {t: v for t, v in seen.items() if v is not None}
        # Sorted by length, so that each batch pads to a similar size: the same scores, sooner.
        new = sorted((t for t in dict.fromkeys(texts) if t not in known), key=len)
        if new:
            out = self._logits([(question, t) for t in new])
            known.update(zip(new, out.tolist(), strict=True))
            if len(self._memo) + len(new) > MEMO_PAIRS:
                self._memo.clear()
            self._memo.update(((question, t), known[t]) for t in new)
        return np.array([known[t] for t in texts], dtype=np.float64)

    def _logits(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        model = self._load()
        if isinstance(model, OnnxModel):
            return np.concatenate([model.logits(pairs[i : i + BATCH]) for i in range(0, len(pairs), BATCH)])
        out = model.predict(pairs, batch_size=BATCH, show_progress_bar=False, activation_fn=_identity())
        return np.asarray(out, dtype=np.float64).reshape(len(pairs))


def _identity() -> Any:
    import torch

    return torch.nn.Identity()
