"""The status vocabularies: every status has one word, one symbol and one colour, declared once
(metrics/icons.py, metrics/returns/tracker.py) and read back from its words."""

from __future__ import annotations

import pytest

from metrics.board.spc import Assurance, Variation
from metrics.board.status import Rag
from metrics.icons import ACTION_STATUS_WORDS, ActionStatus
from metrics.returns import ACTION_STATUSES
from metrics.returns.tracker import SubmissionStatus

VOCABULARIES = (Rag, Variation, Assurance, ActionStatus, SubmissionStatus)


@pytest.mark.parametrize("vocabulary", VOCABULARIES, ids=lambda v: v.__name__)
def test_each_status_reads_back_from_its_word(vocabulary) -> None:
    for member in vocabulary:
        assert vocabulary.from_word(member.word) is member
        assert vocabulary.from_word(f"  {member.word.upper()} ") is member
        assert member.label == f"{member.icon} {member.word}"
    assert vocabulary.from_word("no such status") is None
    assert len({m.key for m in vocabulary}) == len({m.word for m in vocabulary}) == len(vocabulary)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("On track", "● On track"),
        ("complete", "✔ Complete"),
        ("No update", "No update"),  # outside the vocabulary: left as it is
    ],
)
def test_action_status_label_of(text: str, expected: str) -> None:
    assert ActionStatus.label_of(text) == expected


def test_action_statuses_are_declared_once_in_template_order() -> None:
    assert ACTION_STATUS_WORDS == ("Not started", "On track", "At risk", "Off track", "Complete")
    assert ACTION_STATUSES is ACTION_STATUS_WORDS, "the returns template offers the one list"
    assert len({s.icon for s in ActionStatus}) == len(ActionStatus), "each action status has its own symbol"


@pytest.mark.parametrize(
    ("status", "overdue"),
    [
        (SubmissionStatus.OVERDUE, True),
        (SubmissionStatus.INCOMPLETE_OVERDUE, True),
        (SubmissionStatus.INCOMPLETE, False),
        (SubmissionStatus.DUE, False),
        (SubmissionStatus.SUBMITTED_LATE, False),
    ],
)
def test_submission_status_overdue(status: SubmissionStatus, overdue: bool) -> None:
    assert status.is_overdue is overdue
    assert (status.severity <= 1) is overdue, "overdue statuses sort first"
