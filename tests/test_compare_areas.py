"""The comparison of areas (issue 22) from end to end: the funnel table from per-area counts, its
download, `python -m metrics compare areas` on a real store, and the area explorer showing the
same table (AppTest)."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from metrics.compare import RANKING_NOTE, Judgement, area_comparison, method_note
from metrics.compare.areas import COLUMNS
from metrics.plan.words import area_words
from metrics.police.export import ExportScope, comparison_export
from metrics.store import Store
from tests.test_app import _no_errors, _text
from tests.test_cli import _demo_env, _rows, _run
from tests.test_wards_app import _explorer

JUDGEMENTS = {str(j) for j in Judgement}


def _wards(counts: list[int], populations: list[float | None]) -> pd.DataFrame:
    """The explorer's per-area frame for made-up areas A, B, C ..."""
    names = [chr(ord("A") + i) for i in range(len(counts))]
    return pd.DataFrame(
        {
            "ward_code": [f"X{i:02d}" for i in range(len(counts))],
            "ward_name": names,
            "count": counts,
            "population": pd.array(populations, dtype="Int64"),
            "estimated": [True] * len(counts),
            "highlight": [n == "B" for n in names],
        }
    )


def test_area_table_worked_by_hand() -> None:
    # Five areas of 1,000 residents with 3, 8, 9, 25, 5 incidents (50 in 5,000: 10 per 1,000, so
    # 10 expected in each); a sixth area F has no population and is left out, not compared.
    # Exact limits at 10: 99.8% chi2(0.001; 20) / 2 = 2.9605 to chi2(0.999; 22) / 2 = 24.134.
    # D (25) is above: higher than expected; the rest are within.
    comparison = area_comparison(_wards([3, 8, 9, 25, 5, 7], [1000] * 5 + [None]))
    table = comparison.table
    assert list(table.columns) == [*COLUMNS, "highlight"]
    assert comparison.left_out == ("F",)
    assert table["ward_name"].tolist() == ["D", "C", "B", "E", "A"], "highest rate first"
    d = table.iloc[0]
    assert d["judgement"] == "higher than expected"
    assert d["rate_per_1000_residents"] == pytest.approx(25.0) and d["expected_count"] == pytest.approx(10.0)
    assert d["lower_99_8"] == pytest.approx(2.9605, abs=5e-4) and d["upper_99_8"] == pytest.approx(24.134, abs=5e-4)
    assert (table["judgement"].iloc[1:] == "within expected range").all()
    assert table.set_index("ward_name").loc["B", "highlight"]
    assert comparison.counts == {Judgement.HIGHER: 1, Judgement.WITHIN: 4, Judgement.LOWER: 0}
    assert comparison.funnel is not None and comparison.funnel.centre == pytest.approx(10.0)


def test_nothing_to_compare_says_why() -> None:
    none = area_comparison(_wards([0, 0], [1000, 2000]))
    assert none.funnel is None and none.reason == "no incidents match the choice" and none.table.empty
    unknown = area_comparison(_wards([4, 5], [None, None]))
    assert unknown.funnel is None and "no area has a population" in unknown.reason
    assert unknown.left_out == ("A", "B")


def test_overdispersion_choice_widens_the_table_limits() -> None:
    wards = _wards([3, 8, 9, 25, 5, 40, 1], [1000] * 7)
    plain, widened = area_comparison(wards), area_comparison(wards, overdispersion=True)
    assert widened.funnel is not None and widened.funnel.adjusted
    assert (widened.table["upper_99_8"] > plain.table["upper_99_8"]).all()
    assert widened.counts[Judgement.HIGHER] < plain.counts[Judgement.HIGHER]


def test_comparison_download_says_how_the_limits_were_drawn(plan) -> None:  # noqa: ANN001 - the session's plan
    codes = [w.code for w in plan.wards[:5]]
    wards = _wards([3, 8, 9, 25, 5], [1000] * 5).assign(ward_code=codes, ward_name=[w.name for w in plan.wards[:5]])
    wards.loc[0, "ward_name"] = "=HYPERLINK(1)"  # a name a spreadsheet would run: neutralised
    comparison = area_comparison(wards)
    scope = ExportScope(first="2025-04", last="2025-06", crime_types=("Burglary",), is_demo=True)
    export = comparison_export(plan, comparison, scope)
    about = dict(export.about)
    assert about["Demo data"].startswith("YES") and about["Crime types"] == "Burglary"
    assert "99.8%" in about["Comparison"] and "exact Poisson" in about["Comparison"]
    assert about["Judgements"].startswith("1 higher than expected; 4 within expected range; 0 lower than expected")
    assert "Spiegelhalter 2005" in about["Method"] and about["Left out"] == "none"
    text = export.csv_bytes().decode("utf-8")
    assert "# Comparison: " in text
    frame = pd.read_csv(pd.io.common.StringIO(text), comment="#")
    assert list(frame.columns) == list(COLUMNS)
    assert not frame["ward_name"].str.startswith("=").any()


# --- the command line on a real store -----------------------------------------------------------------


def _check_invariants(frame: pd.DataFrame) -> None:
    """What holds for any funnel table: rates are counts per 1,000 residents, the expected
    counts add up to the counts (the centre is all counts over all residents), the limits nest,
    and the judgement is exactly 'outside the 99.8% limits'."""
    assert set(frame["judgement"]) <= JUDGEMENTS
    rate = frame["count"] / frame["population"] * 1000
    assert (rate - frame["rate_per_1000_residents"]).abs().max() < 1e-3
    assert frame["expected_count"].sum() == pytest.approx(frame["count"].sum(), rel=1e-3)
    assert (frame["lower_99_8"] <= frame["lower_95"]).all() and (frame["upper_95"] <= frame["upper_99_8"]).all()
    above = frame["rate_per_1000_residents"] > frame["upper_99_8"]
    below = frame["rate_per_1000_residents"] < frame["lower_99_8"]
    assert (frame.loc[above, "judgement"] == "higher than expected").all()
    assert (frame.loc[below, "judgement"] == "lower than expected").all()
    assert (frame.loc[~above & ~below, "judgement"] == "within expected range").all()


def test_compare_areas_writes_the_funnel_table(demo_store: Store, tmp_path: Path) -> None:
    out = tmp_path / "compare.csv"
    args = ("--from", "2025-04", "--to", "2025-06", "--type", "burglary", "--out", str(out))
    result = _run("compare", "areas", *args, env=_demo_env(demo_store))
    assert result.returncode == 0, result.stderr
    frame = _rows(out)
    assert list(frame.columns) == list(COLUMNS)
    # The plan gives the Census 2021 populations of its areas, so none is an estimate.
    assert len(frame) == 18 and (frame["population_is_estimate"] == "no").all()
    _check_invariants(frame)
    assert "DEMO DATA" in result.stdout and "18 wards" in result.stdout
    counts = "; ".join(f"{(frame['judgement'] == str(j)).sum()} {j}" for j in Judgement)
    assert counts in result.stdout
    widened = tmp_path / "widened.xlsx"
    result = _run("compare", "areas", *args[:-1], str(widened), "--overdispersion", env=_demo_env(demo_store))
    assert result.returncode == 0, result.stderr
    sheets = pd.read_excel(widened, sheet_name=None)
    about = dict(zip(sheets["About"].iloc[:, 0], sheets["About"].iloc[:, 1], strict=True))
    assert about["Crime types"] == "Burglary" and "Comparison" in about
    _check_invariants(sheets["Figures"])
    assert (sheets["Figures"]["upper_99_8"].max()) >= frame["upper_99_8"].max()


def test_compare_areas_refuses_bad_names_and_says_when_nothing_matches(demo_store: Store, tmp_path: Path) -> None:
    """(Months the wrong way round are refused by the filter ward-summary shares: test_cli.)"""
    out = tmp_path / "x.csv"
    env = _demo_env(demo_store)
    bad = _run("compare", "areas", "--type", "burglery", "--out", str(out), env=env)
    assert bad.returncode == 1 and "did you mean 'Burglary'?" in bad.stderr and "Traceback" not in bad.stderr
    empty = _run("compare", "areas", "--from", "2031-01", "--to", "2031-03", "--out", str(out), env=env)
    assert empty.returncode == 5 and "Nothing to compare: no incidents match the choice" in empty.stderr
    assert not out.exists()


# --- the area explorer shows the same table -------------------------------------------------------


def _table_rows(at: AppTest) -> dict[str, str]:
    """The explorer's area table: each row's text, keyed by the area's name."""
    body = next(unescape(str(h.proto.body)) for h in at.get("html") if "Expected range (99.8%)" in str(h.proto.body))
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body)[1:]:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
        rows[cells[0].removeprefix("▶ ")] = " | ".join(cells)
    return rows


def test_explorer_shows_the_funnel_and_the_same_table_as_the_command_line(app_store: Store, tmp_path: Path) -> None:
    out = tmp_path / "compare.csv"
    result = _run("compare", "areas", "--from", "2025-04", "--to", "2025-06", "--type", "Burglary", "--out",
                  str(out), env=_demo_env(app_store))  # fmt: skip
    assert result.returncode == 0, result.stderr
    cli = _rows(out)
    at = _explorer({"from": "2025-04", "to": "2025-06", "types": "Burglary", "wards": "E05001222,E05001228"})
    _no_errors(at, "area explorer")
    assert at.radio(key="explorer_compare").value == "funnel", "the funnel plot is the default comparison"
    funnel = at.get("plotly_chart")[1].proto.spec
    assert "99.8% limits" in funnel and "Within expected range" in funnel
    text = _text(at)
    assert "How the wards compare" in text and "Only rates outside the 99.8% limits" in text
    rows = _table_rows(at)
    assert len(rows) == 18
    for r in cli.itertuples():
        assert r.judgement in rows[r.ward_name], f"{r.ward_name}: page and command line differ"
        limits = f"{_rate(r.lower_99_8)} to {_rate(r.upper_99_8)}"
        assert limits in rows[r.ward_name], f"{r.ward_name}: {limits} not in {rows[r.ward_name]}"
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Download the comparison (CSV)" in labels and "Download the comparison (Excel)" in labels
    # the league table stays available, with its note; the overdispersion choice redraws the limits
    at.radio(key="explorer_compare").set_value("ranking").run()
    _no_errors(at, "ranking")
    assert RANKING_NOTE.format(one="ward", many="wards", kind="city")[:60] in _text(at)
    at.checkbox(key="explorer_overdispersion").check().run()
    _no_errors(at, "overdispersion")
    assert "allowing for overdispersion" in _text(at)


def _rate(value: float) -> str:
    """As the page formats a rate (the download rounds to 3 decimals: compare at the page's 2)."""
    return f"{value:,.2f}" if value < 10 else f"{value:,.1f}"


def test_the_comparison_speaks_the_plans_words(other_plan) -> None:  # noqa: ANN001 - Marrowvale's plan
    """A second partnership's words: its download and notes speak of its districts, never wards."""
    words = area_words(other_plan)
    districts = other_plan.wards[:4]
    wards = _wards([3, 8, 9, 25], [1000] * 4).assign(
        ward_code=[d.code for d in districts], ward_name=[d.name for d in districts]
    )
    comparison = area_comparison(wards)
    export = comparison_export(other_plan, comparison, ExportScope(first="2025-04", last="2025-06"))
    about = dict(export.about)
    assert about["Districts"] == "all districts"
    note = method_note(comparison, one=words.one, many=words.many, whole=words.whole)
    assert "each district's population" in note and f"the rate for {words.whole}" in note
    text = " ".join(f"{k} {v}" for k, v in export.about) + note
    assert not re.search(r"\bwards?\b|\bcity\b", text, re.IGNORECASE), text
