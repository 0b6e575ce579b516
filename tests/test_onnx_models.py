"""qa.onnx_models: the int8 ONNX embedder and reranker against the PyTorch models they come from."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from qa.embedding import Embedder, model_path
from qa.errors import QAError
from qa.onnx_models import cache_root, exported, weights_key
from qa.reranker import WEIGHTS, Reranker

pytestmark = pytest.mark.slow

MODEL = "sentence-transformers/all-MiniLM-L6-v2"
TEXTS = [
    "Social workers receive regular supervision that helps them reflect on their work.",
    "Caseloads are too high in the assessment teams.",
    "ok",
    "The local authority has improved the timeliness of its initial child protection conferences "
    "since the last inspection, and leaders now have an accurate view of practice across the service.",
]


def test_int8_vectors_stay_close_to_pytorch_ones_for_any_batch() -> None:
    plain = Embedder(MODEL, encoder="torch")
    fast = Embedder(MODEL, encoder="onnx-int8")
    together = fast.encode(TEXTS)
    assert together.shape == (4, 384) and together.dtype == np.float32
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    cosines = (plain.encode(TEXTS) * together).sum(axis=1)
    # Sentences keep 0.99; a two-letter text, all special tokens but one, drifts most.
    assert cosines.min() > 0.95 and np.median(cosines) > 0.985, cosines
    # One at a time (no padding) gives the same vectors as in a padded batch.
    alone = np.stack([fast.encode([t])[0] for t in TEXTS])
    assert np.allclose(alone, together, atol=1e-4)


def test_int8_reranker_orders_pairs_as_pytorch_does() -> None:
    question = "what did inspectors say about supervision"
    plain = Reranker(WEIGHTS, "torch").score(question, TEXTS)
    fast = Reranker(WEIGHTS, "onnx-int8").score(question, TEXTS)
    assert np.argmax(fast) == np.argmax(plain) == 0
    assert np.corrcoef(plain, fast)[0, 1] > 0.99
    assert np.abs(plain - fast).max() < 0.5


def test_export_is_cached_by_weights_and_made_once(tmp_path: Path) -> None:
    folder = tmp_path / "weights"
    shutil.copytree(model_path(MODEL), folder)
    cache = tmp_path / "cache"
    first = exported(folder, "embedder", cache)
    stamp = first.stat().st_mtime_ns
    assert exported(folder, "embedder", cache) == first and first.stat().st_mtime_ns == stamp
    # Nothing half-written is left beside the model.
    assert sorted(p.suffix for p in cache.iterdir()) == [".lock", ".onnx"]
    # Other weights are another model.
    (folder / "config.json").write_text((folder / "config.json").read_text() + "\n")
    assert weights_key(folder, "embedder") not in first.name


def test_a_folder_without_weights_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(QAError, match=r"no model\.safetensors"):
        exported(tmp_path, "reranker", tmp_path / "cache")


def test_the_cache_follows_the_setting_then_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert cache_root(str(tmp_path)) == tmp_path
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root("") == tmp_path / "xdg" / "inspection-qa"


def test_statement_vectors_are_remembered_and_equal_to_fresh_ones() -> None:
    embedder = Embedder(MODEL)
    first = embedder.encode_cached(TEXTS[:2])
    assert np.array_equal(first, embedder.encode(TEXTS[:2]))
    assert set(embedder._statements) == set(TEXTS[:2])
    again = embedder.encode_cached([TEXTS[1], TEXTS[0], TEXTS[1]])
    assert np.array_equal(again, first[[1, 0, 1]])
    assert embedder.encode_cached([]).shape == (0, 384)
