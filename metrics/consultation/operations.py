"""What the Consultation page does to the store, each step checked against the person's role
again here (``metrics.access``), so a crafted request cannot go round the page.

- Reading comments as written (originals and marked names), coding a comment, marking names and
  deleting originals need ``code_comments`` (the analyst's).
- Importing activities and comments, and recording an activity, a finding or what was done,
  need ``record_consultation`` (the board officer's).
An import either stores everything it read or, with any problem, nothing (one transaction).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date

from metrics import access
from metrics.consultation.coding import CodingFrame
from metrics.consultation.importing import Imported, Problem, read_activities, read_comments
from metrics.consultation.record import ActionTaken, Activity, ActivityType, Comment, ConsultationError, Finding, Record
from metrics.consultation.redaction import mark_names, redacted_comment
from metrics.plan.model import Plan
from metrics.store import Store
from metrics.store import consultation as consultation_store
from metrics.store import survey as survey_store


def _record(store: Store, consultation_id: str, originals: bool) -> Record:
    record = consultation_store.load_record(store, consultation_id, originals=originals)
    if record is None:
        raise ConsultationError(f"No consultation {consultation_id!r} is recorded; choose one that is.")
    return record


def with_originals(store: Store, user: access.User | None, consultation_id: str) -> Record:
    """The record with each comment's original and marked names, for the coding page."""
    access.require(user, access.Action.CODE_COMMENTS)
    return _record(store, consultation_id, originals=True)


def code_comment(
    store: Store,
    user: access.User | None,
    consultation_id: str,
    comment: Comment,
    codes: Sequence[str],
    names: Iterable[str] = (),
) -> Comment:
    """Store a comment's codes (and any names newly marked, redacting them); returns it."""
    access.require(user, access.Action.CODE_COMMENTS)
    updated = mark_names(comment, names).coded(tuple(codes))
    consultation_store.update_comment(store, consultation_id, updated)
    return updated


def delete_originals(
    store: Store, user: access.User | None, consultation_id: str, comment_ids: Sequence[str] | None = None
) -> int:
    """Delete comments' originals (all of the consultation's when no ids are given)."""
    access.require(user, access.Action.CODE_COMMENTS)
    return consultation_store.delete_originals(store, consultation_id, comment_ids)


def choose_quotes(
    store: Store, user: access.User | None, consultation_id: str, quotes: Sequence[tuple[str, str]]
) -> None:
    """Store the example quotes the analyst chose ((code id, comment id) pairs)."""
    access.require(user, access.Action.CODE_COMMENTS)
    consultation_store.set_quotes(store, consultation_id, quotes)


def import_file(
    store: Store,
    user: access.User | None,
    consultation_id: str,
    content: bytes,
    filename: str,
    *,
    kind: str,
    areas: Mapping[str, str],
    frame: CodingFrame,
) -> Imported[Activity] | Imported[Comment]:
    """Read activities (``kind='activities'``) or comments from a file and add them to the
    record; any problem (or an id the record already holds) stores nothing."""
    access.require(user, access.Action.RECORD_CONSULTATION)
    record = _record(store, consultation_id, originals=True)
    if kind == "activities":
        got: Imported = read_activities(content, filename, areas=areas, consultation=record.consultation)
        existing = {a.id for a in record.activities}
    else:
        ids = [a.id for a in record.activities]
        got = read_comments(content, filename, activity_ids=ids, areas=areas, frame=frame)
        existing = {c.id for c in record.comments}
    clashes = [i.id for i in got.items if i.id in existing]
    if clashes:
        problem = Problem(
            file=filename,
            problem=f"{len(clashes)} id(s) are in the record already ({', '.join(clashes[:5])})",
            fix="new ids for new rows, or leave the id column out so the rows are numbered",
        )
        return Imported((), (problem,))
    if got.ok:
        if kind == "activities":
            record = replace(record, activities=record.activities + tuple(got.items))
        else:
            record = replace(record, comments=record.comments + tuple(got.items))
        consultation_store.save_record(store, record)
    return got


def _next_id(prefix: str, taken: Iterable[str], width: int) -> str:
    used = set(taken)
    n = len(used) + 1
    while f"{prefix}{n:0{width}d}" in used:
        n += 1
    return f"{prefix}{n:0{width}d}"


def add_activity(
    store: Store,
    user: access.User | None,
    consultation_id: str,
    *,
    when: date,
    kind: ActivityType,
    audience: str,
    area: str | None,
    participants: int | None,
    note: str = "",
) -> Activity:
    """Record one activity (the page's form); every problem is reported at once, nothing stored."""
    access.require(user, access.Action.RECORD_CONSULTATION)
    record = _record(store, consultation_id, originals=True)
    c = record.consultation
    problems = []
    if not c.start <= when <= c.end:
        span = f"{c.start:%d %b %Y} to {c.end:%d %b %Y}"
        problems.append(f"the date {when:%d %b %Y} is outside the consultation ({span})")
    if not audience.strip():
        problems.append("the audience is blank: say who took part")
    if participants is not None and participants < 0:
        problems.append("the number of participants cannot be negative")
    if problems:
        raise ConsultationError("The activity was not recorded: " + "; ".join(problems) + ".")
    activity = Activity(
        _next_id("A", (a.id for a in record.activities), 4), when, kind, audience.strip(), area, participants, note
    )
    consultation_store.save_record(store, replace(record, activities=(*record.activities, activity)))
    return activity


def add_finding(
    store: Store,
    user: access.User | None,
    consultation_id: str,
    statement: str,
    priority_ids: Sequence[str],
    action_refs: Sequence[str],
) -> Finding:
    """Record a main finding with the priorities it informs and the board actions that follow it up."""
    access.require(user, access.Action.RECORD_CONSULTATION)
    if not statement.strip():
        raise ConsultationError("The finding was not recorded: its statement is blank.")
    record = _record(store, consultation_id, originals=True)
    finding = Finding(
        _next_id("F", (f.id for f in record.findings), 2), statement.strip(), tuple(priority_ids), tuple(action_refs)
    )
    consultation_store.save_record(store, replace(record, findings=(*record.findings, finding)))
    return finding


def add_action_taken(
    store: Store, user: access.User | None, consultation_id: str, finding_id: str, text: str, when: date | None
) -> ActionTaken:
    """Record what was done about a finding (the "we did")."""
    access.require(user, access.Action.RECORD_CONSULTATION)
    record = _record(store, consultation_id, originals=True)
    if finding_id not in {f.id for f in record.findings} or not text.strip():
        raise ConsultationError("Nothing was recorded: choose a finding and say what was done.")
    taken = ActionTaken(_next_id("W", (a.id for a in record.actions_taken), 2), finding_id, text.strip(), when)
    consultation_store.save_record(store, replace(record, actions_taken=(*record.actions_taken, taken)))
    return taken


SURVEY_ACTIVITY = "S-{survey}-{wave}"  # the online survey activity a wave's comments come in through


def survey_waves(store: Store) -> list[tuple[str, str, int]]:
    """(survey id, wave, respondents) of every stored survey wave, for choosing one."""
    table = survey_store.waves(store)
    return [(r.survey_id, r.wave, int(r.respondents)) for r in table.itertuples()]


def comments_from_survey(
    store: Store, user: access.User | None, consultation_id: str, plan: Plan, survey_id: str, wave: str
) -> int:
    """Bring a survey wave's free-text answers (the survey's declared ``comment`` column) into
    the consultation as comments of one online survey activity, redacted as they come in, with
    each respondent's area and first declared demographic as the group. Needs the analyst's
    rights to both (respondents' answers and comments as written). Returns how many came in."""
    access.require(user, access.Action.VIEW_RESPONDENTS)
    access.require(user, access.Action.CODE_COMMENTS)
    survey = next((s for s in plan.surveys if s.id == survey_id), None)
    if survey is None or not survey.comment:
        raise ConsultationError(
            f"The survey {survey_id!r} declares no comment column in the plan, so it has no comments to bring in."
        )
    record = _record(store, consultation_id, originals=True)
    activity_id = SURVEY_ACTIVITY.format(survey=survey_id, wave=wave)
    if any(a.id == activity_id for a in record.activities):
        raise ConsultationError(f"The comments of {survey_id} {wave} are in this consultation already.")
    rows = survey_store.respondents(store, survey_id, wave)
    group_key = survey.demographics[0].id if survey.demographics else None
    comments = []
    for r in rows.to_dict("records"):
        text = str(r.get("comment") or "").strip()
        if not text or text.lower() == "nan":
            continue
        group = r.get(group_key) if group_key else None
        comments.append(
            redacted_comment(
                f"{activity_id}-{int(r['row_number'])}", activity_id, text, area=r.get("area") or None,
                group=str(group) if group and str(group) != "nan" else None,
            )
        )  # fmt: skip
    c = record.consultation
    activity = Activity(activity_id, c.start, ActivityType.ONLINE_SURVEY, f"{survey.title}, {wave}", None, len(rows))
    consultation_store.save_record(
        store, replace(record, activities=(*record.activities, activity), comments=(*record.comments, *comments))
    )
    return len(comments)
