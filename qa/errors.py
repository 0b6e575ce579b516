"""Errors raised by the library, with messages written for the person reading them.

The library raises; only the CLI and the app turn these into output.
"""

from __future__ import annotations


class QAError(Exception):
    """Base class for every error the library raises on purpose."""


class DocumentError(QAError):
    """A file could not be read as a document; `reason` is one line for the user."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class IndexMissingError(QAError):
    """No index has been built yet in the given folder."""


class IndexCorruptError(QAError):
    """An index file is damaged or inconsistent with its manifest."""


class IndexWriteError(QAError):
    """A new generation could not be written (disk full, permissions); the old one serves."""


class IndexBusyError(QAError):
    """Another rebuild holds the index lock."""


class QueryError(QAError):
    """The question cannot be searched (empty, too long)."""
