"""Static-friendly plotly figures (graph_objects: cheaper than plotly.express on hot pages).

No Streamlit here: the same figures serve the pages and, later, printed board packs.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from metrics.board.spc import XmrChart
from metrics.plan.model import Indicator

FONT = dict(family="Source Sans Pro, DejaVu Sans, Arial, sans-serif", size=16, color="#1f1f1f")
VALUE_COLOUR = "#1f4e9c"
TARGET_COLOUR = "#a15c00"
BASELINE_COLOUR = "#5f6368"
BASE_LAYOUT = dict(font=FONT, paper_bgcolor="white", plot_bgcolor="white")


LIMIT_COLOUR = "#5f6368"
# Special-cause points: a distinct marker shape per kind as well as a colour.
SIGNAL_MARKERS = {
    "concern": ("Special cause: concern", "#b3261e", "triangle-up"),
    "improvement": ("Special cause: improvement", "#1f4e9c", "diamond"),
    "neither": ("Special cause: neither better nor worse", "#5f3b9c", "square"),
}


def spc_figure(ind: Indicator, chart: XmrChart, is_demo: bool, height: int = 400) -> go.Figure:
    """An XmR chart: the values, the mean and process limits (stepping where they were
    recalculated), the target, and special-cause points marked by shape and colour. With too
    few points it is the plain series with the reason as its title."""
    points = chart.points
    unit = "%" if ind.is_percent else ""
    demo = " (demo data)" if is_demo else ""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=points["period"],
            y=points["value"],
            mode="lines+markers",
            name=f"Value{demo}",
            line=dict(color=VALUE_COLOUR, width=2),
            marker=dict(size=6, color="white" if is_demo else VALUE_COLOUR, line=dict(color=VALUE_COLOUR, width=1.5)),
            hovertemplate="%{x}: %{y:,.1f}" + unit + demo + "<extra></extra>",
        )
    )
    if chart.has_limits:
        for column, name, dash, colour in (
            ("mean", "Mean", "solid", LIMIT_COLOUR),
            ("upper", "Process limits", "dash", LIMIT_COLOUR),
            ("lower", "Lower limit", "dash", LIMIT_COLOUR),
        ):
            fig.add_trace(
                go.Scatter(
                    x=points["period"],
                    y=points[column],
                    mode="lines",
                    name=name,
                    showlegend=column != "lower",
                    line=dict(color=colour, width=1.5, dash=dash, shape="hvh"),
                    hovertemplate="%{x} " + name.lower() + ": %{y:,.1f}" + unit + "<extra></extra>",
                )
            )
        for kind, (name, colour, symbol) in SIGNAL_MARKERS.items():
            hits = points[points["signal"] == kind]
            if hits.empty:
                continue
            fig.add_trace(
                go.Scatter(
                    x=hits["period"],
                    y=hits["value"],
                    mode="markers",
                    name=name,
                    marker=dict(symbol=symbol, size=13, color=colour, line=dict(color="white", width=1)),
                    customdata=hits["rule"].str.replace("_", " "),
                    hovertemplate="%{x}: %{y:,.1f}" + unit + " (%{customdata})<extra>" + name + "</extra>",
                )
            )
    if points["target"].notna().any():
        fig.add_trace(
            go.Scatter(
                x=points["period"],
                y=points["target"],
                mode="lines",
                name="Target",
                line=dict(color=TARGET_COLOUR, width=2, dash="dot"),
                hovertemplate="%{x} target: %{y:,.1f}" + unit + "<extra></extra>",
            )
        )
    note = chart.reason if (chart.provisional or not chart.has_limits) else ""
    if chart.pending_rebase:
        note += f" Recalculation from {', '.join(chart.pending_rebase)} waits for more points."
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=40 if note else 10, b=10),
        title=dict(text=note.strip(), font=dict(size=13, color=LIMIT_COLOUR), x=0, xanchor="left") if note else None,
        legend=dict(orientation="h", yanchor="top", y=-0.3, x=0, font=dict(size=13)),
        hovermode="closest",
        **BASE_LAYOUT,
    )
    fig.update_xaxes(showgrid=False, tickangle=-45, tickfont=dict(size=12), type="category")
    fig.update_yaxes(gridcolor="#e6e6e6", ticksuffix=unit, tickformat=",", tickfont=dict(size=13))
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
