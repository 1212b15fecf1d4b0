"""What the plan declares about a survey: its measures, area column and demographic columns.

These records are the plan file's ``surveys:`` section one to one: each field is a YAML key of
the same name, so the plan schema (pydantic) can build them field by field, and
:func:`survey_from_dict` builds them from the same mapping for tests and scripts.

A respondent's answer to a measure's question is one of three kinds:

- ``counts``: it counts towards the measure ("Disagree", "Strongly disagree");
- ``other``: it is in the base but does not count ("Agree", "Neither agree nor disagree");
- ``leaves_base``: it leaves the base ("Don't know", "Prefer not to say").

A blank answer always leaves the base (the question was not asked, or was skipped). Any other
answer is undeclared and the file is refused, so a new label in a platform's export is never
silently counted one way or the other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any


class AreaKind(StrEnum):
    """What the area column holds."""

    NAME = "name"  # the plan's area name (e.g. a ward name)
    CODE = "code"  # the plan's area code (e.g. an ONS ward code)
    LSOA = "lsoa"  # an LSOA code, turned into an area by the declared lookup file
    POSTCODE = "postcode"  # a postcode, turned into an area by the declared lookup file


class Polarity(StrEnum):
    """Which direction of a measure is better."""

    HIGHER = "higher"
    LOWER = "lower"


NOT_STATED = ("Prefer not to say",)  # a demographic answer that leaves the respondent unclassified


@dataclass(frozen=True)
class Measure:
    """One perception measure: the share of respondents whose answer counts towards it."""

    id: str
    name: str
    question: str  # the column holding the question's answers
    counts: tuple[str, ...]
    other: tuple[str, ...] = ()
    leaves_base: tuple[str, ...] = ()
    polarity: Polarity = Polarity.LOWER
    indicator: str | None = None  # the plan indicator whose values this measure supplies

    def __post_init__(self) -> None:
        seen: dict[str, str] = {}
        for kind in ("counts", "other", "leaves_base"):
            for answer in getattr(self, kind):
                if answer.casefold() in seen:
                    raise ValueError(
                        f"measure {self.id!r}: answer {answer!r} is declared under both "
                        f"{seen[answer.casefold()]!r} and {kind!r}; declare it once"
                    )
                seen[answer.casefold()] = kind
        if not self.counts:
            raise ValueError(f"measure {self.id!r}: declare at least one answer under 'counts'")

    @property
    def answers(self) -> tuple[str, ...]:
        """Every declared answer, in declaration order."""
        return self.counts + self.other + self.leaves_base


@dataclass(frozen=True)
class AreaColumn:
    """The column that places a respondent in one of the plan's areas."""

    column: str
    kind: AreaKind = AreaKind.NAME
    lookup: str | None = None  # CSV file (code or postcode -> area code), for lsoa and postcode
    weight: bool = True  # rake to the areas' Census populations

    def __post_init__(self) -> None:
        needs_lookup = self.kind in (AreaKind.LSOA, AreaKind.POSTCODE)
        if needs_lookup and not self.lookup:
            raise ValueError(f"area column {self.column!r} holds {self.kind}s: declare its 'lookup' file")
        if not needs_lookup and self.lookup:
            raise ValueError(f"area column {self.column!r} holds area {self.kind}s: a 'lookup' is not used")


@dataclass(frozen=True)
class Demographic:
    """A demographic column (age band, sex ...): reported as groups, and weighted when the plan
    gives its population margins."""

    id: str
    column: str
    categories: tuple[str, ...]
    population: Mapping[str, float] | None = None  # category -> population (counts or shares)
    population_source: str = ""
    not_stated: tuple[str, ...] = NOT_STATED

    def __post_init__(self) -> None:
        if self.population is not None:
            object.__setattr__(self, "population", MappingProxyType(dict(self.population)))
            missing = [c for c in self.categories if c not in self.population]
            extra = [c for c in self.population if c not in self.categories]
            if missing or extra:
                raise ValueError(
                    f"demographic {self.id!r}: the population must give every category and only "
                    f"those (missing {missing}, not a category {extra})"
                )
            if any(v < 0 for v in self.population.values()) or sum(self.population.values()) <= 0:
                raise ValueError(f"demographic {self.id!r}: populations must be positive")

    @property
    def weighted(self) -> bool:
        """Whether the weighting rakes to this column's population margins."""
        return self.population is not None


@dataclass(frozen=True)
class Survey:
    """A survey the plan declares: its waves are imported against this declaration."""

    id: str
    title: str
    measures: tuple[Measure, ...]
    area: AreaColumn | None = None
    demographics: tuple[Demographic, ...] = ()
    respondent: str | None = None  # the respondent id column, to refuse duplicated rows
    comment: str | None = None  # a free-text column kept (personal data: shown to analysts only)
    source: str = ""

    def __post_init__(self) -> None:
        ids = [m.id for m in self.measures] + [d.id for d in self.demographics]
        taken = {"respondent", "area", "comment"}
        clash = sorted({i for i in ids if ids.count(i) > 1} | (set(ids) & taken))
        if clash:
            raise ValueError(f"survey {self.id!r}: ids must be unique and not {sorted(taken)}: {clash}")
        if not self.measures:
            raise ValueError(f"survey {self.id!r}: declare at least one measure")

    def measure(self, measure_id: str) -> Measure:
        """The measure with this id (KeyError if none)."""
        for m in self.measures:
            if m.id == measure_id:
                return m
        raise KeyError(measure_id)

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column the file must hold, once each, in declaration order."""
        names = [self.respondent] if self.respondent else []
        names += [self.area.column] if self.area else []
        names += [d.column for d in self.demographics]
        names += [m.question for m in self.measures]
        names += [self.comment] if self.comment else []
        return tuple(dict.fromkeys(names))


def _tuple(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in (value or ()))


def survey_from_dict(data: Mapping[str, Any]) -> Survey:
    """A :class:`Survey` from the plan file's mapping for one survey (keys as the field names)."""
    area = data.get("area")
    return Survey(
        id=str(data["id"]),
        title=str(data.get("title") or data["id"]),
        measures=tuple(
            Measure(
                id=str(m["id"]),
                name=str(m.get("name") or m["id"]),
                question=str(m["question"]),
                counts=_tuple(m.get("counts")),
                other=_tuple(m.get("other")),
                leaves_base=_tuple(m.get("leaves_base")),
                polarity=Polarity(m.get("polarity") or Polarity.LOWER),
                indicator=m.get("indicator"),
            )
            for m in data.get("measures", ())
        ),
        area=None
        if area is None
        else AreaColumn(
            column=str(area["column"]),
            kind=AreaKind(area.get("kind") or AreaKind.NAME),
            lookup=area.get("lookup"),
            weight=bool(area.get("weight", True)),
        ),
        demographics=tuple(
            Demographic(
                id=str(d["id"]),
                column=str(d["column"]),
                categories=_tuple(d.get("categories")),
                population=d.get("population"),
                population_source=str(d.get("population_source") or ""),
                not_stated=_tuple(d.get("not_stated", NOT_STATED)),
            )
            for d in data.get("demographics", ())
        ),
        respondent=data.get("respondent"),
        comment=data.get("comment"),
        source=str(data.get("source") or ""),
    )


@dataclass(frozen=True)
class AreaRef:
    """One of the plan's areas as the survey sees it: code, name and Census population."""

    code: str
    name: str
    population: float | None = None
    aliases: tuple[str, ...] = field(default=())
