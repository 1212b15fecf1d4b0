"""What the quarterly board pack holds, read once from the store, and its shared wording;
metrics/pack/_pdf.py and metrics/pack/_docx.py lay it out.

Contents: a cover; a summary table of every indicator with its status, variation and assurance
icons and the key; one section per exception (attention first, then notable improvements) with
its SPC chart, sentence, the owner's latest commentary and proposed action; the submission
status of each subgroup; the board's actions (arising at this meeting, and from the last
meeting, overdue first); what residents told us in the latest consultation and what became of
it; how we compare with the force's other partnerships (:mod:`metrics.pack.peers`); and data
notes (sources, demo flags, generation time).

Rendering route, chosen so that everything installs from PyPI on a fresh machine with no
browser and no system libraries:

* charts: matplotlib with its Agg backend draws PNGs in-process (plotly's static export,
  kaleido, needs a Chrome build);
* PDF: fpdf2, pure Python (with fontTools and Pillow): tables, bookmarks, images and an
  embedded TrueType font (so the status symbols print) are all this pack needs; reportlab would
  do too, but its page-layout framework is more than the pack needs;
* Word: python-docx;
* font: DejaVu Sans, which matplotlib ships inside its wheel, so the PDF needs no system font.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from metrics.board.action_log import load as load_action_log
from metrics.board.actions import (
    ActionView,
    arising,
    from_last_meeting,
    latest_update_text,
    meeting_day,
    open_for_indicator,
    owner_name,
)
from metrics.board.completeness import Completeness, completeness_of
from metrics.board.exceptions import Category, Review, exception_report, proposed_actions, review_all
from metrics.board.spc import Assurance, Variation
from metrics.board.status import Rag, available_quarters, format_value
from metrics.consultation.residents import HEADINGS, ResidentsSection, residents_section
from metrics.icons import ActionStatus
from metrics.pack.peers import PeerSection, peer_section, value_line
from metrics.plan.model import Plan
from metrics.quarters import Quarter
from metrics.returns.tracker import submission_status
from metrics.store import Store
from metrics.store import consultation as consultation_store
from metrics.store import indicators as indicator_store
from metrics.store import plan as plan_store
from metrics.survey.results import board_figures

FORMATS = ("pdf", "docx")


RESIDENTS_HEADINGS = HEADINGS  # the columns of "What residents told us", for both renderers


class PackError(ValueError):
    """The pack cannot be made as asked; the message says why."""


def pack_format(path: str | Path) -> str:
    """'pdf' or 'docx' from the output file's name."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise PackError(f"The board pack is written as .pdf or .docx; {str(path)!r} ends in {suffix or 'nothing'!r}.")
    return suffix


# --- what goes in the pack -------------------------------------------------------------------


@dataclass(frozen=True)
class PackItem:
    review: Review
    commentary: dict | None  # text, author, quarter_start, is_demo
    actions: pd.DataFrame  # proposed_actions()
    chart_png: bytes


@dataclass(frozen=True)
class Pack:
    plan: Plan
    quarter: Quarter
    reviews: list[Review]
    items: list[PackItem]
    noise: list[Review]
    submissions: pd.DataFrame  # metrics.returns.tracker.submission_status()
    generated_at: dt.datetime
    has_demo: bool
    demo_seed: str | None
    completeness: Completeness  # how many indicators have a figure; the awaited ones by owner
    # the board's action log: raised at this quarter's meeting, and followed up from earlier ones
    actions_arising: tuple[ActionView, ...] = ()
    actions_followed_up: tuple[ActionView, ...] = ()
    actions_open: tuple[ActionView, ...] = ()  # every open action, for the exceptions that have one
    residents: ResidentsSection | None = None  # the latest consultation, where one is recorded
    peers: PeerSection | None = None  # how we compare with the force's other partnerships

    @property
    def title(self) -> str:
        return f"{self.plan.partnership.name}: board pack, {self.quarter.label}"


def gather(
    plan: Plan,
    store: Store,
    quarter: Quarter,
    generated_at: dt.datetime,
    chart: Callable[[Review], bytes] | None = None,
) -> Pack:
    """Everything the pack shows, read once from the store; the returns tracker's status as at
    the day the pack is generated."""
    values = indicator_store.values(store)
    if values.empty:
        raise PackError(
            "The store holds no indicator values: run `python -m metrics init --demo` or load returns first."
        )
    held = available_quarters(values)
    if quarter not in held:
        span = f"{held[0].label} to {held[-1].label}" if held else "none"
        raise PackError(f"The store holds no monthly or quarterly figures for {quarter.label} (quarters held: {span}).")
    reviews = review_all(plan, values, quarter, survey=board_figures(plan, store))
    notes = indicator_store.commentary(store, str(quarter.start)).set_index("indicator_id")
    progress = indicator_store.action_progress(store, str(quarter.start))
    draw = chart or spc_png
    items = []
    for r in exception_report(reviews):
        note = notes.loc[r.indicator.id].to_dict() if r.indicator.id in notes.index else None
        items.append(PackItem(r, note, proposed_actions(plan, r.indicator, progress), draw(r)))
    meta = plan_store.meta(store)
    board = load_action_log(store)
    latest = consultation_store.consultation_ids(store)[:1]
    record = consultation_store.load_record(store, latest[0][0]) if latest else None  # redacted only
    residents = residents_section(plan, record, board, meeting_day(quarter)) if record else None
    return Pack(
        plan,
        quarter,
        reviews,
        items,
        [r for r in reviews if r.category is Category.NOISE],
        submission_status(plan, store, quarter, generated_at.date()),
        generated_at,
        bool(values["is_demo"].any()),
        meta.get("demo_seed"),
        completeness_of(plan, [r.status for r in reviews]),
        tuple(arising(board, quarter)),
        tuple(from_last_meeting(board, quarter)),
        tuple(v for v in board if v.is_open),
        residents,
        peer_section(plan, store),
    )


def cover_lines(pack: Pack) -> list[str]:
    """The cover's account of the quarter: counts out of what has a figure, and what is awaited."""
    done = pack.completeness
    attention = sum(1 for i in pack.items if i.review.category is Category.ATTENTION)
    lines = [
        done.headline,
        f"Of the {done.reported} indicators with a figure, {attention} need the board's attention and "
        f"{len(pack.items) - attention} show notable improvement; {len(pack.noise)} are off or ahead of target "
        "within normal variation.",
    ]
    if done.awaited:
        lines.append("Awaited, by owner: " + " · ".join(done.awaited_lines()) + ".")
    return lines


# --- charts ----------------------------------------------------------------------------------

SIGNAL_STYLE = {  # marker shape and colour per kind of special cause
    "concern": ("^", "#b3261e", "Special cause: concern"),
    "improvement": ("D", "#1f4e9c", "Special cause: improvement"),
    "neither": ("s", "#5f3b9c", "Special cause: neither"),
}


CHARTS_KEPT = 512  # drawn SPC pictures kept in memory (about 60 KB each), the least recently used dropped
_drawn: OrderedDict[str, bytes] = OrderedDict()
_drawn_lock = threading.Lock()


def _chart_key(review: Review, width_in: float, height_in: float) -> str:
    """Everything the picture shows, as a digest: the points (values, mean, limits, signals,
    targets, periods), the words above it, the unit, the demo flag and a survey interval."""
    chart, ind = review.spc.chart, review.indicator
    judged = review.status.survey
    found = judged.current.estimate if judged is not None else None
    interval = (found.estimate, found.lower, found.upper) if found is not None else None
    parts = (
        chart.points.to_csv(index=False),
        chart.has_limits,
        chart.provisional,
        chart.reason,
        ind.is_percent,
        bool(review.spc.series["is_demo"].any()),
        interval,
        width_in,
        height_in,
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def spc_png(review: Review, width_in: float = 7.0, height_in: float = 3.0) -> bytes:
    """The review's XmR chart as a PNG, drawn by matplotlib (Agg: no display, no browser).

    A picture is drawn once per process for what it shows (:func:`_chart_key`): a new data
    version (a return stored for one subgroup) or another store with the same figures draws
    only the charts that changed; the pack reuses the pages' pictures."""
    key = _chart_key(review, width_in, height_in)
    with _drawn_lock:
        if key in _drawn:
            _drawn.move_to_end(key)
            return _drawn[key]
    picture = _draw_spc(review, width_in, height_in)
    with _drawn_lock:
        _drawn[key] = picture
        while len(_drawn) > CHARTS_KEPT:
            _drawn.popitem(last=False)
    return picture


def _draw_spc(review: Review, width_in: float, height_in: float) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    chart, ind = review.spc.chart, review.indicator
    points = chart.points
    demo = bool(review.spc.series["is_demo"].any())
    x = list(range(len(points)))
    fig, ax = plt.subplots(figsize=(width_in, height_in), dpi=150)
    try:
        ax.plot(x, points["value"], **value_line(demo), linewidth=1.5, label="Value (demo data)" if demo else "Value")
        if chart.has_limits:
            ax.step(x, points["mean"], where="mid", color="#5f6368", linewidth=1.2, label="Mean")
            ax.step(
                x, points["upper"], where="mid", color="#5f6368", linewidth=1, linestyle="--", label="Process limits"
            )
            ax.step(x, points["lower"], where="mid", color="#5f6368", linewidth=1, linestyle="--")
            for kind, (marker, colour, name) in SIGNAL_STYLE.items():
                hits = points.index[points["signal"] == kind]
                if len(hits):
                    ax.scatter(hits, points.loc[hits, "value"], marker=marker, s=45, color=colour, zorder=3, label=name)
        _survey_interval(ax, review, x[-1] if x else None)
        if points["target"].notna().any():
            ax.plot(x, points["target"], color="#a15c00", linestyle=":", linewidth=1.6, label="Target")
        step = max(1, len(x) // 12)
        ax.set_xticks(x[::step], list(points["period"])[::step], rotation=45, ha="right", fontsize=7)
        ax.tick_params(axis="y", labelsize=7)
        if ind.is_percent:  # as many decimals as the axis's span needs, so no two ticks read alike
            ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(xmax=100, decimals=None))
        else:
            ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.grid(axis="y", color="#e6e6e6")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.legend(fontsize=6.5, loc="upper center", bbox_to_anchor=(0.5, -0.32), ncol=4, frameon=False)
        if not chart.has_limits or chart.provisional:
            ax.set_title(chart.reason, fontsize=7, loc="left", color="#5f6368")
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format="png")
        return out.getvalue()
    finally:
        plt.close(fig)


def _survey_interval(ax, review: Review, at: int | None) -> None:  # noqa: ANN001 - a matplotlib Axes
    """A survey measure's latest figure with its 95% interval drawn as a bar, as the card's
    figure reads it ("60.1% (56.3-63.8%)"): the interval, not the line, is what is known."""
    judged = review.status.survey
    found = judged.current.estimate if judged is not None else None
    if at is None or found is None or None in (found.estimate, found.lower, found.upper):
        return
    ax.errorbar(
        [at],
        [found.estimate],
        yerr=[[found.estimate - found.lower], [found.upper - found.estimate]],
        fmt="none",
        ecolor="#1f4e9c",
        elinewidth=1.6,
        capsize=5,
        label="95% interval (survey)",
    )


# --- shared wording ----------------------------------------------------------------------------


def key_lines() -> list[str]:
    return [
        "Status against target: " + "  ".join(f"{r.icon} {r.word}" for r in Rag),
        "Variation (SPC, NHS Making Data Count): "
        + "  ".join(f"{v.icon} {v.word.split(' (')[0]}" for v in Variation if not v.key.endswith("_low")),
        "Assurance (can the process meet its target?): " + "  ".join(f"{a.icon} {a.word}" for a in Assurance),
        "Action status (reported by the owner): " + "  ".join(a.label for a in ActionStatus),
    ]


def summary_rows(pack: Pack) -> list[list[str]]:
    rows = []
    for r in pack.reviews:
        s, ind = r.status, r.indicator
        demo = " (demo)" if s.value.is_demo else ""
        rows.append(
            [
                ind.name,
                f"{s.figure}{demo}",  # a survey measure: "63.2% (59.6-66.7%), 696 responses"
                format_value(s.target, ind.unit),
                s.vs_last_year.short,  # "+17% · worse": the words the pages use
                f"{s.rag.icon} {s.rag.word}",
                f"{r.spc.variation.icon} {r.spc.variation.word}",
                f"{r.spc.assurance.icon} {r.spc.assurance.word}",
                pack.plan.subgroup(ind.owner).short_name,
            ]
        )
    return rows


SUMMARY_HEADINGS = ["Indicator", "Latest", "Target", "vs last year", "Status", "Variation", "Assurance", "Owner"]


def commentary_text(item: PackItem) -> str:
    note = item.commentary
    if not note:
        return "No commentary has been submitted."
    when = Quarter.of(pd.Timestamp(note["quarter_start"]).date()).label
    demo = " (demo data)" if note.get("is_demo") else ""
    return f"{note['text']} ({note.get('author') or 'unattributed'}, {when}{demo})"


def action_lines(item: PackItem) -> list[str]:
    if item.actions.empty:
        return ["The owner has no open action under this priority (none in the plan, or all complete)."]
    out = []
    for a in item.actions.itertuples():
        when = f", {Quarter.of(pd.Timestamp(a.quarter_start).date()).label}" if a.quarter_start is not None else ""
        demo = " (demo data)" if a.is_demo else ""
        update = f": {a.commentary}" if isinstance(a.commentary, str) and a.commentary else ""
        out.append(f"{a.text} [{ActionStatus.label_of(a.status)}{when}{demo}]{update}")
    return out


def submission_rows(pack: Pack) -> list[list[str]]:
    """The returns tracker's table as text cells (demo submitters are named as demo)."""

    def cell(value: object) -> str:
        if value is None or pd.isna(value) or value == "":
            return "–"
        if isinstance(value, (pd.Timestamp, dt.datetime)):
            return f"{pd.Timestamp(value):%d %b %Y %H:%M}"
        if isinstance(value, dt.date):
            return f"{value:%d %b %Y}"
        return str(value)

    rows = []
    for s in pack.submissions.itertuples():
        submitted = "–" if pd.isna(s.submitted_at) else f"{cell(s.submitted_at)} by {cell(s.submitted_by)}"
        rows.append(
            [
                cell(s.subgroup_name),
                f"{s.indicators_submitted} of {s.indicators_owed}",
                f"{s.actions_submitted} of {s.actions_owed}",
                cell(s.version),
                submitted,
                cell(s.missing),
                cell(s.deadline),
                cell(s.status),
            ]
        )
    return rows


ACTION_HEADINGS = ["Ref", "Action", "Owner", "Due", "Status", "Latest update"]
ACTIONS_ARISING = "Actions arising"
ACTIONS_FOLLOWED_UP = "Actions from the last meeting"


def action_log_rows(pack: Pack, views: tuple[ActionView, ...]) -> list[list[str]]:
    """Board actions as text cells: reference, what, owner, due, status (overdue as at this
    quarter's meeting), the latest note with who gave it."""
    as_of = meeting_day(pack.quarter)
    rows = []
    for v in views:
        status = v.status.label + (" · OVERDUE" if v.is_overdue(as_of) else "")
        kind = "Decision: " if v.action.kind == "decision" else ""
        rows.append(
            [
                v.reference,
                f"{kind}{v.action.text}" + (" (demo)" if v.is_demo else ""),
                owner_name(pack.plan, v.owner),
                "–" if v.action.kind == "decision" else v.due.label,
                status,
                latest_update_text(v),
            ]
        )
    return rows


def open_action_lines(pack: Pack, item: PackItem) -> list[str]:
    """The open board actions already recorded against an exception's indicator, in words."""
    as_of = meeting_day(pack.quarter)
    return [
        f"{v.reference} ({owner_name(pack.plan, v.owner)}, due {v.due.label}, {v.status.word}"
        f"{', OVERDUE' if v.is_overdue(as_of) else ''}): {v.action.text}"
        for v in open_for_indicator(pack.actions_open, item.review.indicator.id)
    ]


def action_sections(pack: Pack) -> list[tuple[str, str, list[list[str]]]]:
    """The pack's two action sections: (title, what it holds or that it is empty, rows)."""
    arising_intro = (
        f"Actions and decisions recorded at the meeting reviewing {pack.quarter.label}."
        if pack.actions_arising
        else f"No action or decision has been recorded for the meeting reviewing {pack.quarter.label} yet."
    )
    follow_intro = (
        "Actions raised at earlier meetings that are still open or changed in this quarter's round, overdue "
        "(still open after the quarter they were due) first, each with its latest update."
        if pack.actions_followed_up
        else "No action from an earlier meeting is open or changed in this quarter's round."
    )
    return [
        (ACTIONS_ARISING, arising_intro, action_log_rows(pack, pack.actions_arising)),
        (ACTIONS_FOLLOWED_UP, follow_intro, action_log_rows(pack, pack.actions_followed_up)),
    ]


SUBMISSION_HEADINGS = ["Subgroup", "Indicators", "Actions", "Version", "Submitted", "Missing", "Deadline", "Status"]


def data_notes(pack: Pack) -> list[str]:
    sources = sorted({r.indicator.source for r in pack.reviews})
    notes = [
        f"Generated {pack.generated_at:%d %B %Y at %H:%M} UTC from the dashboard's data store.",
        f"Plan: {pack.plan.partnership.plan_title}. Quarters are UK financial-year quarters (Q1 is April-June).",
        "Sources: " + "; ".join(sources) + ".",
        "Statistical process control: XmR charts after NHS England's Making Data Count. Limits are the mean "
        "plus or minus 2.66 times the mean moving range; monthly series are used where indicators are "
        "recorded monthly. Quarterly and annual series have fewer points; where there are too few, no "
        "limits are drawn and the pack says so.",
        f"{len(pack.noise)} indicator(s) off or ahead of target are within common-cause variation and are not "
        "reported as exceptions" + (": " + ", ".join(r.indicator.name for r in pack.noise) if pack.noise else "") + ".",
    ]
    if pack.has_demo:
        seed = f" (generator seed {pack.demo_seed})" if pack.demo_seed else ""
        notes.append(
            "DEMO DATA: figures marked (demo) are generated for demonstration and are not real"
            f"{seed}. Baselines and figures quoted from the plan are real."
        )
    return notes
