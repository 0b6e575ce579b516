from __future__ import annotations

from collections import Counter

import pytest

from qa.councils import COUNCILS, CouncilMention, council_names, find_councils


def councils(text: str) -> list[str]:
    return [m.council for m in find_councils(text)]


def test_all_153_councils_once_each() -> None:
    names = council_names()
    assert len(names) == 153
    assert len(set(names)) == 153
    kinds = Counter(c.kind for c in COUNCILS)
    assert kinds == {"county": 21, "metropolitan": 36, "london": 33, "unitary": 63}


@pytest.mark.parametrize(
    "name",
    [
        "Bournemouth, Christchurch and Poole",
        "Dorset",
        "Buckinghamshire",
        "North Northamptonshire",
        "West Northamptonshire",
        "Cumberland",
        "Westmorland and Furness",
        "North Yorkshire",
        "Somerset",
        "Isles of Scilly",
        "City of London",
        "Kingston upon Hull",
        "County Durham",
        "Herefordshire",
        "St Helens",
        "Telford and Wrekin",
    ],
)
def test_councils_created_or_renamed_recently_are_listed_and_found(name: str) -> None:
    assert name in council_names()
    assert councils(f"Ofsted inspected {name} in 2024.") == [name]


def test_abolished_councils_are_not_listed() -> None:
    names = set(council_names())
    assert not names & {"Northamptonshire", "Cumbria", "Poole", "Bournemouth", "Aylesbury Vale"}


def test_lower_case_question_matches() -> None:
    found = find_councils("what did ofsted say about care leavers in rotherham")
    assert found == (CouncilMention("Rotherham", 42, 51, "rotherham"),)


def test_mention_spans_index_the_text() -> None:
    text = "Reports on Sheffield and on Kingston upon Hull, then Rotherham’s letter."
    for m in find_councils(text):
        assert text[m.start : m.end] == m.text
    assert councils(text) == ["Sheffield", "Kingston upon Hull", "Rotherham"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("North Yorkshire and York", ["North Yorkshire", "York"]),
        ("in North Yorkshire", ["North Yorkshire"]),
        ("Yorkshire and the Humber", []),
        ("Kingston upon Hull", ["Kingston upon Hull"]),
        ("Kingston-upon-Hull City Council", ["Kingston upon Hull"]),
        ("Royal Borough of Kingston upon Thames", ["Kingston upon Thames"]),
        ("West Northamptonshire Council", ["West Northamptonshire"]),
        ("North East Lincolnshire and North Lincolnshire", ["North East Lincolnshire", "North Lincolnshire"]),
        (
            "Bath and North East Somerset and North Somerset",
            ["Bath and North East Somerset", "North Somerset"],
        ),
        ("South Gloucestershire, not Gloucestershire", ["South Gloucestershire", "Gloucestershire"]),
        ("Leicester and Leicestershire", ["Leicester", "Leicestershire"]),
    ],
)
def test_longest_name_wins(text: str, expected: list[str]) -> None:
    assert councils(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rotherham's children's services", "Rotherham"),
        ("Rotherham’s children’s services", "Rotherham"),
        ("St. Helens", "St Helens"),
        ("St Helens", "St Helens"),
        ("Saint Helens", "St Helens"),
        ("Telford & Wrekin", "Telford and Wrekin"),
        ("Telford  and\nWrekin", "Telford and Wrekin"),
        ("Brighton & Hove City Council", "Brighton and Hove"),
        ("Hammersmith & Fulham", "Hammersmith and Fulham"),
        ("Stoke on Trent", "Stoke-on-Trent"),
        ("Southend-on-Sea", "Southend-on-Sea"),
        ("Newcastle-upon-Tyne", "Newcastle upon Tyne"),
        ("Bournemouth Christchurch & Poole", "Bournemouth, Christchurch and Poole"),
        ("BCP Council", "Bournemouth, Christchurch and Poole"),
        ("Hull City Council", "Kingston upon Hull"),
        ("BANES", "Bath and North East Somerset"),
        ("B&NES", "Bath and North East Somerset"),
        ("Durham County Council", "County Durham"),
        ("County Durham", "County Durham"),
        ("Blackburn with Darwen", "Blackburn with Darwen"),
        ("NORTH YORKSHIRE COUNCIL", "North Yorkshire"),
    ],
)
def test_spelling_variants_and_aliases(text: str, expected: str) -> None:
    assert councils(text) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Together for Children runs services", ["Sunderland"]),
        ("Slough Children First", ["Slough"]),
        ("Birmingham Children’s Trust", ["Birmingham"]),
        ("Northamptonshire Children's Trust", ["North Northamptonshire", "West Northamptonshire"]),
        (
            "Achieving for Children",
            ["Kingston upon Thames", "Richmond upon Thames", "Windsor and Maidenhead"],
        ),
        ("Sandwell Children's Trust", ["Sandwell"]),
        ("Worcestershire Children First", ["Worcestershire"]),
        ("Bradford Children and Families Trust", ["Bradford"]),
        ("Doncaster Children's Services Trust", ["Doncaster"]),
        ("Brighter Futures for Children", ["Reading"]),
        ("Cumbria County Council", ["Cumberland", "Westmorland and Furness"]),
    ],
)
def test_trusts_and_former_councils_map_to_councils(text: str, expected: list[str]) -> None:
    assert councils(text) == expected
    assert len({(m.start, m.end) for m in find_councils(text)}) == 1


@pytest.mark.parametrize(
    "text",
    [
        "reading the report",
        "After reading the report, members asked questions.",
        "Reading the report, inspectors found gaps.",
        "a decision to bury the findings",
        "they had to slough off old habits",
        "the harrow and the plough",
        "a hull and a mast",
        "stoke the fire",
        "Sutton Coldfield",
        "Bury St Edmunds",
        "Newcastle-under-Lyme",
        "New York",
        "Cllr Anne Bolton said",
        "Inspector Sarah Poole visited",
        "Ofsted, Piccadilly Gate, Store Street, Manchester",
        "Ofsted, Agora, 6 Cumberland Place, Nottingham NG1 6HJ",
        "Harrowfield and Lowmoor councils",
        "Yorkshire",
    ],
)
def test_ordinary_words_and_other_places_do_not_match(text: str) -> None:
    assert councils(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Reading Borough Council", ["Reading"]),
        ("reading borough council", ["Reading"]),
        ("the council in bury", ["Bury"]),
        ("bury council children's services", ["Bury"]),
        ("Ofsted praised Reading.", ["Reading"]),
        ("Children in Bury are safer", ["Bury"]),
        ("In Slough, caseloads fell.", ["Slough"]),
        ("the London Borough of Sutton", ["Sutton"]),
        ("hull's children's services", ["Kingston upon Hull"]),
    ],
)
def test_ambiguous_names_match_capitalised_or_beside_a_council_word(text: str, expected: list[str]) -> None:
    assert councils(text) == expected


def test_a_100_page_report_finds_every_mention() -> None:
    # Speed is measured in bench/, not asserted here.
    page = (
        "Inspectors found that children in Rotherham are seen regularly. Leaders in North Yorkshire "
        "and the Sheffield Safeguarding Hub share information. Reading the records, inspectors saw "
        "that supervision is regular and social workers' caseloads are manageable for most. "
    ) * 12
    text = "\n".join(page for _ in range(100))
    assert len(text) > 250_000
    assert len(find_councils(text)) == 3 * 12 * 100


def test_docstring_examples() -> None:
    import doctest

    import qa.councils

    assert doctest.testmod(qa.councils).failed == 0


def test_regions_and_clubs_are_not_councils() -> None:
    assert councils("Greater Manchester Police and Manchester City Council") == ["Manchester"]
    assert councils("Manchester United fans") == []
