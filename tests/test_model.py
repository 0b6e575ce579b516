"""qa.model: the logistic scorers, their JSON file, and the bundled qa/model.json.

Nothing here depends on the learned weights: bench/train.py may refit them at any time.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from qa import model
from qa.config import Settings
from qa.errors import QAError
from qa.features import ANSWER_FEATURES, PASSAGE_FEATURES, RERANK_FEATURES, SENTENCE_FEATURES
from qa.model import BUNDLED, FORMAT_VERSION, Logistic, ScoringModel, from_json, load
from qa.search import load_model

# p = sigmoid(0.5 + 1 * (a - 1) / 2 - 2 * (b - 0) / 1)
TINY = Logistic(features=("a", "b"), mean=(1.0, 0.0), scale=(2.0, 1.0), weights=(1.0, -2.0), bias=0.5)


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def test_probability_of_a_hand_made_model() -> None:
    x = np.array([[1.0, 0.0], [3.0, 0.0], [1.0, 1.0], [1.0 + 2 * math.log(3) - 1.0, 0.0]])
    p = TINY.probability(x)
    assert p.shape == (4,)
    assert p[0] == pytest.approx(sigmoid(0.5))  # at the mean: the bias alone
    assert p[1] == pytest.approx(sigmoid(1.5))  # one scale above on "a", weight 1
    assert p[2] == pytest.approx(sigmoid(-1.5))  # one above on "b", weight -2
    assert p[3] == pytest.approx(0.75)  # logit ln 3
    assert np.all((p > 0) & (p < 1))


def test_probability_of_no_rows_and_of_extreme_rows() -> None:
    assert TINY.probability(np.zeros((0, 2))).shape == (0,)
    p = TINY.probability(np.array([[1e9, 0.0], [-1e9, 0.0]]))
    assert np.all(np.isfinite(p))
    assert p[0] == pytest.approx(1.0) and p[1] == pytest.approx(0.0)


def test_logistic_json_round_trip() -> None:
    data = json.loads(json.dumps(TINY.to_json()))
    assert Logistic.from_json(data, ("a", "b")) == TINY


def test_a_model_fitted_on_other_features_is_refused() -> None:
    with pytest.raises(QAError, match="other features"):
        Logistic.from_json(TINY.to_json(), ("a", "c"))
    damaged = {**TINY.to_json(), "weights": [1.0]}
    with pytest.raises(QAError, match="damaged"):
        Logistic.from_json(damaged, ("a", "b"))


def made(abstain_below: float = 0.5) -> ScoringModel:
    """A model over qa.features' names with hand-picked weights (floats that print long)."""

    def logistic(names: tuple[str, ...]) -> Logistic:
        n = len(names)
        return Logistic(names, (0.1,) * n, (1 / 3,) * n, tuple(0.2 * (i - 1) for i in range(n)), -0.7)

    return ScoringModel(
        passage=logistic(PASSAGE_FEATURES),
        rerank=logistic(RERANK_FEATURES),
        sentence=logistic(SENTENCE_FEATURES),
        answer=logistic(ANSWER_FEATURES),
        abstain_below=abstain_below,
        select_ratio=0.6,
        select_min=0.25,
        trained_on={"split": "train", "questions": 3},
    )


def test_the_bundled_model_loads_with_the_features_of_qa_features() -> None:
    scorer = load()
    assert isinstance(scorer, ScoringModel)
    assert scorer.passage.features == PASSAGE_FEATURES
    assert scorer.rerank.features == RERANK_FEATURES
    assert scorer.sentence.features == SENTENCE_FEATURES
    assert scorer.answer.features == ANSWER_FEATURES
    assert 0.0 < scorer.abstain_below < 1.0
    assert 0.0 <= scorer.select_min < 1.0 and 0.0 < scorer.select_ratio <= 1.0
    parts = (scorer.passage, scorer.rerank, scorer.sentence, scorer.answer)
    assert all(s > 0 for m in parts for s in m.scale)
    assert json.loads(BUNDLED.read_text(encoding="utf-8"))["version"] == FORMAT_VERSION
    assert load() is scorer  # read once
    assert load_model(Settings()) is model.load()  # the one search uses, QA_SCORER unset


def test_scoring_model_json_round_trip() -> None:
    scorer = made()
    assert from_json(json.loads(json.dumps(scorer.to_json()))) == scorer


def test_a_model_file_fitted_on_other_features_is_refused(tmp_path: Path) -> None:
    data = made().to_json()
    data["passage"]["features"] = ["renamed", *data["passage"]["features"][1:]]
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(QAError, match="other features"):
        load(path)


def test_a_model_file_of_another_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(QAError, match="format"):
        from_json({**made().to_json(), "version": FORMAT_VERSION + 1})


@pytest.mark.parametrize(("name", "text"), [("missing.json", None), ("damaged.json", '{"version": 1')])
def test_a_missing_or_damaged_file_is_a_clear_error(tmp_path: Path, name: str, text: str | None) -> None:
    path = tmp_path / name
    if text is not None:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(QAError, match="missing" if text is None else "damaged"):
        load(path)


def test_save_writes_the_same_bytes_twice_and_loads_back(tmp_path: Path) -> None:
    scorer = made()
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    scorer.save(first)
    scorer.save(second)
    assert first.read_bytes() == second.read_bytes()
    scorer.save(first)  # over an existing file
    assert first.read_bytes() == second.read_bytes()
    assert not list(tmp_path.glob(".*.part"))
    assert load(first) == scorer


def test_settings_can_name_another_model_file(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    made(abstain_below=0.123).save(path)
    assert load_model(Settings(scorer=str(path))).abstain_below == 0.123
