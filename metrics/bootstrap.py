"""Create or upgrade a store and fill it: the plan, the Strategic Assessment, demo data.

Used by ``python -m metrics init`` and by the dashboard on first start. Idempotent: running
it again migrates nothing new, re-syncs the plan and leaves real data alone; demo data is
regenerated only when the store holds none or was made with another seed.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from metrics import access, action_log, demo, demo_actions, police_demo, police_uk
from metrics.assessment import read_assessment_csv
from metrics.plan import Plan
from metrics.returns import rows_csv, submit, template_filename, validate_return
from metrics.store import Store, schema
from metrics.store import actions as action_store
from metrics.store import indicators as indicator_store
from metrics.store import plan as plan_store
from metrics.store import police as police_store

Progress = Callable[[float, str], None]


def _silent(_fraction: float, _message: str) -> None:
    """A progress callback that reports nothing."""


@dataclass
class InitReport:
    migrations_applied: list[int] = field(default_factory=list)
    assessment_rows: int = 0
    demo_loaded: bool = False
    demo_rows: int = 0
    real_rows: int = 0
    demo_returns: int = 0
    demo_actions: int = 0
    police: police_uk.ImportReport | None = None

    def lines(self) -> list[str]:
        out = [
            f"Migrations applied: {', '.join(map(str, self.migrations_applied))}"
            if self.migrations_applied
            else "Schema already up to date."
        ]
        out.append(f"Strategic Assessment figures loaded: {self.assessment_rows}.")
        if self.demo_loaded:
            out.append(
                f"Demo data loaded: {self.demo_rows} indicator values flagged as demo, and "
                f"{self.real_rows} real survey figures quoted in the plan."
            )
            out.append(f"Demo quarterly returns submitted: {self.demo_returns}.")
            out.append(f"Demo board actions recorded: {self.demo_actions}.")
        if self.police is not None:
            out.append(
                f"Demo police.uk street files imported: {self.police.stored:,} incidents in wards from "
                f"{len(self.police.files)} monthly files."
            )
        return out


def _record_demo_actions(plan: Plan, store: Store, scripted: list[demo_actions.DemoAction]) -> int:
    """Demo board actions, recorded as a board officer records them (earlier demo ones go first)."""
    action_store.clear_demo(store)
    for item in scripted:
        action_log.record(plan, store, item.draft, demo_actions.DEMO_OFFICER, at=item.recorded_at, is_demo=True)
    return len(scripted)


def _submit_demo_returns(plan: Plan, store: Store, data: demo.DemoData, scripted: list[demo_actions.DemoAction]) -> int:
    """Demo returns go through the same checks and submission as a lead's upload (one held
    connection keeps first start fast); the last quarter's carry the demo board actions' updates."""
    stored = 0
    with store.session():
        views = action_log.load(store)
        for subgroup_id, quarter, indicators, actions in demo.demo_returns(plan, data):
            actions = actions + demo_actions.demo_return_rows(scripted, views, subgroup_id, quarter)
            content = rows_csv(indicators, actions)
            name = template_filename(plan, subgroup_id, quarter, "-demo.csv")
            parsed = validate_return(plan, store, content, name, subgroup_id, quarter)
            outcome = submit(
                plan,
                store,
                parsed,
                content,
                access.operator(demo.DEMO_RETURN_USER),
                "Demo return: generated, not real.",
                is_demo=True,
                at=demo.demo_submitted_at(plan, subgroup_id, quarter),
            )
            if not outcome.stored:
                raise RuntimeError(f"A demo return was refused, which is a bug: {outcome.message}")
            stored += 1
    return stored


def initialise(plan: Plan, store: Store, with_demo: bool = False, progress: Progress = _silent) -> InitReport:
    """Bring the store up to date with the plan; with ``with_demo``, make sure demo data is in."""
    report = InitReport()
    progress(0.05, "Creating or upgrading the data store")
    report.migrations_applied = schema.migrate(store)
    progress(0.2, "Loading the plan")
    plan_store.sync_plan(store, plan)
    sa = None
    if plan.settings.strategic_assessment_file is not None:
        progress(0.3, "Loading the Strategic Assessment key findings")
        sa = read_assessment_csv(plan.settings.strategic_assessment_file, plan)
        report.assessment_rows = indicator_store.replace_sa_figures(store, sa)
    if with_demo and plan_store.meta(store).get("demo_seed") != str(plan.settings.demo_seed):
        progress(0.45, "Generating demo data")
        data = demo.generate(plan, sa)
        progress(0.8, "Storing demo data")
        indicator_store.load_demo(
            store, data.values, data.commentary, data.action_progress, data.ward_volumes, plan.settings.demo_seed
        )
        progress(0.85, "Writing and importing demo police.uk street files")
        report.police = load_police_demo(plan, store, data.values)
        progress(0.9, "Recording demo board actions")
        scripted = demo_actions.demo_actions(plan, data.values)
        report.demo_actions = _record_demo_actions(plan, store, scripted)
        progress(0.92, "Submitting demo quarterly returns")
        report.demo_returns = _submit_demo_returns(plan, store, data, scripted)
        report.demo_loaded = True
        report.demo_rows = int(data.values["is_demo"].sum())
        report.real_rows = len(data.values) - report.demo_rows
    progress(1.0, "Ready")
    return report


def load_police_demo(plan: Plan, store: Store, values) -> police_uk.ImportReport:  # noqa: ANN001 - DataFrame
    """Write demo police.uk files from the demo ward series and import them through the real
    import, replacing any earlier demo police data."""
    police_store.delete_demo(store)
    with tempfile.TemporaryDirectory(prefix="csp-demo-police-") as tmp:
        files, lookup = police_demo.write_demo_files(plan, values, Path(tmp))
        return police_uk.import_street_files(store, plan, files, lookup_path=lookup, is_demo=True, by=access.operator())
