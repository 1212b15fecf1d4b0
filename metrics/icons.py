"""The shape every status takes on screen and on paper: a distinct symbol, words and a colour.

Used by the RAG status against target (metrics/status.py) and by the statistical variation and
assurance statuses (metrics/spc.py), so that pages, keys and the board pack treat all three alike.
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
