from __future__ import annotations

from pathlib import Path

import pytest

from qa.library import add_files, safe_name
from qa.ui_format import chat_markdown, user_turns


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\Windows\\report.PDF", "report.pdf"),
        ("/abs/path/letter.md", "letter.md"),
        (".hidden.pdf", "hidden.pdf"),
        ("a\x00b\x07c.txt", "abc.txt"),
        ("Cafe\u0301 report.pdf", "Café report.pdf"),
        ("x" * 500 + ".pdf", "x" * 116 + ".pdf"),
        ("..", "document"),
    ],
)
def test_safe_name(raw: str, safe: str) -> None:
    assert safe_name(raw) == safe


def test_add_files_stays_inside_and_never_overwrites(tmp_path: Path) -> None:
    docs = tmp_path / "documents"
    src = tmp_path / "upload.bin"
    src.write_text("A report about supervision.")
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * 2048)
    saved, refused = add_files(
        [
            ("../evil.txt", src),
            ("report.txt", src),
            ("report.txt", src),
            ("virus.exe", src),
            ("~$temp.pdf", src),
            ("big.txt", big),
        ],
        docs,
        max_bytes=1024,
    )
    assert saved == ["evil.txt", "report.txt", "report (1).txt"]
    assert [r.name for r in refused] == ["virus.exe", "~$temp.pdf", "big.txt"]
    assert "1024" not in refused[2].reason and "limit" in refused[2].reason
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.bin", "documents", "upload.bin"]


def test_user_turns_reads_both_message_shapes() -> None:
    history = [
        {"role": "user", "content": "first?"},
        {"role": "assistant", "content": "answer"},
        {"role": "user", "content": [{"type": "text", "text": "second?"}]},
    ]
    assert user_turns(history) == ["first?", "second?"]


def test_chat_markdown_escapes_document_text() -> None:
    from qa.answer import Answer

    answer = Answer("q", "In “<script>x</script>”: quote [1]", (), (), False)
    out = chat_markdown(answer)
    assert "<script>" not in out and '<a href="#src-1" class="cite">[1]</a>' in out


@pytest.mark.slow
def test_document_path_only_for_indexed_files_inside(tmp_path: Path, corpus: Path) -> None:
    import qa
    from qa.errors import QAError
    from qa.library import document_path

    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 junk")
    outside = tmp_path / "secret.txt"
    outside.write_text("A secret about supervision that must not be served.")
    (corpus / "link.txt").symlink_to(outside)
    index = tmp_path / "index"
    report = qa.build_index(corpus, index)
    assert {s.path: s.reason for s in report.skipped}[
        "link.txt"
    ] == "a link to a file outside the documents folder"
    assert document_path("news.txt", corpus, index) == (corpus / "news.txt").resolve()
    for name in ("broken.pdf", "link.txt", "../secret.txt", "missing.txt", "/etc/passwd"):
        with pytest.raises(QAError, match="not a document"):
            document_path(name, corpus, index)
