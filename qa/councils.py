"""English local authorities with children's services, and finding them named in text.

In: the 153 councils responsible for children's social care in England in 2026 (21 county
councils, 36 metropolitan boroughs, the 32 London boroughs and the City of London, 62
unitary councils including those created 2019-2023, and the Isles of Scilly), each with
its common name and the aliases people write ("BCP", "Hull", "BANES", "St. Helens"), the
children's trusts and companies that run services for a council ("Together for Children"
is Sunderland's), former councils whose area is now a successor's ("Cumbria", "Poole"),
and `find_councils(text)`, which finds every mention in a text of any length.
Out: districts (they have no children's services), Wales, Scotland and Northern Ireland,
and deciding which council a document is about (`qa.facts`).

Matching is case-insensitive, word-bounded and longest-first ("North Yorkshire", never
"York" inside it; "Kingston upon Hull", not "Kingston"), and tolerant of the ways names are
written: "'s" after a name, curly apostrophes, "&" for "and", hyphens, line breaks and
extra spaces between words, "St." for "St".

A few names are also ordinary English words or part of other names: "reading the
report", "bury", "bath", "hull", "slough", "stoke", "hackney carriage", "havering",
"harrow", "barnet", "derby", "bucks", "Sutton Coldfield", "Poole" the surname. These
(`AMBIGUOUS`) count only when written with a capital, and not at the start of a sentence
before "the"/"a"/"this"... ("Reading the report, ..."), or, in any case, when a council
word stands beside them: "reading borough council", "council in bury", "Hull's children's
services". Every other name also matches in lower case, because questions are often typed
that way ("care leavers in rotherham"). Phrases that contain a council's name but mean
something else ("New York", "Newcastle-under-Lyme", "Bury St Edmunds", "the Westminster
government") are `_BLOCKED`: they are matched and then dropped, so the name inside them is
not found either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["AMBIGUOUS", "COUNCILS", "Council", "CouncilMention", "council_names", "find_councils"]


@dataclass(frozen=True, slots=True)
class Council:
    """One council: `name` as commonly written ("Rotherham"), `kind` and other names for it."""

    name: str
    kind: str  # "county", "metropolitan", "london", "unitary"
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CouncilMention:
    """Where a council is named: `council` is its canonical name, `text[start:end]` the words used.

    A name that stands for several councils ("Achieving for Children") gives one mention per
    council, all with the same span.
    """

    council: str
    start: int
    end: int
    text: str


def _c(kind: str, name: str, *aliases: str) -> Council:
    return Council(name=name, kind=kind, aliases=aliases)


_COUNTY = "county"
_MET = "metropolitan"
_LONDON = "london"
_UNITARY = "unitary"

COUNCILS: tuple[Council, ...] = (
    # County councils (two-tier areas), 2023 onwards.
    _c(_COUNTY, "Cambridgeshire", "Cambs"),
    _c(_COUNTY, "Derbyshire"),
    _c(_COUNTY, "Devon"),
    _c(_COUNTY, "East Sussex"),
    _c(_COUNTY, "Essex"),
    _c(_COUNTY, "Gloucestershire", "Glos"),
    _c(_COUNTY, "Hampshire", "Hants"),
    _c(_COUNTY, "Hertfordshire", "Herts"),
    _c(_COUNTY, "Kent"),
    _c(_COUNTY, "Lancashire", "Lancs"),
    _c(_COUNTY, "Leicestershire", "Leics"),
    _c(_COUNTY, "Lincolnshire", "Lincs"),
    _c(_COUNTY, "Norfolk"),
    _c(_COUNTY, "Nottinghamshire", "Notts"),
    _c(_COUNTY, "Oxfordshire"),
    _c(_COUNTY, "Staffordshire", "Staffs"),
    _c(_COUNTY, "Suffolk"),
    _c(_COUNTY, "Surrey"),
    _c(_COUNTY, "Warwickshire"),
    _c(_COUNTY, "West Sussex"),
    _c(_COUNTY, "Worcestershire", "Worcs"),
    # Metropolitan boroughs.
    _c(_MET, "Bolton"),
    _c(_MET, "Bury"),
    _c(_MET, "Manchester", "Manchester City Council"),
    _c(_MET, "Oldham"),
    _c(_MET, "Rochdale"),
    _c(_MET, "Salford"),
    _c(_MET, "Stockport"),
    _c(_MET, "Tameside"),
    _c(_MET, "Trafford"),
    _c(_MET, "Wigan"),
    _c(_MET, "Knowsley"),
    _c(_MET, "Liverpool"),
    _c(_MET, "St Helens", "Saint Helens"),
    _c(_MET, "Sefton"),
    _c(_MET, "Wirral"),
    _c(_MET, "Barnsley"),
    _c(_MET, "Doncaster"),
    _c(_MET, "Rotherham"),
    _c(_MET, "Sheffield"),
    _c(_MET, "Gateshead"),
    _c(_MET, "Newcastle upon Tyne", "Newcastle"),
    _c(_MET, "North Tyneside"),
    _c(_MET, "South Tyneside"),
    _c(_MET, "Sunderland"),
    _c(_MET, "Birmingham"),
    _c(_MET, "Coventry"),
    _c(_MET, "Dudley"),
    _c(_MET, "Sandwell"),
    _c(_MET, "Solihull"),
    _c(_MET, "Walsall"),
    _c(_MET, "Wolverhampton", "City of Wolverhampton"),
    _c(_MET, "Bradford"),
    _c(_MET, "Calderdale"),
    _c(_MET, "Kirklees"),
    _c(_MET, "Leeds"),
    _c(_MET, "Wakefield"),
    # London.
    _c(_LONDON, "City of London", "City of London Corporation", "Corporation of London"),
    _c(_LONDON, "Barking and Dagenham", "LBBD"),
    _c(_LONDON, "Barnet"),
    _c(_LONDON, "Bexley"),
    _c(_LONDON, "Brent"),
    _c(_LONDON, "Bromley"),
    _c(_LONDON, "Camden"),
    _c(_LONDON, "Croydon"),
    _c(_LONDON, "Ealing"),
    _c(_LONDON, "Enfield"),
    _c(_LONDON, "Greenwich"),
    _c(_LONDON, "Hackney"),
    _c(_LONDON, "Hammersmith and Fulham", "LBHF", "H&F"),
    _c(_LONDON, "Haringey"),
    _c(_LONDON, "Harrow"),
    _c(_LONDON, "Havering"),
    _c(_LONDON, "Hillingdon"),
    _c(_LONDON, "Hounslow"),
    _c(_LONDON, "Islington"),
    _c(_LONDON, "Kensington and Chelsea", "RBKC"),
    _c(_LONDON, "Kingston upon Thames", "Kingston"),
    _c(_LONDON, "Lambeth"),
    _c(_LONDON, "Lewisham"),
    _c(_LONDON, "Merton"),
    _c(_LONDON, "Newham"),
    _c(_LONDON, "Redbridge"),
    _c(_LONDON, "Richmond upon Thames", "Richmond"),
    _c(_LONDON, "Southwark"),
    _c(_LONDON, "Sutton"),
    _c(_LONDON, "Tower Hamlets"),
    _c(_LONDON, "Waltham Forest"),
    _c(_LONDON, "Wandsworth"),
    _c(_LONDON, "Westminster", "City of Westminster"),
    # Unitary councils, with the 2019-2023 ones.
    _c(_UNITARY, "Bath and North East Somerset", "BANES", "B&NES", "Bath", "North East Somerset"),
    _c(_UNITARY, "Bedford", "Bedford Borough"),
    _c(_UNITARY, "Blackburn with Darwen", "Blackburn"),
    _c(_UNITARY, "Blackpool"),
    _c(
        _UNITARY,
        "Bournemouth, Christchurch and Poole",
        "BCP",
        "Bournemouth",
        "Poole",
    ),
    _c(_UNITARY, "Bracknell Forest", "Bracknell"),
    _c(_UNITARY, "Brighton and Hove", "Brighton"),
    _c(_UNITARY, "Bristol", "City of Bristol"),
    _c(_UNITARY, "Buckinghamshire", "Bucks"),
    _c(_UNITARY, "Central Bedfordshire"),
    _c(_UNITARY, "Cheshire East"),
    _c(_UNITARY, "Cheshire West and Chester", "Cheshire West", "CWAC"),
    _c(_UNITARY, "Cornwall"),
    _c(_UNITARY, "Cumberland"),
    _c(_UNITARY, "Darlington"),
    _c(_UNITARY, "Derby"),
    _c(_UNITARY, "Dorset"),
    _c(_UNITARY, "County Durham", "Durham"),
    _c(_UNITARY, "East Riding of Yorkshire", "East Riding"),
    _c(_UNITARY, "Halton"),
    _c(_UNITARY, "Hartlepool"),
    _c(_UNITARY, "Herefordshire", "County of Herefordshire"),
    _c(_UNITARY, "Isle of Wight"),
    _c(_UNITARY, "Isles of Scilly", "Scilly"),
    _c(_UNITARY, "Kingston upon Hull", "Hull", "Hull City Council"),
    _c(_UNITARY, "Leicester"),
    _c(_UNITARY, "Luton"),
    _c(_UNITARY, "Medway"),
    _c(_UNITARY, "Middlesbrough"),
    _c(_UNITARY, "Milton Keynes"),
    _c(_UNITARY, "North East Lincolnshire", "NE Lincolnshire"),
    _c(_UNITARY, "North Lincolnshire"),
    _c(_UNITARY, "North Northamptonshire"),
    _c(_UNITARY, "North Somerset"),
    _c(_UNITARY, "North Yorkshire"),
    _c(_UNITARY, "Northumberland"),
    _c(_UNITARY, "Nottingham"),
    _c(_UNITARY, "Peterborough"),
    _c(_UNITARY, "Plymouth"),
    _c(_UNITARY, "Portsmouth"),
    _c(_UNITARY, "Reading"),
    _c(_UNITARY, "Redcar and Cleveland", "Redcar"),
    _c(_UNITARY, "Rutland"),
    _c(_UNITARY, "Shropshire"),
    _c(_UNITARY, "Slough"),
    _c(_UNITARY, "Somerset"),
    _c(_UNITARY, "South Gloucestershire"),
    _c(_UNITARY, "Southampton"),
    _c(_UNITARY, "Southend-on-Sea", "Southend"),
    _c(_UNITARY, "Stockton-on-Tees", "Stockton"),
    _c(_UNITARY, "Stoke-on-Trent", "Stoke"),
    _c(_UNITARY, "Swindon"),
    _c(_UNITARY, "Telford and Wrekin", "Telford"),
    _c(_UNITARY, "Thurrock"),
    _c(_UNITARY, "Torbay"),
    _c(_UNITARY, "Warrington"),
    _c(_UNITARY, "West Berkshire"),
    _c(_UNITARY, "West Northamptonshire"),
    _c(_UNITARY, "Westmorland and Furness"),
    _c(_UNITARY, "Wiltshire"),
    _c(_UNITARY, "Windsor and Maidenhead", "RBWM", "Windsor"),
    _c(_UNITARY, "Wokingham"),
    _c(_UNITARY, "York", "City of York"),
)

# Organisations that run a council's children's services, and former councils whose area
# is now covered by their successors: the name stands for every council listed.
_OTHER_NAMES: dict[str, tuple[str, ...]] = {
    "Together for Children": ("Sunderland",),
    "Slough Children First": ("Slough",),
    "Slough Children's Services Trust": ("Slough",),
    "Birmingham Children's Trust": ("Birmingham",),
    "Northamptonshire Children's Trust": ("North Northamptonshire", "West Northamptonshire"),
    "Achieving for Children": ("Kingston upon Thames", "Richmond upon Thames", "Windsor and Maidenhead"),
    "Sandwell Children's Trust": ("Sandwell",),
    "Worcestershire Children First": ("Worcestershire",),
    "Bradford Children and Families Trust": ("Bradford",),
    "Doncaster Children's Services Trust": ("Doncaster",),
    "Brighter Futures for Children": ("Reading",),
    "Northamptonshire": ("North Northamptonshire", "West Northamptonshire"),
    "Northants": ("North Northamptonshire", "West Northamptonshire"),
    "Cumbria": ("Cumberland", "Westmorland and Furness"),
}

# Phrases holding a council's name that are not about the council.
_BLOCKED = (
    "New York",
    "Duke of York",
    "New Hampshire",
    "New England",
    "Newcastle-under-Lyme",
    "Newcastle under Lyme",
    "Bury St Edmunds",
    "Sutton Coldfield",
    "Sutton in Ashfield",
    "Somerset House",
    "Westminster government",
    "Westminster politicians",
    "Palace of Westminster",
    "Westminster Abbey",
    "Westminster Hall",
    "Greater Manchester",  # the combined authority and its police, not the city council
    "Manchester United",
    "Manchester City",
    "Old Trafford",  # the football ground is in Trafford, but rarely means the council
    "Kingston Jamaica",
    "Richmond Virginia",
    "Stoke Mandeville",
    "Stoke Newington",  # in Hackney, not Stoke-on-Trent
    "Derby Day",
    "Hull City",  # the football club; "Hull City Council" is longer and still matches
    "Bath time",
    # Ofsted's address, at the end of every report and letter.
    "Piccadilly Gate, Store Street, Manchester",
    "Store Street, Manchester",
    "Cumberland Place",  # Ofsted's Nottingham office
)

# Names that are also ordinary words or parts of other names (see the module docstring).
AMBIGUOUS = frozenset(
    {
        "reading",
        "bury",
        "bath",
        "hull",
        "slough",
        "stoke",
        "derby",
        "harrow",
        "barnet",
        "brent",
        "hackney",
        "havering",
        "sutton",
        "poole",
        "bucks",
        "kingston",
        "richmond",
        "windsor",
    }
)

_SEP = r"[\s\-‐‑–]+"
# "and" between two words, or "&" with or without spaces ("H&F", "Bath & North East Somerset").
_AND = rf"(?:{_SEP}and{_SEP}|\s*&\s*)"
_APOSTROPHES = "'’‘`"


def _key(name: str) -> str:
    """The form names are compared in: `_key("St. Helens’s") -> "st helenss"`, `_key("B & NES")
    -> "b and nes"`: lower case, "&" as "and", no punctuation, one space between words."""
    name = name.lower().replace("&", " and ")
    name = re.sub(rf"[.,{_APOSTROPHES}]", "", name)
    return " ".join(re.split(r"[\s\-‐‑–]+", name)).strip()


def _atoms(name: str) -> list[str]:
    """A name as regex pieces, one per character or separator, for the trie:
    `_atoms("St Helens") -> ["s", "t", r"\\.?", SEP, "h", ...]`."""
    atoms: list[str] = []
    words = [w for w in re.split(r"[\s\-–]+", name.replace("&", " & ")) if w]
    for i, word in enumerate(words):
        if word.lower() in ("and", "&"):
            atoms.append(_AND)
            continue
        if i and words[i - 1].lower() not in ("and", "&"):
            atoms.append(_SEP)
        for ch in word:
            if ch in _APOSTROPHES:
                atoms.append(f"[{_APOSTROPHES}]?")
            elif ch == ",":
                atoms.append(",?")
            else:
                atoms.append(re.escape(ch.lower()))
        if word.lower() == "st":
            atoms.append(r"\.?")
    return atoms


_Node = dict[str, "_Node"]


def _trie_regex(names: list[str]) -> str:
    """One regex matching any of `names`, longest first, factored by common prefix so that
    the regex engine tests a few characters per position however many names there are.

    >>> _trie_regex(["York", "Yorkshire"])
    'york(?:shire)?'
    """
    trie: _Node = {}
    end = ""  # a key no atom can equal
    for name in names:
        node = trie
        for atom in _atoms(name):
            node = node.setdefault(atom, {})
        node[end] = {}

    def emit(node: _Node) -> str:
        branches = [atom + emit(child) for atom, child in node.items() if atom != end]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        # Greedy: a longer name is tried before the shorter one it extends ("Kingston upon
        # Hull" before "Kingston"); the word boundary after the whole pattern backtracks.
        return f"(?:{body})?" if end in node else body

    return emit(trie)


def _build() -> tuple[re.Pattern[str], dict[str, tuple[str, ...]]]:
    table: dict[str, tuple[str, ...]] = {}
    for council in COUNCILS:
        for name in (council.name, *council.aliases):
            table[_key(name)] = (council.name,)
    for name, councils in _OTHER_NAMES.items():
        table[_key(name)] = councils
    for name in _BLOCKED:
        table[_key(name)] = ()
    names = [c.name for c in COUNCILS] + [a for c in COUNCILS for a in c.aliases]
    names += list(_OTHER_NAMES) + list(_BLOCKED)
    # Counted as separate words: neither "Yorkshire" for York nor "Harrowfield" for Harrow.
    pattern = re.compile(r"(?<![\w&])" + _trie_regex(names) + r"(?![\w&])", re.IGNORECASE)
    return pattern, table


_PATTERN, _TABLE = _build()
_NAMES = tuple(c.name for c in COUNCILS)

_COUNCIL_AFTER = re.compile(
    rf"(?:[{_APOSTROPHES}]s)?\s+(?:(?:metropolitan\s+)?(?:borough|city|county|district)\s+)?"
    rf"(?:council|children[{_APOSTROPHES}]?s\s+(?:services|social\s+care|trust)|local\s+authority)\b",
    re.IGNORECASE,
)
_COUNCIL_BEFORE = re.compile(
    r"\b(?:council|authority|borough|city|county|children[’']?s\s+services)\s+(?:of|in|for|at)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
# "Reading the report, ...": a capital at the start of a sentence says nothing.
_WORD_AFTER = re.compile(
    r"\s+(?:the|a|an|this|that|these|those|his|her|their|our|your|its|my|it|them|through|about|"
    r"into|up|down|out|over|back|on|more|all|every|each)\b",
    re.IGNORECASE,
)
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\"“(\[]\s*|\n\s*|[•\-–]\s+)$")
# "Cllr Anne Bolton", "Mr Derby": a surname, whatever the name.
_PERSON_BEFORE = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Cllr|Councillor|Sir|Dame|Lord|Lady|Professor|Prof)\.?[ \t]+"
    r"(?:[A-Z][a-z]+[ \t]+)?$"
)
# "Store Street, Manchester M1 2WD": an address (Ofsted's, in every report), not a mention.
_POSTCODE = re.compile(r",?[^\S\n]+[A-Z]{1,2}\d[A-Z\d]?[^\S\n]+\d[A-Z]{2}\b")
# "Sarah Poole": a capitalised word just before an ambiguous name, unless it is one of these.
_FIRST_NAME_BEFORE = re.compile(r"\b([A-Z][a-z]+)[ \t]+$")
_NOT_FIRST_NAMES = frozenset(
    "In At For To From Of And On By With About Across Around Near Outside Inside Visit Visits "
    "Inspection Council Borough City County Royal London Greater The Ofsted Children Services".split()
)


def _counts(text: str, start: int, end: int) -> bool:
    """Whether an ambiguous name at `text[start:end]` means the council (see module docstring)."""
    if _COUNCIL_AFTER.match(text, end) or _COUNCIL_BEFORE.search(text, max(0, start - 40), start):
        return True
    if not text[start].isupper():
        return False
    before = _FIRST_NAME_BEFORE.search(text, max(0, start - 20), start)
    if before and before.group(1) not in _NOT_FIRST_NAMES:
        return False
    at_sentence_start = _SENTENCE_START.search(text, max(0, start - 4), start) is not None
    return not (at_sentence_start and _WORD_AFTER.match(text, end))


def council_named(name: str) -> str:
    """The canonical name of the council a user typed (any case, a trust's name), else the
    words as typed.

    >>> council_named("bradford children and families trust")
    'Bradford'
    """
    found = find_councils(name)
    return found[0].council if found else name.strip()


def find_councils(text: str) -> tuple[CouncilMention, ...]:
    """Every council named in `text`, in order; trusts and former councils give their councils.

    >>> [(m.council, m.text) for m in find_councils("Rotherham’s and North Yorkshire's services")]
    [('Rotherham', 'Rotherham'), ('North Yorkshire', 'North Yorkshire')]
    >>> find_councils("after reading the report")
    ()
    """
    mentions: list[CouncilMention] = []
    for m in _PATTERN.finditer(text):
        key = _key(m.group())
        councils = _TABLE.get(key, ())
        if not councils or (key in AMBIGUOUS and not _counts(text, m.start(), m.end())):
            continue
        if _PERSON_BEFORE.search(text, max(0, m.start() - 40), m.start()) or _POSTCODE.match(text, m.end()):
            continue
        for council in councils:
            mentions.append(CouncilMention(council=council, start=m.start(), end=m.end(), text=m.group()))
    return tuple(mentions)


def council_names() -> tuple[str, ...]:
    """The canonical names of all 153 councils, in `COUNCILS` order (counties first)."""
    return _NAMES
