"""The coding frame and coded comments: codes grouped under the plan's themes, each with
suggested key phrases; suggestions for a comment from those phrases; counts per code, by area
and by activity type; and the example quotes an analyst chooses.

A suggestion is only that: the analyst decides. Phrases match whole words, case-insensitively,
with blanks between words free ('vehicle  crime' matches 'vehicle crime') and an optional
plural 's' at the end ('drug' matches 'drugs'); a phrase ending in '*' matches any ending
('burgl*': 'burglary', 'burglaries').
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import pandas as pd

from metrics.consultation.record import Activity, ActivityType, Comment

UNCODED = "(not coded)"
WHOLE_AREA = "(whole area or not known)"


@dataclass(frozen=True)
class Code:
    """One code of the frame: what residents said, under one of the plan's themes."""

    id: str
    label: str
    theme_id: str
    phrases: tuple[str, ...] = ()


@dataclass(frozen=True)
class CodingFrame:
    """The codes comments are coded to, grouped under the plan's themes (in the plan's order)."""

    codes: tuple[Code, ...]
    demo: bool = False  # a frame the demo made up, not one the plan declares

    def code(self, code_id: str) -> Code:
        for c in self.codes:
            if c.id == code_id:
                return c
        raise KeyError(f"No code {code_id!r} in the coding frame.")

    def ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.codes)

    def by_theme(self, theme_ids: Sequence[str]) -> list[tuple[str, tuple[Code, ...]]]:
        """(theme id, its codes) in the given themes' order, then any theme not among them."""
        order = list(theme_ids) + sorted({c.theme_id for c in self.codes} - set(theme_ids))
        return [
            (t, tuple(c for c in self.codes if c.theme_id == t))
            for t in order
            if any(c.theme_id == t for c in self.codes)
        ]


@dataclass(frozen=True)
class Suggestion:
    """A code the key phrases suggest for a comment, with the phrases found in it."""

    code_id: str
    phrases: tuple[str, ...]


@cache
def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    words = phrase.strip().split()
    prefix = bool(words) and words[-1].endswith("*")
    if prefix:
        words[-1] = words[-1].rstrip("*")
    body = r"\s+".join(re.escape(w) for w in words)
    ending = r"\w*" if prefix else r"(?:s|es)?"
    return re.compile(rf"(?<!\w){body}{ending}(?!\w)", re.IGNORECASE)


def phrase_found(phrase: str, text: str) -> bool:
    """Whether a key phrase occurs in the text (see the module's matching rules)."""
    return bool(phrase.strip().rstrip("*")) and _phrase_pattern(phrase).search(text) is not None


def suggest(text: str, frame: CodingFrame) -> tuple[Suggestion, ...]:
    """The codes whose key phrases occur in the text, most phrases found first (frame order
    among equals)."""
    found = [Suggestion(c.id, tuple(p for p in c.phrases if phrase_found(p, text))) for c in frame.codes]
    hits = [s for s in found if s.phrases]
    return tuple(sorted(hits, key=lambda s: -len(s.phrases)))


def unknown_codes(comments: Iterable[Comment], frame: CodingFrame) -> dict[str, tuple[str, ...]]:
    """Comment id -> codes it carries that the frame does not have (after the frame changed)."""
    known = set(frame.ids())
    out = {c.id: tuple(x for x in c.codes if x not in known) for c in comments}
    return {k: v for k, v in out.items() if v}


def _rows(comments: Iterable[Comment], activities: Iterable[Activity]) -> pd.DataFrame:
    """One row per (comment, code): an uncoded comment gives one row with code UNCODED."""
    types = {a.id: a.type for a in activities}
    rows = [
        {
            "comment": c.id,
            "code": code,
            "area": c.area or WHOLE_AREA,
            "activity_type": str(types.get(c.activity_id, "")),
            "demo": c.demo,
        }
        for c in comments
        for code in (c.codes or (UNCODED,))
    ]
    return pd.DataFrame(rows, columns=["comment", "code", "area", "activity_type", "demo"])


def code_counts(
    comments: Sequence[Comment], activities: Sequence[Activity], frame: CodingFrame, theme_names: dict[str, str]
) -> pd.DataFrame:
    """Comments per code, every code of the frame listed (zero where none), in the frame's order,
    with the share of all comments (a comment with several codes counts once under each, so the
    shares may add up to more than 100%) and a last row for comments not yet coded."""
    rows = _rows(comments, activities)
    per = rows.groupby("code")["comment"].nunique() if len(rows) else pd.Series(dtype="int64")
    total = len({c.id for c in comments})
    out = [
        {
            "theme": theme_names.get(c.theme_id, c.theme_id),
            "code_id": c.id,
            "code": c.label,
            "comments": int(per.get(c.id, 0)),
        }
        for c in frame.codes
    ]
    out.append({"theme": "", "code_id": UNCODED, "code": UNCODED, "comments": int(per.get(UNCODED, 0))})
    table = pd.DataFrame(out, columns=["theme", "code_id", "code", "comments"])
    table["share"] = table["comments"] / total if total else 0.0
    return table


def _crossed(rows: pd.DataFrame, by: str, frame: CodingFrame, columns: Sequence[str]) -> pd.DataFrame:
    index = [*frame.ids(), UNCODED]
    if not len(rows):
        return pd.DataFrame(0, index=pd.Index(index, name="code"), columns=list(columns))
    table = rows.pivot_table(index="code", columns=by, values="comment", aggfunc="nunique", fill_value=0)
    table = table.reindex(index=index, columns=list(columns), fill_value=0).fillna(0).astype("int64")
    table.index.name = "code"
    table.columns.name = None
    return table


def counts_by_area(
    comments: Sequence[Comment], activities: Sequence[Activity], frame: CodingFrame, area_codes: Sequence[str]
) -> pd.DataFrame:
    """Comments per code (rows, the frame's order) and area (columns, the plan's order, then
    comments with no area)."""
    return _crossed(_rows(comments, activities), "area", frame, [*area_codes, WHOLE_AREA])


def counts_by_activity_type(
    comments: Sequence[Comment], activities: Sequence[Activity], frame: CodingFrame
) -> pd.DataFrame:
    """Comments per code (rows) and the type of activity they came in through (columns)."""
    return _crossed(_rows(comments, activities), "activity_type", frame, [str(t) for t in ActivityType])


@dataclass(frozen=True)
class Quote:
    """An example quote the analyst chose for a code: always the redacted text."""

    code_id: str
    comment_id: str
    text: str
    demo: bool = False


def chosen_quotes(
    comments: Sequence[Comment], choices: Iterable[tuple[str, str]], frame: CodingFrame
) -> tuple[Quote, ...]:
    """The quotes the analyst chose, as (code id, comment id) pairs, in the frame's code order.
    A choice whose comment no longer carries the code, or is gone, is dropped: a quote always
    illustrates the code it is shown under. Only the redacted text is used."""
    by_id = {c.id: c for c in comments}
    order = {code_id: i for i, code_id in enumerate(frame.ids())}
    out = []
    for code_id, comment_id in dict.fromkeys(choices):
        c = by_id.get(comment_id)
        if c is None or code_id not in c.codes or code_id not in order:
            continue
        out.append(Quote(code_id, comment_id, c.redacted, c.demo))
    return tuple(sorted(out, key=lambda q: order[q.code_id]))
