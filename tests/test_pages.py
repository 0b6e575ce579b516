"""qa.pages: a cited PDF page rendered locally with its quotes marked."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from conftest import DUDLEY_LETTER, make_pdf
from PIL import Image

from qa.errors import QAError
from qa.pages import find_quote, render_page

QUOTE = "Social workers said that supervision is regular and reflective, and managers know their teams well."


def test_find_quote_ignores_line_breaks_hyphens_and_case() -> None:
    text = "Care leavers are\r\nwell sup-\r\nported by advisers."
    a, b = find_quote(text, "Well supported")  # type: ignore[misc]
    assert text[a:b] == "well sup-\r\nported"
    assert find_quote(text, "badly supported") is None
    assert find_quote(text, "...") is None


def _marked(png: bytes) -> list[tuple[int, int]]:
    """Pixels tinted by the highlight (yellow: red and green high, blue low), as (x, y)."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    out = []
    for y in range(0, image.height, 2):
        for x in range(0, image.width, 2):
            red, green, blue = image.getpixel((x, y))  # type: ignore[misc]
            if red > 240 and green > 200 and blue < 190:
                out.append((x, y))
    return out


def test_the_quote_is_marked_where_it_stands_on_its_page(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "letter.pdf", DUDLEY_LETTER)
    png, found = render_page(pdf, 1, [QUOTE, "a sentence that is not on this page"])
    assert found == 1 and png.startswith(b"\x89PNG")
    image = Image.open(io.BytesIO(png))
    assert image.width == 900 and image.height > 1200  # A4 proportions
    marked = _marked(png)
    assert marked, "no highlight drawn"
    ys = [y for _, y in marked]
    # The paragraph sits in the top fifth of the page, under the title and the date line.
    assert 0.08 * image.height < min(ys) and max(ys) < 0.2 * image.height
    plain, none = render_page(pdf, 1, [])
    assert none == 0 and not _marked(plain)


def test_a_page_that_does_not_exist_or_a_broken_file_is_a_clear_error(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "letter.pdf", DUDLEY_LETTER)
    with pytest.raises(QAError, match="no page 9"):
        render_page(pdf, 9, [QUOTE])
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 not really")
    with pytest.raises(QAError, match=r"broken\.pdf"):
        render_page(broken, 1, [])
