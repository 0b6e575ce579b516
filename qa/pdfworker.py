"""Child process that extracts PDF text: `python -m qa.pdfworker`, one JSON request per line.

It limits its own address space before importing pypdf, so a decompression bomb fails here
with a reason instead of exhausting the indexer. Only JSON crosses the pipe.
"""

from __future__ import annotations

import json
import os
import resource
import sys
from typing import Any

MEMORY_MB = int(os.environ.get("QA_PDF_MEMORY_MB", "2048"))
TOO_BIG = f"needs more than {MEMORY_MB} MB of memory to parse (limit: QA_PDF_MEMORY_MB)"


def _limit_memory() -> None:
    limit = MEMORY_MB * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _pdf_date(value: Any) -> str | None:
    try:
        return value.date().isoformat() if value is not None else None
    except (AttributeError, ValueError):
        return None


def read_pdf(path: str, max_pages: int) -> dict[str, Any]:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    notes: list[str] = []
    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    return {"ok": False, "reason": "encrypted: a password is needed to open it"}
            except DependencyError:
                return {
                    "ok": False,
                    "reason": "encrypted with AES and the crypto library is missing",
                }
            notes.append("encrypted with an empty password; opened")
        total = len(reader.pages)
        count = min(total, max_pages)
        if total > max_pages:
            notes.append(f"only the first {max_pages} of {total} pages were indexed")
        try:
            labels = list(reader.page_labels[:count])
        except Exception:
            labels = [str(i + 1) for i in range(count)]
        pages = []
        for i in range(count):
            try:
                text = reader.pages[i].extract_text() or ""
            except (RecursionError, PdfReadError, ValueError, KeyError, TypeError) as exc:
                notes.append(f"page {i + 1} unreadable ({type(exc).__name__})")
                text = ""
            pages.append([labels[i] if i < len(labels) else str(i + 1), text])
        meta = None
        try:
            meta = reader.metadata
        except Exception:
            meta = None
        title = None
        created = None
        if meta is not None:
            try:
                title = meta.title
                created = _pdf_date(meta.creation_date)
            except Exception:
                pass
        return {"ok": True, "pages": pages, "title": title, "date": created, "notes": notes}
    except FileNotDecryptedError:
        return {"ok": False, "reason": "encrypted: a password is needed to open it"}
    except MemoryError:
        return {
            "ok": False,
            "reason": "needs more memory than allowed to parse (decompression bomb?)",
        }
    except RecursionError:
        return {"ok": False, "reason": "malformed PDF: circular or too deeply nested structure"}
    except Exception as exc:
        detail = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        return {"ok": False, "reason": f"not a readable PDF ({detail})"}


def main() -> None:
    _limit_memory()
    sys.setrecursionlimit(3000)
    for line in sys.stdin:
        request = json.loads(line)
        try:
            reply = read_pdf(request["path"], int(request["max_pages"]))
        except MemoryError:
            reply = {"ok": False, "reason": TOO_BIG}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
