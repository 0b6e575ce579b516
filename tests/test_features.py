"""qa.features: each named feature of a passage or sentence for a QueryPlan, with worked examples."""

from __future__ import annotations

import math

import pytest

from qa.facts import ReportFacts
from qa.features import (
    ANSWER_FEATURES,
    PASSAGE_FEATURES,
    RERANK_FEATURES,
    SENTENCE_FEATURES,
    AnswerEvidence,
    answer_kind,
    answer_near,
    answer_row,
    best_sentence_overlap,
    boilerplate,
    council_match,
    coverage,
    future,
    inspectorate_match,
    keyword_overlap,
    kind_match,
    label_line,
    lead,
    length,
    ordinal_match,
    passage_row,
    reason,
    report_found,
    rerank_row,
    sentence_row,
    unasked_boilerplate,
    year_match,
)
from qa.query import plan

ROTHERHAM_VISIT = ReportFacts(
    council="Rotherham",
    councils_mentioned=("Rotherham", "Sheffield"),
    kind="monitoring visit",
    visit_start="2025-02-10",
    visit_end="2025-02-11",
    published="2025-03-04",
)
SHEFFIELD_NEWS = ReportFacts(
    council="Sheffield", councils_mentioned=("Sheffield", "Rotherham"), kind="news", published="2023-05-01"
)
LEEDS_PAPER = ReportFacts(council="Leeds", councils_mentioned=("Leeds",), kind="council paper")


def column(names: tuple[str, ...], row: list[float], name: str) -> float:
    return row[names.index(name)]


def test_keyword_overlap_weighs_the_questions_words_by_idf() -> None:
    asked = plan("What did inspectors find about supervision in Rotherham?")
    assert asked.keywords == ("inspector", "find", "supervis")
    idf = {"inspector": 1.0, "find": 1.0, "supervis": 2.0, "rotherham": 5.0}
    assert keyword_overlap(asked, "Supervision is regular.", idf) == 0.5
    assert keyword_overlap(asked, "Inspectors find supervision regular.", idf) == 1.0
    # The council's name is not a keyword: naming it adds nothing.
    assert keyword_overlap(asked, "Rotherham supervision.", idf) == 0.5
    assert keyword_overlap(asked, "Caseloads are manageable.", idf) == 0.0
    assert keyword_overlap(asked, "Supervision is regular.", {}) == 0.0  # no weights, no share


def test_best_sentence_overlap_wants_the_words_together() -> None:
    asked = plan("How regular is supervision of social workers?")
    assert asked.keywords == ("regular", "supervis", "social", "worker")
    idf = dict.fromkeys(asked.keywords, 1.0)
    spread = "Supervision is regular. Social workers said so."
    together = "Supervision of social workers is regular. Caseloads are low."
    assert keyword_overlap(asked, spread, idf) == keyword_overlap(asked, together, idf) == 1.0
    assert best_sentence_overlap(asked, spread, idf) == 0.5
    assert best_sentence_overlap(asked, together, idf) == 1.0
    assert best_sentence_overlap(asked, "", idf) == 0.0


def test_council_match() -> None:
    rotherham = plan("How are care leavers supported in Rotherham?")
    assert council_match(rotherham, ROTHERHAM_VISIT) == 1.0  # about the council asked
    assert council_match(rotherham, SHEFFIELD_NEWS) == 0.5  # only mentions it
    assert council_match(rotherham, LEEDS_PAPER) == -1.0  # neither
    assert council_match(rotherham, None) == -1.0  # nothing known of the document
    assert council_match(plan("How are care leavers supported?"), LEEDS_PAPER) == 0.0


def test_kind_match() -> None:
    monitoring = plan("What did the monitoring visit find about caseloads?")
    assert kind_match(monitoring, ROTHERHAM_VISIT) == 1.0
    assert kind_match(monitoring, SHEFFIELD_NEWS) == -1.0
    assert kind_match(monitoring, None) == -1.0
    assert kind_match(plan("What was found about caseloads?"), SHEFFIELD_NEWS) == 0.0


def test_inspectorate_match() -> None:
    inspectors = plan("What did inspectors say about caseloads?")
    assert inspectorate_match(inspectors, ROTHERHAM_VISIT) == 1.0
    assert inspectorate_match(inspectors, SHEFFIELD_NEWS) == -1.0
    assert inspectorate_match(inspectors, None) == -1.0
    assert inspectorate_match(plan("What did councillors say about caseloads?"), SHEFFIELD_NEWS) == 0.0


def test_year_match_reads_the_reports_dates_as_numbers() -> None:
    in_2025 = plan("What did the visit in 2025 find in Rotherham?")
    assert in_2025.years == (2025,)
    # "since 2019" in a report visited and dated 2025 does not count against a 2025 question.
    assert year_match(in_2025, ROTHERHAM_VISIT, "Practice has improved since 2019.") == 1.0
    # Dated another year: a passage naming the year asked counts for half.
    assert year_match(in_2025, SHEFFIELD_NEWS, "The council expects a visit in 2025.") == 0.5
    assert year_match(in_2025, SHEFFIELD_NEWS, "Practice has improved since 2019.") == -1.0
    assert year_match(in_2025, LEEDS_PAPER, "No year at all.") == -1.0  # undated
    assert year_match(in_2025, None, "No year at all.") == -1.0
    assert year_match(plan("What did the visit find?"), SHEFFIELD_NEWS, "In 2019.") == 0.0


def test_ordinal_match() -> None:
    fourth = plan("On which dates was the fourth monitoring visit carried out?")
    assert ordinal_match(fourth, "The fourth monitoring visit took place in May.") == 1.0
    assert ordinal_match(fourth, "Inspectors praised Dudley after their 4th visit.") == 1.0
    assert ordinal_match(fourth, "The fifth monitoring visit took place in March 2023.") == -1.0
    # A share is not a visit's place in the series.
    assert ordinal_match(fourth, "A third of social workers are agency staff.") == 0.0
    assert ordinal_match(fourth, "The visit took place on October 11 and 12.") == 0.0
    assert ordinal_match(plan("When was the visit?"), "The fifth monitoring visit") == 0.0


def test_answer_kind() -> None:
    when = plan("When was the service judged inadequate?")
    assert answer_kind(when, "It was rated inadequate in April 2016.") == 1.0  # with its month
    assert answer_kind(when, "It was rated inadequate in early 2016.") == 0.5
    assert answer_kind(when, "It was rated inadequate.") == 0.0
    assert answer_kind(plan("What did Ofsted say?"), "In April 2016.") == 0.0  # no kind wanted


def test_answer_near_wants_the_answer_beside_the_questions_words() -> None:
    when = plan("When was the service judged inadequate?")
    assert when.keywords == ("servic", "judg", "inadequ")
    idf = {"servic": 1.0, "judg": 1.0, "inadequ": 2.0}
    assert answer_near(when, "The service was judged inadequate in April 2016.", idf) == 1.0
    # The date in one sentence, the words in another: the best sentence holds half the words.
    two = "The service was judged inadequate. Offices opened in May 2019. It was inadequate in April 2016."
    assert answer_near(when, two, idf) == 0.5
    assert answer_near(when, "The service was judged inadequate.", idf) == 0.0
    assert answer_near(plan("What did Ofsted say?"), "Judged inadequate in April 2016.", idf) == 0.0


def test_reason() -> None:
    why = plan("Why was the service judged inadequate?")
    assert reason(why, "It was judged inadequate because leaders did not know their services.") == 1.0
    assert reason(why, "It was judged inadequate in 2016.") == 0.0
    assert reason(plan("What was judged inadequate?"), "It failed because of weak leaders.") == 0.0


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("Inspection dates: 3 to 14 March 2025", 1.0),  # a cover label
        ("This letter sets out what inspectors found.", 1.0),
        ("© Crown copyright 2025", 1.0),
        ("This publication is available at www.gov.uk/ofsted.", 1.0),
        ("Supervision is regular and reflective.", 0.0),  # a finding
        ("Lead inspector: Sarah Quinlan. Caseloads are manageable.", 0.5),  # one sentence of two
    ],
)
def test_boilerplate(text: str, score: float) -> None:
    assert boilerplate(text) == score


def test_label_line() -> None:
    assert label_line("Lead inspector: Sarah Quinlan") == 1.0
    assert label_line("  Judgement: Requires improvement to be good\n") == 1.0
    assert label_line("Inspectors found that supervision is regular.") == 0.0
    assert label_line("the lead inspector: Sarah Quinlan") == 0.0


def test_length() -> None:
    assert length("") == 0.0
    assert length("Supervision is regular and reflective.") == pytest.approx(math.log(6) / 4)
    assert length("word " * 100) > length("word " * 10)


IDF = {"supervis": 2.0, "inspector": 1.0, "find": 1.0}
ASKED = plan("What did inspectors find about supervision in Rotherham in 2025?")
PASSAGE = "Inspectors find that supervision is regular. Practice has improved since 2019."


def test_passage_row_is_in_passage_features_order() -> None:
    retrieval = (0.61, 0.9, 0.42, 0.05, 0.8)
    row = passage_row(ASKED, PASSAGE, ROTHERHAM_VISIT, retrieval, IDF)
    assert len(row) == len(PASSAGE_FEATURES) == len(set(PASSAGE_FEATURES))
    assert all(isinstance(v, float) for v in row)
    assert column(PASSAGE_FEATURES, row, "dense") == 0.61
    assert column(PASSAGE_FEATURES, row, "overlap") == keyword_overlap(ASKED, PASSAGE, IDF) == 1.0
    assert column(PASSAGE_FEATURES, row, "sentence_overlap") == 1.0
    assert column(PASSAGE_FEATURES, row, "council") == 1.0
    assert column(PASSAGE_FEATURES, row, "kind") == 0.0
    assert column(PASSAGE_FEATURES, row, "inspectorate") == 1.0
    assert column(PASSAGE_FEATURES, row, "year") == 1.0
    assert column(PASSAGE_FEATURES, row, "boilerplate") == 0.0
    other = passage_row(ASKED, PASSAGE, LEEDS_PAPER, retrieval, IDF)
    assert column(PASSAGE_FEATURES, other, "council") == -1.0
    assert column(PASSAGE_FEATURES, other, "year") == -1.0


def test_sentence_row_is_in_sentence_features_order() -> None:
    sentence = "Inspectors find that supervision is regular."
    retrieval = (0.58, -0.02, 3.5, 0.7, True)
    row = sentence_row(ASKED, sentence, PASSAGE, ROTHERHAM_VISIT, retrieval, IDF)
    assert len(row) == len(SENTENCE_FEATURES) == len(set(SENTENCE_FEATURES))
    assert all(isinstance(v, float) for v in row)
    assert column(SENTENCE_FEATURES, row, "dense") == 0.58
    assert column(SENTENCE_FEATURES, row, "rerank") == 3.5
    assert column(SENTENCE_FEATURES, row, "passage") == 0.7
    assert column(SENTENCE_FEATURES, row, "top_passage") == 1.0
    assert column(SENTENCE_FEATURES, row, "overlap") == 1.0
    assert column(SENTENCE_FEATURES, row, "council") == 1.0
    assert column(SENTENCE_FEATURES, row, "label_line") == 0.0
    assert column(SENTENCE_FEATURES, row, "length") == length(sentence)


def test_sentence_row_reads_the_visit_in_the_sentence_and_its_passage() -> None:
    fourth = plan("On which dates was the fourth monitoring visit carried out?")
    passage = "The fifth monitoring visit took place in March. It went well."
    row = sentence_row(fourth, "It went well.", passage, None, (0.5, 0.0, 0.0, 0.5, False), {})
    assert column(SENTENCE_FEATURES, row, "ordinal") == -1.0  # its passage is about another visit
    assert column(SENTENCE_FEATURES, row, "top_passage") == 0.0


def _sentence(**values: float) -> list[float]:
    return [values.get(name, 0.0) for name in SENTENCE_FEATURES]


def test_answer_row_is_in_answer_features_order() -> None:
    when = plan("When was the service judged inadequate?")
    sentences = [
        (0.3, _sentence(dense=0.2, overlap=0.1)),
        (0.8, _sentence(dense=0.6, overlap=0.9, council=1.0, answer_kind=1.0, rerank=2.5, year=-1.0)),
        (0.5, _sentence(dense=0.4, rerank=4.0)),
    ]
    passages = [
        (0.7, 0.55, "The service was judged inadequate in 2016.", None),
        (0.9, 0.45, "Other words.", None),
    ]
    idf = {"servic": 1.0, "judg": 2.0, "inadequ": 3.0}
    row = answer_row(when, AnswerEvidence(sentences, passages), idf)
    assert len(row) == len(ANSWER_FEATURES) == len(set(ANSWER_FEATURES))
    named = dict(zip(ANSWER_FEATURES, row, strict=True))
    assert named["sentence"] == 0.8 and named["sentence_2"] == 0.5
    assert named["passage"] == 0.9
    assert named["dense"] == 0.6 and named["overlap"] == 0.9 and named["council"] == 1.0
    assert named["rerank"] == 4.0 and named["best_rerank"] == 2.5 and named["year"] == -1.0
    assert named["unmet"] == 0.0
    assert named["coverage"] == pytest.approx(coverage(when, [p for _, _, p, _ in passages], idf))
    assert named["future"] == 0.0 and named["report_found"] == 0.0
    # No candidate sentence holds a date: the question's want is unmet.
    unmet = answer_row(when, AnswerEvidence([(0.8, _sentence(dense=0.6))], [(0.9, 0.5, "", None)]), idf)
    assert dict(zip(ANSWER_FEATURES, unmet, strict=True))["unmet"] == 1.0
    # A question that wants no particular kind is never unmet; nothing found gives zeros.
    empty = answer_row(plan("What did Ofsted say?"), AnswerEvidence([], []), {})
    assert empty == [0.0] * len(ANSWER_FEATURES)


def test_coverage_is_the_share_of_keywords_anywhere_in_the_passages() -> None:
    asked = plan("private fostering in Rotherham")
    idf = {"privat": 3.0, "foster": 1.0}
    assert coverage(asked, ["Fostering is strong.", "Nothing else."], idf) == pytest.approx(0.25)
    assert coverage(asked, ["Fostering is strong.", "Private fostering arrangements"], idf) == 1.0
    assert coverage(asked, [], idf) == 0.0


def test_unasked_boilerplate_counts_only_when_no_kind_of_answer_is_wanted() -> None:
    formula = boilerplate("This letter summarises the findings of the monitoring visit to Rotherham.")
    assert formula == 1.0
    assert unasked_boilerplate(plan("summarise the rotherham monitoring visit"), formula) == 1.0
    assert unasked_boilerplate(plan("when was the rotherham monitoring visit"), formula) == 0.0
    assert unasked_boilerplate(plan("summarise the visit"), boilerplate("Supervision is regular.")) == 0.0


def test_letter_closing_formulas_and_web_menus_are_boilerplate() -> None:
    assert boilerplate("Ofsted will take the findings into account when planning your next visit.") == 1.0
    assert boilerplate("The director should prepare a written statement of proposed action.") == 1.0
    assert boilerplate("News | Politics | Education | Sport") == 1.0
    assert boilerplate("Caseloads fell from 24 to 18 (a third fewer).") == 0.0
    # A table row is a finding, not a menu.
    assert boilerplate("| Average caseload | 18 | 24 |") == 0.0


def test_future_asks_a_sentence_about_what_is_to_come() -> None:
    nxt = plan("When is the next full inspection of Rotherham?")
    assert future(nxt, "The next monitoring visit will take place in the spring.") == 1.0
    assert future(nxt, "Plans to recruit 40 foster carers by 2026 were agreed.") == 1.0
    # The dates of the last inspection do not say when the next one is.
    assert future(nxt, "Inspection dates: 6 to 17 March 2023") == -1.0
    assert future(plan("When was Rotherham last inspected?"), "Inspection dates: 6 to 17 March 2023") == 0.0


def test_lead_favours_the_opening_of_a_report_for_a_summary() -> None:
    summary = plan("sum up the 2025 rotherham monitoring visit")
    assert lead(summary, 1, 0) == 1.0 and lead(summary, None, 0) == 1.0
    assert lead(summary, 2, 0) == 0.5 and 0 < lead(summary, 1, 4000) < lead(summary, 1, 100)
    assert lead(plan("what did the visit say about supervision"), 1, 0) == 0.0


def test_report_found_looks_for_the_report_a_question_names_among_the_passages() -> None:
    letter = "Leaders have made progress since the last visit."
    # Named by kind and year: the 2025 monitoring visit is found, from its own facts...
    visit = plan("what did the 2025 monitoring visit to rotherham find")
    assert report_found(visit, [(letter, ROTHERHAM_VISIT)]) == 1.0
    # ... not a focused visit in 2019, which no passage found is about.
    asked = plan("what did the 2019 focused visit to rotherham find")
    assert report_found(asked, [(letter, ROTHERHAM_VISIT), ("Sheffield news.", SHEFFIELD_NEWS)]) == -1.0
    # News that names the visit and its year stands for it ("news" is the article's own kind).
    news = "Ofsted's focused visit to Rotherham in 2019 found delays at the front door."
    assert report_found(asked, [(news, SHEFFIELD_NEWS)]) == 1.0
    # Another council's report of that kind does not count; a question naming no report is 0.
    assert report_found(plan("the 2025 monitoring visit to leeds"), [(letter, ROTHERHAM_VISIT)]) == -1.0
    assert report_found(plan("what did ofsted say about supervision"), [(letter, ROTHERHAM_VISIT)]) == 0.0


def test_rerank_row_is_in_rerank_features_order() -> None:
    row = rerank_row(0.4, [-2.0, 3.0, 1.0], 5.0, 3.5)
    assert len(row) == len(RERANK_FEATURES)
    assert dict(zip(RERANK_FEATURES, row, strict=True)) == {
        "passage": 0.4,
        "rerank": 3.0,
        "rerank_2": 1.0,
        "rerank_gap": -2.0,
        "document_rerank": 3.5,
    }
    # One statement: its logit is also the second best.
    assert rerank_row(0.1, [2.0], 2.0, 2.0)[1:4] == [2.0, 2.0, 0.0]
