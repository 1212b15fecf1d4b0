"""Consultation: the record of each consultation and its activities, comments coded to the
plan (with personal data redacted), who was not heard, and "you said, we did".

Pure: no Streamlit, no SQL. One module per job:

- ``record``: the frozen records (:class:`Consultation`, :class:`Activity`, :class:`Comment`,
  :class:`Finding`, :class:`ActionTaken`, :class:`Record`) and :class:`ActivityType`
- ``importing``: activities and comments from CSV or .xlsx, every problem located, in one round
- ``redaction``: emails, UK telephone numbers, UK postcodes and marked names removed
- ``coding``: the coding frame, suggestions from key phrases, counts, chosen quotes
- ``reach``: who was heard by area or group against the population (exact binomial method)
- ``summary``: the public summary as accessible HTML and PDF
- ``demo``: a published consultation's real facts with invented, flagged detail
- ``export``: the record as a workbook for officers (redacted, formula-safe)
- ``from_plan``: the plan's coding frame and consultations; the summary in the plan's words
- ``followup``: findings whose linked board actions are overdue
- ``operations``: the page's reads of originals and its writes, each checked against the role

This file imports only the pure modules; ``export``, ``from_plan``, ``followup`` and
``operations`` are imported by name (the last reaches the store).
"""

from __future__ import annotations

from metrics.consultation.coding import Code, CodingFrame, Quote, Suggestion, chosen_quotes, code_counts, suggest
from metrics.consultation.demo import demo_record, frame_from_plan
from metrics.consultation.importing import Imported, Limits, Problem, read_activities, read_comments
from metrics.consultation.reach import Reach, reach_table
from metrics.consultation.record import (
    ActionTaken,
    Activity,
    ActivityType,
    Comment,
    Consultation,
    ConsultationError,
    Finding,
    Record,
)
from metrics.consultation.redaction import Kind, redact, redacted_comment, redacted_text
from metrics.consultation.summary import PublicSummary, public_summary, summary_html, summary_pdf

__all__ = [
    "ActionTaken",
    "Activity",
    "ActivityType",
    "Code",
    "CodingFrame",
    "Comment",
    "Consultation",
    "ConsultationError",
    "Finding",
    "Imported",
    "Kind",
    "Limits",
    "Problem",
    "PublicSummary",
    "Quote",
    "Reach",
    "Record",
    "Suggestion",
    "chosen_quotes",
    "code_counts",
    "demo_record",
    "frame_from_plan",
    "public_summary",
    "reach_table",
    "read_activities",
    "read_comments",
    "redact",
    "redacted_comment",
    "redacted_text",
    "suggest",
    "summary_html",
    "summary_pdf",
]
