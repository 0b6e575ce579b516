"""qa.reranker: the fine-tuned cross-encoder, its memo of scored pairs."""

from __future__ import annotations

import numpy as np
import pytest

from qa.reranker import Reranker

pytestmark = pytest.mark.slow


def test_an_answering_sentence_scores_higher_and_a_pair_is_scored_once() -> None:
    reranker = Reranker.shared()
    question = "what did inspectors say about supervision"
    texts = [
        "Social workers receive regular supervision that helps them reflect on their work.",
        "The council opened a new library in the town centre.",
        "Social workers receive regular supervision that helps them reflect on their work.",
    ]
    first = reranker.score(question, texts)
    assert first.shape == (3,) and first[0] > first[1] and first[0] == first[2]
    remembered = dict(reranker._memo)
    assert (question, texts[1]) in remembered
    again = reranker.score(question, list(reversed(texts)))
    assert np.array_equal(again, first[::-1])  # from the memo, same order as asked
    Reranker.forget_all()
    assert not reranker._memo
    assert np.allclose(reranker.score(question, texts), first, atol=1e-4)  # scored again: the same
    assert reranker.score(question, []).shape == (0,)
