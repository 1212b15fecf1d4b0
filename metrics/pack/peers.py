"""The board pack's "How we compare": the partnership beside the other partnerships of its force
over the latest year held (:func:`metrics.police.peers.compare_peers`, as on the Strategic
Assessment page), as words, two pictures with alt text (the funnel of partnerships and the
monthly trend against the peers' mean and interquartile range, drawn by matplotlib) and a table.
When no peer data is held it says so plainly, and what to import.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from metrics.compare import Judgement, PeerComparison, peer_sentence
from metrics.compare.areas import method_note
from metrics.compare.figure import describe, describe_trend
from metrics.plan.model import Plan
from metrics.police.peers import PAGE_MONTHS, compare_peers
from metrics.store import Store

TITLE = "How we compare"
VALUE_COLOUR = "#1f4e9c"
HEADINGS = ["Partnership", "Residents", "Incidents", "Per 1,000", "Expected range (99.8%)", "Judgement"]
# Judgement -> (marker, colour, legend words): shapes differ as well as colours, as on the page.
MARKERS = {
    Judgement.HIGHER: ("^", "#c45100", "Higher than expected"),
    Judgement.WITHIN: ("o", "#5f6368", "Within expected range"),
    Judgement.LOWER: ("v", "#1f4e9c", "Lower than expected"),
}


@dataclass(frozen=True)
class Picture:
    """A chart for the pack and the words that stand for it (alt text)."""

    png: bytes
    alt: str


@dataclass(frozen=True)
class PeerSection:
    """What the pack says about the partnership beside its peers."""

    title: str
    lines: tuple[str, ...]  # the sentence and the notes, or why there is no comparison
    pictures: tuple[Picture, ...]  # the funnel and the trend (none without a comparison)
    rows: tuple[tuple[str, ...], ...]  # HEADINGS, one row per partnership, highest rate first
    is_demo: bool


def peer_section(plan: Plan, store: Store) -> PeerSection:
    """The section, from the store, over the latest months held (as the page)."""
    view = compare_peers(store, plan, latest=PAGE_MONTHS)
    comparison = view.comparison
    if comparison.funnel is None:
        return PeerSection(TITLE, (f"No comparison with other partnerships: {comparison.reason}.",), (), (), False)
    demo = " (demo)" if view.inputs.is_demo else ""
    missing = view.inputs.missing
    lines = (
        peer_sentence(comparison),
        f"Compared with {view.inputs.group}: all crime types, {comparison.months[0]} to {comparison.months[-1]}, "
        f"the months held for every one of them alike. Residents: {view.inputs.population_source}."
        + (f" Not held, so not compared: {', '.join(missing)}." if missing else ""),
        method_note(comparison, one="partnership", many="partnerships", whole="all of them together"),
    )
    rows = tuple(
        (
            r.partnership_name + (" (this partnership)" if r.this_partnership == "yes" else "") + demo,
            f"{r.population:,}",
            f"{r.count:,}",
            f"{r.rate_per_1000_residents:,.1f}",
            f"{r.lower_99_8:,.1f} to {r.upper_99_8:,.1f}",
            r.judgement,
        )
        for r in comparison.table.itertuples()
    )
    pictures = (
        Picture(
            funnel_png(comparison, view.inputs.is_demo),
            describe(comparison.funnel, many="partnerships", centre_name="all the partnerships together"),
        ),
        Picture(trend_png(comparison, view.inputs.is_demo), describe_trend(comparison)),
    )
    return PeerSection(TITLE, lines, pictures, rows, view.inputs.is_demo)


def value_line(is_demo: bool) -> dict[str, object]:
    """The pack's style for a series of values: blue, round markers, hollow when demo data."""
    return dict(color=VALUE_COLOUR, marker="o", markersize=3.5, markerfacecolor="white" if is_demo else VALUE_COLOUR)


def _pyplot():  # noqa: ANN202 - matplotlib.pyplot, imported late: the pack alone needs it
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _png(fig) -> bytes:  # noqa: ANN001 - a matplotlib Figure
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def funnel_png(comparison: PeerComparison, is_demo: bool, width_in: float = 7.0, height_in: float = 3.6) -> bytes:
    """The funnel of partnerships: rate per 1,000 against residents, the centre, the 95% (dashed)
    and 99.8% (solid) limits, each partnership by its judgement's shape, this one named."""
    plt = _pyplot()
    result = comparison.funnel
    pops = [u.population for u in result.units]
    sizes = np.geomspace(max(min(pops) * 0.5, 1.0), max(pops) * 1.15, 60)
    limits = [result.limits_at(float(x)) for x in sizes]
    fig, ax = plt.subplots(figsize=(width_in, height_in), dpi=150)
    try:
        ax.plot(sizes, [result.centre] * len(sizes), color="#1f1f1f", linewidth=1.2, label="All partnerships")
        lines = ((("lower_95", "upper_95"), "--", "95% limits"), (("lower_998", "upper_998"), "-", "99.8% limits"))
        for attrs, style, name in lines:
            for i, attr in enumerate(attrs):
                ax.plot(
                    sizes,
                    [getattr(lim, attr) for lim in limits],
                    color="#5f6368",
                    linestyle=style,
                    linewidth=1,
                    label=name if i else None,
                )
        for judgement, (marker, colour, words) in MARKERS.items():
            group = [u for u in result.units if u.judgement == judgement]
            if group:
                ax.scatter(
                    [u.population for u in group],
                    [u.rate for u in group],
                    marker=marker,
                    s=40,
                    facecolors="white" if is_demo else colour,
                    edgecolors=colour,
                    zorder=3,
                    label=words + (" (demo)" if is_demo else ""),
                )
        own = next(u for u in result.units if u.label == comparison.own)
        ax.annotate(own.label, (own.population, own.rate), textcoords="offset points", xytext=(6, 6), fontsize=7)
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.xaxis.set_minor_formatter(plt.NullFormatter())
        ax.set_xlabel("Residents", fontsize=8)
        ax.set_ylabel("Incidents per 1,000 residents", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(color="#e6e6e6")
        ax.legend(fontsize=6.5, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=3, frameon=False)
        return _png(fig)
    finally:
        plt.close(fig)


def trend_png(comparison: PeerComparison, is_demo: bool, width_in: float = 7.0, height_in: float = 3.0) -> bytes:
    """The partnership's monthly rate against the peers' mean and, with enough peers, the middle half."""
    plt = _pyplot()
    trend = comparison.trend
    x = list(range(len(trend)))
    fig, ax = plt.subplots(figsize=(width_in, height_in), dpi=150)
    try:
        if comparison.spread_shown:
            ax.fill_between(
                x,
                trend["peers_lower_quartile"],
                trend["peers_upper_quartile"],
                color="#5f6368",
                alpha=0.18,
                label="Middle half of the other partnerships",
            )
        ax.plot(x, trend["peers_mean"], color="#5f6368", linestyle="--", label="Other partnerships: mean")
        ax.plot(x, trend["rate"], **value_line(is_demo), label=comparison.own + (" (demo)" if is_demo else ""))
        ax.set_xticks(x, list(trend["month"]), rotation=45, ha="right", fontsize=7)
        ax.set_ylabel("Per 1,000 residents", fontsize=8)
        ax.set_ylim(bottom=0)
        ax.tick_params(axis="y", labelsize=7)
        ax.grid(axis="y", color="#e6e6e6")
        ax.legend(fontsize=6.5, loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=3, frameon=False)
        return _png(fig)
    finally:
        plt.close(fig)
