"""What a partnership still has to do after starting from public data: the next steps the
dashboard shows on its first pages while the plan is still a starter plan (one owner, one
priority, or no targets), rather than pages that look finished."""

from __future__ import annotations

from metrics.plan.model import Plan

TARGET_EXAMPLE = "target: {rule: same_period_last_year, change_pct: -5}"


def next_steps(plan: Plan, real_police_data: bool) -> tuple[str, ...]:
    """The steps left, in the order to take them, as Markdown; none once the plan has its own
    subgroups, priorities and targets (whatever data it holds)."""
    file = plan.path.name
    shape = []
    if len(plan.subgroups) <= 1:
        shape.append(
            f"**Add your subgroups** under `subgroups` in `{file}` (boards and groups, the priorities each "
            "owns and the strategies it reports on), and give each indicator its `owner`."
        )
    if len(plan.objectives) <= 1:
        shape.append(
            f"**Add your priorities**: the plan's themes, priorities (objectives) and success measures under "
            f"`themes` in `{file}`; keep the police.uk indicators you use and add your own."
        )
    if all(i.target.rule == "none" for i in plan.indicators):
        shape.append(
            f"**Set baselines and targets** for each indicator (for example `{TARGET_EXAMPLE}`): until then "
            "the pages show trends and SPC charts, but no indicator is on or off target."
        )
    if not shape:
        return ()
    steps = []
    if plan.police_indicators and not real_police_data:
        steps.append(
            "**Import police.uk data**: download street-level crime for your force from data.police.uk (the "
            f"archive or a custom download) and run `CSP_CONFIG={file} python -m metrics import-police the.zip`. "
            "Until then the figures shown are demo data."
        )
    return tuple(steps + shape)
