"""The consultation record: a consultation, its activities, the comments they brought in, the
findings drawn from them and what the partnership did about each ("you said, we did").

Plain frozen records, no I/O. A record invented for demonstration carries ``demo=True`` and
every page, export and summary that shows it says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

DAYS_A_WEEK = 7


class ConsultationError(ValueError):
    """A consultation request that cannot be carried out; the message says why and what to do."""


class ActivityType(StrEnum):
    """How residents and stakeholders were heard (the kinds an engagement plan names)."""

    ONLINE_SURVEY = "online survey"
    WORKSHOP = "workshop"
    PUBLIC_EVENT = "public event"
    FORUM_VISIT = "forum visit"
    EMAIL_OR_LETTER = "email or letter"
    STAKEHOLDER_MEETING = "stakeholder meeting"


@dataclass(frozen=True)
class Consultation:
    """One consultation: what it asked, when, and which plan it informs.

    ``responses_reported``, ``emerging_themes`` and ``source`` are facts a published document
    states (a committee's minutes, say); they are shown as such, with the source named."""

    id: str
    title: str
    start: date
    end: date
    purpose: str
    plan_title: str  # the plan the consultation informs
    responses_reported: int | None = None  # the survey responses a published document reports
    emerging_themes: tuple[str, ...] = ()  # what that document says residents told the partnership
    source: str = ""  # the document those facts come from
    demo: bool = False

    @property
    def weeks(self) -> int:
        """Its length in whole weeks, counting both the first and last day."""
        return ((self.end - self.start).days + 1) // DAYS_A_WEEK


@dataclass(frozen=True)
class Activity:
    """One event or period of consultation: the formal record an engagement plan promises
    (date, type, participants, feedback)."""

    id: str
    date: date
    type: ActivityType
    audience: str
    area: str | None  # the plan's area code, or None for the whole partnership area
    participants: int | None  # None when not counted
    note: str = ""  # for officers only: never published
    demo: bool = False


@dataclass(frozen=True)
class Comment:
    """One piece of free-text feedback, from the activity it came in through.

    ``text`` is the original, shown on the coding page to the analyst role only and deletable
    (``text`` becomes empty and ``original_deleted`` true); ``redacted`` is what anything else
    shows. Build one with :func:`metrics.consultation.redaction.redacted_comment` so the two agree."""

    id: str
    activity_id: str
    text: str
    redacted: str
    area: str | None = None
    codes: tuple[str, ...] = ()  # code ids from the coding frame, in the order the analyst chose
    marked_names: tuple[str, ...] = ()  # names the analyst marked for redaction
    group: str | None = None  # a declared group of the author (an age band, say), where known
    original_deleted: bool = False
    demo: bool = False

    def coded(self, codes: tuple[str, ...]) -> Comment:
        """The comment with these codes (duplicates dropped, order kept)."""
        return replace(self, codes=tuple(dict.fromkeys(codes)))

    def without_original(self) -> Comment:
        """The comment with its original text deleted: only the redacted text remains."""
        return replace(self, text="", original_deleted=True)


@dataclass(frozen=True)
class Finding:
    """A main finding ("residents feel less safe at night"), linked to the plan's priorities
    (objective ids) and to board actions (action log references) so it is followed up."""

    id: str
    statement: str
    priority_ids: tuple[str, ...] = ()
    action_refs: tuple[str, ...] = ()
    source: str = ""  # where the statement itself is published, when it is a published fact
    demo: bool = False  # the links (and the statement, unless ``source`` names one) are invented


@dataclass(frozen=True)
class ActionTaken:
    """What the partnership did about a finding: the "we did" of "you said, we did"."""

    id: str
    finding_id: str
    text: str
    when: date | None = None
    demo: bool = False


@dataclass(frozen=True)
class Record:
    """A consultation with everything recorded for it."""

    consultation: Consultation
    activities: tuple[Activity, ...] = ()
    comments: tuple[Comment, ...] = ()
    findings: tuple[Finding, ...] = ()
    actions_taken: tuple[ActionTaken, ...] = ()
    chosen_quotes: tuple[tuple[str, str], ...] = field(default=())  # (code id, comment id) the analyst chose

    @property
    def has_demo(self) -> bool:
        """Whether anything in the record is invented for demonstration."""
        items = (self.consultation, *self.activities, *self.comments, *self.findings, *self.actions_taken)
        return any(i.demo for i in items)

    def activity(self, activity_id: str) -> Activity:
        for a in self.activities:
            if a.id == activity_id:
                return a
        raise KeyError(f"No activity {activity_id!r} in the consultation record.")
