"""Which months of police.uk data the store holds, force by force, and which of them the area's
figures cannot be read for: missing months (a gap in a force's range), months with no record
inside the area, and months with abnormally few. Read after every import (its report) and by
the pages, which mark flagged months on the area's trends."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from metrics.store import Store
from metrics.store import police as police_store

LOW_MONTH_SHARE = 0.5  # a month with fewer in-area records than this share of the median is flagged


@dataclass(frozen=True)
class Coverage:
    """Which months each force has, and which months are missing or thin inside the area.

    A force none of whose records lies inside the area (a comparator group's force, or files
    of the wrong force) has no month flagged: its months say nothing about the area's
    series. It is named in ``elsewhere`` and said once in ``lines``."""

    frame: pd.DataFrame  # force, month, rows_read, stored, no_location, outside_area, problem
    elsewhere: tuple[str, ...] = ()  # forces held with no record inside the area

    @property
    def problems(self) -> pd.DataFrame:
        return self.frame[self.frame["problem"] != ""]

    def lines(self) -> list[str]:
        out: list[str] = []
        for force, g in self.frame.groupby("force", sort=True):
            present = g[g["rows_read"] > 0]["month"]
            out.append(
                f"{force}: months {present.min()} to {present.max()} ({len(present)} present, "
                f"{int((g['rows_read'] == 0).sum())} missing)."
            )
            if force in self.elsewhere:
                out.append(
                    f"  None of its {int(g['rows_read'].sum()):,} records is inside the area: its files are kept "
                    "to compare partnerships. If this force polices the area, check the LSOA lookup."
                )
            for r in g[g["problem"] != ""].itertuples():
                out.append(f"  {r.month}: {r.problem}")
        return out


def coverage(store: Store) -> Coverage:
    """Per force and month: rows read and where they went, with missing months (gaps in a
    force's range) and months with no or abnormally few records inside the area flagged."""
    frame = police_store.month_counts(store)
    rows: list[dict] = []
    elsewhere: list[str] = []
    for force, g in frame.groupby("force", sort=True):
        inside = bool((g["stored"] > 0).any())
        if not inside:
            elsewhere.append(str(force))
        have = {r.month: r for r in g.itertuples()}
        first, last = pd.Period(g["month"].min(), "M"), pd.Period(g["month"].max(), "M")
        median = float(g["stored"].median())
        for p in pd.period_range(first, last, freq="M"):
            m = p.strftime("%Y-%m")
            r = have.get(m)
            if r is None:
                rows.append(
                    dict(
                        force=force,
                        month=m,
                        rows_read=0,
                        stored=0,
                        no_location=0,
                        outside_area=0,
                        problem="missing: the force has no file for this month; do not read it as a fall"
                        if inside
                        else "",
                    )
                )
                continue
            problem = ""  # a force with nothing inside the area: said once, in Coverage.lines
            if inside and r.stored == 0:
                problem = (
                    f"no records inside the area ({r.rows_read:,} in the force's file): the month is missing "
                    "for the area, not a fall in crime"
                )
            elif inside and r.stored < LOW_MONTH_SHARE * median:
                problem = (
                    f"abnormally few records inside the area ({r.stored:,}, against a median of {median:,.0f}): "
                    "check the file before reading it as a fall"
                )
            rows.append(
                dict(
                    force=force,
                    month=m,
                    rows_read=int(r.rows_read),
                    stored=int(r.stored),
                    no_location=int(r.no_location),
                    outside_area=int(r.outside_area),
                    problem=problem,
                )
            )
    columns = ["force", "month", "rows_read", "stored", "no_location", "outside_area", "problem"]
    return Coverage(pd.DataFrame(rows, columns=columns), tuple(elsewhere))
