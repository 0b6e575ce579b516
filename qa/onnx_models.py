"""The embedder and the reranker run by ONNX Runtime, quantised to int8: fast, and no torch at
query time.

In: exporting a model folder's weights to ONNX on this machine (torch, once), quantising its
linear layers to int8 per channel (ONNX Runtime's own `quantize_dynamic`), keeping the result
in a cache keyed by the weights' hash; running it with the folder's own tokenizer.json.
Out: which runtime a setting picks (qa.embedding, qa.reranker); the models' training.

`exported(folder, "embedder")` -> path of the int8 model (made if missing, atomically, under a
file lock so two processes do not export the same model twice).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
import warnings
from pathlib import Path
from typing import Any, Literal

import numpy as np

from qa.errors import QAError

log = logging.getLogger(__name__)
Kind = Literal["embedder", "reranker"]
# Bumped when the export or the quantisation changes, so that cached models are made again.
EXPORT_VERSION = 1
OPSET = 17
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def cache_root(configured: str = "") -> Path:
    """Where exported models are kept: the setting, else $XDG_CACHE_HOME/inspection-qa."""
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "inspection-qa"


def weights_key(folder: Path, kind: Kind) -> str:
    """A hash of what the exported model depends on: the weights, the config, the export code."""
    digest = hashlib.sha256(f"{kind}/{EXPORT_VERSION}/{OPSET}".encode())
    for name in ("config.json", "model.safetensors", "tokenizer.json"):
        path = folder / name
        if not path.is_file():
            raise QAError(f"{folder} has no {name}: not a model folder that can be exported")
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:20]


def exported(folder: Path, kind: Kind, cache: Path) -> Path:
    """The int8 ONNX model of `folder`, exported and quantised into `cache` on first use."""
    target = cache / f"{kind}-{weights_key(folder, kind)}.onnx"
    if target.is_file():
        return target
    from filelock import FileLock

    cache.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):
        if target.is_file():  # another process made it while this one waited
            return target
        log.info("exporting %s (%s) to ONNX int8 in %s", folder, kind, cache)
        with tempfile.TemporaryDirectory(dir=cache) as tmp:
            plain = Path(tmp) / "model.onnx"
            _export(folder, kind, plain)
            quantised = Path(tmp) / "model-int8.onnx"
            _quantise(plain, quantised)
            os.replace(quantised, target)
    return target


def _export(folder: Path, kind: Kind, out: Path) -> None:
    import torch
    from transformers import AutoModel, AutoModelForSequenceClassification, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    if kind == "embedder":
        base = AutoModel.from_pretrained(str(folder), dtype=torch.float32)
    else:
        base = AutoModelForSequenceClassification.from_pretrained(str(folder), dtype=torch.float32)
    base = base.float().eval()
    wrapped = _keyword_model(base, kind).eval()
    # Two texts of different lengths, so the traced graph pads and masks as it will when served.
    sample = tokenizer(
        ["a short text", "a rather longer text about the supervision of social workers"],
        padding=True,
        return_tensors="pt",
    )
    axes: dict[str, dict[int, str]] = {name: {0: "batch", 1: "tokens"} for name in INPUTS}
    axes["output"] = {0: "batch", 1: "tokens"} if kind == "embedder" else {0: "batch"}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            wrapped,
            tuple(sample[name] for name in INPUTS),
            str(out),
            input_names=list(INPUTS),
            output_names=["output"],
            dynamic_axes=axes,
            opset_version=OPSET,
            dynamo=False,
        )


def _quantise(plain: Path, out: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    logging.getLogger("root").setLevel(logging.ERROR)  # its advice to pre-process is for CNNs
    quantize_dynamic(str(plain), str(out), weight_type=QuantType.QInt8, per_channel=True)


def _keyword_model(model: Any, kind: Kind) -> Any:
    """`model` wrapped so that the export passes its inputs by name and sees one output: the
    token states (embedder) or the single logit (reranker)."""
    import torch

    class Wrapped(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            out = self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )
            return out.last_hidden_state if kind == "embedder" else out.logits[:, 0]

    return Wrapped()


class OnnxModel:
    """An exported model and its tokenizer; `embed` for the embedder, `logits` for the reranker."""

    def __init__(self, onnx_path: Path, folder: Path, max_tokens: int) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = max(1, os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(
            str(onnx_path), options, providers=["CPUExecutionProvider"]
        )
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_tokens)
        pad = self.tokenizer.token_to_id("[PAD]")
        self.tokenizer.enable_padding(pad_id=0 if pad is None else pad, pad_token="[PAD]")
        self.dimension = int(json.loads((folder / "config.json").read_text())["hidden_size"])
        self._lock = threading.Lock()

    def _run(self, encodings: list[Any]) -> tuple[np.ndarray, np.ndarray]:
        feed = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        out = self.session.run(None, feed)[0]
        return np.asarray(out, dtype=np.float32), feed["attention_mask"]

    def embed(self, texts: list[str]) -> np.ndarray:
        """Mean-pooled, unit-length vectors (the sentence-transformers recipe of this model).

        One text per run: int8 activations are scaled per run, so a text batched with others
        would get a vector that depends on its neighbours (and an incremental index would
        differ from a full rebuild). Without padding this costs nothing on passages.
        """
        with self._lock:  # the tokenizer's padding settings are shared state
            encodings = [self.tokenizer.encode(t) for t in texts]
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for n, encoding in enumerate(encodings):
            hidden, _ = self._run([encoding])
            out[n] = hidden[0].mean(axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        unit: np.ndarray = (out / np.clip(norms, 1e-12, None)).astype(np.float32)
        return unit

    def logits(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        """One logit per (question, text) pair. Pairs are run in batches (a third faster than
        one by one for ~100 pairs); a logit moves with its batch-mates, by 0.02 on average
        (0.09 at most, against a spread of 0.8) on 96 pairs measured."""
        with self._lock:
            encodings = self.tokenizer.encode_batch(pairs)
        out, _ = self._run(encodings)
        return out.reshape(len(pairs)).astype(np.float64)


def max_tokens(folder: Path, default: int) -> int:
    """The sequence limit a sentence-transformers folder declares (sentence_bert_config.json)."""
    config = folder / "sentence_bert_config.json"
    if config.is_file():
        value = json.loads(config.read_text()).get("max_seq_length")
        if isinstance(value, int) and value > 0:
            return value
    return default
