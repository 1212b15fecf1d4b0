"""Demo data for any plan, from a fixed seed, flagged as demo wherever it is shown.

Owns every demo generator: the indicator series, commentary, action progress and returns
(``series``), police.uk records for the indicators linked to police.uk data (``police``), the
board's demo actions (``actions``) and a demo wave of each declared survey (metrics.survey); the
demo consultation is made by ``metrics.consultation.demo`` and stored here with its findings
linked to the demo board actions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from metrics import access
from metrics.board import action_log
from metrics.consultation import followup
from metrics.consultation import from_plan as consultation
from metrics.demo import actions as demo_actions
from metrics.demo import police as police_demo
from metrics.demo import series
from metrics.plan.model import Plan
from metrics.police import uk as police_uk
from metrics.returns import rows_csv, submit, template_filename, validate_return
from metrics.store import Store
from metrics.store import actions as action_store
from metrics.store import consultation as consultation_store
from metrics.store import indicators as indicator_store
from metrics.survey import importing as survey_importing

Progress = Callable[[float, str], None]
StageHook = Callable[[str], None]  # told each stage's name as it starts, so a failure can name it

NO_POLICE_LINK = (
    "No demo police.uk data: no indicator in the plan is linked to police.uk data "
    "(add `police_uk:` to an indicator that counts police-recorded crime or ASB)."
)


@dataclass(frozen=True)
class DemoReport:
    """What :func:`fill` stored."""

    demo_rows: int  # indicator values flagged as demo
    real_rows: int  # real figures quoted in the plan, stored beside the demo series
    demo_returns: int
    demo_actions: int
    police: police_uk.ImportReport | None  # None when no indicator is linked to police.uk data
    police_skipped: str  # why no demo police.uk data was made, when it was not
    demo_survey_waves: int = 0  # invented survey waves, one per declared survey
    demo_consultations: int = 0  # consultations with invented detail around their real facts


def fill(
    plan: Plan,
    store: Store,
    assessment: pd.DataFrame | None,
    progress: Progress,
    stage: StageHook,
) -> DemoReport:
    """Every kind of demo data for any plan, in one pass: the indicator series, commentary and
    action progress; police.uk records for the linked indicators; the board's demo actions; and
    the demo quarterly returns, submitted through the same checks as a lead's upload."""
    stage("demo")
    progress(0.45, "Generating demo data")
    data = series.generate(plan, assessment)
    progress(0.7, "Storing demo data")
    indicator_store.load_demo(
        store, data.values, data.commentary, data.action_progress, data.ward_volumes, plan.settings.demo_seed
    )
    stage("police demo")
    progress(0.75, "Storing demo police.uk data")
    police = load_police_demo(plan, store, data.values) if plan.police_indicators else None
    stage("demo actions")
    progress(0.82, "Recording demo board actions")
    scripted = demo_actions.demo_actions(plan, data.values)
    recorded = _record_demo_actions(plan, store, scripted)
    stage("demo returns")
    progress(0.85, "Submitting demo quarterly returns")
    returned = _submit_demo_returns(plan, store, data, scripted)
    stage("demo surveys")
    progress(0.9, "Storing demo survey waves")
    surveys = survey_importing.import_demo_waves(plan, store)
    stage("demo consultation")
    progress(0.93, "Recording the demo consultation")
    consulted = _record_demo_consultations(plan, store)
    demo_rows = int(data.values["is_demo"].sum())
    return DemoReport(
        demo_rows=demo_rows,
        real_rows=len(data.values) - demo_rows,
        demo_returns=returned,
        demo_actions=recorded,
        police=police,
        police_skipped="" if police is not None else NO_POLICE_LINK,
        demo_survey_waves=sum(o.stored for o in surveys),
        demo_consultations=consulted,
    )


def _record_demo_consultations(plan: Plan, store: Store) -> int:
    """The plan's demo consultations (real facts, invented detail), each finding linked to the
    demo board actions on its priorities so that its follow-up shows."""
    consultation_store.delete_demo(store)
    objective_of: dict[str, str | None] = {}
    for v in action_log.load(store):
        a = v.action
        objective_of[v.reference] = (
            a.source_id if a.source_kind == "priority"
            else plan.indicator(a.source_id).objective_id if a.source_kind == "indicator"
            else None
        )  # fmt: skip
    records = consultation.demo_records(plan)
    for record in records:
        consultation_store.save_record(store, followup.link_actions(record, objective_of))
    return len(records)


def load_police_demo(plan: Plan, store: Store, values: pd.DataFrame) -> police_uk.ImportReport:
    """Demo police.uk rows from the demo series of the police-linked indicators, imported
    through the real import's statements (staged from memory, not written and re-read as
    files), replacing any earlier demo police data."""
    street, lookup = police_demo.demo_street_frame(plan, values)
    return police_uk.import_demo_frame(store, plan, street, lookup, police_demo.demo_peer_frame(plan, street))


def _record_demo_actions(plan: Plan, store: Store, scripted: list[demo_actions.DemoAction]) -> int:
    """Demo board actions, recorded as a board officer records them (earlier demo ones go first)."""
    action_store.clear_demo(store)
    for item in scripted:
        action_log.record(plan, store, item.draft, demo_actions.DEMO_OFFICER, at=item.recorded_at, is_demo=True)
    return len(scripted)


def _submit_demo_returns(
    plan: Plan, store: Store, data: series.DemoData, scripted: list[demo_actions.DemoAction]
) -> int:
    """Demo returns go through the same checks and submission as a lead's upload (one held
    connection keeps first start fast); the last quarter's carry the demo board actions' updates."""
    stored = 0
    with store.session():
        views = action_log.load(store)
        for subgroup_id, quarter, indicators, actions in series.demo_returns(plan, data):
            actions = actions + demo_actions.demo_return_rows(scripted, views, subgroup_id, quarter)
            content = rows_csv(indicators, actions)
            name = template_filename(plan, subgroup_id, quarter, "-demo.csv")
            parsed = validate_return(plan, store, content, name, subgroup_id, quarter)
            outcome = submit(
                plan,
                store,
                parsed,
                content,
                access.operator(series.DEMO_RETURN_USER),
                "Demo return: generated, not real.",
                is_demo=True,
                at=series.demo_submitted_at(plan, subgroup_id, quarter),
            )
            if not outcome.stored:
                raise RuntimeError(f"A demo return was refused, which is a bug: {outcome.message}")
            stored += 1
    return stored
