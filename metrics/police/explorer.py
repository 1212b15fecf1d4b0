"""The area explorer's figures, without Streamlit: counts and rates per 1,000 residents for a
choice of the plan's local areas, the monthly trend, the crime-type mix, their ranking, the
comparison with the whole area's average, and a map (a choropleth from a boundary GeoJSON, or a
tile layout: the plan's own, or a plain grid). Figures name the whole area with the word the
caller passes (the plan's: "City", "County" ...).

Everything here works on the monthly ward x crime-type summary (a few thousand rows), never on
the incidents, so a page's cost does not grow with the number of incidents.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from metrics.board.charts import BASE_LAYOUT, VALUE_COLOUR
from metrics.plan.model import Plan

SELECTED_COLOUR = "#c45100"
AREA_COLOUR = "#5f6368"
GRID_COLUMNS = 5  # tiles per row when the plan gives no tile layout
WHOLE_AREA = "Area"  # what a figure calls the whole area when the caller gives no plan's words


@dataclass(frozen=True)
class WardView:
    """The explorer's numbers for one choice of wards, period and crime types."""

    wards: pd.DataFrame  # every ward: ward_code, ward_name, count, population, estimated, rate, selected, highlight
    monthly: pd.DataFrame  # month, selected (count), area, area_scaled (area count scaled to the selection)
    mix: pd.DataFrame  # crime_type, selected, selected_share, area_share
    selected_count: int
    selected_population: int | None
    area_count: int
    area_population: int | None
    populations_estimated: bool

    @property
    def selected_rate(self) -> float | None:
        return _rate(self.selected_count, self.selected_population)

    @property
    def area_rate(self) -> float | None:
        return _rate(self.area_count, self.area_population)

    @property
    def vs_area(self) -> float | None:
        """The selection's rate as a multiple of the whole area's."""
        if self.selected_rate is None or not self.area_rate:
            return None
        return self.selected_rate / self.area_rate


def format_rate(rate: float | None) -> str:
    """A rate per 1,000 residents: two decimals below 10 (small areas and short periods), one above."""
    if rate is None or pd.isna(rate):
        return "–"
    return f"{rate:,.2f}" if rate < 10 else f"{rate:,.1f}"


def _rate(count: float, population: float | None) -> float | None:
    return None if not population else count / population * 1000


def build(plan: Plan, summary: pd.DataFrame, selected: list[str], months: list[str]) -> WardView:
    """``summary``: month, ward_code, crime_type, count for every ward (already filtered by
    period and crime type); ``selected``: ward codes (empty means every ward); ``months``: the
    months of the period, so that a month with no records shows as zero."""
    chosen = set(selected) if selected else {w.code for w in plan.wards}
    per_ward = summary.groupby("ward_code")["count"].sum()
    wards = pd.DataFrame(
        [
            {
                "ward_code": w.code,
                "ward_name": w.name,
                "count": int(per_ward.get(w.code, 0)),
                "population": w.population,
                "estimated": w.population_estimated,
                "selected": w.code in chosen,
                "highlight": w.code in set(selected),  # chosen by name (nothing is, for all wards)
            }
            for w in plan.wards
        ]
    )
    wards["rate"] = [_rate(c, p) for c, p in zip(wards["count"], wards["population"], strict=True)]
    in_sel = summary[summary["ward_code"].isin(chosen)]
    monthly = pd.DataFrame({"month": months})
    monthly["selected"] = monthly["month"].map(in_sel.groupby("month")["count"].sum()).fillna(0).astype(int)
    monthly["area"] = monthly["month"].map(summary.groupby("month")["count"].sum()).fillna(0).astype(int)

    def population(frame: pd.DataFrame) -> int | None:
        return None if frame["population"].isna().any() else int(frame["population"].sum())

    sel_pop, area_pop = population(wards[wards["selected"]]), population(wards)
    share = sel_pop / area_pop if sel_pop and area_pop else None
    monthly["area_scaled"] = monthly["area"] * share if share else None
    mix = pd.DataFrame({"selected": in_sel.groupby("crime_type")["count"].sum()})
    mix["area"] = summary.groupby("crime_type")["count"].sum()
    mix = mix.fillna(0).reset_index().rename(columns={"index": "crime_type"})
    mix["selected_share"] = mix["selected"] / max(int(mix["selected"].sum()), 1) * 100
    mix["area_share"] = mix["area"] / max(int(mix["area"].sum()), 1) * 100
    return WardView(
        wards=wards,
        monthly=monthly,
        mix=mix.sort_values("selected", ascending=False).reset_index(drop=True),
        selected_count=int(in_sel["count"].sum()),
        selected_population=sel_pop,
        area_count=int(summary["count"].sum()),
        area_population=area_pop,
        populations_estimated=bool(wards.loc[wards["selected"], "estimated"].any() or wards["estimated"].any()),
    )


def _layout(height: int, margin: dict, **extra: object) -> dict:
    """A figure's whole layout as one dict, passed to go.Figure at once: building figures by
    later update_* or add_vline calls costs several times more on every rerun."""
    return dict(height=height, margin=margin, **BASE_LAYOUT, **extra)


def trend_figure(view: WardView, flagged: dict[str, str], label: str, area: str = WHOLE_AREA) -> go.Figure:
    """Monthly counts for the selection, with the whole area's count scaled to the selection's
    residents; months with a coverage problem are marked, so a gap is never read as a fall."""
    m = view.monthly
    months = m["month"].tolist()
    traces: list[go.BaseTraceType] = [
        go.Bar(x=months, y=m["selected"].tolist(), name=label, marker_color=VALUE_COLOUR, hovertemplate="%{x}: %{y:,}")
    ]
    if m["area_scaled"].notna().any():
        traces.append(
            go.Scatter(
                x=months,
                y=m["area_scaled"].tolist(),
                name=f"{area} average for the same number of residents",
                mode="lines",
                line=dict(color=AREA_COLOUR, dash="dash", width=2),
                hovertemplate="%{x}: %{y:,.0f}",
            )
        )
    bad = [x for x in months if x in flagged]
    if bad:
        traces.append(
            go.Scatter(
                x=bad,
                y=[0] * len(bad),
                mode="markers+text",
                text=["⚠"] * len(bad),
                textposition="top center",
                marker=dict(symbol="x", size=12, color=SELECTED_COLOUR),
                name="Month missing or incomplete (not a fall)",
                hovertext=[flagged[x] for x in bad],
                hoverinfo="text",
            )
        )
    return go.Figure(
        traces,
        layout=_layout(
            360,
            dict(l=10, r=10, t=10, b=10),
            legend=dict(orientation="h", y=-0.2),
            xaxis=dict(type="category"),
            yaxis=dict(gridcolor="#e6e6e6", tickformat=",", title="incidents per month", rangemode="tozero"),
        ),
    )


def mix_figure(view: WardView, label: str, area: str = WHOLE_AREA) -> go.Figure:
    mix = view.mix.iloc[::-1]
    types = mix["crime_type"].tolist()
    return go.Figure(
        [
            go.Bar(
                y=types,
                x=mix["selected_share"].tolist(),
                orientation="h",
                name=label,
                marker_color=VALUE_COLOUR,
                text=[f"{n:,.0f} ({s:.1f}%)" for n, s in zip(mix["selected"], mix["selected_share"], strict=True)],
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{y}: %{x:.1f}%<extra></extra>",
            ),
            go.Bar(
                y=types,
                x=mix["area_share"].tolist(),
                orientation="h",
                name=area,
                marker_color="#c9c9c9",
                hovertemplate=f"{area}, %{{y}}: %{{x:.1f}}%<extra></extra>",
            ),
        ],
        layout=_layout(
            max(320, 38 * len(mix) + 60),
            dict(l=10, r=90, t=40, b=10),
            barmode="group",
            legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
            xaxis=dict(title="share of incidents (%)", gridcolor="#e6e6e6"),
        ),
    )


def ranking_figure(view: WardView, area: str = WHOLE_AREA) -> go.Figure:
    """Every ward by rate per 1,000 residents (or by count where populations are missing),
    the selected wards highlighted and the whole area's average marked."""
    use_rate = view.wards["rate"].notna().all()
    key = "rate" if use_rate else "count"
    data = view.wards.sort_values(key)
    values = data[key].tolist()
    shapes, notes = [], []
    if use_rate and view.area_rate is not None:
        line = dict(color=AREA_COLOUR, dash="dash")
        shapes.append(
            dict(type="line", x0=view.area_rate, x1=view.area_rate, y0=0, y1=1, yref="paper", line=line, layer="below")
        )
        notes.append(
            dict(
                x=view.area_rate,
                y=1,
                yref="paper",
                yanchor="bottom",
                showarrow=False,
                text=f"{area} {format_rate(view.area_rate)}",
            )
        )
    return go.Figure(
        go.Bar(
            x=values,
            y=data["ward_name"].tolist(),
            orientation="h",
            marker_color=[SELECTED_COLOUR if s else VALUE_COLOUR for s in data["highlight"]],
            text=[format_rate(v) if use_rate else f"{v:,.0f}" for v in values],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:,.1f}<extra></extra>",
        ),
        layout=_layout(
            560,
            dict(l=10, r=60, t=30, b=10),
            showlegend=False,
            shapes=shapes,
            annotations=notes,
            xaxis=dict(
                gridcolor="#e6e6e6", title=_rate_title(view, "estimated populations") if use_rate else "incidents"
            ),
            yaxis=dict(tickfont=dict(size=14)),
        ),
    )


def _wrap(name: str, width: int = 12) -> str:
    """Break a long ward name at the space nearest its middle, to fit a tile."""
    if len(name) <= width or " " not in name:
        return name
    spaces = [i for i, c in enumerate(name) if c == " "]
    cut = min(spaces, key=lambda i: abs(i - len(name) / 2))
    return name[:cut] + "<br>" + name[cut + 1 :]


@lru_cache(maxsize=4)
def _geojson(path: str, mtime: float) -> tuple[dict, str]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        props = data["features"][0]["properties"]
    except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise BoundaryError(f"{path}: not a readable GeoJSON feature collection ({exc}).") from exc
    key = next((k for k in props if re.fullmatch(r"WD\d{2}CD", k, re.IGNORECASE)), None)
    if key is None:
        raise BoundaryError(f"{path}: its features have no ward code property (like WD22CD).")
    return data, key


class BoundaryError(ValueError):
    """The configured ward boundary file cannot be used; the message says why."""


def load_boundaries(path: Path) -> tuple[dict, str]:
    """The GeoJSON and the feature property that holds the ward code."""
    try:
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise BoundaryError(f"{path}: the ward boundary file cannot be read ({exc.strerror}).") from exc
    return _geojson(str(path), mtime)


def _rings(geometry: dict) -> list[list[list[float]]]:
    """The outer rings of a Polygon or MultiPolygon (holes are left out: ward boundaries have none
    that matter at this scale)."""
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    if geometry["type"] == "MultiPolygon":
        return [polygon[0] for polygon in geometry["coordinates"]]
    return []


def _boundary_map(
    w: pd.DataFrame, values: pd.Series, title: str, boundaries: tuple[dict, str], use_rate: bool
) -> go.Figure:
    """Each ward's boundary filled by its value, drawn on plain axes in longitude and latitude.
    (plotly's geo choropleth needs a base map fetched from the internet to draw at all; this
    needs nothing.)"""
    geojson, key = boundaries
    lo, hi = float(values.min()), float(values.max())
    by_code = {f["properties"].get(key): f["geometry"] for f in geojson.get("features", [])}
    traces: list[go.BaseTraceType] = []
    lats: list[float] = []
    labels: dict[str, list] = {"x": [], "y": [], "text": []}
    label_colours: list[str] = []
    dark_from = lo + 0.6 * (hi - lo)  # white names only on dark fills
    # Chosen wards last, so their outline is drawn over their neighbours' edges.
    order = sorted(zip(w.itertuples(), values, strict=True), key=lambda pair: pair[0].highlight)
    for row, value in order:
        geometry = by_code.get(row.ward_code)
        if geometry is None:
            continue
        x: list[float | None] = []
        y: list[float | None] = []
        for ring in _rings(geometry):
            x += [p[0] for p in ring] + [None]
            y += [p[1] for p in ring] + [None]
        lats += [v for v in y if v is not None]
        outer = max(_rings(geometry), key=len)  # label the ward at the middle of its largest part
        labels["x"].append(sum(p[0] for p in outer) / len(outer))
        labels["y"].append(sum(p[1] for p in outer) / len(outer))
        labels["text"].append(_wrap(row.ward_name))
        label_colours.append("white" if value > dark_from else "#1f1f1f")
        shade = sample_colorscale("Blues", [(value - lo) / (hi - lo) if hi > lo else 0.5])[0]
        label = format_rate(value) if use_rate else f"{value:,.0f}"
        traces.append(
            go.Scatter(
                x=x,
                y=y,
                fill="toself",
                fillcolor=shade,
                mode="lines",
                line=dict(color=SELECTED_COLOUR if row.highlight else "white", width=3 if row.highlight else 1),
                hoveron="fills",
                name=row.ward_name,
                text=f"{row.ward_name}: {label}",
                hoverinfo="text",
            )
        )
    traces.append(go.Scatter(**labels, mode="text", textfont=dict(size=11, color="#1f1f1f"), hoverinfo="skip"))
    # The colour key: an invisible marker trace carrying the scale.
    traces.append(
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            marker=dict(colorscale="Blues", cmin=lo, cmax=hi, color=[lo], showscale=True, colorbar=dict(title=title)),
            hoverinfo="skip",
        )
    )
    mid_lat = (min(lats) + max(lats)) / 2 if lats else 52.4
    return go.Figure(
        traces,
        layout=_layout(
            520,
            dict(l=10, r=10, t=10, b=10),
            showlegend=False,
            xaxis=dict(visible=False),
            # a degree of longitude is shorter than one of latitude by cos(latitude)
            yaxis=dict(visible=False, scaleanchor="x", scaleratio=1 / math.cos(math.radians(mid_lat))),
        ),
    )


def _rate_title(view: WardView, estimated: str) -> str:
    """The rate's axis title, saying the populations are estimates only when they are."""
    return f"per 1,000 residents ({estimated})" if view.populations_estimated else "per 1,000 residents"


def map_figure(
    view: WardView, boundaries: tuple[dict, str] | None, tiles: Mapping[str, tuple[int, int]] | None = None
) -> go.Figure:
    """A choropleth of rates per 1,000 (counts where populations are missing) when boundaries
    are configured; otherwise a tile per area, placed by ``tiles`` (code -> (column, row), the
    plan's tile layout) when it places every area, else in a plain grid, so there is always a
    picture. No map tiles or base maps are fetched from the internet either way."""
    w = view.wards
    use_rate = w["rate"].notna().all()
    values = w["rate"] if use_rate else w["count"]
    title = _rate_title(view, "est.") if use_rate else "incidents"
    text = [
        f"{_wrap(n)}<br>{format_rate(v)}" if use_rate else f"{_wrap(n)}<br>{v:,.0f}"
        for n, v in zip(w["ward_name"], values, strict=True)
    ]
    if boundaries is not None:
        return _boundary_map(w, values, title, boundaries, use_rate)
    dark_from = values.min() + 0.6 * (values.max() - values.min())  # white text only on dark tiles
    tiles = tiles or {}
    codes = list(w["ward_code"])
    if codes and all(c in tiles for c in codes):
        positions = [tiles[c] for c in codes]
    else:
        positions = [(i % GRID_COLUMNS, i // GRID_COLUMNS) for i in range(len(codes))]
    width = max((p[0] for p in positions), default=0) + 1
    height = max((p[1] for p in positions), default=0) + 1
    return go.Figure(
        go.Scatter(
            x=[p[0] for p in positions],
            y=[-p[1] for p in positions],
            mode="markers+text",
            marker=dict(
                symbol="square",
                size=86,
                color=values.tolist(),
                colorscale="Blues",
                showscale=True,
                colorbar=dict(title=title),
                line=dict(color=[SELECTED_COLOUR if s else "white" for s in w["highlight"]], width=4),
            ),
            text=text,
            textfont=dict(size=12, color=["white" if v > dark_from else "#1f1f1f" for v in values]),
            hovertemplate="%{text}<extra></extra>",
        ),
        layout=_layout(
            520,
            dict(l=10, r=10, t=10, b=10),
            showlegend=False,
            xaxis=dict(visible=False, range=[-0.6, max(width, GRID_COLUMNS) - 0.4]),
            yaxis=dict(visible=False, range=[-max(height, GRID_COLUMNS) + 0.4, 0.6], scaleanchor="x"),
        ),
    )
