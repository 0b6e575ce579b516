"""What kind of answer a question asks for, and where a passage holds one.

"When ...?" wants a date, "How many ...?" a number or a share, "Who ...?" a person. A passage
holding that kind of answer is likelier to answer the question, and likelier still when the
answer sits in a sentence with the question's own words: "rated inadequate by Ofsted in April
2016" answers "When was the service judged inadequate?"; a date in another sentence of the
same passage may not. Read into the question's plan (`qa.query`); used by the answer-kind
features (`qa.features`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from qa.chunking import sentence_spans
from qa.lexical import tokenize

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"

_DATE = re.compile(
    rf"\b(\d{{1,2}}(st|nd|rd|th)?\s+)?({_MONTHS})\b|"
    r"\b(19|20)\d\d\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b|"
    # Relative times answer "when" questions in news copy ("to the cabinet in the new year").
    r"(?i:\b(next|last|this|coming|new|following|previous)\s+(few\s+)?(years?|months?|weeks?|spring|summer|autumn|"
    r"winter|term|financial year)\b|\b(today|tomorrow|yesterday)\b)"
)
_PRECISE_DATE = re.compile(f"{_MONTHS.lower()}|/")
# Counts written as words ("six priorities"); "one" is left out, it is too often not a count.
_NUMBER_WORDS = (
    "two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
)
_PRECISE_QUANTITY = re.compile(rf"\d|%|half|third|quarter|cent|\b({_NUMBER_WORDS})\b")
_QUANTITY = re.compile(
    r"\b\d+(\.\d+)?\b|%|\b(half|third|quarter|per ?cent|percent|majority|minority|most|few|"
    rf"hundreds?|thousands?|dozens?|{_NUMBER_WORDS})\b",
    re.I,
)
# A person, by the cues reports and news copy give one: a title before a name, a name
# before "said" or after "by", or a name followed by a role. Two capitalised words alone
# are too often a heading or an organisation ("Dudley Council", "News Release").
_CAP = r"[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)?"
_FULL = rf"{_CAP}[^\S\n]+(?:[A-Z]\.[^\S\n]+)?{_CAP}"
_ROLE = (
    r"(?:director|inspector|member|minister|leader|chief|head|councillor|officer|manager|chair|"
    r"chairman|chairwoman|executive|commissioner|secretary|spokesman|spokeswoman|spokesperson|"
    r"mayor|mp|lead|principal)"
)
_NAME = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Dr|Cllr|Councillor|Inspector|Professor|Prof|Sir|Dame|Lord|Lady|Baroness|"
    rf"Minister)\.?[^\S\n]+{_CAP}"
    rf"|\b{_FULL}(?=[^\S\n]+(?:said|says|added|adds|wrote|writes|told|explained|commented|noted|"
    r"stated|confirmed|warned))"
    rf"|\b(?:said|says|according to|by|from|signed by|inspector|minister|director|councillor)[^\S\n]+{_FULL}"
    rf"|\b{_FULL},[^\S\n]+(?:the[^\S\n]+)?(?:[A-Za-z’']+[^\S\n]+){{0,6}}?{_ROLE}\b"
    # A report's cover line: "Lead inspector: Sarah Quinlan".
    rf"|\b(?i:{_ROLE}s?):[^\S\n]*{_FULL}"
)
# A sum of money: "£4.2 million", "$300", "61 million pounds".
_MONEY = re.compile(
    r"[£$€]\s?\d|\b\d+(?:[.,]\d+)?\s*(?:million|billion|bn|m|k)\b|\b\d[\d,.]*\s*(?:pounds|euros|dollars)\b",
    re.I,
)
_ASKS = (
    (
        # Asked for money, only a sum answers: no sum in the documents, no answer.
        re.compile(
            r"^\s*(how much|what (is|was|were|are) the)\b.*\b(spend|spent|spending|cost|costs|costing|"
            r"budget|budgets|pay|paid|fund|funding|money|price|worth|salary|salaries)\b",
            re.I,
        ),
        _MONEY,
    ),
    (
        re.compile(
            r"^\s*(when|what (date|year|month|day)s?|which (date|year|month|day)s?|by when|how long ago)\b|"
            r"\b(on|in) which (date|year|month)s?\b",
            re.I,
        ),
        _DATE,
    ),
    (
        re.compile(r"^\s*(how (many|much)|what (share|proportion|percentage|number|fraction))\b", re.I),
        _QUANTITY,
    ),
    (
        re.compile(r"^\s*(who|whom|which (inspector|person|officer|minister|councillor|director))\b", re.I),
        _NAME,
    ),
    (
        # A measure asked for without "how many": "thurrock re-referral rate", "what % of ...",
        # "what is the average caseload" want a figure; "why is the rate high" and "what did
        # inspectors say about the rate" do not.
        re.compile(
            r"^(?!\s*(why|how (has|have|had|did|does|do|is|are|was|were)|what did)\b)"
            r"(?!.*\b(say|says|said|find|finds|found|describe|described|think|thought|comment|commented)\b)"
            r".*(\b(average|median|mean|rate|ratio|percentage|proportion|per ?cent|number of)\b|%)",
            re.I,
        ),
        _QUANTITY,
    ),
)
# Numbers that are part of a date ("October 11 and 12", "11th October", "in 2016") do not
# answer "how many".
_SHARE = re.compile(r"%|half|third|quarter|per ?cent|percent|majority|minority|most|few", re.I)
_COUNTED = re.compile(r"\b(?:how many|what number of)\s+(.*)", re.I)
# Where the counted noun ends: "How many cases *did* ...", "How many posts *are* filled".
_VERB = re.compile(
    r"did|does|do|are|is|were|was|have|has|had|will|would|can|could|should|in|on|at|by|for|to|"
    r"from|with|there|they|we|you|he|she|it"
)
_COUNT_REACH = 5  # words after a number in which the counted noun may appear
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DAYS = rf"{_DAY}(?:\s*(?:and|to|-|–)\s*{_DAY})?"
_DATE_NUMBER = re.compile(
    rf"\b(?:{_MONTHS})\s+{_DAYS}\b|\b{_DAYS}\s+(?:of\s+)?(?:{_MONTHS})\b|\b(?:19|20)\d\d\b"
)


def asked_for(question: str) -> re.Pattern[str] | None:
    """What kind of answer the question wants, as a pattern: a date for "when", and so on."""
    return next((pattern for asks, pattern in _ASKS if asks.search(question)), None)


@dataclass(frozen=True, slots=True)
class Wanted:
    """The kind of answer a question wants and, for "who", the roles it names."""

    pattern: re.Pattern[str]
    roles: tuple[str, ...]  # word stems: "Who inspected" -> ("inspect",), found in "Inspector"
    # For "how many X", the stems of X: a number counts only when it counts them ("six
    # priorities" answers "How many priorities", "three years ago" does not).
    counted: tuple[str, ...] = ()

    def found(self, text: str) -> int:
        """0: no such answer in `text`; 1: one is there; 2: a precise one: a person with the
        role asked about ("Who inspected" and "Inspector Nick Bennison"), a date with its
        month ("in April 2016" rather than "in early 2016"), a number or a share rather than
        "many" or "hundreds"."""
        matches = self._matches(text)
        if not matches:
            return 0
        if self.pattern is _DATE:
            return 2 if any(_PRECISE_DATE.search(m) for m in matches) else 1
        if self.pattern is _QUANTITY:
            return 2 if any(_PRECISE_QUANTITY.search(m) for m in matches) else 1
        if self.pattern is _MONEY:
            return 2
        return 2 if any(role in m for m in matches for role in self.roles) else 1

    @property
    def required(self) -> bool:
        """Whether only this kind of answer can answer the question (a sum of money)."""
        return self.pattern is _MONEY

    def sentences(self, text: str, keywords: Mapping[str, float]) -> Iterator[tuple[int, float]]:
        """For each sentence of `text` holding the answer wanted: its `found` level and the
        share of the question's `keywords` (stemmed, with their weights) it also holds."""
        if not self.pattern.search(text):  # most passages: no need to split them
            return
        total = sum(keywords.values())
        for a, b in sentence_spans(text):
            sentence = text[a:b]
            level = self.found(sentence)
            if level:
                present = set(tokenize(sentence))
                share = sum(w for t, w in keywords.items() if t in present) / total if total else 0.0
                yield level, share

    def _matches(self, text: str) -> list[str]:
        if self.pattern is not _QUANTITY:
            return [m.group(0).lower() for m in self.pattern.finditer(text)]
        dates = [m.span() for m in _DATE_NUMBER.finditer(text)]
        return [
            m.group(0).lower()
            for m in self.pattern.finditer(text)
            if not any(a <= m.start() < b for a, b in dates) and self._counts(m, text)
        ]

    def _counts(self, number: re.Match[str], text: str) -> bool:
        """Whether a number in `text` counts what the question asks about: the next few words
        name it, every word of it ("472 children in care" does not count "care leavers"), or it
        is a share ("a third", "40%"), which needs no noun."""
        if not self.counted or _SHARE.fullmatch(number.group(0)):
            return True
        following = text[number.end() :].split()[:_COUNT_REACH]
        return set(self.counted) <= set(tokenize(" ".join(following)))


def wanted(question: str) -> Wanted | None:
    """The kind of answer `question` wants, or None when it wants no particular kind."""
    pattern = asked_for(question)
    if pattern is None:
        return None
    # The role is named by the question's first content word, its predicate ("Who inspected",
    # "Which inspector", "Who is the director"), not by the words after it ("... the council").
    first = tokenize(question)[:1] if pattern is _NAME else []
    return Wanted(pattern, tuple(first), counted(question) if pattern is _QUANTITY else ())


def counted(question: str) -> tuple[str, ...]:
    """What a "how many" question counts: `counted("How many cases did they read?") ->
    ('case',)`; empty when it does not say ("How much did it cost?")."""
    m = _COUNTED.search(question)
    if not m:
        return ()
    noun = []
    for word in m.group(1).split():
        if _VERB.fullmatch(word.lower().strip("?,.")):
            break
        noun.append(word)
    return tuple(tokenize(" ".join(noun[:4])))
