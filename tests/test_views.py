"""The library views on a tiny real corpus: judgements, theme timeline, claim check."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import make_pdf, write_corpus

import qa
from qa.claims import NOT_FOUND, attributes_to_inspectors, pairing_features
from qa.timeline import to_markdown
from qa.view_models import CLAIM_FEATURES, polarity_terms

pytestmark = pytest.mark.slow

REPORT = (
    "Inspection of Dudley local authority children's services\n\n"
    "Inspection dates: 6 to 17 March 2023\n\nLead inspector: Jo Marsh, His Majesty's Inspector\n\n"
    "Judgement Grade\n"
    "The impact of leaders on social work practice with children and families Good\n"
    "The experiences and progress of children who need help and protection Requires improvement to be good\n"
    "The experiences and progress of children in care Good\n"
    "The experiences and progress of care leavers Good\n"
    "Overall effectiveness Good\n\nReport published: 2 May 2023"
)
FINDINGS = (
    "Supervision of social workers is regular and reflective, and managers know their teams well. "
    "Caseloads are too high in the assessment teams, and some social workers hold more than 30 children. "
    "Personal advisers keep in touch with care leavers and help them find homes."
)
PRESS = (
    "Dudley welcomes Ofsted report\n\nPublished 10 May 2023\n\n"
    "Inspectors praised the regular and reflective supervision of social workers. "
    "Ofsted said that every care leaver now has a job or a college place. "
    "The council will open a new family hub in the autumn.\n"
)


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("views")
    docs = root / "documents"
    make_pdf(docs / "dudley-ilacs-2023.pdf", [REPORT, FINDINGS], title="Inspection of Dudley 2023")
    (docs / "dudley-press-release.txt").write_text(PRESS, encoding="utf-8")
    qa.build_index(docs, root / "index")
    return root / "index"


def test_judgements_cite_every_grade_verbatim(library: Path) -> None:
    rows = qa.judgements(index=library)
    assert [r.doc for r in rows] == ["dudley-ilacs-2023.pdf"]
    row = rows[0]
    assert row.council == "Dudley" and row.kind == "full inspection" and row.published == "2023-05-02"
    assert row.overall is not None and row.overall.grade == "Good"
    assert len(row.grades) == 5 and all(g.quote is not None and g.quote.page == 1 for g in row.grades)
    help_cell = next(g for g in row.grades if "help and protection" in g.judgement)
    assert help_cell.grade == "Requires improvement to be good"
    assert help_cell.quote is not None and help_cell.quote.text.endswith("Requires improvement to be good")
    assert qa.judgements(index=library, council="dudley") == rows  # any case
    assert qa.judgements(index=library, council="Walsall") == []
    assert json.loads(json.dumps([r.to_json() for r in rows]))[0]["grades"][0]["quote"]["page"] == 1


def test_a_statement_attributed_to_the_inspectors_is_a_claim() -> None:
    assert attributes_to_inspectors("Inspectors praised the regular supervision of social workers.")
    assert attributes_to_inspectors("According to Ofsted, caseloads have fallen.")
    assert attributes_to_inspectors("The letter confirms that Rotherham is on track.")
    assert not attributes_to_inspectors("The council will open a new family hub in the autumn.")
    assert not attributes_to_inspectors("Inspectors visited on 6 March.")


def test_pairing_features_read_words_and_figures() -> None:
    rows = pairing_features(
        "Ofsted said 87% of care leavers are in touch",
        ["87% of care leavers are in touch with advisers.", "Supervision is regular."],
        np.array([2.0, -1.0]),
        np.array([0.8, 0.1]),
    )
    col = {n: i for i, n in enumerate(CLAIM_FEATURES)}
    assert rows.shape == (2, len(CLAIM_FEATURES))
    assert rows[0, col["numbers"]] == 1.0 and rows[1, col["numbers"]] == 0.0
    assert rows[0, col["best_gap"]] == 0.0 and rows[1, col["best_gap"]] == -3.0
    assert rows[0, col["overlap"]] > rows[1, col["overlap"]]
    assert list(rows[:, col["dense"]]) == [0.8, 0.1] and list(rows[:, col["overclaim"]]) == [0.0, 0.0]
    every = pairing_features("Ofsted said every care leaver has a job", ["Most care leavers have a job."],
                             np.array([1.0]), np.array([0.9]))  # fmt: skip
    assert every[0, col["overclaim"]] == 1.0


def test_polarity_terms_are_words_and_word_pairs() -> None:
    assert polarity_terms("Too few care leavers") == [
        "too",
        "few",
        "care",
        "leavers",
        "too few",
        "few care",
        "care leavers",
    ]


def test_timeline_of_a_theme_quotes_its_sentences_in_date_order(library: Path) -> None:
    entries = qa.timeline("supervision", index=library)
    quoted = [s.quote.text for e in entries for s in e.sentences]
    assert any("Supervision of social workers is regular" in q for q in quoted), quoted
    assert not any("family hub" in q for q in quoted)
    dates = [e.date for e in entries]
    assert dates == sorted(dates)
    text = to_markdown("supervision", entries)
    assert text.startswith("# Supervision") and "page 2" in text


def test_claim_check_pairs_a_supported_claim_and_flags_one_the_letter_does_not_make(library: Path) -> None:
    checks = qa.check_claims("dudley-press-release.txt", index=library)
    by_claim = {" ".join(c.claim.text.split()): c for c in checks}
    assert set(by_claim) == {
        "Inspectors praised the regular and reflective supervision of social workers.",
        "Ofsted said that every care leaver now has a job or a college place.",
    }
    praised = by_claim["Inspectors praised the regular and reflective supervision of social workers."]
    assert praised.support is not None and "Supervision of social workers is regular" in praised.support.text
    assert praised.support.doc == "dudley-ilacs-2023.pdf" and praised.support.page == 2
    job = by_claim["Ofsted said that every care leaver now has a job or a college place."]
    assert job.support is None and job.verdict == NOT_FOUND
    with pytest.raises(qa.QAError, match="not a document"):
        qa.check_claims("missing.txt", index=library)


@pytest.mark.xfail(
    reason="known limitation (issue 13, left open): the pairing model flags only 0.27 of unsupported "
    "claims on the four test groups; here an overclaim about care leavers is paired with the letter's "
    "sentence on them",
    strict=True,
)
def test_an_overclaim_beside_a_sentence_on_its_topic_is_flagged(tmp_path: Path) -> None:
    docs = write_corpus(tmp_path / "documents")
    (docs / "release.txt").write_text(
        "Dudley welcomes Ofsted letter\n\nPublished 30 October 2024\n\n"
        "Ofsted said that every care leaver now has a job or a college place.\n",
        encoding="utf-8",
    )
    qa.build_index(docs, tmp_path / "index")
    (check,) = qa.check_claims("release.txt", index=tmp_path / "index")
    assert check.support is None and check.verdict == NOT_FOUND
