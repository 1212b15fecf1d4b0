"""The shape every status takes on screen and on paper: a distinct symbol, words and a colour.

Used by the RAG status against target (metrics/board/status.py), the statistical variation and
assurance statuses (metrics/board/spc.py), the returns tracker's submission statuses
(metrics/returns/tracker.py) and the action statuses below, so that pages, keys, the board pack and the
returns files treat them all alike.
"""

from __future__ import annotations

from enum import Enum


class StatusIcon(Enum):
    """A status shown as a distinct symbol and words (colour is never the only cue), with a
    severity (lower sorts first). Members are ``(key, word, icon, colour, severity)``."""

    def __init__(self, key: str, word: str, icon: str, colour: str, severity: int) -> None:
        self.key = key
        self.word = word
        self.icon = icon
        self.colour = colour
        self.severity = severity

    @classmethod
    def from_word(cls, text: str) -> StatusIcon | None:
        """The member whose word is ``text`` (case and surrounding spaces ignored), or None:
        how a status typed in a returns file or stored as words is read back."""
        wanted = text.strip().casefold()
        return next((m for m in cls if m.word.casefold() == wanted), None)

    @classmethod
    def label_of(cls, text: str) -> str:
        """The label of the member whose word is ``text``; text outside the vocabulary (such
        as 'No update' where nothing is reported) comes back as it is."""
        member = cls.from_word(text)
        return member.label if member else text

    @property
    def label(self) -> str:
        """Symbol and words together, e.g. '✔ Complete': how a status reads in plain text."""
        return f"{self.icon} {self.word}"


class ActionStatus(StatusIcon):
    """How a subgroup reports a plan action's progress each quarter: the one list the returns
    template offers and checks, the demo data draws from, and the theme page and board pack show.
    Declared in the order the template lists them (the start of a piece of work to its end)."""

    NOT_STARTED = ("not_started", "Not started", "○", "#5f6368", 2)
    ON_TRACK = ("on_track", "On track", "●", "#1b6e3a", 3)
    AT_RISK = ("at_risk", "At risk", "▲", "#a15c00", 1)
    OFF_TRACK = ("off_track", "Off track", "✖", "#b3261e", 0)
    COMPLETE = ("complete", "Complete", "✔", "#1b6e3a", 4)


ACTION_STATUS_WORDS = tuple(s.word for s in ActionStatus)  # as typed in a return and stored
