"""The plan itself as the board reads it before any figure is stored: each theme's priorities,
success measures and indicators, with who owns each indicator, how it is measured, its
baseline and its target, in words. Pure: the plan in, rows out."""

from __future__ import annotations

from dataclasses import dataclass

from metrics.board.status import format_value
from metrics.plan.model import Indicator, Plan

FREQUENCY_WORDS = {"monthly": "monthly", "quarterly": "quarterly", "annual": "yearly"}


@dataclass(frozen=True)
class OutlineRow:
    """One indicator of the plan, in words."""

    theme: str
    measure: str
    indicator: str
    owner: str
    recorded: str  # unit and frequency, e.g. "percent, quarterly"
    baseline: str
    target: str


def target_words(ind: Indicator) -> str:
    """How the indicator's target is set, in words: 'same period last year, 5.0% lower',
    'fixed: 80.0%', or 'no target'."""
    t = ind.target
    if t.rule == "fixed":
        return f"fixed: {format_value(t.value, ind.unit)}"
    if t.rule == "same_period_last_year":
        if not t.change_pct:
            return "no worse than the same period last year"
        way = "higher" if t.change_pct > 0 else "lower"
        return f"{abs(t.change_pct):.1f}% {way} than the same period last year"
    return "no target (monitored)"


def baseline_words(ind: Indicator) -> str:
    """The plan's baseline in words: its figure and period, or what the plan quotes instead."""
    b = ind.baseline
    parts = []
    if b.value is not None:
        parts.append(format_value(b.value, ind.unit))
    if b.change_pct is not None:
        parts.append(f"{b.change_pct:+.1f}% on the year before")
    if not parts:
        return "no figure quoted"
    return ", ".join(parts) + (f" ({b.period})" if b.period else "")


def outline(plan: Plan, theme_ids: tuple[str, ...] | None = None) -> list[OutlineRow]:
    """Every indicator of the plan (or of the themes named), in the plan's order."""
    rows = []
    for theme in plan.themes:
        if theme_ids is not None and theme.id not in theme_ids:
            continue
        for measure in theme.measures:
            for ind in measure.indicators:
                rows.append(
                    OutlineRow(
                        theme=theme.name,
                        measure=measure.text,
                        indicator=ind.name,
                        owner=plan.subgroup(ind.owner).name,
                        recorded=f"{ind.unit}, {FREQUENCY_WORDS.get(ind.frequency, ind.frequency)}",
                        baseline=baseline_words(ind),
                        target=target_words(ind),
                    )
                )
    return rows
