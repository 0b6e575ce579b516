"""The development set as the benchmarks use it: its splits, questions and indexes.

`questions(split)` reads bench/devset/questions/<group>.jsonl for the groups split.json puts in
that split; `index(split)` builds (incrementally) an index of those groups' rendered documents
under artifacts/devset/<split>/. Gold matching is shared by bench/train.py and bench/eval.py.
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import qa  # noqa: E402
from qa.config import Settings  # noqa: E402

DEVSET = ROOT / "bench" / "devset"
WORK = ROOT / "artifacts" / "devset"


@dataclass(frozen=True)
class Case:
    id: str
    turns: tuple[str, ...]
    gold: tuple[dict[str, object], ...]
    kind: str
    source: str

    @property
    def answerable(self) -> bool:
        return bool(self.gold)

    @property
    def question(self) -> str:
        return self.turns[-1]

    @property
    def history(self) -> list[str]:
        return list(self.turns[:-1])


def groups(split: str) -> list[str]:
    return list(json.loads((DEVSET / "split.json").read_text())[split])


def load_cases(path: Path) -> list[Case]:
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            turns = tuple(d.get("turns") or [d["question"]])
            cases.append(Case(d["id"], turns, tuple(d.get("gold", [])), d.get("kind", ""), path.stem))
    return cases


def questions(split: str) -> list[Case]:
    """The split's questions. One index holds all of a split's groups, so a question written as
    unanswerable because its council had no document in its own group is left out when
    another group of the split is about that council (its documents may answer it)."""
    from qa.councils import find_councils

    covered = {
        g: {
            json.loads(line)["council"]
            for line in (DEVSET / g / "facts.jsonl").read_text().splitlines()
            if line
        }
        for g in groups(split)
    }
    out = []
    for g in groups(split):
        elsewhere = set().union(*(c for other, c in covered.items() if other != g)) - covered[g]
        for c in load_cases(DEVSET / "questions" / f"{g}.jsonl"):
            named = {m.council for turn in c.turns for m in find_councils(turn)}
            if c.answerable or not named & elsewhere:
                out.append(c)
    return out


def index(split: str, settings: Settings | None = None) -> Path:
    """An index of the split's documents (built once, then brought up to date)."""
    docs = WORK / split / "documents"
    wanted = {p.name: p for g in groups(split) for p in sorted((DEVSET / "corpus" / g).iterdir())}
    docs.mkdir(parents=True, exist_ok=True)
    for old in docs.iterdir():
        if old.name not in wanted:
            old.unlink()
    for name, src in wanted.items():
        dst = docs / name
        if not dst.exists() or dst.read_bytes() != src.read_bytes():
            shutil.copyfile(src, dst)
    out = WORK / split / "index"
    qa.build_index(docs, out, settings=settings)
    return out


def norm(text: str) -> str:
    return " ".join(
        text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"').split()
    ).lower()


def doc_match(gold: dict[str, object], doc: str) -> bool:
    """Whether `doc` (a file name or stem) is the gold quote's document."""
    return Path(doc).stem == gold["doc"] or doc == gold["doc"]


def gold_in(gold: dict[str, object], doc: str, text: str) -> bool:
    """Whether `text` of document `doc` holds the gold quote (pages are not compared)."""
    return doc_match(gold, doc) and norm(str(gold["text"])) in norm(text)
