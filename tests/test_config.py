from __future__ import annotations

from pathlib import Path

import pytest

from qa.config import Settings
from qa.errors import QAError


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QA_CHUNK_MAX_WORDS", "90")
    monkeypatch.setenv("QA_DENSE_WEIGHT", "0.6")
    monkeypatch.setenv("QA_RERANK_POOL", "60")
    monkeypatch.setenv("QA_SCORER", "/tmp/refit/model.json")
    monkeypatch.setenv("QA_INDEX", "/tmp/elsewhere")
    monkeypatch.setenv("QA_ENCODER", "torch-int8")
    s = Settings.from_env(documents="docs")
    assert s.chunk_max_words == 90 and s.dense_weight == 0.6
    assert s.rerank_pool == 60 and s.scorer == "/tmp/refit/model.json"
    assert s.index == Path("/tmp/elsewhere") and s.documents == Path("docs")
    assert s.embedder_id.endswith("+torch-int8")
    assert s.chunking()["chunk_max_words"] == 90


def test_bad_number_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QA_K", "five")
    with pytest.raises(QAError, match="QA_K"):
        Settings.from_env()
