"""What a question asks for (a date, a number, a person) and how a passage is seen to hold it."""

from __future__ import annotations

import pytest

from qa.answer_types import asked_for, wanted


@pytest.mark.parametrize(
    ("question", "passage", "holds"),
    [
        ("Who inspected the service?", "Inspector Nick Bennison said: “Children are safe.”", True),
        ("Who signed the report?", "The report, signed by John Macilwraith, director of children", True),
        ("Who spoke for the council?", "Martin Samuels, the council's strategic director, said", True),
        ("Who wrote it?", "Cllr Millward said the comments were welcome", True),
        # Capitalised words that are not a person: a heading, an organisation, a caption.
        ("Who inspected the service?", "Dudley\n\nNews Release Contact Information", False),
        ("Who inspected the service?", "Social Care and Wellbeing Scrutiny Committee on February 4", False),
        ("When is the plan going to cabinet?", "It will be presented to the cabinet in the new year.", True),
        ("When was the visit?", "The visit took place on October 11 and 12.", True),
        ("When was the visit?", "Some plans may be late and a few march on.", False),
        ("How many cases were read?", "Inspectors went through between 400 to 500 cases.", True),
        ("How many cases were read?", "Inspectors read cases with managers.", False),
    ],
)
def test_answer_type_patterns(question: str, passage: str, holds: bool) -> None:
    pattern = asked_for(question)
    assert pattern is not None
    assert bool(pattern.search(passage)) is holds


def test_other_questions_ask_for_nothing_in_particular() -> None:
    assert asked_for("What did Ofsted say about supervision?") is None


@pytest.mark.parametrize(
    ("question", "figure"),
    [
        ("thurrock re-referral rate", True),
        ("what % of return home interviews were on time", True),
        ("What is the average caseload in the assessment service?", True),
        ("what proportion of social workers are agency staff", True),
        # A measure named in a question that wants a reason, a trend or an account.
        ("why is the re-referral rate so high", False),
        ("how has the re-referral rate changed", False),
        ("what did inspectors say about the re-referral rate", False),
    ],
)
def test_a_measure_asked_for_wants_a_figure(question: str, figure: bool) -> None:
    pattern = asked_for(question)
    assert (pattern is not None and bool(pattern.search("It was 18%."))) is figure


WHEN = "When was the service judged inadequate?"
HOW_MANY = "How many cases did inspectors read?"
CARERS = "How many foster carers does the council have?"


@pytest.mark.parametrize(
    ("question", "text", "level"),
    [
        # A precise answer counts more: a month, a person with the role asked, a number.
        (WHEN, "It was rated inadequate in April 2016.", 2),
        (WHEN, "It was rated inadequate in early 2016.", 1),
        (WHEN, "It was rated inadequate.", 0),
        ("Who inspected the service?", "Inspector Nick Bennison said the service is safe.", 2),
        ("Who inspected the service?", "The report, signed by John Macilwraith, was published.", 1),
        (HOW_MANY, "Inspectors went through between 400 to 500 cases.", 2),
        (HOW_MANY, "Just under a third of social workers are agency staff.", 2),
        (HOW_MANY, "They looked at many hundreds of cases.", 1),
        # Numbers in dates are not counts; counts written as words are.
        (HOW_MANY, "The visit took place on October 11 and 12, as in 2016.", 0),
        (HOW_MANY, "On 3rd March inspectors read 45 cases.", 2),
        (HOW_MANY, "Inspectors visited on 20 and 21 February and on 18th and 19th of May.", 0),
        ("How many priorities does the report set?", "The report identifies six priorities.", 2),
        # A number counts only what the question counts; a share needs no noun.
        (CARERS, "Three years ago the council was deeply inadequate.", 0),
        (CARERS, "The council has 120 foster carers.", 2),
        (CARERS, "Just under a third of the council's carers are new.", 2),
        # Every word of what is counted: children in care are not care leavers.
        ("how many care leavers does the council have", "There are 472 children in care.", 0),
        ("how many care leavers does the council have", "It supports 310 care leavers.", 2),
        (
            "How many children's cases did the inspectors look through?",
            "Children aged 16 and 17 get help.",
            0,
        ),
        # The role asked about is the question's predicate, not the words after it.
        ("Who wrote to congratulate the council?", "Councillor Anne Millward said she was delighted.", 1),
        ("Who is the director of children's services?", "Martin Samuels, strategic director, said so.", 2),
        (
            "Which inspector signed the letter?",
            "In a letter, government inspector Pauline Higham said so.",
            2,
        ),
    ],
)
def test_how_well_a_text_holds_the_answer_wanted(question: str, text: str, level: int) -> None:
    want = wanted(question)
    assert want is not None
    assert want.found(text) == level


def test_sentences_report_the_keywords_beside_the_answer() -> None:
    when = wanted("When was the service judged inadequate?")
    assert when is not None
    keywords = {"servic": 1.0, "judg": 1.0, "inadequ": 2.0}
    text = "The service was judged inadequate. Offices opened in May 2019. It was inadequate in April 2016."
    assert list(when.sentences(text, keywords)) == [(2, 0.0), (2, 0.5)]


def test_only_a_sum_answers_a_question_about_money() -> None:
    spend = wanted("How much did the council spend on agency staff last year?")
    assert spend is not None and spend.required
    assert spend.found("The council spent £4.2 million on agency staff.") == 2
    assert spend.found("It spent much of the year recruiting 30 social workers.") == 0
    budget = wanted("What is the annual budget of children's services?")
    assert budget is not None and budget.required
    progress = wanted("How much progress has been made?")
    assert progress is not None and not progress.required
