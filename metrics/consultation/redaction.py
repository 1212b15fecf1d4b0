"""Removing personal data from a comment before it is shown beyond the coding page or exported:
email addresses, UK telephone numbers, UK postcodes and the names an analyst marks.

Each kind is replaced by a bracketed word (``[email removed]``) so a reader sees that something
was there. The patterns aim at what residents actually type, and are tested on many formats and
on text that must survive (road names such as 'B1' or 'A45', times, years, crime counts, dates).
Where a pattern has to choose, it redacts: a road named by mistake is a smaller harm than a
telephone number published. The redacted text never records what it removed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from metrics.consultation.record import Comment


class Kind(StrEnum):
    """A kind of personal data the redaction removes; the value is the word left in its place."""

    EMAIL = "email removed"
    PHONE = "phone number removed"
    POSTCODE = "postcode removed"
    NAME = "name removed"


# An email address, and the usual ways of hiding one from robots: 'jo (at) example dot com'.
_EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
_AT = r"\s*[\[(]\s*at\s*[\])]\s*"
_DOT = r"(?:\s*[\[(]\s*dot\s*[\])]\s*|\s+dot\s+|\.)"
_HIDDEN_EMAIL = re.compile(rf"(?<![\w.%+-])[\w.%+-]+{_AT}[\w-]+(?:{_DOT}[\w-]+)+", re.IGNORECASE)

# A UK telephone number: +44 / 0044 (with or without '(0)') or a leading 0 (the area code maybe
# in brackets), then digits in groups split by one space, non-breaking space or hyphen. Dots and
# slashes are not separators, so decimals ('0.123456789') and dates ('01/07/2024') are left.
# The digit count is checked after matching (:data:`NATIONAL_DIGITS`): 101, 999, years and
# counts have too few digits to be a number one can ring.
_SEP = r"[ \u00a0-]?"
_PHONE = re.compile(
    rf"(?<![\w+])(?:(?:\+|00){_SEP}44{_SEP}(?:\(0\){_SEP})?\(?|\(?0)\d(?:{_SEP}\)?{_SEP}\d){{7,11}}(?!\w)"
)
NATIONAL_DIGITS = (9, 10)  # a UK number without its leading 0 or +44 has 9 or 10 digits

# A full UK postcode (outward code, optional blank, inward code). The inward code's letters
# never include C I K M O V, so '3pm' after a road ('M6 3pm') is not a postcode; the outward
# code's first letter is never Q V X. An outward code alone ('CV1', 'B1') names a district, not
# a home, and is left.
_POSTCODE = re.compile(
    r"\b(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?)[ \u00a0]{0,2}(\d)([ABD-HJLNP-UW-Z]{2})\b",
    re.IGNORECASE,
)
# '2nd', '4th' written in lower case after a road ('the A45 2nd exit') is an ordinal, not an
# inward code; the same letters in capitals are taken for a postcode.
_ORDINALS = {"1st", "2nd", "3rd"} | {f"{d}th" for d in "0456789"}
NAME_PART_MIN = 3  # each word of a marked name this long or longer is redacted on its own too


@dataclass(frozen=True)
class Redaction:
    """A text with its personal data removed, and how many items of each kind were removed."""

    text: str
    removed: tuple[tuple[Kind, int], ...]  # counts only: the items themselves are not kept

    @property
    def count(self) -> int:
        return sum(n for _, n in self.removed)


def _phone_ok(match: re.Match[str]) -> bool:
    raw = match.group(0)
    digits = re.sub(r"\D", "", raw)
    # the national number: without +44 / 0044 (and a '(0)' after it) or the leading 0
    national = digits[2:] if raw.startswith("+") else digits[4:] if raw.startswith("00") else digits[1:]
    if "(0)" in raw:
        national = national[1:]
    return len(national) in NATIONAL_DIGITS


def _postcode_ok(match: re.Match[str]) -> bool:
    inward = match.group(1) + match.group(2)
    return inward not in _ORDINALS  # a lower-case ordinal after a road: not a postcode


def _name_patterns(names: Iterable[str]) -> list[re.Pattern[str]]:
    """Whole-word patterns for each marked name, longest first, then each long enough word of
    a name on its own ('Smith' when 'John Smith' is marked)."""
    wanted: set[str] = set()
    for name in names:
        name = " ".join(name.split())
        if not name:
            continue
        wanted.add(name)
        wanted.update(part for part in name.split() if len(part) >= NAME_PART_MIN)
    patterns = []
    for n in sorted(wanted, key=len, reverse=True):
        body = r"\s+".join(re.escape(word) for word in n.split())  # any blanks between a name's words
        patterns.append(re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE))
    return patterns


def redact(text: str, names: Iterable[str] = ()) -> Redaction:
    """The text with email addresses, UK telephone numbers, UK postcodes and the given names
    replaced by ``[email removed]``, ``[phone number removed]``, ``[postcode removed]`` and
    ``[name removed]``."""
    counts: Counter[Kind] = Counter()

    def sub(pattern: re.Pattern[str], kind: Kind, text: str, keep: object = None) -> str:
        def replace(m: re.Match[str]) -> str:
            if keep is not None and not keep(m):  # type: ignore[operator]
                return m.group(0)
            counts[kind] += 1
            return f"[{kind.value}]"

        return pattern.sub(replace, text)

    out = sub(_EMAIL, Kind.EMAIL, text)
    out = sub(_HIDDEN_EMAIL, Kind.EMAIL, out)
    out = sub(_PHONE, Kind.PHONE, out, _phone_ok)
    out = sub(_POSTCODE, Kind.POSTCODE, out, _postcode_ok)
    for pattern in _name_patterns(names):
        out = sub(pattern, Kind.NAME, out)
    return Redaction(out, tuple((k, counts[k]) for k in Kind if counts[k]))


def redacted_text(text: str, names: Iterable[str] = ()) -> str:
    """Just the redacted text (see :func:`redact`)."""
    return redact(text, names).text


def has_personal_data(text: str, names: Iterable[str] = ()) -> bool:
    """Whether redacting the text would remove anything: the check run on every output."""
    return redact(text, names).count > 0


def redacted_comment(
    id: str,
    activity_id: str,
    text: str,
    *,
    area: str | None = None,
    codes: tuple[str, ...] = (),
    marked_names: tuple[str, ...] = (),
    group: str | None = None,
    demo: bool = False,
) -> Comment:
    """A :class:`Comment` whose ``redacted`` text is the original with its personal data (and
    the marked names) removed."""
    return Comment(
        id=id,
        activity_id=activity_id,
        text=text,
        redacted=redacted_text(text, marked_names),
        area=area,
        codes=codes,
        marked_names=marked_names,
        group=group,
        demo=demo,
    )


def mark_names(comment: Comment, names: Iterable[str]) -> Comment:
    """The comment with more names marked and its redacted text made again from the original.
    A comment whose original was deleted has its names removed from the redacted text instead."""
    marked = tuple(dict.fromkeys((*comment.marked_names, *(n.strip() for n in names if n.strip()))))
    source = comment.redacted if comment.original_deleted else comment.text
    return Comment(
        **{
            **comment.__dict__,
            "marked_names": marked,
            "redacted": redacted_text(source, marked),
        }
    )
