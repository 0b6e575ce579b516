"""The fitted scorer: three logistic models over named features, in one versioned JSON file.

In: loading and applying `qa/model.json`, which bench/train.py fits on the development set's
train split: `passage` ranks passages, `rerank` ranks the best of them again with the
reranker's reading of their statements, `sentence` picks the sentences quoted, `answer` gives
the calibrated probability that the question is answered (below `abstain_below`, the
answer declines). Also the selection rule's two numbers, chosen on train. Out: the
features themselves (`qa.features`), fitting (bench/train.py). No pickle: weights are JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from qa.errors import QAError

FORMAT_VERSION = 2
BUNDLED = Path(__file__).with_name("model.json")


@dataclass(frozen=True, slots=True)
class Logistic:
    """p = sigmoid(bias + weights . ((x - mean) / scale)), x in `features` order."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float

    def probability(self, x: np.ndarray) -> np.ndarray:
        """Rows of `x` (n, len(features)) -> probabilities (n,)."""
        if x.size == 0:
            return np.zeros(len(x), dtype=np.float64)
        z = (np.asarray(x, dtype=np.float64) - np.array(self.mean)) / np.array(self.scale)
        logit = z @ np.array(self.weights) + self.bias
        out: np.ndarray = 1.0 / (1.0 + np.exp(-np.clip(logit, -30, 30)))
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "weights": list(self.weights),
            "bias": self.bias,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], expected: tuple[str, ...]) -> Logistic:
        model = cls(
            tuple(data["features"]),
            tuple(float(v) for v in data["mean"]),
            tuple(float(v) for v in data["scale"]),
            tuple(float(v) for v in data["weights"]),
            float(data["bias"]),
        )
        if model.features != expected:
            raise QAError(
                f"the scoring model was fitted on other features ({', '.join(model.features)}); "
                "refit it with bench/train.py"
            )
        if not len(model.mean) == len(model.scale) == len(model.weights) == len(expected):
            raise QAError("the scoring model file is damaged (weights do not match features)")
        return model


@dataclass(frozen=True, slots=True)
class ScoringModel:
    passage: Logistic
    rerank: Logistic
    sentence: Logistic
    answer: Logistic
    abstain_below: float  # answer probability under which the answer declines
    select_ratio: float  # a sentence is quoted when its probability >= ratio * the best's ...
    select_min: float  # ... and >= this
    trained_on: dict[str, Any]  # what it was fitted on: split, questions, encoder

    def to_json(self) -> dict[str, Any]:
        return {
            "version": FORMAT_VERSION,
            "passage": self.passage.to_json(),
            "rerank": self.rerank.to_json(),
            "sentence": self.sentence.to_json(),
            "answer": self.answer.to_json(),
            "abstain_below": self.abstain_below,
            "select_ratio": self.select_ratio,
            "select_min": self.select_min,
            "trained_on": self.trained_on,
        }

    def save(self, path: Path) -> None:
        save_json(path, self.to_json())


def save_json(path: Path, data: dict[str, Any]) -> None:
    """Written atomically, keys sorted, floats as Python prints them: the same fit gives the
    same bytes."""
    partial = path.with_name(f".{path.name}.part")
    partial.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    partial.replace(path)


def from_json(data: dict[str, Any]) -> ScoringModel:
    from qa.features import ANSWER_FEATURES, PASSAGE_FEATURES, RERANK_FEATURES, SENTENCE_FEATURES

    if data.get("version") != FORMAT_VERSION:
        raise QAError(f"the scoring model file has format {data.get('version')!r}, not {FORMAT_VERSION}")
    return ScoringModel(
        passage=Logistic.from_json(data["passage"], PASSAGE_FEATURES),
        rerank=Logistic.from_json(data["rerank"], RERANK_FEATURES),
        sentence=Logistic.from_json(data["sentence"], SENTENCE_FEATURES),
        answer=Logistic.from_json(data["answer"], ANSWER_FEATURES),
        abstain_below=float(data["abstain_below"]),
        select_ratio=float(data["select_ratio"]),
        select_min=float(data["select_min"]),
        trained_on=dict(data.get("trained_on", {})),
    )


@cache
def load(path: Path = BUNDLED) -> ScoringModel:
    """The model in `path` (the bundled qa/model.json by default), read once."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return from_json(data)
    except FileNotFoundError:
        raise QAError(f"the scoring model {path} is missing; fit it with bench/train.py") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise QAError(f"the scoring model {path} is damaged ({exc})") from None
