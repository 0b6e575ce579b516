"""inspection-qa: cited answers from children's services inspection reports.

Public entry points: `build_index`, `search`, `ask`. Heavy libraries (torch, FAISS) load
only when one of them is first called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qa.indexing import IndexReport, build_index

__all__ = ["IndexReport", "build_index"]


def __getattr__(name: str) -> Any:
    if name in ("build_index", "IndexReport"):
        from qa import indexing

        return getattr(indexing, name)
    raise AttributeError(name)
