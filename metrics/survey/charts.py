"""Plotly figures of survey estimates with their 95% intervals (no Streamlit here).

Every point carries its interval as a bar and its figure in words on hover; a demo wave says so
on its axis label; an area with too few responses is marked in words, never drawn as a figure.
Areas keep the plan's order: a chart of overlapping intervals is no league table.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from metrics.survey.estimates import TOO_FEW
from metrics.survey.results import WaveFigure, wave_name

FONT = dict(family="Source Sans Pro, DejaVu Sans, Arial, sans-serif", size=15, color="#1f1f1f")
POINT_COLOUR = "#1f4e9c"
WHOLE_COLOUR = "#5f6368"
LAYOUT = dict(font=FONT, paper_bgcolor="white", plot_bgcolor="white", margin=dict(l=10, r=10, t=50, b=10))


def wave_label(f: WaveFigure) -> str:
    """A wave's axis label, as pages name it (:func:`metrics.survey.results.wave_name`)."""
    return wave_name(f.wave, f.period_start, f.is_demo)


def _interval_trace(figures: Sequence[WaveFigure], labels: list[str], name: str, across: bool) -> go.Scatter:
    """The unsuppressed ``figures`` as points at ``labels`` with their 95% interval bars, the
    figure in words on hover; ``across``: waves along x (bars up and down), else areas along y."""
    values = [f.estimate.estimate or 0.0 for f in figures]
    bars = dict(
        type="data",
        array=[(f.estimate.upper or 0.0) - v for f, v in zip(figures, values, strict=True)],
        arrayminus=[v - (f.estimate.lower or 0.0) for f, v in zip(figures, values, strict=True)],
        color=POINT_COLOUR,
        thickness=2,
        width=10 if across else 6,
    )
    place = dict(x=labels, y=values, error_y=bars) if across else dict(x=values, y=labels, error_x=bars)
    return go.Scatter(
        **place,
        mode="markers+text" if across else "markers",
        name=name,
        text=[f"{v:.1f}%" for v in values] if across else None,
        textposition="middle right",
        marker=dict(size=11 if across else 10, color=POINT_COLOUR, symbol="diamond"),
        hovertext=[f"{label}: {f.text}" for label, f in zip(labels, figures, strict=True)],
        hoverinfo="text",
    )


def waves_figure(title: str, figures: Sequence[WaveFigure]) -> go.Figure:
    """A measure's whole-area estimate in each wave (oldest first) with its 95% interval bar."""
    shown = [f for f in figures if not f.estimate.suppressed]
    fig = go.Figure(_interval_trace(shown, [wave_label(f) for f in shown], "Estimate with its 95% interval", True))
    for f in figures:
        if f.estimate.suppressed:
            fig.add_annotation(x=wave_label(f), y=0, text=TOO_FEW, showarrow=False, yanchor="bottom")
    fig.update_layout(
        **LAYOUT,
        title=dict(text=f"{title}: each wave, with its 95% interval", font=dict(size=16)),
        height=360,
        showlegend=True,
        legend=dict(orientation="h", y=-0.2),
    )
    # room either side of the first and last wave, so that no figure's label is cut off
    fig.update_xaxes(type="category", title="Wave", range=[-0.5, len(figures) - 0.5])
    fig.update_yaxes(title="Per cent", ticksuffix="%", rangemode="tozero", gridcolor="#e6e6e6")
    return fig


def areas_figure(title: str, areas: Sequence[WaveFigure], whole: WaveFigure | None, area_word: str) -> go.Figure:
    """A measure by area in one wave: each area's estimate and 95% interval, in the plan's
    order (not ranked); an area with too few responses marked in words; the whole area's
    estimate and interval drawn behind as a line and a band."""
    names = [f.estimate.group for f in areas]
    shown = [f for f in areas if not f.estimate.suppressed]
    name = f"{area_word} estimate with its 95% interval"
    fig = go.Figure(_interval_trace(shown, [f.estimate.group for f in shown], name, False))
    for f in areas:
        if f.estimate.suppressed:
            fig.add_annotation(x=0, y=f.estimate.group, text=TOO_FEW, showarrow=False, xanchor="left")
    if whole is not None and not whole.estimate.suppressed and whole.estimate.estimate is not None:
        e = whole.estimate
        fig.add_vrect(x0=e.lower, x1=e.upper, fillcolor=WHOLE_COLOUR, opacity=0.12, line_width=0)
        fig.add_vline(
            x=e.estimate,
            line=dict(color=WHOLE_COLOUR, dash="dash"),
            annotation_text=f"{e.group}: {e.estimate:.1f}%",
            annotation_position="top",
        )
    fig.update_layout(
        **LAYOUT,
        title=dict(text=f"{title} by {area_word.lower()}, with 95% intervals", font=dict(size=16)),
        height=max(320, 34 * len(names) + 120),
        showlegend=True,
        legend=dict(orientation="h", y=-0.08),
    )
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=names, autorange="reversed")
    fig.update_xaxes(title="Per cent", ticksuffix="%", rangemode="tozero", gridcolor="#e6e6e6")
    return fig
