"""qa.query: the question read once into a QueryPlan (councils, years, visit, kinds, follow-ups)."""

from __future__ import annotations

import pytest

from qa.errors import QueryError
from qa.lexical import tokenize
from qa.query import QueryPlan, clean_question, follows, names_kind, ordinal_number, plan

COUNCIL_QUESTION = "What did Ofsted say about care leavers in Rotherham?"


def test_a_plan_is_a_frozen_record_of_the_question() -> None:
    asked = plan("  What did Ofsted say\n about   supervision? ")
    assert isinstance(asked, QueryPlan)
    assert asked.question == "What did Ofsted say about supervision?"
    assert asked.context is None
    with pytest.raises(AttributeError):
        asked.question = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("question", "councils"),
    [
        ("what did ofsted say about care leavers in rotherham", ("Rotherham",)),
        ("What did Ofsted say about care leavers in ROTHERHAM?", ("Rotherham",)),
        ("How do Dudley and Sandwell compare on caseloads?", ("Dudley", "Sandwell")),
        ("What did Ofsted say about supervision?", ()),
    ],
)
def test_councils_are_found_in_any_case(question: str, councils: tuple[str, ...]) -> None:
    assert plan(question).councils == councils


def test_a_childrens_trust_stands_for_its_council() -> None:
    assert plan("How is Together for Children doing on care leavers?").councils == ("Sunderland",)


def test_a_council_the_library_does_not_cover_is_missing() -> None:
    asked = plan("How do Dudley and Leeds support care leavers?", covered={"Dudley", "Rotherham"})
    assert asked.councils == ("Dudley", "Leeds")
    assert asked.missing == ("Leeds",)
    assert plan("How does Leeds support care leavers?").missing == ()  # no library given: all covered
    assert plan("How does Leeds support care leavers?", covered=set()).missing == ("Leeds",)


def test_years_are_numbers_in_order() -> None:
    assert plan("What changed in Dudley between 2024 and 2019, and in 2024?").years == (2019, 2024)
    assert plan("How many of the 2500 children were seen?").years == ()


@pytest.mark.parametrize(
    ("question", "ordinal"),
    [
        ("On which dates was the fourth monitoring visit carried out?", 4),
        ("What did the 2nd focused visit find?", 2),
        ("What did the third visit say about caseloads?", 3),
        ("Are a third of social workers agency staff?", None),
        ("What did the first inspectors find about supervision?", None),
    ],
)
def test_a_visit_named_by_its_place_in_the_series(question: str, ordinal: int | None) -> None:
    assert plan(question).ordinal == ordinal


def test_ordinal_words_are_numbers() -> None:
    assert ordinal_number("Fourth") == 4
    assert ordinal_number("10th") == 10


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("What did the monitoring visit find?", "monitoring visit"),
        ("What did the focused visit say about help and protection?", "focused visit"),
        ("What did the JTAI find about neglect?", "jtai"),
        ("What did the ILACS inspection report say about leaders?", "full inspection"),
        ("What did the council's press release say?", "press release"),
        ("What did the scrutiny committee ask about agency staff?", "council paper"),
        ("What did the newspaper article say about foster carers?", "news"),
        ("What did Ofsted say about supervision?", None),
    ],
)
def test_the_kind_of_report_asked_for(question: str, kind: str | None) -> None:
    assert plan(question).report_kind == kind


def test_a_question_about_what_is_to_come() -> None:
    assert plan("When is the next full inspection of Croydon?").asks_future
    assert plan("what will the council do about caseloads").asks_future
    assert not plan("When was Croydon last inspected?").asks_future


def test_a_request_for_a_summary_is_not_its_keywords() -> None:
    asked = plan("give me a summary of ofsted's 2023 report on croydon")
    assert asked.asks_summary and asked.keywords == ("ofst", "2023", "report")
    # "summarise" is an instruction: BM25 must not look for letters that "summarise" things.
    assert "summaris" not in plan("summarise the 2025 southwark monitoring visit").terms
    assert not plan("what did the 2023 report say about supervision").asks_summary


def test_a_report_kind_named_in_a_text() -> None:
    assert names_kind("monitoring visit", "Ofsted's third monitoring visit found delays.")
    assert names_kind("focused visit", "a focused visit in 2019")
    assert not names_kind("focused visit", "the monitoring visit")


def test_the_kind_of_answer_wanted() -> None:
    when = plan("When was the service judged inadequate?").wanted
    assert when is not None and when.found("in April 2016") == 2
    who = plan("Who inspected Dudley?").wanted
    assert who is not None and who.found("Inspector Jane Okafor said so.") == 2
    money = plan("How much did the council spend on agency staff?").wanted
    assert money is not None and money.required
    assert plan("What did Ofsted say about supervision?").wanted is None


def test_keywords_leave_out_the_councils_words() -> None:
    asked = plan("what did ofsted say about care leavers in rotherham")
    assert asked.keywords == ("ofst", "care", "leaver")
    trust = plan("How does Together for Children support care leavers?")
    assert "togeth" not in trust.keywords and "children" not in trust.keywords
    assert set(trust.keywords) == {"support", "care", "leaver"}
    # Only the words naming the council go: "Sandwell" the council, not "social" or "workers".
    assert plan("How many social workers does Sandwell employ?").keywords == tuple(
        tokenize("social workers employ")
    )


@pytest.mark.parametrize(
    "question",
    [
        "and what about caseloads?",
        "What about care leavers?",
        "Also, how are foster carers supported?",
        "Which other groups did inspectors look at?",
        "who led it?",
        "When was that?",
    ],
)
def test_follow_ups_lean_on_the_previous_question(question: str) -> None:
    asked = plan(question, ["What did inspectors say about supervision?", COUNCIL_QUESTION])
    assert asked.context == COUNCIL_QUESTION  # the latest turn, not an earlier one
    assert follows(question, COUNCIL_QUESTION)


def test_a_question_that_names_no_council_follows_one_that_did() -> None:
    asked = plan("How are foster carers recruited and trained?", [COUNCIL_QUESTION])
    assert asked.context == COUNCIL_QUESTION
    assert asked.councils == ("Rotherham",)  # the context's council carries over
    assert asked.missing == ()


def test_the_contexts_council_carries_over_and_can_be_missing() -> None:
    asked = plan("who led it?", [COUNCIL_QUESTION], covered={"Dudley"})
    assert asked.councils == ("Rotherham",)
    assert asked.missing == ("Rotherham",)
    # Only the question's own words are keywords; the context is searched on its own.
    assert asked.keywords == ("led",)


def test_a_standalone_question_is_not_a_follow_up() -> None:
    own = plan("What did Ofsted say about care leavers in Dudley?", [COUNCIL_QUESTION])
    assert own.context is None
    assert own.councils == ("Dudley",)
    plain = plan("How are foster carers recruited and trained?", ["What did inspectors find?"])
    assert plain.context is None
    assert plan("Who recruited foster carers?", ["What about supervision?"]).context is None


def test_history_that_is_empty_or_blank_is_no_context() -> None:
    assert plan("and what about caseloads?", []).context is None
    assert plan("and what about caseloads?", None).context is None
    assert plan("and what about caseloads?", ["   ", ""]).context is None
    assert plan("and what about caseloads?", ["  What about\nsupervision? "]).context == (
        "What about supervision?"
    )


def test_clean_question_keeps_printable_text() -> None:
    assert clean_question("  What\tabout\x00 supervision?\n") == "What about supervision?"


@pytest.mark.parametrize("question", ["", "   \n\t", "\x00\x01\x02"])
def test_an_empty_question_is_refused(question: str) -> None:
    with pytest.raises(QueryError, match="type a question"):
        clean_question(question)
    with pytest.raises(QueryError, match="type a question"):
        plan(question)


def test_a_question_that_is_not_text_is_refused() -> None:
    with pytest.raises(QueryError, match="must be text"):
        clean_question(42)  # type: ignore[arg-type]


def test_an_oversized_question_is_refused() -> None:
    with pytest.raises(QueryError, match="too long"):
        clean_question("word " * 500)
    assert clean_question("word " * 500, limit=3000).startswith("word word")
    with pytest.raises(QueryError, match="too long"):
        plan("word " * 20000)
