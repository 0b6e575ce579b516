"""Facts read off one document: which council, what kind, when, by whom, with which grades.

In: `extract_facts(document) -> ReportFacts`, made of small extractors, each a pure function
of the document's text: the council the document is about and every council it names, the
kind of document (full inspection, monitoring or focused visit, JTAI, council paper, press
release, news), the visit dates, the date of the document itself (a letter's date, not its
visit's; a report's publication date; a meeting's date; an article's date, never a website
banner's), the inspectors named, and the graded judgements the document itself states.
`ReportFacts.to_json()` / `from_json()` store the facts in the index manifest as plain JSON.
Out: finding councils in text (`qa.councils`), parsing single dates (`qa.documents`), and
any use of the facts in search or answers.

Every extractor is a rule over the wording Ofsted, councils and local papers use; each
answers None or () rather than guess when its cue is missing.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from qa.councils import CouncilMention, find_councils
from qa.documents import _MONTH_RE, Document, _make_date, _month_number, parse_date
from qa.errors import QAError

__all__ = [
    "GRADES",
    "KINDS",
    "ReportFacts",
    "document_kind",
    "extract_facts",
    "inspector_names",
    "main_council",
    "published_date",
    "stated_judgements",
    "visit_dates",
]

KINDS = (
    "full inspection",
    "monitoring visit",
    "focused visit",
    "jtai",
    "council paper",
    "press release",
    "news",
)
GRADES = ("Outstanding", "Good", "Requires improvement to be good", "Inadequate")


@dataclass(frozen=True, slots=True)
class ReportFacts:
    """What one document says about itself; None or () where it does not say.

    Dates are ISO 8601 strings; `judgements` pairs a judgement as the document words it
    with a grade from `GRADES`.
    """

    council: str | None = None
    councils_mentioned: tuple[str, ...] = ()
    kind: str | None = None
    visit_start: str | None = None
    visit_end: str | None = None
    published: str | None = None
    inspectors: tuple[str, ...] = ()
    judgements: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        """A plain dict of str, None and lists, for `json.dumps`."""
        return {
            "council": self.council,
            "councils_mentioned": list(self.councils_mentioned),
            "kind": self.kind,
            "visit_start": self.visit_start,
            "visit_end": self.visit_end,
            "published": self.published,
            "inspectors": list(self.inspectors),
            "judgements": [[judgement, grade] for judgement, grade in self.judgements],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReportFacts:
        """The inverse of `to_json`; raises QAError on anything `to_json` would not write."""
        try:
            facts = cls(
                council=_optional_str(data["council"]),
                councils_mentioned=_strings(data["councils_mentioned"]),
                kind=_optional_str(data["kind"]),
                visit_start=_optional_str(data["visit_start"]),
                visit_end=_optional_str(data["visit_end"]),
                published=_optional_str(data["published"]),
                inspectors=_strings(data["inspectors"]),
                judgements=tuple(_pair(item) for item in data["judgements"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise QAError(f"stored report facts are damaged ({exc!r})") from exc
        if facts.kind is not None and facts.kind not in KINDS:
            raise QAError(f"stored report facts name an unknown kind of document: {facts.kind!r}")
        return facts


def _optional_str(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"expected a string or null, got {value!r}")


def _strings(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError(f"expected a list of strings, got {value!r}")
    return tuple(value)


def _pair(value: object) -> tuple[str, str]:
    items = _strings(value)
    if len(items) != 2:
        raise ValueError(f"expected a [judgement, grade] pair, got {value!r}")
    return items[0], items[1]


def extract_facts(document: Document) -> ReportFacts:
    """All the facts of one document (see the module docstring)."""
    text = flow("\n".join(page.text for page in document.pages))
    mentions = find_councils(text)
    kind = document_kind(text, title=document.title, path=document.path)
    published = published_date(text, kind=kind)
    start, end = visit_dates(text, kind=kind, published=published)
    return ReportFacts(
        council=main_council(text, mentions, title=document.title),
        councils_mentioned=tuple(dict.fromkeys(m.council for m in mentions)),
        kind=kind,
        visit_start=start,
        visit_end=end,
        published=published,
        inspectors=inspector_names(text),
        judgements=stated_judgements(text, kind=kind),
    )


def flow(text: str) -> str:
    """Undo the line wrapping of PDF text: a newline after a long line (60 characters or
    more) becomes a space, so "carried out by ... Priya\\nRamsay" reads as one sentence.
    Short lines (headings, a letter's date, a signature) keep their line breaks.

    >>> flow("The visit was carried out by His Majesty's Inspectors Daniel Okonjo and Priya\\nRamsay.")
    "The visit was carried out by His Majesty's Inspectors Daniel Okonjo and Priya Ramsay."
    """
    lines = text.split("\n")
    out = [lines[0]]
    for previous, line in itertools.pairwise(lines):
        wrapped = len(previous) >= 60 and line[:1] not in ("", " ", "\t", "•")
        out.append((" " if wrapped else "\n") + line)
    return "".join(out)


# -- which council ---------------------------------------------------------------------------

# Words just before a name that say the document is about that council.
_SUBJECT_BEFORE = re.compile(
    r"(?:inspection of|visit to|inspection in|visit in|to:[^\n]{0,120}?|ofsted inspection report:\s*|"
    r"findings of the [^.\n]{0,60}? (?:to|of|in))\s*(?:the\s+)?(?:london borough of\s+|royal borough of\s+|"
    r"city of\s+)?$",
    re.IGNORECASE,
)


def main_council(text: str, mentions: tuple[CouncilMention, ...], *, title: str = "") -> str | None:
    """The council a document is about: the most weighted of the councils it names.

    Each mention counts 1; one in the title 6 more, on the first 1,500 characters of the
    cover or first page 2 more, and one right after "Inspection of", "visit to" or in a
    "To:" line 6 more. A trust or company counts for its council.
    >>> text = "Inspection of Sheffield local authority children's services. Unlike Rotherham, ..."
    >>> main_council(text, find_councils(text))
    'Sheffield'
    """
    if not mentions:
        return None
    score: Counter[str] = Counter()
    for m in mentions:
        score[m.council] += 1
        if m.start < 1500:
            score[m.council] += 2
        if _SUBJECT_BEFORE.search(text, max(0, m.start - 160), m.start):
            score[m.council] += 6
    for m in find_councils(title):
        score[m.council] += 6
    order = {m.council: i for i, m in reversed(list(enumerate(mentions)))}
    return max(score, key=lambda council: (score[council], -order.get(council, len(order))))


# -- what kind -------------------------------------------------------------------------------

# A report's own title or cover label opens a line; a paper that mentions "the inspection of
# local authority children's services (ILACS) in March" mid-sentence is not the report.
_FULL_INSPECTION = re.compile(
    r"^[^\S\n#*]*(?:inspection of [^\n]{0,80}?local authority children[’']?s services|"
    r"[^\n]{0,80}local authority children[’']?s services inspection|inspection dates?\s*:)",
    re.IGNORECASE | re.MULTILINE,
)
# A letter's own furniture: its summary formula, salutation, sign-off, or its To: and From: lines.
_LETTER = re.compile(
    r"this letter summarises|^\s*dear\b|yours sincerely|yours faithfully|"
    r"^[^\S\n*]*(?:\*\*)?(?:to|from)(?:\*\*)?\s*:",
    re.IGNORECASE | re.MULTILINE,
)
_VISIT_KIND = re.compile(
    r"(?P<jtai>joint targeted area inspection|\bJTAI\b)|(?P<focused>focused visit)|"
    r"(?P<monitoring>monitoring visit)",
    re.IGNORECASE,
)
_COUNCIL_PAPER = re.compile(
    r"^\W*(?:minutes|agenda|report (?:to|of|for)|scrutiny|cabinet|committee|meeting of|"
    r"present\s*:|date of meeting|meeting date|recommendations?\s*:?$|decisions?\s*:?$|"
    r"(?:[a-z]+ )*(?:scrutiny|overview) (?:committee|board|panel))|"
    r"\bresolved\s*:|\bminutes of\b|\bagenda item\b|\bapologies for absence\b|\bdeclarations of interest\b|"
    r"\bthe (?:committee|panel|board) (?:noted|received|agreed|resolved)\b|"
    r"\bmembers (?:noted|asked|agreed)\b",
    re.IGNORECASE | re.MULTILINE,
)
_PRESS_RELEASE = re.compile(
    r"press release|news release|media release|notes to editors|for immediate release|"
    r"media enquiries|press office|^\W*ends\W*$|home\s*[>›»]\s*news|council news|council website",
    re.IGNORECASE | re.MULTILINE,
)
# A council's own website names the council alone on a line at the top.
_COUNCIL_MASTHEAD = re.compile(
    r"^[^\S\n]*(?:[A-Z][\w’'&,\-]*[^\S\n]+){1,6}(?:Council|Corporation)[^\S\n]*$", re.MULTILINE
)
_BYLINE = re.compile(r"^\W*by[^\S\n]+[A-Z][a-z]+[^\S\n]+[A-Z][\w’'\-]+", re.IGNORECASE | re.MULTILINE)
_NEWS_DESK = re.compile(
    r"local democracy report|reporting service|\breporter\b|\bcorrespondent\b", re.IGNORECASE
)
_MASTHEAD = re.compile(
    r"\b(?:echo|gazette|chronicle|herald|examiner|advertiser|telegraph|mercury|argus|news|post|record|"
    r"journal|star|mail|times|express|observer|standard|sentinel|citizen|courier|guardian|independent|"
    r"press|leader|daily|weekly|voice|tribune|messenger|bulletin|bbc|itv|live)\b",
    re.IGNORECASE,
)


def _top_lines(text: str) -> list[str]:
    return [line for line in text[:3000].split("\n") if line.strip()][:12]


def _news_score(text: str) -> int:
    """How many kinds of newspaper furniture a text has: a byline, a news desk ("Local
    Democracy Reporter"), a masthead in its first lines."""
    top_lines = _top_lines(text)
    news = bool(_BYLINE.search("\n".join(top_lines))) + bool(_NEWS_DESK.search(text))
    return news + any(len(line.split()) <= 5 and _MASTHEAD.search(line) for line in top_lines[:5])


def _press_or_news(text: str) -> str:
    """Tell a press release from news: the cues of a council's press office (a council's name
    alone at the top, "Notes to editors", "Media enquiries") against those of a newspaper
    (`_news_score`). Ties go to news."""
    press = len({m.group().lower() for m in _PRESS_RELEASE.finditer(text)})
    press += bool(_COUNCIL_MASTHEAD.search("\n".join(_top_lines(text)[:8])))
    return "press release" if press > _news_score(text) else "news"


_VISIT_KINDS = {"jtai": "jtai", "focused": "focused visit", "monitoring": "monitoring visit"}


def document_kind(text: str, *, title: str = "", path: str = "") -> str | None:
    """The kind of document, one of `KINDS`, from the words on its first page.

    An inspectorate's own document names itself at the top ("Inspection of X local authority
    children's services", "This letter summarises the findings of the focused visit"); a
    council paper has minutes, agenda or committee lines; a press release a council's press
    office furniture; anything else that talks about inspections is news.
    >>> document_kind("14 June 2024\\nDear Ms Lee\\nThis letter summarises the findings of the "
    ...               "monitoring visit to Leeds children's services")
    'monitoring visit'
    """
    top = title + "\n" + text[:3000]
    letter = _LETTER.search(text[:2500]) is not None
    if _FULL_INSPECTION.search(top) and not letter:
        return "full inspection"
    found = _VISIT_KIND.search(top) if letter else None
    if found and found.lastgroup:
        return _VISIT_KINDS[found.lastgroup]
    # A Markdown file is most likely a paper, so one cue is enough for it; a news story about
    # a meeting has a cue or two too, and a newspaper's furniture besides.
    needed = 1 if PurePosixPath(path).suffix.lower() == ".md" else 2
    paper = len({m.group().lower().strip(" :#*") for m in _COUNCIL_PAPER.finditer(text[:2500])})
    if not text.strip():
        return None
    if paper >= needed and (paper >= 3 or _news_score(text) == 0):
        return "council paper"
    return _press_or_news(text)


# -- dates -----------------------------------------------------------------------------------

_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"((?:19|20)\d\d)"
_TO = r"\s*(?:to|and|until|till|-|–|—)\s*"
# "6 to 17 March 2023", "30 April and 1 May 2024", "28 November 2022 to 2 December 2022",
# "5 June 2024"; or month first: "October 11 and 12, 2018".
_RANGE = re.compile(
    rf"\b(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?(?:\s+(?P<m1>{_MONTH_RE}))?(?:\s*,?\s+(?P<y1>(?:19|20)\d\d))?"
    rf"{_TO}(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>{_MONTH_RE})\s*,?\s+(?P<y2>(?:19|20)\d\d)\b"
    rf"|\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m>{_MONTH_RE})\s*,?\s+(?P<y>(?:19|20)\d\d)\b"
    rf"|\b(?P<mf>{_MONTH_RE})\s+(?P<df1>\d{{1,2}})(?:st|nd|rd|th)?(?:{_TO}(?P<df2>\d{{1,2}})(?:st|nd|rd|th)?)?"
    rf"\s*,?\s+(?P<yf>(?:19|20)\d\d)\b",
    re.IGNORECASE,
)
_VISIT_LABEL = re.compile(
    r"(?:inspection dates?|dates? of (?:the )?(?:visit|inspection)|visit dates?)\s*[:\-–]?\s*$",
    re.IGNORECASE,
)
_VISIT_CUE = re.compile(
    r"\b(?:visit|visited|inspection|inspected|inspectors|took place|carried out)\b[^.]{0,160}?"
    r"\b(?:on|between|from|during)\s+$",
    re.IGNORECASE,
)
# "the letter, published on 14 June", "discussed at the meeting on 4 March"
_NOT_VISIT = re.compile(r"\b(?:publish\w*|letter|meeting|committee|cabinet)\b", re.IGNORECASE)
_EARLIER = re.compile(r"\b(?:previous|last|earlier|prior|since)\b", re.IGNORECASE)


def _date_range(m: re.Match[str]) -> tuple[str, str] | None:
    """The (first, last) ISO days a `_RANGE` match spans; the first day borrows the second's
    month and year when it has none ("6 to 17 March 2023" -> 2023-03-06, 2023-03-17)."""
    if m.group("d2"):
        year, month = int(m.group("y2")), _month_number(m.group("m2"))
        end = _make_date(year, month, int(m.group("d2")))
        first_month = _month_number(m.group("m1")) if m.group("m1") else month
        first_year = int(m.group("y1")) if m.group("y1") else year
        if first_month > month and not m.group("y1"):
            first_year -= 1  # "30 December to 3 January 2024"
        start = _make_date(first_year, first_month, int(m.group("d1")))
    elif m.group("d"):
        start = end = _make_date(int(m.group("y")), _month_number(m.group("m")), int(m.group("d")))
    else:
        year, month = int(m.group("yf")), _month_number(m.group("mf"))
        start = _make_date(year, month, int(m.group("df1")))
        end = _make_date(year, month, int(m.group("df2") or m.group("df1")))
    if start is None or end is None or start > end:
        return None
    return start, end


def visit_dates(
    text: str, *, kind: str | None = None, published: str | None = None
) -> tuple[str | None, str | None]:
    """The first and last day of the visit or inspection the document reports, or (None, None).

    A labelled range wins ("Inspection dates: 6 to 17 March 2023"); else the first dates
    after "visit ... on", "took place between" and the like, passing over sentences about an
    earlier visit. Days without a year ("the visit on 10 and 11 September") take the year of
    the document's own date, `published`. A council paper reports a meeting, not a visit:
    it gets none.
    >>> visit_dates("This letter summarises the findings of the monitoring visit to Leeds "
    ...             "children's services on 21 and 22 May 2024.")
    ('2024-05-21', '2024-05-22')
    >>> visit_dates("The focused visit on 10 and 11 September looked at care leavers.",
    ...             published="2024-10-02")
    ('2024-09-10', '2024-09-11')
    """
    if kind == "council paper":
        return None, None
    head = text[:20000]
    cued: list[tuple[str, str]] = []
    for m in _RANGE.finditer(head):
        span = _date_range(m)
        if span is None:
            continue
        if _VISIT_LABEL.search(head, max(0, m.start() - 40), m.start()):
            return span
        if _cued(head, m.start()):
            cued.append(span)
    if cued:
        return cued[0]
    if published:
        for m in _NO_YEAR.finditer(head):
            if _cued(head, m.start()):
                return _undated_range(m, published) or (None, None)
    return None, None


def _cued(text: str, start: int) -> bool:
    """Whether the dates at `start` follow "visit ... on" in their sentence, and it is not
    about an earlier visit ("since the previous visit on ...")."""
    cue = _VISIT_CUE.search(text, max(0, start - 200), start)
    if cue is None:
        return False
    lead = text[max(0, cue.start() - 30) : start]
    near = text[max(cue.start(), start - 40) : start]
    return not _EARLIER.search(lead[lead.rfind(".") + 1 :]) and not _NOT_VISIT.search(near)


# "10 and 11 September", "10 September", not followed by a year.
_NO_YEAR = re.compile(
    rf"\b(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?(?:\s+(?P<m1>{_MONTH_RE}))?(?:{_TO}(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?)?"
    rf"\s+(?P<m2>{_MONTH_RE})(?!\s*,?\s*(?:19|20)\d\d)\b",
    re.IGNORECASE,
)


def _undated_range(m: re.Match[str], published: str) -> tuple[str, str] | None:
    """A `_NO_YEAR` range in the last year up to `published` (a visit comes before its letter)."""
    year = int(published[:4])
    month = _month_number(m.group("m2"))
    if (month, int(m.group("d2") or m.group("d1"))) > (int(published[5:7]), int(published[8:10])):
        year -= 1
    first_month = _month_number(m.group("m1")) if m.group("m1") else month
    if m.group("d2") is None and m.group("m1"):
        return None  # "10 September" read as d1 m1 + m2 would be nonsense
    start = _make_date(year - (first_month > month), first_month, int(m.group("d1")))
    end = _make_date(year, month, int(m.group("d2") or m.group("d1")))
    return (start, end) if start and end and start <= end else None


# A label at the start of a line; the date follows on the same line.
_LABEL = (
    r"(?:publication date|date of publication|date published|published(?: on)?|report published|"
    r"date of (?:the )?letter|letter date|date of (?:the )?meeting|meeting date|date of report|report date|"
    r"posted(?: on)?|first published|issued(?: on)?|date)"
)
_PUBLISHED_LABEL = re.compile(rf"^[\W_]*{_LABEL}[^\S\n]*[:\-–]?[^\S\n]*(?:\w+day,?[^\S\n]+)?$", re.IGNORECASE)
# "Published: 19/06/2024" (day first, as written in England)
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/((?:19|20)\d\d)\b")
_MEETING = re.compile(
    r"\b(?:meeting|committee|cabinet|board)\b[^.\n]{0,80}?\bheld\b[^.\n]{0,60}?\bon\s+(?:\w+day,?\s+)?$",
    re.IGNORECASE,
)
# Lines of website furniture whose dates are not the document's own.
_BANNER = re.compile(
    r"maintenance|unavailable|cookie|apologi[sz]e|sorry|outage|offline|downtime|upgrade|"
    r"inconvenience|last updated|updated on|modified|closed|office hours",
    re.IGNORECASE,
)
_DATE_LINE = re.compile(
    r"^\W*(?:(?:(?:press|news|media)\s+release|posted|published|issued|dated|release\s+date|date)"
    rf"\s*(?:on)?\s*[:\-–|]?\s*)?(?:\w+day,?\s+)?"
    rf"(?:{_DAY}\s+{_MONTH_RE},?\s+{_YEAR}|{_MONTH_RE}\s+{_DAY},?\s+{_YEAR})"
    r"(?:,?\s*(?:at\s+)?\d{1,2}(?:[:.]\d\d)?\s*(?:am|pm)?)?\W*$",
    re.IGNORECASE,
)
# "Cabinet - Tuesday 12 March 2025", "Children's Scrutiny Committee, 4 June 2024"
_MEETING_LINE = re.compile(
    rf"^\W*(?:[\w’',&]+\s+){{0,6}}(?:cabinet|committee|board|panel|council|meeting)\W+(?:\w+day,?\s+)?"
    rf"{_DAY}\s+{_MONTH_RE},?\s+{_YEAR}\b",
    re.IGNORECASE,
)


_LETTERS = ("monitoring visit", "focused visit", "jtai")


def _line_at(text: str, pos: int) -> str:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return text[start : end if end >= 0 else len(text)]


def published_date(text: str, *, kind: str | None = None) -> str | None:
    """The date of the document itself, or None when it states none.

    A labelled date first ("Publication date: 4 May 2023", "Published: 19 June 2024", "Date
    of meeting: ..."), then a meeting "held on" a date, then a line near the top that is only
    a date (a letter's date). Dates on website banner lines ("maintenance ... Tuesday 17 July
    2018") and a letter's visit dates are never taken; a news article with no date of its
    own gives None, not a date from its story.
    >>> published_date("[Skip to content]\\nSite maintenance on 17 July 2018, sorry.\\n"
    ...                "Headline here\\nPublished: 19 June 2024\\nBody.")
    '2024-06-19'
    """
    head = text[:6000]
    labelled = None
    for m in _RANGE.finditer(head):
        prefix = head[head.rfind("\n", 0, m.start()) + 1 : m.start()]
        if _BANNER.search(prefix):
            continue
        before = head[max(0, m.start() - 100) : m.start()]
        if _PUBLISHED_LABEL.match(prefix) or (kind == "council paper" and _MEETING.search(before)):
            labelled = _range_start(m)
            break
    if labelled is None:
        labelled = _numeric_labelled(head)
    # A letter is dated at its top; "published on" further down is the report's, not its own.
    if labelled and kind not in _LETTERS:
        return labelled
    for line in head.split("\n")[:40]:
        line = line.strip()
        if _DATE_LINE.match(line) or (kind == "council paper" and _MEETING_LINE.match(line)):
            return parse_date(line)
    return labelled


def _numeric_labelled(text: str) -> str | None:
    """A labelled date written with slashes: "Published: 19/06/2024" -> '2024-06-19'."""
    for m in _NUMERIC_DATE.finditer(text):
        if _PUBLISHED_LABEL.match(text[text.rfind("\n", 0, m.start()) + 1 : m.start()]):
            return _make_date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    return None


def _range_start(m: re.Match[str]) -> str | None:
    span = _date_range(m)
    return span[0] if span else None


# -- inspectors ------------------------------------------------------------------------------

_WORD = r"(?:[A-Z][a-z]*['’])?[A-Z][a-z]+(?:[A-Z][a-z]+)?(?:-[A-Z][a-z]+)?"
_NAME = rf"{_WORD}(?:[^\S\n]+(?:[A-Z]\.?[^\S\n]+)?(?:(?:de|van|von|du|da|le|la|di)[^\S\n]+)?{_WORD}){{1,2}}"
# "Jane Bell (Ofsted), Sam Hart (CQC) and Lee Fox (HMICFRS)"
_AFFILIATION = r"(?:[^\S\n]*\([^()\n]{1,60}\))?"
_NAMES = rf"{_NAME}{_AFFILIATION}(?:\s*,\s*{_NAME}{_AFFILIATION})*(?:,?\s+and\s+{_NAME}{_AFFILIATION})?"
_INSPECTOR_ROLE = (
    r"(?:(?:senior\s+|lead\s+)?(?:his|her)\s+majesty[’']s\s+inspectors?|hmi|(?:lead\s+)?inspectors?|"
    r"ofsted\s+inspectors?|social\s+care\s+regulatory\s+inspector)"
)
_INSPECTOR_CUES = (
    # "Lead inspector: Harriet Ellison", "His Majesty's Inspectors A and B", "inspector Jo Bell",
    # "The other inspectors were A (CQC) and B", "Inspectors for this visit were A and B"
    re.compile(
        rf"(?i:{_INSPECTOR_ROLE})(?:[^\S\n]*[:,]\s*|[^\S\n]+)"
        rf"(?:(?i:for this (?:visit|inspection)[^\S\n]+)?(?i:were|was)[^\S\n]+)?(?P<names>{_NAMES})"
    ),
    # "carried out by His Majesty's Inspectors A and B" / "carried out by A and B, HMI" /
    # "led by Ofsted's A"
    re.compile(
        rf"(?i:carried out by|conducted by|led by)\s+(?:Ofsted['’]s\s+)?(?:(?i:{_INSPECTOR_ROLE})\s+)?"
        rf"(?P<names>{_NAMES})"
    ),
    # A joint inspection's team, each with their inspectorate: "with A (CQC), B (HMICFRS)".
    re.compile(rf"(?P<names>{_NAME})[^\S\n]*\((?:Ofsted|CQC|HMICFRS|HMI[^\S\n]+Probation|HMIP)\)"),
    # Signatures: "Siobhan Gallagher\n\nHis Majesty's Inspector", "A Name, Lead inspector"; not
    # the chief inspectors who sign a joint letter ("Inspector of Constabulary", "Inspector,
    # National Director"), who did not inspect.
    re.compile(
        rf"(?P<names>{_NAME})[,\s]+(?:the\s+)?(?:(?:CQC|HMICFRS|HMIP|HMI[^\S\n]+Probation|Ofsted)[^\S\n]+)?"
        rf"(?i:{_INSPECTOR_ROLE})\b(?![^\S\n]+of\b)(?!,[^\S\n]*National\b)"
    ),
)
# Capitalised words that begin or end a phrase but are never part of an inspector's name.
_NOT_NAME = frozenset(
    "His Her Majesty Majesty's Majesty’s Inspector Inspectors Lead Senior Ofsted Dear Yours The This "
    "That Director Children Services Council County Borough City Local Authority Cabinet Member Mr Mrs Ms "
    "Miss Dr Councillor Cllr Care Quality Commission Police Probation Fire Rescue Social Regulatory "
    "Monitoring Focused Visit Inspection Report Letter And Education Health Chief Executive In On At "
    "Headline Findings Areas Judgement Judgements Grade Grades Publication Date".split()
)


def _clean_name(name: str) -> str | None:
    words = name.split()
    while words and words[0] in _NOT_NAME:
        words.pop(0)
    while words and words[-1] in _NOT_NAME:
        words.pop()
    if any(w in _NOT_NAME for w in words) or len(words) < 2:
        return None
    if any(m.start == 0 for m in find_councils(" ".join(words))):
        return None  # "Rotherham Metropolitan", not a person
    return " ".join(words)


def inspector_names(text: str) -> tuple[str, ...]:
    """Inspectors named in the document, in order of first mention.

    >>> inspector_names("The visit was carried out by His Majesty's Inspectors Siobhan "
    ...                 "Gallagher and Kwame Asante.\\nYours sincerely\\nSiobhan Gallagher\\n"
    ...                 "His Majesty's Inspector")
    ('Siobhan Gallagher', 'Kwame Asante')
    """
    found: list[tuple[int, int, str]] = []
    # The cues are slow to try at every position of a long report; they only ever match
    # near one of these words, so they are tried in windows around them.
    windows: list[tuple[int, int]] = []
    for hit in _INSPECTOR_WORD.finditer(text):
        start, end = max(0, hit.start() - 160), min(len(text), hit.end() + 240)
        start = max(text.rfind(" ", 0, start), text.rfind("\n", 0, start)) + 1
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], end)
        else:
            windows.append((start, end))
    for start, end in windows:
        for cue in _INSPECTOR_CUES:
            for m in cue.finditer(text, start, end):
                names = re.sub(r"\([^()]*\)", " ", m.group("names"))
                for i, name in enumerate(re.split(r"\s*,\s*|,?\s+and\s+", names)):
                    clean = _clean_name(" ".join(name.split()))
                    if clean:
                        found.append((m.start("names"), i, clean))
    return tuple(dict.fromkeys(name for _, _, name in sorted(found)))


_INSPECTOR_WORD = re.compile(r"inspector|\bhmi\b|carried out|conducted by|led by", re.IGNORECASE)


# -- judgements ------------------------------------------------------------------------------

_GRADE = re.compile(
    r"\b(?:outstanding|good|requires\s+improvement(?:\s+to\s+be\s+good)?|inadequate)\b", re.IGNORECASE
)
_JUDGEMENTS = (
    "The impact of leaders on social work practice with children and families",
    "The experiences and progress of children who need help and protection",
    "The experiences and progress of children in care",
    "The experiences and progress of care leavers",
    "Overall effectiveness",
    # The single inspection framework (2013-2018).
    "Children who need help and protection",
    "Children looked after and achieving permanence",
    "Adoption performance",
    "Experiences and progress of care leavers",
    "Leadership, management and governance",
    "The experiences and progress of children in care and care leavers",
)
_JUDGEMENT = re.compile(
    "|".join(
        r"\s+".join(re.escape(w) for w in label.split())
        for label in sorted(_JUDGEMENTS, key=len, reverse=True)
    ),
    re.IGNORECASE,
)
# The first words of each judgement: where a table without a heading row starts.
_JUDGEMENT_START = re.compile(
    "|".join(sorted({r"\s+".join(label.split()[:3]) for label in _JUDGEMENTS}, key=len, reverse=True)),
    re.IGNORECASE,
)
_TABLE_HEAD = re.compile(r"\bjudgements?\s+grades?\b", re.IGNORECASE)
# "Overall effectiveness: Good", "...care leavers: requires improvement to be good"
_STATED = re.compile(
    rf"(?P<label>{_JUDGEMENT.pattern})[^\S\n]*[:\-–][^\S\n]*(?P<grade>{_GRADE.pattern})",
    re.IGNORECASE,
)


def grade_name(text: str) -> str:
    """The standard spelling of a grade: `grade_name("requires improvement") ->
    'Requires improvement to be good'`."""
    word = text.split()[0].lower()
    return {"outstanding": GRADES[0], "good": GRADES[1], "requires": GRADES[2], "inadequate": GRADES[3]}[word]


def _label(text: str) -> str:
    label = " ".join(text.split())
    return label[0].upper() + label[1:]


def stated_judgements(text: str, *, kind: str | None = None) -> tuple[tuple[str, str], ...]:
    """The graded judgements the document states: its judgement table, else lines like
    "Overall effectiveness: Good". A story that only says the council "was rated inadequate
    in 2018" states no judgement. In a full inspection report a table without its "Judgement
    Grade" heading row counts too: judgements each followed by a grade on the first page.

    In a table the extracted text may put a grade in the middle of its wrapped label ("The
    impact of leaders on social work Good practice with children and families"), so grades
    are taken out first and the labels and grades are then paired in order.
    >>> stated_judgements("Judgement Grade\\nThe experiences and progress of care leavers Good\\n"
    ...                   "Overall effectiveness Inadequate")
    (('The experiences and progress of care leavers', 'Good'), ('Overall effectiveness', 'Inadequate'))
    """
    head = _TABLE_HEAD.search(text)
    table = _table_judgements(text[head.end() : head.end() + 3000]) if head else ()
    if not table and kind == "full inspection":
        first = _JUDGEMENT_START.search(text, 0, 4000)
        table = _table_judgements(text[first.start() : first.start() + 3000]) if first else ()
    if table:
        return table
    stated: dict[str, tuple[str, str]] = {}
    for m in _STATED.finditer(text):
        label = _label(m.group("label"))
        stated.setdefault(label.lower(), (label, grade_name(m.group("grade"))))
    return tuple(stated.values())


def _table_judgements(region: str) -> tuple[tuple[str, str], ...]:
    """The rows of a judgement table that starts `region`, however its cells were extracted.

    Grades are cut out and remembered by where they stood; each judgement then takes the
    first grade inside or after it. The table ends at the first judgement with no grade
    within a few words, or after a long run of other words (the text after the table).
    >>> _table_judgements("Overall effectiveness Good. Leaders are effective.")
    (('Overall effectiveness', 'Good'),)
    """
    pieces: list[str] = []
    grades: list[tuple[int, str]] = []  # (position in the joined text, grade)
    last, length = 0, 0
    for m in _GRADE.finditer(region):
        piece = region[last : m.start()] + " "
        pieces.append(piece)
        length += len(piece)
        grades.append((length, grade_name(m.group())))
        last = m.end()
    pieces.append(region[last:])
    joined = "".join(pieces)
    rows: list[tuple[str, str]] = []
    g, previous_end = 0, 0
    for m in _JUDGEMENT.finditer(joined):
        if rows and len(joined[previous_end : m.start()].split()) > 12:
            break
        while g < len(grades) and grades[g][0] <= m.start():
            g += 1
        if g == len(grades) or len(joined[m.end() : grades[g][0]].split()) > 4:
            break
        rows.append((_label(m.group()), grades[g][1]))
        previous_end = max(m.end(), grades[g][0])
        g += 1
    return tuple(rows)
