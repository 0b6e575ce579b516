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


def test_precise_answers_count_more() -> None:
    when = wanted("When was the service judged inadequate?")
    assert when is not None
    assert when.found("It was rated inadequate in April 2016.") == 2
    assert when.found("It was rated inadequate in early 2016.") == 1
    assert when.found("It was rated inadequate.") == 0
    who = wanted("Who inspected the service?")
    assert who is not None
    assert who.found("Inspector Nick Bennison said the service is safe.") == 2
    assert who.found("The report, signed by John Macilwraith, was published.") == 1
    how_many = wanted("How many cases did inspectors read?")
    assert how_many is not None
    assert how_many.found("Inspectors went through between 400 to 500 cases.") == 2
    assert how_many.found("Just under a third of social workers are agency staff.") == 2
    assert how_many.found("They looked at many hundreds of cases.") == 1


def test_numbers_in_dates_do_not_answer_how_many() -> None:
    how_many = wanted("How many cases did inspectors read?")
    assert how_many is not None
    assert how_many.found("The visit took place on October 11 and 12, as in 2016.") == 0
    assert how_many.found("On 3rd March inspectors read 45 cases.") == 2
    assert how_many.found("Inspectors visited on 20 and 21 February and on 18th and 19th of May.") == 0
    priorities = wanted("How many priorities does the report set?")
    assert priorities is not None
    assert priorities.found("The report identifies six priorities for the coming year.") == 2


def test_a_number_counts_only_what_the_question_counts() -> None:
    carers = wanted("How many foster carers does the council have?")
    assert carers is not None
    assert carers.found("Three years ago the council was deeply inadequate.") == 0
    assert carers.found("The council has 120 foster carers.") == 2
    assert carers.found("Just under a third of the council's carers are new.") == 2
    cases = wanted("How many children's cases did the inspectors look through?")
    assert cases is not None
    assert cases.found("They looked at many hundreds of cases.") == 1
    assert cases.found("Children aged 16 and 17 who are homeless get help.") == 0


def test_sentences_report_the_keywords_beside_the_answer() -> None:
    when = wanted("When was the service judged inadequate?")
    assert when is not None
    keywords = {"servic": 1.0, "judg": 1.0, "inadequ": 2.0}
    text = "The service was judged inadequate. Offices opened in May 2019. It was inadequate in April 2016."
    assert list(when.sentences(text, keywords)) == [(2, 0.0), (2, 0.5)]


def test_the_role_asked_about_is_the_questions_predicate() -> None:
    wrote = wanted("Who wrote to congratulate the council?")
    assert wrote is not None
    assert wrote.found("Councillor Anne Millward said she was delighted.") == 1
    director = wanted("Who is the director of children's services?")
    assert director is not None
    assert director.found("Martin Samuels, strategic director for people, said it was a step.") == 2
    which = wanted("Which inspector signed the letter?")
    assert which is not None
    assert which.found("In a letter, government inspector Pauline Higham said so.") == 2


def test_a_text_naming_another_year_or_visit_contradicts_the_question() -> None:
    from qa.answer_types import conflicts

    question = "On which dates was the fourth monitoring visit in 2025 carried out?"
    assert conflicts(question, "The fifth monitoring visit took place in March 2023.") == 2
    assert conflicts(question, "The fourth visit, in 2025, followed the third in 2024.") == 0
    assert conflicts(question, "The visit took place on October 11 and 12.") == 0
    assert conflicts("What did Ofsted say?", "The fifth visit in 2023.") == 0
