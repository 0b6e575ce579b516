"""A cited PDF page as an image with the quoted sentences marked: `render_page(...) -> bytes`.

In: rendering one page locally with PDFium (pypdfium2), finding each quote on it by its letters
and digits alone (so line breaks, hyphenation and spacing that differ between text layers do
not matter), and drawing the boxes PDFium gives for those characters. Out: which quote and
page to show (the answer's citations), serving the image (app.py).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from qa.errors import QAError

HIGHLIGHT = (255, 213, 0, 110)  # RGBA of the marker drawn over a quote
OUTLINE = (214, 140, 0, 255)


def find_quote(text: str, quote: str) -> tuple[int, int] | None:
    """The span of `text` that holds `quote`, compared on letters and digits only (case
    ignored), or None.

    `find_quote("Care leavers are\\r\\nwell sup-\\r\\nported.", "well supported")` -> (17, 37)
    """
    keep = [i for i, ch in enumerate(text) if ch.isalnum()]
    letters = "".join(text[i] for i in keep).casefold()
    wanted = "".join(ch for ch in quote if ch.isalnum()).casefold()
    if not wanted:
        return None
    at = letters.find(wanted)
    if at < 0:
        return None
    return keep[at], keep[at + len(wanted) - 1] + 1


def render_page(path: Path, page: int, quotes: Sequence[str], *, width: int = 900) -> tuple[bytes, int]:
    """PNG bytes of page `page` (1-based) of the PDF at `path`, `width` pixels wide, each of
    `quotes` found on it marked; and how many of them were found."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise QAError(f"{path.name}: not a readable PDF ({exc})") from None
    try:
        if not 1 <= page <= len(pdf):
            raise QAError(f"{path.name} has no page {page}")
        pdf_page = pdf[page - 1]
        left, _, _, top = pdf_page.get_bbox()  # the visible area (the crop box, or the media box)
        scale = width / pdf_page.get_width()
        image = pdf_page.render(scale=scale).to_pil().convert("RGBA")
        textpage = pdf_page.get_textpage()
        text = textpage.get_text_range()
        found = 0
        overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(overlay)
        for quote in quotes:
            span = find_quote(text, quote)
            if span is None:
                continue
            found += 1
            for n in range(textpage.count_rects(span[0], span[1] - span[0])):
                x0, y0, x1, y1 = textpage.get_rect(n)
                box = (
                    (x0 - left) * scale - 2,
                    (top - y1) * scale - 2,
                    (x1 - left) * scale + 2,
                    (top - y0) * scale + 2,
                )
                draw.rectangle(box, fill=HIGHLIGHT, outline=OUTLINE)
        out = io.BytesIO()
        Image.alpha_composite(image, overlay).convert("RGB").save(out, format="PNG", optimize=True)
        return out.getvalue(), found
    finally:
        pdf.close()
