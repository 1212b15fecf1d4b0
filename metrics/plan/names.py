"""Matching what a person types to the plan's names: an area, a subgroup or a crime type named
by its code or its name, in any case, with a "did you mean" for a near miss.

The command line uses it (an area's name in lower case for ``--ward``, a subgroup's name for
``--subgroup``, ``--type burglary``); the dashboard offers lists, so it never needs to guess.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

SUGGESTIONS = 3  # near misses offered for one unknown name
SIMILARITY = 0.6  # difflib's ratio below which a name is not offered as a near miss
LISTED = 30  # at most this many known names are listed in a message (a force has many crime types)


class UnknownNameError(ValueError):
    """A typed name matches nothing; the message names it, offers near misses and lists the
    names that are accepted."""


@dataclass(frozen=True)
class Choices:
    """The things of one kind a person may name: each key (the code stored) with the names
    that stand for it (code, name, short name ...), and how to speak of the kind."""

    kind: str  # 'ward', 'subgroup', 'crime type'
    names: Mapping[str, tuple[str, ...]]  # key -> every name accepted for it (the first is shown)

    @classmethod
    def of(cls, kind: str, items: Iterable[tuple[str, Sequence[str]]]) -> Choices:
        """Choices from (key, names) pairs; the key itself is always accepted."""
        return cls(kind, {key: tuple(dict.fromkeys([*names, key])) for key, names in items})

    def _lookup(self) -> dict[str, str]:
        folded: dict[str, str] = {}
        for key, names in self.names.items():
            for name in names:
                folded.setdefault(_fold(name), key)
        return folded

    def label(self, key: str) -> str:
        """How a key is shown: its first name, with the key where they differ."""
        first = self.names[key][0]
        return first if _fold(first) == _fold(key) else f"{first} ({key})"

    def resolve(self, typed: Sequence[str]) -> list[str]:
        """The keys the typed names stand for, in the order typed, each once. Raises
        :class:`UnknownNameError` naming every name that matches nothing."""
        lookup = self._lookup()
        keys, unknown = [], []
        for text in typed:
            key = lookup.get(_fold(text))
            if key is None:
                unknown.append(text)
            elif key not in keys:
                keys.append(key)
        if unknown:
            raise UnknownNameError(self._unknown_message(unknown, lookup))
        return keys

    def _unknown_message(self, unknown: list[str], lookup: dict[str, str]) -> str:
        parts = []
        for text in unknown:
            near = difflib.get_close_matches(_fold(text), list(lookup), n=SUGGESTIONS, cutoff=SIMILARITY)
            keys = list(dict.fromkeys(lookup[n] for n in near))
            hint = f" (did you mean {' or '.join(repr(self.names[k][0]) for k in keys)}?)" if keys else ""
            parts.append(f"no {self.kind} is called {text!r}{hint}")
        if not self.names:
            return "; ".join(parts) + f". There are no {self.kind}s to choose from yet."
        listed = [self.label(k) for k in list(self.names)[:LISTED]]
        more = f" and {len(self.names) - LISTED} more" if len(self.names) > LISTED else ""
        return "; ".join(parts) + f". Use a name or code, in any case: {', '.join(listed)}{more}."


def _fold(text: str) -> str:
    """A name as compared: case and runs of spaces ignored."""
    return " ".join(str(text).split()).casefold()
