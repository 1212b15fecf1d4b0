"""What a subgroup reports beside its figures, as records read by key: an indicator's latest
commentary and an action's latest progress.

The store keeps both as rows (``metrics.store.indicators.commentary`` and ``action_progress``,
each the latest at or before a quarter); a page that looks one up by its indicator or action
reads these frozen records, so the store's column names stay the store's business.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from metrics.quarters import Quarter


@dataclass(frozen=True)
class Commentary:
    """An indicator's latest commentary: what its owner said, in which quarter's return."""

    indicator_id: str
    quarter: Quarter
    text: str
    author: str | None  # None: the return named no one
    is_demo: bool


@dataclass(frozen=True)
class ActionProgress:
    """An action's latest reported progress: its status in the reporter's words (an
    ``ActionStatus`` word, or words outside that vocabulary kept as they were written) and the
    update that came with it."""

    action_id: str
    quarter: Quarter
    status: str
    commentary: str | None  # None: a status without an update
    is_demo: bool


def _text(value: object) -> str | None:
    """A stored text, or None where the store holds none (NULL comes back as None, NaN or NA)."""
    return None if value is None or pd.isna(value) else str(value)


def _quarter(day: object) -> Quarter:
    return Quarter.of(pd.Timestamp(day).date())


def commentary_by_indicator(notes: pd.DataFrame) -> dict[str, Commentary]:
    """The store's latest commentary rows (``indicator_store.commentary``), by indicator id."""
    return {
        row.indicator_id: Commentary(
            indicator_id=str(row.indicator_id),
            quarter=_quarter(row.quarter_start),
            text=_text(row.text) or "",
            author=_text(row.author),
            is_demo=bool(row.is_demo),
        )
        for row in notes.itertuples(index=False)
    }


def progress_by_action(progress: pd.DataFrame) -> dict[str, ActionProgress]:
    """The store's latest action progress rows (``indicator_store.action_progress``), by action id."""
    return {
        row.action_id: ActionProgress(
            action_id=str(row.action_id),
            quarter=_quarter(row.quarter_start),
            status=_text(row.status) or "",
            commentary=_text(row.commentary),
            is_demo=bool(row.is_demo),
        )
        for row in progress.itertuples(index=False)
    }
