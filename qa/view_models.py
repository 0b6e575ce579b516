"""The fitted models of the library views, in one versioned JSON file (qa/views.json).

In: loading and applying what bench/train_views.py fits on the development set's train split:
`timeline` (does a statement speak to a theme: a logistic model over a few named features,
with its threshold), `polarity` (does a statement call something a strength or a weakness: a
linear model over the statement's words and word pairs), `claims` (does an inspectorate
sentence support a claim: a logistic model, with its threshold). No pickle: weights are JSON.
Out: the features (`qa.timeline`, `qa.claims`), fitting (bench/train_views.py).
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from qa.errors import QAError
from qa.model import Logistic, save_json

FORMAT_VERSION = 1
BUNDLED = Path(__file__).with_name("views.json")
TIMELINE_FEATURES = (
    "rerank",  # the reranker's logit for (theme question, statement)
    "theme_words",  # share of the theme's words (stemmed) in the statement
    "passage_dense",  # cosine of the theme and the statement's passage
    "best_in_document",  # the logit less the best of its document's statements
    "passage_theme_words",  # share of the theme's words in the statement's passage (its section)
    "passage_rerank",  # the best logit among the statements of the same passage
)
CLAIM_FEATURES = (
    "rerank",  # the reranker's logit for (claim, inspectorate sentence)
    "overlap",  # share of the claim's content words (stemmed) in the sentence
    "numbers",  # share of the claim's numbers found in the sentence (1 when it has none)
    "best_gap",  # the logit less the best candidate's for this claim
    "dense",  # cosine of the claim and the sentence
    "overclaim",  # the claim says all, every, none, never or best, and the sentence does not
)
POLARITIES = ("strength", "weakness", "neutral")
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def polarity_terms(text: str) -> list[str]:
    """The words and word pairs the polarity model reads (lower case)."""
    words = _WORD.findall(text.lower())
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


@dataclass(frozen=True, slots=True)
class Polarity:
    """A linear model per class over the presence of terms; the best scoring class wins."""

    classes: tuple[str, ...]
    terms: dict[str, tuple[float, ...]]  # term -> weight per class
    bias: tuple[float, ...]

    def predict(self, text: str) -> str:
        score = np.array(self.bias, dtype=np.float64)
        for term in set(polarity_terms(text)):
            weights = self.terms.get(term)
            if weights is not None:
                score += weights
        return self.classes[int(np.argmax(score))]

    def to_json(self) -> dict[str, Any]:
        return {"classes": list(self.classes), "terms": {k: list(v) for k, v in sorted(self.terms.items())},
                "bias": list(self.bias)}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ViewModels:
    timeline: Logistic
    timeline_min: float  # a statement joins a timeline when its probability is at least this
    polarity: Polarity
    claims: Logistic
    claims_min: float  # a claim is supported when its best pairing's probability is at least this
    trained_on: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "version": FORMAT_VERSION,
            "timeline": self.timeline.to_json(),
            "timeline_min": self.timeline_min,
            "polarity": self.polarity.to_json(),
            "claims": self.claims.to_json(),
            "claims_min": self.claims_min,
            "trained_on": self.trained_on,
        }

    def save(self, path: Path) -> None:
        save_json(path, self.to_json())


def from_json(data: dict[str, Any]) -> ViewModels:
    if data.get("version") != FORMAT_VERSION:
        raise QAError(f"the view models file has format {data.get('version')!r}, not {FORMAT_VERSION}")
    p = data["polarity"]
    polarity = Polarity(
        tuple(p["classes"]),
        {k: tuple(float(x) for x in v) for k, v in p["terms"].items()},
        tuple(float(x) for x in p["bias"]),
    )
    return ViewModels(
        timeline=Logistic.from_json(data["timeline"], TIMELINE_FEATURES),
        timeline_min=float(data["timeline_min"]),
        polarity=polarity,
        claims=Logistic.from_json(data["claims"], CLAIM_FEATURES),
        claims_min=float(data["claims_min"]),
        trained_on=dict(data.get("trained_on", {})),
    )


@cache
def load(path: Path = BUNDLED) -> ViewModels:
    """The view models in `path` (the bundled qa/views.json by default), read once."""
    try:
        return from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise QAError(f"the view models {path} are missing; fit them with bench/train_views.py") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise QAError(f"the view models {path} are damaged ({exc})") from None
