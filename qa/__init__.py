"""inspection-qa: cited answers from children's services inspection reports.

Public entry points: `build_index`, `search`, `ask`, `judgements`. Heavy libraries (torch) load only when
a model is first needed.
"""

from __future__ import annotations

from qa.answer import Answer, Citation, ask, to_markdown
from qa.config import Settings
from qa.errors import QAError
from qa.indexing import IndexReport, build_index
from qa.judgements import Judgement, judgements
from qa.search import Hit, search

__all__ = [
    "Answer",
    "Citation",
    "Hit",
    "IndexReport",
    "Judgement",
    "QAError",
    "Settings",
    "ask",
    "build_index",
    "judgements",
    "search",
    "to_markdown",
]
