"""The keyword side of search: tokenising with stemming and stopwords, and a BM25 index (bm25s).

bm25s's own English list keeps question words ("what", "did", "about"), which then dominate
short questions; this fuller list drops them (measured in bench/eval.py).
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

logging.getLogger("bm25s").setLevel(logging.WARNING)

STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are aren't as at be because been
    before being below between both but by can can't cannot could couldn't did didn't do does
    doesn't doing don't down during each even ever every few for from further get gets got had
    hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself him
    himself his how how's however i i'd i'll i'm i've if in into is isn't it it's its itself
    just let's like made make many may me might more most much must mustn't my myself no nor
    not now of off on once one only or other ought our ours ourselves out over own per said
    same say says shan't she she'd she'll she's should shouldn't since so some such than that
    that's the their theirs them themselves then there there's these they they'd they'll
    they're they've this those though through thus to too under until up upon us very was
    wasn't we we'd we'll we're we've were weren't what what's whatever when when's where
    where's whether which while who who's whom whose why why's will with won't would wouldn't
    yet you you'd you'll you're you've your yours yourself yourselves tell told give gave
    describe described anything something
    """.split()
)
_TOKEN = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def words(text: str) -> list[str]:
    """Lowercased words without stopwords: `words("What did Ofsted say?") -> ['ofsted']`."""
    found = [w.replace("’", "'") for w in _TOKEN.findall(text.lower())]
    return [w.split("'")[0] for w in found if (w not in STOPWORDS and len(w) > 1) or w.isdigit()]


def tokenize(text: str) -> list[str]:
    """Stemmed content words: `tokenize("supervising caseloads") -> ['supervis', 'caseload']`."""
    return list(_stemmer().stemWords(words(text)))


class Lexical:
    """A BM25 index over passages in index order, saved as bm25s's numpy/JSON files."""

    def __init__(self, model: bm25s.BM25) -> None:
        self._model = model

    @classmethod
    def build(cls, texts: list[str]) -> Lexical:
        model = bm25s.BM25(k1=1.2, b=0.75)
        corpus = [tokenize(t) or [""] for t in texts]
        if not corpus:
            corpus = [[""]]
        model.index(corpus, show_progress=False)
        return cls(model)

    def save(self, folder: Path) -> None:
        self._model.save(str(folder), allow_pickle=False)

    @classmethod
    def load(cls, folder: Path) -> Lexical:
        """Postings memory-mapped: a query reads only those of its terms."""
        return cls(bm25s.BM25.load(str(folder), allow_pickle=False, mmap=True, show_progress=False))

    @property
    def size(self) -> int:
        return int(self._model.scores["num_docs"])

    def scores(self, tokens: list[str]) -> np.ndarray:
        """BM25 score of every passage for these query tokens (zeros when none are known)."""
        known = [t for t in tokens if t in self._model.vocab_dict]
        if not known:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._model.get_scores(known), dtype=np.float32)

    def idf(self, token: str) -> float:
        """Inverse document frequency of a stemmed token; a token no passage has gets the most."""
        tid = self._model.vocab_dict.get(token)
        indptr = self._model.scores["indptr"]
        df = 0 if tid is None else int(indptr[tid + 1] - indptr[tid])
        return float(np.log(1 + (self.size - df + 0.5) / (df + 0.5)))

    def contains(self, row: int, token: str) -> bool:
        return bool(np.any(self.rows_with(token) == row))

    def rows_with(self, token: str) -> np.ndarray:
        """The passages (rows in index order) that hold a stemmed token."""
        tid = self._model.vocab_dict.get(token)
        if tid is None:
            return np.zeros(0, dtype=np.int64)
        s = self._model.scores
        lo, hi = int(s["indptr"][tid]), int(s["indptr"][tid + 1])
        return np.asarray(s["indices"][lo:hi], dtype=np.int64)
