"""inspection-qa: cited answers from children's services inspection reports.

Public entry points: `build_index`, `search`, `ask`, and the views `judgements`, `timeline`,
`check_claims`. Heavy libraries (torch) load only when
a model is first needed.
"""

from __future__ import annotations

from qa.answer import Answer, Citation, ask, to_markdown
from qa.claims import ClaimCheck, check_claims
from qa.config import Settings
from qa.errors import QAError
from qa.indexing import IndexReport, build_index
from qa.judgements import Judgement, judgements
from qa.search import Hit, search
from qa.timeline import TimelineEntry, timeline

__all__ = [
    "Answer",
    "Citation",
    "ClaimCheck",
    "Hit",
    "IndexReport",
    "Judgement",
    "QAError",
    "Settings",
    "TimelineEntry",
    "ask",
    "build_index",
    "check_claims",
    "judgements",
    "search",
    "timeline",
    "to_markdown",
]
