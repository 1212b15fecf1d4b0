"""Deterministic demo data: indicator values, commentary and action progress.

Generated from whatever plan is loaded, with a fixed seed (``settings.demo.seed``), so the same
plan always gives the same store. Each indicator's series follows its own unit, polarity,
frequency and area detail, and its real baseline where the plan quotes one (a yearly total
adds up exactly to the quoted figure, and area figures the Strategic Assessment quotes are
kept exactly), with seasonal shape, noise, a trend, and the few deliberate shocks the plan's
``demo`` blocks declare, so that the board pages have genuine exceptions to show.
Every generated row is flagged ``is_demo``; real figures quoted in the plan are stored as real.
"""

from __future__ import annotations

import math
import random
import zlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

from metrics.board.status import Rag, indicator_status
from metrics.icons import ActionStatus
from metrics.plan.model import Aggregation, Frequency, Indicator, Plan, Unit
from metrics.quarters import FinancialYear, Quarter, quarter_range
from metrics.returns.obligations import PERIOD_TYPES, owed_actions, owed_indicators, owed_periods

DEMO_SOURCE = "Demo data (generated; not real figures)"
SEASONALITY = 0.06  # amplitude of the summer peak in monthly counts
DEFAULT_LEVELS = {"count": 100.0, "percent": 50.0, "rate": 10.0, "score": 50.0}


@dataclass(frozen=True)
class DemoData:
    values: pd.DataFrame
    commentary: pd.DataFrame
    action_progress: pd.DataFrame
    ward_volumes: pd.DataFrame  # assessment ward figures the plan does not quote


def _rng(plan: Plan, *parts: str) -> random.Random:
    """A generator per series: adding an indicator does not change the others' data."""
    key = "|".join(parts).encode()
    return random.Random(plan.settings.demo_seed * 1_000_003 + zlib.crc32(key))


def _months(first: Quarter, last: Quarter) -> list[date]:
    return [m for q in quarter_range(first, last) for m in q.months()]


def round_to_total(weights: list[float], total: int) -> list[int]:
    """Integers proportional to ``weights`` that add up exactly to ``total``, by the largest
    remainder method: each gets the floor of its share, and the units left over go to the
    largest fractional parts. All zeros when ``total`` or the weights' sum is not positive.
    Used by every demo generator that splits a whole (an area's count over its areas, a count
    over months or crime types) so the parts always add up to the figure they came from."""
    s = sum(weights)
    if total <= 0 or s <= 0:
        return [0] * len(weights)
    raw = [w / s * total for w in weights]
    floors = [math.floor(r) for r in raw]
    short = total - sum(floors)
    order = sorted(range(len(raw)), key=lambda i: raw[i] - floors[i], reverse=True)
    for i in order[:short]:
        floors[i] += 1
    return floors


class _Series:
    """The shape of one indicator's whole-area series, per period (month, quarter or year)."""

    def __init__(self, plan: Plan, ind: Indicator) -> None:
        self.ind = ind
        self.rng = _rng(plan, "series", ind.id)
        per_year = {"monthly": 12, "quarterly": 4, "annual": 1}[ind.frequency]
        level = ind.demo.level
        if level is None and ind.baseline.value is not None:
            level = ind.baseline.value / per_year if ind.aggregation == Aggregation.SUM else ind.baseline.value
        self.level = level if level is not None else DEFAULT_LEVELS[ind.unit]
        self.noise = 0.015 if ind.unit == Unit.PERCENT else max(0.02, 0.35 / math.sqrt(max(self.level, 1.0)))

    def value(self, start: date, first: date) -> float:
        ind = self.ind
        years = (start.year - first.year) + (start.month - first.month) / 12
        v = self.level * (1 + ind.demo.trend_pct_per_year / 100) ** years
        if ind.frequency == Frequency.MONTHLY and ind.unit == Unit.COUNT:
            v *= 1 + SEASONALITY * math.sin(2 * math.pi * (start.month - 4) / 12)
        v *= math.exp(self.rng.gauss(0, self.noise))
        shock = ind.demo.shock_quarter
        if shock is not None and shock.start <= start <= shock.end:
            v *= 1 + ind.demo.shock_pct / 100
        return v


def _period_starts(ind: Indicator, first: Quarter, last: Quarter) -> list[date]:
    if ind.frequency == Frequency.MONTHLY:
        return _months(first, last)
    if ind.frequency == Frequency.QUARTERLY:
        return [q.start for q in quarter_range(first, last)]
    # annual: complete financial years only
    return [
        fy.start
        for fy in (FinancialYear(y) for y in range(first.start_year, last.start_year + 1))
        if last >= Quarter(fy.start_year, 4)
    ]


def _anchor_years(ind: Indicator, floats: dict[date, float]) -> dict[date, float]:
    """Rescale whole financial years so they match the real baseline (and, where the plan quotes
    only a change, the previous year so that the change holds)."""
    base = ind.baseline
    if base.period is None or (base.value is None and base.change_pct is None):
        return floats
    fy = base.financial_year  # a calendar-year or other period sits in the year holding most of it
    prev = FinancialYear(fy.start_year - 1)

    def year_keys(year: FinancialYear) -> list[date]:
        return [d for d in floats if year.start <= d <= year.end]

    def year_total(series: dict[date, float], keys: list[date]) -> float:
        vals = [series[k] for k in keys]
        return sum(vals) if ind.aggregation == Aggregation.SUM else sum(vals) / len(vals)

    out = dict(floats)
    this_keys, prev_keys = year_keys(fy), year_keys(prev)
    if base.value is not None and this_keys:
        factor = base.value / year_total(floats, this_keys)
        for k in this_keys:
            out[k] = floats[k] * factor
    if base.change_pct is not None and this_keys and prev_keys:
        wanted_prev = year_total(out, this_keys) / (1 + base.change_pct / 100)
        factor = wanted_prev / year_total(floats, prev_keys)
        for k in prev_keys:
            out[k] = floats[k] * factor
    return out


def _finish(ind: Indicator, v: float) -> float:
    if ind.unit == Unit.PERCENT:
        v = min(max(v, 0.0), 100.0)
    if ind.demo.maximum is not None:
        v = min(v, ind.demo.maximum)
    return round(v, 1) if ind.unit == Unit.PERCENT or ind.aggregation == "mean" else float(round(v))


def _ward_split(
    plan: Plan, ind: Indicator, whole: dict[date, float], anchors: dict[tuple[str, str], float]
) -> list[dict]:
    """Split a monthly count into wards, year by year: each year's ward totals first (figures
    the assessment quotes kept exactly, and their shares carried into other years), then each
    ward's months in the whole area's monthly shape."""
    rng = _rng(plan, "ward-months", ind.id)
    codes = [w.code for w in plan.wards]
    base_draw = _rng(plan, "wards", ind.id)
    weights = {c: base_draw.uniform(0.4, 1.6) for c in codes}
    quoted_shares = {
        code: value / anchors[(label, "*")]
        for (label, code), value in anchors.items()
        if code != "*" and (label, "*") in anchors
    }
    rows: list[dict] = []
    for fy in sorted({FinancialYear.of(d) for d in whole}):
        months = [d for d in sorted(whole) if fy.start <= d <= fy.end]
        area_total = int(round(sum(whole[m] for m in months)))
        fixed = {c: int(v) for (label, c), v in anchors.items() if label == fy.label and c != "*"}
        if not fixed:
            fixed = {c: int(round(share * area_total)) for c, share in quoted_shares.items()}
        free = [c for c in codes if c not in fixed]
        year_noise = [weights[c] * math.exp(rng.gauss(0, 0.05)) for c in free]
        rest = round_to_total(year_noise, area_total - sum(fixed.values()))
        ward_totals = {**fixed, **dict(zip(free, rest, strict=True))}
        shape = [whole[m] * math.exp(rng.gauss(0, 0.04)) for m in months]
        for code in codes:
            for m, n in zip(months, round_to_total(shape, ward_totals[code]), strict=True):
                rows.append({"period_start": m, "ward_code": code, "value": float(n)})
    return rows


def _ward_anchors(ind: Indicator, sa: pd.DataFrame) -> dict[tuple[str, str], float]:
    """Figures the assessment quotes for this indicator's measure, keyed (year, ward code),
    with the area total under the ward code '*'."""
    if not ind.assessment_measure or sa.empty:
        return {}
    rows = sa[(sa["measure"] == ind.assessment_measure) & sa["value"].notna()]
    out: dict[tuple[str, str], float] = {}
    for _, r in rows.iterrows():
        code = r["ward_code"] if isinstance(r["ward_code"], str) and r["ward_code"] else "*"
        out[(r["assessment"], code)] = float(r["value"])
    return out


def generate(plan: Plan, sa_figures: pd.DataFrame | None = None) -> DemoData:
    """Build the demo data for the plan's demo quarters (settings.demo)."""
    sa = sa_figures if sa_figures is not None else pd.DataFrame(columns=["assessment", "measure", "ward_code", "value"])
    first, last = plan.settings.demo_first_quarter, plan.settings.demo_last_quarter
    rows: list[dict] = []
    ward_volume_rows: list[dict] = []
    for ind in plan.indicators:
        series = _Series(plan, ind)
        starts = _period_starts(ind, first, last)
        floats = _anchor_years(ind, {d: series.value(d, first.start) for d in starts})
        period_type = {"monthly": "month", "quarterly": "quarter", "annual": "year"}[ind.frequency]
        real_year = (
            ind.baseline.financial_year
            if ind.frequency == Frequency.ANNUAL and ind.baseline.value is not None
            else None
        )
        anchors = _ward_anchors(ind, sa)
        if ind.ward_detail and ind.frequency == Frequency.MONTHLY and ind.aggregation == Aggregation.SUM:
            ward_frame = pd.DataFrame(_ward_split(plan, ind, floats, anchors))
            for r in ward_frame.itertuples(index=False):
                rows.append(_row(ind, period_type, r.period_start, r.ward_code, r.value, True))
            whole = ward_frame.groupby("period_start")["value"].sum()
            for d, v in whole.items():
                rows.append(_row(ind, period_type, d, None, float(v), True))
            ward_volume_rows += _ward_volumes(plan, ind, ward_frame, sa)
            continue
        for d, v in floats.items():
            is_real = real_year is not None and FinancialYear.of(d) == real_year
            value = ind.baseline.value if is_real else _finish(ind, v)
            rows.append(_row(ind, period_type, d, None, value, not is_real, ind.baseline.source if is_real else None))
    values = pd.DataFrame(rows)
    values["period_start"] = pd.to_datetime(values["period_start"])
    return DemoData(
        values=values,
        commentary=_commentary(plan, values, last),
        action_progress=_action_progress(plan, last),
        ward_volumes=pd.DataFrame(ward_volume_rows),
    )


def _row(
    ind: Indicator,
    period_type: str,
    start: date,
    ward: str | None,
    value: float,
    is_demo: bool,
    source: str | None = None,
) -> dict:
    return {
        "indicator_id": ind.id,
        "period_type": period_type,
        "period_start": start,
        "ward_code": ward,
        "value": value,
        "is_demo": is_demo,
        "source": DEMO_SOURCE if is_demo else (source or ind.source),
    }


def _ward_volumes(plan: Plan, ind: Indicator, ward_frame: pd.DataFrame, sa: pd.DataFrame) -> list[dict]:
    """Demo ward volumes for each assessment year of a measure the assessment quotes by ward,
    for the wards it does not quote (flagged as demo wherever shown)."""
    if not ind.assessment_measure or sa.empty:
        return []
    out: list[dict] = []
    quoted = sa[(sa["measure"] == ind.assessment_measure) & sa["ward_code"].notna()]
    for assessment, group in quoted.groupby("assessment"):
        fy = FinancialYear.parse(assessment)
        in_year = ward_frame[(ward_frame["period_start"] >= fy.start) & (ward_frame["period_start"] <= fy.end)]
        totals = in_year.groupby("ward_code")["value"].sum()
        have = set(group["ward_code"])
        period = group.iloc[0]
        for code in plan.ward_names():
            if code in have or code not in totals:
                continue
            out.append(
                {
                    "assessment": assessment,
                    "period_start": period["period_start"],
                    "period_end": period["period_end"],
                    "category": period["category"],
                    "measure": ind.assessment_measure,
                    "ward_code": code,
                    "value": float(totals[code]),
                    "unit": period["unit"],
                    "change_pct": None,
                    "share_pct": None,
                    "note": "Demo figure: the assessment quoted in the plan gives no volume for this ward",
                    "source": DEMO_SOURCE,
                    "is_demo": True,
                    "position": 10_000 + len(out),
                }
            )
    return out


_COMMENTS = {
    Rag.OFF_TARGET: (
        "Demo commentary: {name} is off target this quarter. {owner} has asked for a problem "
        "profile of the main hotspots and will bring a recovery plan to the next meeting."
    ),
    Rag.NEAR_TARGET: (
        "Demo commentary: {name} is just short of target. {owner} is monitoring monthly and "
        "expects the position to recover next quarter."
    ),
    Rag.ON_TARGET: "Demo commentary: {name} is on target. {owner} will keep current activity in place.",
    Rag.AHEAD: (
        "Demo commentary: {name} is well ahead of target. {owner} is checking whether recording "
        "changes explain part of the change before reporting it as a success."
    ),
}


def _commentary(plan: Plan, values: pd.DataFrame, last: Quarter) -> pd.DataFrame:
    rows = []
    for quarter in (last.previous(), last):
        for ind in plan.indicators:
            status = indicator_status(plan, ind, values, quarter)
            template = _COMMENTS.get(status.rag)
            if template is None:
                continue
            owner = plan.subgroup(ind.owner).short_name
            rows.append(
                {
                    "indicator_id": ind.id,
                    "quarter_start": quarter.start,
                    "text": template.format(name=ind.name, owner=owner),
                    "author": f"{owner} lead (demo)",
                    "is_demo": True,
                }
            )
    return pd.DataFrame(rows)


def _action_progress(plan: Plan, last: Quarter) -> pd.DataFrame:
    """Each action's status for every quarter of the plan so far (demo)."""
    quarters = quarter_range(plan.partnership.plan_start, last) if last >= plan.partnership.plan_start else [last]
    rows = []
    for action in plan.actions:
        rng = _rng(plan, "action", action.id)
        # The first three statuses (not started, on track, at risk), weighted as a plan's first quarter.
        status = rng.choices(list(ActionStatus)[:3], weights=(2, 6, 1))[0]
        for quarter in quarters:
            if status is not ActionStatus.COMPLETE:
                roll = rng.random()
                if status is ActionStatus.NOT_STARTED:
                    status = ActionStatus.ON_TRACK if roll < 0.6 else ActionStatus.NOT_STARTED
                elif roll < 0.12:
                    status = ActionStatus.COMPLETE
                elif roll < 0.25:
                    status = ActionStatus.AT_RISK
                elif roll < 0.3:
                    status = ActionStatus.OFF_TRACK
                else:
                    status = ActionStatus.ON_TRACK
            owner = plan.subgroup(action.owner).short_name
            rows.append(
                {
                    "action_id": action.id,
                    "quarter_start": quarter.start,
                    "status": status.word,
                    "commentary": f"Demo update from {owner}: {status.word.lower()} in {quarter.label}.",
                    "is_demo": True,
                }
            )
    return pd.DataFrame(rows)


# Demo returns, made through the real submission path on first start so the Returns tracker
# has something to show: every subgroup's return for the quarter before the last demo quarter;
# for the last one, chosen from the plan's own list of subgroups (never by id): the last
# DEMO_MISSING listed have not submitted, the one listed before them that owes action updates
# has left them blank, and the others are complete. Some of those submitted land after the
# deadline (see demo_submitted_at), so the tracker shows late returns too.
DEMO_RETURN_USER = "Demo lead (demo)"
DEMO_MISSING = 2  # subgroups with no return for the last demo quarter (fewer in a small plan)
SMALL_PLAN_SUBGROUPS = 4  # below this many subgroups, only one is shown as missing


def demo_return_gaps(plan: Plan) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(missing, incomplete): the subgroups whose demo return for the last demo quarter is not
    submitted, and those submitted with their action updates blank, chosen from the plan's order."""
    ids = [s.id for s in plan.subgroups]
    if len(ids) < 2:
        return (), ()
    k = DEMO_MISSING if len(ids) >= SMALL_PLAN_SUBGROUPS else 1
    missing = tuple(ids[-k:])
    owing = [i for i in ids[:-k] if owed_actions(plan, i)]
    incomplete = (owing[-1],) if len(owing) > 1 else ()
    return missing, incomplete


def demo_submitted_at(plan: Plan, subgroup_id: str, quarter: Quarter) -> datetime:
    """A plausible demo submission time: 5 to 34 days after the quarter ends, at 10:00-16:59."""
    rng = _rng(plan, "return", subgroup_id, quarter.label)
    day = quarter.end + timedelta(days=rng.randint(5, 34))
    return datetime(day.year, day.month, day.day, rng.randint(10, 16), rng.randint(0, 59))


def demo_returns(plan: Plan, data: DemoData) -> list[tuple[str, Quarter, list[dict], list[dict]]]:
    """(subgroup, quarter, indicator rows, action rows) for each demo return, filled in from
    the demo data in the template's shape (see metrics.returns.template.rows_csv)."""
    last = plan.settings.demo_last_quarter
    values = data.values[data.values["ward_code"].isna()].set_index(["indicator_id", "period_type", "period_start"])
    notes = data.commentary.set_index(["indicator_id", "quarter_start"]) if not data.commentary.empty else None
    progress = data.action_progress.set_index(["action_id", "quarter_start"])
    missing, incomplete = demo_return_gaps(plan)
    out = []
    for quarter in (last.previous(), last):
        for sub in plan.subgroups:
            if quarter == last and sub.id in missing:
                continue
            indicators = []
            for ind in owed_indicators(plan, sub.id, quarter):
                note = None
                if notes is not None and (ind.id, quarter.start) in notes.index:
                    note = notes.loc[(ind.id, quarter.start), "text"]
                for period in owed_periods(ind, quarter):
                    key = (ind.id, PERIOD_TYPES[ind.frequency], pd.Timestamp(period.start))
                    indicators.append(
                        {
                            "quarter": quarter.label,
                            "indicator_id": ind.id,
                            "indicator": ind.name,
                            "unit": ind.unit,
                            "polarity": ind.polarity,
                            "period": period.label,
                            "last_period": None,
                            "last_value": None,
                            "value": float(values.loc[key, "value"]) if key in values.index else None,
                            "ward": None,
                            "commentary": note,
                            "contact": f"{sub.short_name} lead (demo)",
                        }
                    )
                    note = None  # once per indicator
            actions = []
            for action in owed_actions(plan, sub.id):
                key = (action.id, quarter.start)
                given = key in progress.index and not (quarter == last and sub.id in incomplete)
                actions.append(
                    {
                        "quarter": quarter.label,
                        "action_id": action.id,
                        "action": action.text,
                        "last_status": None,
                        "status": progress.loc[key, "status"] if given else None,
                        "commentary": progress.loc[key, "commentary"] if given else None,
                        "contact": None,
                    }
                )
            out.append((sub.id, quarter, indicators, actions))
    return out
