"""Hand-built malicious or broken PDFs for the reliability tests (bytes, no library involved)."""

from __future__ import annotations

import zlib

TEXT = b"BT /F1 12 Tf 72 720 Td (Inspectors praised supervision.) Tj ET"


def assemble(objects: list[bytes], root: int = 1, *, xref: bool = True) -> bytes:
    """A PDF file from numbered object bodies (object i+1 is objects[i])."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    start = len(out)
    if xref:
        out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
        for off in offsets:
            out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root {root} 0 R >>\nstartxref\n{start}\n%%EOF\n".encode()
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"", length: int | None = None) -> bytes:
    n = len(data) if length is None else length
    return b"<< /Length " + str(n).encode() + b" " + extra + b" >>\nstream\n" + data + b"\nendstream"


FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
PAGE = (
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
    b" /Resources << /Font << /F1 5 0 R >> >> >>"
)


def one_page(
    *,
    catalog: bytes = b"",
    kids: bytes = b"3 0 R",
    count: int = 1,
    content: bytes | None = None,
    extra: tuple[bytes, ...] = (),
) -> bytes:
    """A one-page PDF whose parts can be replaced by broken ones."""
    return assemble(
        [
            b"<< /Type /Catalog /Pages 2 0 R " + catalog + b">>",
            b"<< /Type /Pages /Kids [" + kids + b"] /Count " + str(count).encode() + b" >>",
            PAGE,
            _stream(TEXT) if content is None else content,
            FONT,
            *extra,
        ]
    )


def good() -> bytes:
    return one_page()


def circular_pages() -> bytes:
    """The page tree lists itself as its own kid."""
    return one_page(kids=b"2 0 R 3 0 R", count=2)


def looping_outline() -> bytes:
    """An outline item whose /Next is itself."""
    return one_page(
        catalog=b"/Outlines 6 0 R /PageMode /UseOutlines ",
        extra=(
            b"<< /Type /Outlines /First 7 0 R /Last 7 0 R /Count 1 >>",
            b"<< /Title (Loop) /Parent 6 0 R /Next 7 0 R /Prev 7 0 R /Dest [3 0 R /Fit] >>",
        ),
    )


def huge_length() -> bytes:
    """A content stream that claims to be 2 GB long."""
    return one_page(content=_stream(TEXT, length=2_147_483_647))


def decompression_bomb(megabytes: int = 400) -> bytes:
    """A few hundred KB that inflate to `megabytes` of page content."""
    packed = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    data = b"".join(packed.compress(chunk) for _ in range(megabytes)) + packed.flush()
    return one_page(content=_stream(data, b"/Filter /FlateDecode"))


def deep_nesting(depth: int = 50_000) -> bytes:
    """An array nested far deeper than any parser's recursion limit."""
    return one_page(catalog=b"/X " + b"[" * depth + b"]" * depth + b" ")


def many_pages(count: int = 3000) -> bytes:
    """`count` pages sharing one content stream."""
    kids = b" ".join(f"{6 + i} 0 R".encode() for i in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count " + str(count).encode() + b" >>",
        PAGE,
        _stream(TEXT),
        FONT,
    ]
    objects += [PAGE] * count
    return assemble(objects)


def no_xref() -> bytes:
    """A damaged file: the cross-reference table is missing."""
    good_objects = one_page()
    return good_objects[: good_objects.index(b"xref")] + good_objects[good_objects.index(b"trailer") :]


ALL = {
    "circular-pages.pdf": circular_pages,
    "looping-outline.pdf": looping_outline,
    "huge-length.pdf": huge_length,
    "bomb.pdf": decompression_bomb,
    "deep-nesting.pdf": deep_nesting,
    "many-pages.pdf": many_pages,
    "no-xref.pdf": no_xref,
    "zero.pdf": lambda: b"",
    "truncated.pdf": lambda: good()[:200],
    "not-a-pdf.pdf": lambda: b"<html>this is a web page</html>",
}
