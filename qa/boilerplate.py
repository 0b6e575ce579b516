"""Lines every report, letter or web page carries whatever it is about.

In: one line or sentence. Out: whether it is a cover label ("Inspection dates: ..."), a letter's
opening or closing formula, the inspectorate's publication notes, or web page chrome (banners,
cookie notices, menus, breadcrumbs). Read by the boilerplate features (`qa.features`) and by
titling (`qa.documents`), which must not title a web page "Skip to main content".
"""

from __future__ import annotations

import re

_FORMULA = re.compile(
    r"^\s*(inspection dates?|lead inspector|inspectors?|published|publication date|date of (letter|report|"
    r"publication)|reference|urn|local authority|director of children's services|chief executive|"
    r"to|from|cc|telephone|email|web)\s*:"
    r"|\bthis (letter|report) (sets out|summarises|describes)\b"
    r"|\bofsted (is|regulates|inspects)\b|office for standards in education|this publication is available"
    r"|crown copyright|open government licence|if you would like a copy|reuse this information"
    r"|\bwww\.|https?://|@ofsted|\bcookies?\b|skip to (main )?content|maintenance|apologi[sz]e for any"
    r"|\b(follow us|share this|sign up|subscribe|all rights reserved|yours sincerely|dear\b)"
    r"|\bpage \d+ of \d+\b|\bback to top\b|\bprivacy (notice|policy)\b"
    # The closing formulas of every inspectorate letter.
    r"|\binto account when planning\b|\bwritten statement of (proposed )?action\b"
    # A web page's menu of sections ("News | Politics | Sport"; a table row opens with "|")
    # and its breadcrumb trail ("Home > News > Press releases").
    r"|^[^|\n]+\|[^|\n]+\||^[^>\n]+>[^>\n]+>",
    re.I | re.M,
)


def is_boilerplate(text: str) -> bool:
    """Whether `text` (a line or a sentence) holds boilerplate.

    `is_boilerplate("Inspection dates: 6 to 17 March 2023") -> True`;
    `is_boilerplate("Supervision is regular.") -> False`
    """
    return _FORMULA.search(text) is not None
