"""Static-friendly plotly figures (graph_objects: cheaper than plotly.express on hot pages).

No Streamlit here: the same figures serve the pages and, later, printed board packs.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from metrics.plan import Indicator
from metrics.status import baseline_per_period

FONT = dict(family="Source Sans Pro, DejaVu Sans, Arial, sans-serif", size=16, color="#1f1f1f")
VALUE_COLOUR = "#1f4e9c"
TARGET_COLOUR = "#a15c00"
BASELINE_COLOUR = "#5f6368"
BASE_LAYOUT = dict(font=FONT, paper_bgcolor="white", plot_bgcolor="white")


def trend_figure(ind: Indicator, series: pd.DataFrame, height: int = 400) -> go.Figure:
    """Value by quarter (or year), its target, and the plan's baseline where one is quoted.
    Demo points are drawn hollow and named as demo in the legend and hover."""
    fig = go.Figure()
    unit = "%" if ind.is_percent else ""
    real = series[~series["is_demo"].astype(bool)]
    demo = series[series["is_demo"].astype(bool)]
    fig.add_trace(
        go.Scatter(
            x=series["period"],
            y=series["value"],
            mode="lines",
            name=ind.name,
            line=dict(color=VALUE_COLOUR, width=3),
            showlegend=False,
            hoverinfo="skip",
        )
    )
    points = (
        (
            demo,
            "Value (demo data)",
            dict(color="white", size=9, line=dict(color=VALUE_COLOUR, width=2)),
            " (demo data)",
        ),
        (real, "Value", dict(color=VALUE_COLOUR, size=10), ""),
    )
    for subset, name, marker, suffix in points:
        if subset.empty:
            continue
        fig.add_trace(
            go.Scatter(
                x=subset["period"],
                y=subset["value"],
                mode="markers",
                name=name,
                marker=marker,
                hovertemplate="%{x}: %{y:,.1f}" + unit + suffix + "<extra></extra>",
            )
        )
    if series["target"].notna().any():
        fig.add_trace(
            go.Scatter(
                x=series["period"],
                y=series["target"],
                mode="lines",
                name="Target",
                line=dict(color=TARGET_COLOUR, width=2, dash="dash"),
                hovertemplate="%{x} target: %{y:,.1f}" + unit + "<extra></extra>",
            )
        )
    baseline = baseline_per_period(ind)
    if baseline is not None:
        per = "" if ind.frequency == "annual" or ind.aggregation != "sum" else " (quarterly average)"
        fig.add_trace(
            go.Scatter(
                x=series["period"],
                y=[baseline] * len(series),
                mode="lines",
                name=f"Baseline {ind.baseline.period or ''}{per}",
                line=dict(color=BASELINE_COLOUR, width=1.5, dash="dot"),
                hovertemplate="Baseline: %{y:,.1f}" + unit + "<extra></extra>",
            )
        )
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=10, b=10),
        legend=dict(orientation="h", yanchor="top", y=-0.32, x=0, font=dict(size=13)),
        hovermode="x unified",
        **BASE_LAYOUT,
    )
    fig.update_xaxes(showgrid=False, tickangle=-45, tickfont=dict(size=13))
    # The axis fits the data rather than starting at zero, so that the board can see change;
    # the tick labels carry the scale.
    fig.update_yaxes(
        gridcolor="#e6e6e6",
        ticksuffix=unit,
        tickformat=",",
        tickfont=dict(size=13),
    )
    return fig


def ward_volume_figure(frame: pd.DataFrame, unit: str, height: int = 560) -> go.Figure:
    """Horizontal bars of a measure by ward, largest at the top; demo bars are hatched and
    labelled '(demo)'."""
    data = frame.sort_values("value")
    labels = [f"{n} (demo)" if d else n for n, d in zip(data["ward_name"], data["is_demo"], strict=True)]
    fig = go.Figure(
        go.Bar(
            x=data["value"],
            y=labels,
            orientation="h",
            marker=dict(
                color=["#9bb3d9" if d else VALUE_COLOUR for d in data["is_demo"]],
                pattern=dict(shape=["/" if d else "" for d in data["is_demo"]], fgcolor="white"),
            ),
            text=[f"{v:,.0f}" for v in data["value"]],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:,.0f} " + unit + "<extra></extra>",
        )
    )
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=80, t=10, b=10),
        showlegend=False,
        **BASE_LAYOUT,
    )
    fig.update_xaxes(gridcolor="#e6e6e6", tickformat=",", title=unit)
    fig.update_yaxes(tickfont=dict(size=15))
    return fig
