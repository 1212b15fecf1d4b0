"""The funnel plots (rates against population; a survey measure's percentages against their
effective number of responses) and the partnership's trend beside its peers, as plotly figures
(no Streamlit: the same figures serve the area explorer, the Strategic Assessment page and the
Resident surveys page).

Readers who cannot tell the colours apart still read the figure: each judgement has its own
marker shape and legend name, units outside the limits carry their names as text, the limit
lines are named in the legend, and ``describe`` gives the same content as a sentence for alt
text and captions.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import plotly.graph_objects as go

from metrics.compare.funnel import Judgement, ProportionFunnel, RateFunnel, RateUnit
from metrics.compare.peers import SPREAD_MINIMUM, PeerComparison

# The product's figure style (as the board's charts): font, white background, grey limits.
FONT = dict(family="Source Sans Pro, DejaVu Sans, Arial, sans-serif", size=16, color="#1f1f1f")
BASE_LAYOUT = dict(font=FONT, paper_bgcolor="white", plot_bgcolor="white")
LIMIT_COLOUR = "#5f6368"
VALUE_COLOUR = "#1f4e9c"
CURVE_POINTS = 80  # points along each limit line: smooth at a page's width, about 30 ms to compute
# Judgement -> (legend words, colour, marker shape). Shapes differ as well as colours; the
# colours are the product's (concern orange, value blue, neutral grey) and pass contrast on white.
MARKERS = {
    Judgement.HIGHER: ("Higher than expected (above the 99.8% limit)", "#c45100", "triangle-up"),
    Judgement.WITHIN: ("Within expected range", LIMIT_COLOUR, "circle"),
    Judgement.LOWER: ("Lower than expected (below the 99.8% limit)", VALUE_COLOUR, "triangle-down"),
}
HEADROOM = 1.12  # the y axis runs this far above the highest point or limit, so a name above it shows
HIGHLIGHT_OUTLINE = "#1f1f1f"  # a chosen area's marker gets a dark outline and its name


def format_rate(rate: float) -> str:
    """Two decimals below 10 (small rates over short periods), one above."""
    return f"{rate:,.2f}" if rate < 10 else f"{rate:,.1f}"


def _hover(u: RateUnit, one: str, counted: str, per: int) -> str:
    lim = u.limits
    return (
        f"<b>{u.label}</b><br>{u.count:,.0f} {counted}, {u.population:,.0f} residents<br>"
        f"Rate {format_rate(u.rate)} per {per:,} (expected {u.expected:,.1f} {counted} at the centre rate)<br>"
        f"95% limits {format_rate(lim.lower_95)} to {format_rate(lim.upper_95)}; "
        f"99.8% limits {format_rate(lim.lower_998)} to {format_rate(lim.upper_998)}<br>"
        f"This {one}: {u.judgement}"
    )


def _centre_and_limits(
    result: RateFunnel | ProportionFunnel, unit_sizes: list[float], *, name: str, hover: str, scale: float = 1.0
) -> list[go.BaseTraceType]:
    """A funnel's centre line (named ``name``) and its 95% (dashed) and 99.8% (solid) limit
    lines from half the smallest unit's size to past the largest, each pair named once in the
    legend; values times ``scale`` (100: percent)."""
    sizes = np.geomspace(max(min(unit_sizes) * 0.5, 1.0), max(unit_sizes) * 1.15, CURVE_POINTS)
    limits = [result.limits_at(float(x)) for x in sizes]
    widened = " (allowing for overdispersion)" if result.adjusted else ""
    traces: list[go.BaseTraceType] = [
        go.Scatter(
            x=sizes,
            y=[scale * result.centre] * len(sizes),
            mode="lines",
            name=name,
            line=dict(color="#1f1f1f", width=1.5),
            hoverinfo="skip",
        )
    ]
    for coverage, attrs, dash, width in (
        ("95%", ("lower_95", "upper_95"), "dash", 1.2),
        ("99.8%", ("lower_998", "upper_998"), "solid", 1.6),
    ):
        for side, attr in zip(("lower", "upper"), attrs, strict=True):
            traces.append(
                go.Scatter(
                    x=sizes,
                    y=[scale * getattr(lim, attr) for lim in limits],
                    mode="lines",
                    name=f"{coverage} limits{widened}",
                    legendgroup=coverage,
                    showlegend=side == "upper",
                    line=dict(color=LIMIT_COLOUR, width=width, dash=dash),
                    hovertemplate=f"{coverage} {side} limit at {hover}<extra></extra>",
                )
            )
    return traces


def _funnel_layout(height: int, x_title: str, yaxis: dict) -> dict:
    """A funnel figure's layout: the legend in rows below the axis title (at -0.18 it covered
    it), hover on the nearest point, the product's style."""
    return dict(
        height=height,
        margin=dict(l=10, r=10, t=30, b=10),
        legend=dict(orientation="h", yanchor="top", y=-0.3, x=0, font=dict(size=13)),
        hovermode="closest",
        xaxis=dict(title=x_title, gridcolor="#e6e6e6", tickformat=","),
        yaxis=dict(gridcolor="#e6e6e6", **yaxis),
        **BASE_LAYOUT,
    )


def rate_funnel_figure(
    result: RateFunnel,
    *,
    one: str = "area",
    centre_name: str = "Whole area",
    counted: str = "incidents",
    highlight: Collection[str] = (),
    is_demo: bool = False,
    height: int = 480,
) -> go.Figure:
    """Rate per 1,000 (y) against residents (x): the centre line, the 95% and 99.8% limit lines
    (adjusted for overdispersion when the result is), and one marker per unit, shaped and named
    by its judgement. ``one``: the plan's word for one local area; ``centre_name``: the whole
    area's name for the centre line; ``highlight``: labels of chosen units, outlined and named."""
    units = result.units
    demo = " (demo data)" if is_demo else ""
    name = f"{centre_name}: {format_rate(result.centre)} per {result.per:,}"
    pops = [u.population for u in units]
    traces = _centre_and_limits(result, pops, name=name, hover="%{x:,.0f} residents: %{y:,.2f}")
    chosen = set(highlight)
    for judgement, (words, colour, symbol) in MARKERS.items():
        group = [u for u in units if u.judgement == judgement]
        if not group:
            continue
        named = [u.label if (judgement != Judgement.WITHIN or u.label in chosen) else "" for u in group]
        traces.append(
            go.Scatter(
                x=[u.population for u in group],
                y=[u.rate for u in group],
                mode="markers+text",
                name=words + demo,
                text=named,
                textposition="bottom center" if judgement == Judgement.LOWER else "top center",
                textfont=dict(size=12),
                marker=dict(
                    symbol=symbol,
                    size=[15 if u.label in chosen else 11 for u in group],
                    color="white" if is_demo else colour,
                    line=dict(
                        color=[HIGHLIGHT_OUTLINE if u.label in chosen else colour for u in group],
                        width=[3 if u.label in chosen else 1.5 for u in group],
                    ),
                ),
                hovertext=[_hover(u, one, counted, result.per) for u in group],
                hoverinfo="text",
            )
        )
    # from 0, with room above the highest point or limit for its name
    top = max([u.rate for u in units] + [max(t.y) for t in traces if t.legendgroup == "99.8%"])
    # short enough to show whole beside the plot at a laptop's width (residents: the x axis)
    yaxis = dict(title=f"{counted.capitalize()} per {result.per:,}", range=[0, HEADROOM * top])
    return go.Figure(traces, layout=_funnel_layout(height, "Residents", yaxis))


def describe(result: RateFunnel, *, many: str = "areas", centre_name: str = "the whole area") -> str:
    """The figure in one paragraph, for alt text and captions: the centre, and which units
    lie outside the 99.8% limits."""
    parts = [
        f"Funnel plot of {len(result.units)} {many}: rate per {result.per:,} residents against residents, "
        f"centred on {centre_name} ({format_rate(result.centre)} per {result.per:,})."
    ]
    for judgement in (Judgement.HIGHER, Judgement.LOWER):
        names = [u.label for u in result.units if u.judgement == judgement]
        if names:
            parts.append(f"{len(names)} {judgement}: {', '.join(names)}.")
    within = sum(u.judgement == Judgement.WITHIN for u in result.units)
    parts.append(f"{within} within the expected range.")
    if result.adjusted:
        parts.append(
            f"The limits allow for overdispersion (phi {result.dispersion.phi:.2f}): "
            f"the {many} differ more than chance alone would make them."
        )
    return " ".join(parts)


def proportion_funnel_figure(
    result: ProportionFunnel,
    *,
    measure: str,
    many: str = "areas",
    is_demo: bool = False,
    height: int = 440,
) -> go.Figure:
    """A survey measure's percentage (y) against each unit's effective number of responses (x):
    the response-weighted average as the centre line, the 95% and 99.8% limit lines (arcsine
    scale, see :func:`metrics.compare.proportion_funnel`), and one marker per unit, shaped and
    named by its judgement. ``many``: the plan's word for its local areas."""
    units = result.units
    demo = " (demo data)" if is_demo else ""
    name = f"Average of the {many} compared: {100 * result.centre:.1f}%"
    bases = [u.effective_base for u in units]
    traces = _centre_and_limits(result, bases, name=name, hover="%{x:,.0f} responses: %{y:.1f}%", scale=100)
    for judgement, (words, colour, symbol) in MARKERS.items():
        group = [u for u in units if u.judgement == judgement]
        if not group:
            continue
        traces.append(
            go.Scatter(
                x=[u.effective_base for u in group],
                y=[100 * u.proportion for u in group],
                mode="markers+text",
                name=words + demo,
                text=[u.label if judgement != Judgement.WITHIN else "" for u in group],
                textposition="bottom center" if judgement == Judgement.LOWER else "top center",
                textfont=dict(size=12),
                marker=dict(
                    symbol=symbol, size=11, color="white" if is_demo else colour, line=dict(color=colour, width=1.5)
                ),
                hovertext=[
                    f"{u.label}: {100 * u.proportion:.1f}%, {u.base:,.0f} responses "
                    f"(effective {u.effective_base:,.0f}); {u.judgement}"
                    for u in group
                ],
                hoverinfo="text",
            )
        )
    # The measure names the figure, as the survey's other charts: as the axis's title it was cut
    # off at a laptop's width.
    yaxis = dict(title="Per cent", ticksuffix="%", range=[0, 100])
    layout = _funnel_layout(height, "Effective number of responses", yaxis)
    layout.update(
        title=dict(text=f"{measure}: the {many} against their average", font=dict(size=16)),
        margin=dict(l=10, r=10, t=50, b=10),
    )
    return go.Figure(traces, layout=layout)


def peer_trend_figure(comparison: PeerComparison, *, is_demo: bool = False, height: int = 380) -> go.Figure:
    """The partnership's monthly rate per 1,000 residents (a solid line with markers) against the
    peers' mean (dashed) and, with enough peers, their interquartile range (a shaded band named
    in the legend)."""
    trend = comparison.trend
    demo = " (demo data)" if is_demo else ""
    traces: list[go.BaseTraceType] = []
    if comparison.spread_shown:
        traces.append(
            go.Scatter(
                x=list(trend["month"]) + list(trend["month"])[::-1],
                y=list(trend["peers_upper_quartile"]) + list(trend["peers_lower_quartile"])[::-1],
                fill="toself",
                fillcolor="rgba(95, 99, 104, 0.18)",
                line=dict(width=0),
                name="Middle half of the other partnerships (interquartile range)",
                hoverinfo="skip",
            )
        )
    traces.append(
        go.Scatter(
            x=trend["month"],
            y=trend["peers_mean"],
            mode="lines",
            name=f"Other partnerships: mean of {comparison.peers}{demo}",
            line=dict(color=LIMIT_COLOUR, width=2, dash="dash"),
            hovertemplate="%{x}: other partnerships' mean %{y:,.2f} per 1,000<extra></extra>",
        )
    )
    traces.append(
        go.Scatter(
            x=trend["month"],
            y=trend["rate"],
            mode="lines+markers",
            name=f"{comparison.own}{demo}",
            line=dict(color=VALUE_COLOUR, width=3),
            marker=dict(size=7, color="white" if is_demo else VALUE_COLOUR, line=dict(color=VALUE_COLOUR, width=2)),
            hovertemplate="%{x}: %{y:,.2f} per 1,000<extra></extra>",
        )
    )
    return go.Figure(
        traces,
        layout=dict(
            height=height,
            margin=dict(l=10, r=10, t=30, b=10),
            legend=dict(orientation="h", yanchor="top", y=-0.2, x=0, font=dict(size=13)),
            xaxis=dict(title="Month", gridcolor="#e6e6e6", type="category"),
            yaxis=dict(title="Incidents per 1,000 residents", gridcolor="#e6e6e6", rangemode="tozero"),
            **BASE_LAYOUT,
        ),
    )


def describe_trend(comparison: PeerComparison) -> str:
    """The trend in words, for alt text and captions: how many months the partnership was above
    the peers' mean, and above their upper quartile."""
    trend = comparison.trend
    if trend.empty:
        return "No monthly trend: nothing to compare."
    above = int((trend["rate"] > trend["peers_mean"]).sum())
    text = (
        f"Monthly rate per 1,000 residents of {comparison.own} against the mean of {comparison.peers} other "
        f"partnerships, {trend['month'].iloc[0]} to {trend['month'].iloc[-1]}: above their mean in {above} of "
        f"{len(trend)} months."
    )
    if comparison.spread_shown:
        high = int((trend["rate"] > trend["peers_upper_quartile"]).sum())
        low = int((trend["rate"] < trend["peers_lower_quartile"]).sum())
        text += f" Above the middle half of them in {high} months, below it in {low}."
    else:
        text += f" With fewer than {SPREAD_MINIMUM} other partnerships their spread is not drawn."
    return text
