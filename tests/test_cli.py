from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.cli import main

pytestmark = pytest.mark.slow


def test_index_search_ask(tmp_path: Path, corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    index = tmp_path / "index"
    (corpus / "broken.pdf").write_bytes(b"not a pdf at all")
    assert main(["index", "--documents", str(corpus), "--index", str(index), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert sorted(report["added"]) == [
        "broken.pdf",
        "dudley-monitoring-letter.pdf",
        "news.txt",
        "scrutiny.md",
    ]
    assert report["skipped"][0]["path"] == "broken.pdf" and report["skipped"][0]["reason"]

    assert main(["index", "--documents", str(corpus), "--index", str(index)]) == 0
    out = capsys.readouterr().out
    assert "skipped   broken.pdf" in out and "3 documents" in out

    assert main(["search", "foster carers", "--index", str(index), "-k", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("[1] Council praised for foster care recruitment (news.txt, 3 March 2023)")

    assert main(["ask", "How many foster carers were recruited?", "--index", str(index), "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert not answer["abstained"]
    assert answer["citations"][0]["doc"] == "news.txt"

    assert main(["ask", "What did inspectors say about supervision?", "--index", str(index)]) == 0
    out = capsys.readouterr().out
    assert "Sources:" in out and "page 1" in out


def test_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "anything", "--index", str(tmp_path / "none")]) == 1
    assert "no index" in capsys.readouterr().err
    assert main(["index", "--documents", str(tmp_path / "missing"), "--index", str(tmp_path / "i")]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_readme_cli_lines_run_as_written_and_json_leaves_stderr_empty(tmp_path: Path, corpus: Path) -> None:
    """`./dev.sh qa ...` (the README's form) runs the CLI in a fresh process: with --json, stdout
    is JSON alone and stderr holds no weight-loading bar or other noise."""
    import subprocess

    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "./dev.sh qa index" in readme and "./dev.sh qa ask" in readme
    index = tmp_path / "index"
    setup = subprocess.run([str(root / "dev.sh"), "setup"], capture_output=True, text=True, check=False)
    assert setup.returncode == 0, setup.stderr

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(root / "dev.sh"), "qa", *args, "--index", str(index)],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    built = run("index", "--documents", str(corpus), "--json")
    assert built.returncode == 0, built.stderr
    assert json.loads(built.stdout)["added"] and built.stderr == ""
    searched = run("search", "foster carers", "--json")
    assert searched.returncode == 0, searched.stderr
    assert json.loads(searched.stdout)[0]["doc"] == "news.txt"
    assert searched.stderr == ""
    asked = run("ask", "How many foster carers were recruited?", "--json")
    assert asked.returncode == 0 and asked.stderr == "", asked.stderr
    assert json.loads(asked.stdout)["citations"][0]["doc"] == "news.txt"
