"""qa.statements: the quotable statements of a passage, shared by search's second look and the answer."""

from __future__ import annotations

from qa.statements import is_statement, statements, trim_quotes


def test_statements_are_verbatim_spans_with_list_markers_left_out() -> None:
    text = (
        "What needs to improve\n"
        "• The timeliness of assessments for disabled children\n"
        "12. Supervision is regular and reflective.\n"
        "Lead inspector: Sarah Quinlan\n"
        "Too short.\n"
    )
    found = statements(text, "Inspection of Leeds")
    assert [s.text for s in found] == [
        "The timeliness of assessments for disabled children",
        "Supervision is regular and reflective.",
        "Lead inspector: Sarah Quinlan",
    ]
    assert all(text[s.start : s.end] == s.text for s in found)
    assert [s.item for s in found] == [True, True, False]


def test_a_heading_or_the_documents_title_states_nothing() -> None:
    assert not is_statement("What needs to improve", "Report")
    title = "Inspection of Leeds children's services"
    assert not is_statement(title, title)
    assert is_statement("Caseloads are manageable for most social workers.", "Report")
    assert is_statement("Too few care leavers in work", "Report", item=True)


def test_trim_quotes_drops_dangling_marks_and_keeps_a_whole_quotation() -> None:
    text = '"Caseloads are high," said the director.'
    a, b = trim_quotes(text, 0, 20)
    assert text[a:b] == "Caseloads are high,"
    whole = '"Caseloads are high."'
    assert trim_quotes(whole, 0, len(whole)) == (0, len(whole))
