from __future__ import annotations

import json

import pytest

from qa.councils import find_councils
from qa.documents import Document, Page
from qa.errors import QAError
from qa.facts import (
    KINDS,
    ReportFacts,
    document_kind,
    extract_facts,
    grade_name,
    inspector_names,
    main_council,
    published_date,
    stated_judgements,
    visit_dates,
)


def doc(*pages: str, path: str = "doc.pdf", title: str = "") -> Document:
    numbered = path.endswith(".pdf")
    return Document(
        path=path,
        title=title or pages[0].split("\n")[0],
        date=None,
        pages=tuple(
            Page(number=i + 1 if numbered else None, label=str(i + 1) if numbered else "", text=text)
            for i, text in enumerate(pages)
        ),
    )


# As pypdf extracts a rendered cover: the grade cell sits on the first line of its wrapped row.
ILACS_COVER = """Inspection of Sheffield local authority children's services
Inspection dates: 6 to 17 March 2023
Lead inspector: Harriet Ellison, His Majesty's Inspector
Publication date: 4 May 2023
Judgement Grade
The impact of leaders on social work practice with Good
children and families
The experiences and progress of children who need Requires improvement
help and protection to be good
The experiences and progress of children in care Good
The experiences and progress of care leavers Requires improvement
to be good
Overall effectiveness Requires improvement
to be good"""
ILACS_BODY = """Children in care in Sheffield receive a good service. Since the last inspection in 2018,
when children's services were judged to be good, help and protection has deteriorated.
The experiences and progress of children who need help and protection: requires improvement to be good
1. The Sheffield Safeguarding Hub is the city's front door. Rotherham's hub was visited in 2022."""

LETTER = """14 June 2024
To: Marcus Oyelaran, Director of Children's Services, Rotherham Metropolitan Borough
Council
Dear Mr Oyelaran
Monitoring visit to Rotherham children's services
This letter summarises the findings of the monitoring visit to Rotherham children's services
on 21 and 22 May 2024. This was the third monitoring visit since the local authority was
judged inadequate in February 2022. The visit was carried out by His Majesty's Inspectors
Siobhan Gallagher and Kwame Asante.
Headline findings
Leaders have made steady progress since the second monitoring visit on 14 and 15 November 2023.
Unlike in Sheffield, the front door is stable; Sheffield and Doncaster share a training academy."""
LETTER_END = """Ofsted will continue to monitor the progress being made in Rotherham.
Yours sincerely
Siobhan Gallagher
His Majesty's Inspector"""


def test_full_inspection_report() -> None:
    facts = extract_facts(doc(ILACS_COVER, ILACS_BODY, path="sheffield-ilacs-2023.pdf"))
    assert facts.council == "Sheffield"
    assert facts.councils_mentioned == ("Sheffield", "Rotherham")
    assert facts.kind == "full inspection"
    assert (facts.visit_start, facts.visit_end) == ("2023-03-06", "2023-03-17")
    assert facts.published == "2023-05-04"
    assert facts.inspectors == ("Harriet Ellison",)
    assert facts.judgements == (
        ("The impact of leaders on social work practice with children and families", "Good"),
        (
            "The experiences and progress of children who need help and protection",
            "Requires improvement to be good",
        ),
        ("The experiences and progress of children in care", "Good"),
        ("The experiences and progress of care leavers", "Requires improvement to be good"),
        ("Overall effectiveness", "Requires improvement to be good"),
    )


def test_letter_is_dated_by_its_letter_date_not_its_visit() -> None:
    facts = extract_facts(doc(LETTER, LETTER_END, path="rotherham-mv.pdf"))
    assert facts.kind == "monitoring visit"
    assert facts.published == "2024-06-14"
    assert (facts.visit_start, facts.visit_end) == ("2024-05-21", "2024-05-22")
    assert facts.inspectors == ("Siobhan Gallagher", "Kwame Asante")
    assert facts.judgements == ()


def test_letter_is_about_its_addressee_though_others_are_named_often() -> None:
    text = LETTER + "\nSheffield, Sheffield and Sheffield again."
    assert main_council(text, find_councils(text)) == "Rotherham"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (
            "12 March 2025\nDear Ms Lee\nThis letter summarises the findings of the focused visit to Leeds",
            "focused visit",
        ),
        (
            "3 July 2024\nDear Director\nJoint targeted area inspection of the multi-agency response to "
            "children at risk of exploitation in Wigan\nYours sincerely",
            "jtai",
        ),
        (
            "Inspection of Leeds local authority children's services\nInspection dates: 1 to 12 May 2023",
            "full inspection",
        ),
        ("Minutes\nChildren's Scrutiny Committee\nPresent: Councillor A Bell (Chair)", "council paper"),
        (
            "[Skip to content]\nLeeds City Council\nHome > News\nOfsted praises Leeds\n"
            "Notes to editors\nMedia enquiries",
            "press release",
        ),
        (
            "The Leeds Echo\nOfsted praises Leeds\nBy Amy Hart, Local Democracy Reporter\nThe council...",
            "news",
        ),
        ("Ofsted praises Leeds after a monitoring visit last month, the council said.", "news"),
        # A letter known by its To: and From: lines alone.
        (
            "16 April 2025\nTo: Dr Helen Kemp, Director for Children\nFrom: Ofsted, the Care Quality "
            "Commission\n# Joint targeted area inspection of the response to domestic abuse in Leeds",
            "jtai",
        ),
        # A paper that mentions the inspection mid-sentence is not the inspection report.
        (
            "# Leeds City Council\nAgenda item 5\nDate of meeting: 20 May 2025\n"
            "This report updates the committee "
            "since the inspection of local authority children's services (ILACS) in March 2024.",
            "council paper",
        ),
    ],
)
def test_document_kind(text: str, kind: str) -> None:
    assert document_kind(text) == kind
    assert kind in KINDS


def test_news_about_a_monitoring_visit_is_news() -> None:
    text = (
        "The Rotherham Record\nOfsted sees progress\nBy Hannah Lomax, Local Democracy Reporter\n"
        "Inspectors said in a letter after their monitoring visit that children were safer."
    )
    assert document_kind(text, path="rotherham-news.txt") == "news"


def test_press_release_with_a_maintenance_banner_date() -> None:
    text = """[Skip to main content]
Rotherham Metropolitan Borough Council
We use cookies to make this website work.
Planned maintenance: online forms will be unavailable from 7pm on Friday 5 July 2024 until
7am on Monday 8 July 2024.
Home > News > Children and families
Ofsted recognises progress in Rotherham children's services
Published: 19 June 2024
Inspectors visited on 21 and 22 May 2024. In a letter published on 14 June 2024, they praised staff."""
    facts = extract_facts(doc(text, path="rotherham-press.txt"))
    assert facts.kind == "press release"
    assert facts.published == "2024-06-19"
    assert (facts.visit_start, facts.visit_end) == ("2024-05-21", "2024-05-22")
    assert facts.council == "Rotherham"


def test_news_page_with_only_a_banner_date_has_no_date() -> None:
    text = """[Skip to content]
Due to essential maintenance online form services may be unavailable tomorrow, Tuesday 17th July 2018.
Fourth positive visit by Ofsted
Ofsted inspectors today praised Dudley Council's positive progress, in a letter published on 3 July 2018.
Inspector Pauline Higham said the improvement plan was resulting in positive progress."""
    facts = extract_facts(doc(text, path="dudley-news.txt"))
    assert facts.published is None
    assert facts.kind == "news"
    assert facts.inspectors == ("Pauline Higham",)


def test_undated_visit_days_take_the_year_of_the_document() -> None:
    text = "Published: 17 October 2024\nThe focused visit on 10 and 11 September looked at care leavers."
    assert visit_dates(text, published=published_date(text)) == ("2024-09-10", "2024-09-11")
    # Without a date of its own, a document's "10 and 11 September" cannot be placed.
    assert visit_dates(text.split("\n")[1]) == (None, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Inspection dates: 27 February to 10 March 2023", ("2023-02-27", "2023-03-10")),
        ("Inspection dates: 28 November 2022 to 9 December 2022", ("2022-11-28", "2022-12-09")),
        ("the focused visit to Leeds on 30 April and 1 May 2024.", ("2024-04-30", "2024-05-01")),
        ("The inspection took place between 3 and 7 June 2024.", ("2024-06-03", "2024-06-07")),
        (
            "The visit, which took place on October 11 and 12, 2018, was the fourth.",
            ("2018-10-11", "2018-10-12"),
        ),
        ("The one-day visit on 5 June 2024 looked at care leavers.", ("2024-06-05", "2024-06-05")),
        ("Since the previous visit on 1 and 2 May 2023, leaders have acted.", (None, None)),
        ("Rated inadequate in April 2016.", (None, None)),
    ],
)
def test_visit_dates(text: str, expected: tuple[str | None, str | None]) -> None:
    assert visit_dates(text) == expected


def test_council_paper_dated_by_its_meeting_and_has_no_visit() -> None:
    text = """# Suffolk County Council
## Education and Children's Services Scrutiny Committee
### Minutes of the meeting held on Thursday 20 March 2025 at 10:00am, Council Chamber, Ipswich
**Present:** Councillor Rachel Denholm (Chair)
The minutes of the meeting held on 23 January 2025 were confirmed.
Members noted the findings of the Ofsted focused visit carried out on 4 and 5 February 2025."""
    facts = extract_facts(doc(text, path="suffolk-minutes.md"))
    assert facts.kind == "council paper"
    assert facts.published == "2025-03-20"
    assert (facts.visit_start, facts.visit_end) == (None, None)
    assert facts.council == "Suffolk"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lead inspector: Dr Jane O'Brien-Smith, His Majesty's Inspector", ("Jane O'Brien-Smith",)),
        (
            "carried out by His Majesty's Inspectors Ann Lee, Tom McAllister and Priya Ramsay.",
            ("Ann Lee", "Tom McAllister", "Priya Ramsay"),
        ),
        (
            "The visit was carried out by Ann Lee and Bob Price, His Majesty's Inspectors.",
            ("Ann Lee", "Bob Price"),
        ),
        ("Yours sincerely\n\nAnn Lee\n\nSenior His Majesty's Inspector", ("Ann Lee",)),
        ("the lead inspector, Ann Lee, said", ("Ann Lee",)),
        ("Inspectors looked at records. Inspectors spoke to Children's Services staff.", ()),
        ("To: Marcus Oyelaran, Director of Children's Services", ()),
        # A joint inspection's team, each named with their inspectorate.
        (
            "The inspection was led by Cal Ridgeway, His Majesty's Inspector (Ofsted). The other "
            "inspectors were Hana Venn (Ofsted), Bea Lind (CQC) and Tom Wier (HMI Probation).",
            ("Cal Ridgeway", "Hana Venn", "Bea Lind", "Tom Wier"),
        ),
        (
            "His Majesty's Inspectors for this visit were Ruth Kavanagh and Sam Ash.",
            ("Ruth Kavanagh", "Sam Ash"),
        ),
        ("Their letter, led by Ofsted's Kieran Marsh, praised the team.", ("Kieran Marsh",)),
        # The chief inspectors who sign a joint letter did not inspect.
        (
            "Yvette Price, His Majesty's Inspector, National Director for Social Care, Ofsted\n"
            "Ivan Dunne, His Majesty's Inspector of Constabulary, HMICFRS",
            (),
        ),
    ],
)
def test_inspector_names(text: str, expected: tuple[str, ...]) -> None:
    assert inspector_names(text) == expected


def test_judgements_only_where_the_document_states_them() -> None:
    news = (
        "Dudley was rated inadequate by Ofsted in April 2016. It now requires improvement to be good, "
        "and the council wants to be good or outstanding."
    )
    assert stated_judgements(news) == ()
    quoting = "The report, published today, says: Overall effectiveness: Good"
    assert stated_judgements(quoting) == (("Overall effectiveness", "Good"),)


def test_judgement_headings_when_there_is_no_table() -> None:
    text = (
        "The experiences and progress of care leavers: inadequate\n"
        "1. Care leavers are not seen often.\n"
        "Overall effectiveness - requires improvement"
    )
    assert stated_judgements(text) == (
        ("The experiences and progress of care leavers", "Inadequate"),
        ("Overall effectiveness", "Requires improvement to be good"),
    )


@pytest.mark.parametrize(
    ("text", "grade"),
    [
        ("Outstanding", "Outstanding"),
        ("good", "Good"),
        ("requires improvement", "Requires improvement to be good"),
        ("Requires improvement to be good", "Requires improvement to be good"),
        ("INADEQUATE", "Inadequate"),
    ],
)
def test_grade_names(text: str, grade: str) -> None:
    assert grade_name(text) == grade


def test_trust_gives_its_council() -> None:
    text = "Together for Children\nOfsted monitoring visit praises Together for Children's social workers"
    facts = extract_facts(doc(text, path="tfc-news.txt"))
    assert facts.council == "Sunderland"
    assert facts.councils_mentioned == ("Sunderland",)


def test_document_naming_no_council() -> None:
    facts = extract_facts(doc("A note about supervision and caseloads.", path="note.txt"))
    assert facts.council is None
    assert facts.councils_mentioned == ()


def test_json_round_trip() -> None:
    facts = extract_facts(doc(ILACS_COVER, ILACS_BODY, path="sheffield-ilacs-2023.pdf"))
    data = json.loads(json.dumps(facts.to_json()))
    assert ReportFacts.from_json(data) == facts
    assert ReportFacts.from_json(ReportFacts().to_json()) == ReportFacts()


@pytest.mark.parametrize(
    "damage",
    [
        {"kind": "tweet"},
        {"judgements": [["Overall effectiveness"]]},
        {"inspectors": "Ann Lee"},
        {"published": 2024},
    ],
)
def test_from_json_rejects_damaged_facts(damage: dict[str, object]) -> None:
    data = {**ReportFacts().to_json(), **damage}
    with pytest.raises(QAError):
        ReportFacts.from_json(data)
    with pytest.raises(QAError):
        ReportFacts.from_json({"council": None})


def test_docstring_examples() -> None:
    import doctest

    import qa.facts

    assert doctest.testmod(qa.facts).failed == 0


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("Children's Scrutiny Committee - Tuesday 4 June 2024\nAgenda item 5", "council paper", "2024-06-04"),
        (
            "Minutes of a meeting of the Cabinet held at County Hall on 12 March 2025",
            "council paper",
            "2025-03-12",
        ),
        ("Leeds Echo\nOfsted praises Leeds\n13 June 2025, 5:30pm\nBy Amy Hart", "news", "2025-06-13"),
        ("Leeds Echo\nOfsted praises Leeds\nPublished: 19/06/2024\nBy Amy Hart", "news", "2024-06-19"),
        ("Leeds Echo\nOfsted praises Leeds\nThe letter, published on 3 July 2024, said...", "news", None),
    ],
)
def test_published_date_forms(text: str, kind: str, expected: str | None) -> None:
    assert published_date(text, kind=kind) == expected


def test_news_story_about_a_committee_meeting_is_news() -> None:
    text = (
        "Sheffield Citizen\nCare leavers still in B&Bs, councillors told\nBy Tom Haddon\n"
        "A meeting of the council's Policy Committee heard on Monday that the committee noted the figures. "
        "Members asked why the practice had not ended."
    )
    assert document_kind(text, path="sheffield-news.txt") == "news"


def test_judgement_table_without_its_heading_row_in_a_full_inspection() -> None:
    cover = ILACS_COVER.replace("Judgement Grade\n", "")
    assert len(stated_judgements(cover, kind="full inspection")) == 5
    # The same rows in a news story, without the table's heading, are not read as a table.
    assert stated_judgements(cover, kind="news") == ()


def test_jtai_letter() -> None:
    text = """3 July 2024
Dear Ms Lee
Joint targeted area inspection of the multi-agency response to children at risk of exploitation in Wigan
This letter summarises the findings of the joint targeted area inspection (JTAI) in Wigan. The inspection
took place between 3 and 7 June 2024. Lead inspectors: Jane Bell (Ofsted), Sam Hart (CQC) and Lee Fox
(HMICFRS).
Yours sincerely
Jane Bell
His Majesty's Inspector
Sam Hart
CQC Inspector"""
    facts = extract_facts(doc(text, path="wigan-jtai.pdf"))
    assert facts.kind == "jtai"
    assert facts.council == "Wigan"
    assert facts.published == "2024-07-03"
    assert (facts.visit_start, facts.visit_end) == ("2024-06-03", "2024-06-07")
    assert facts.inspectors == ("Jane Bell", "Sam Hart", "Lee Fox")


def test_a_publication_date_is_not_a_visit_date() -> None:
    text = "After the monitoring visit, in a letter published on 14 June 2024, inspectors praised staff."
    assert visit_dates(text) == (None, None)


def test_press_release_date_line() -> None:
    assert (
        published_date("Leeds City Council\nPress release - 19 June 2024\nOfsted praises Leeds")
        == "2024-06-19"
    )
