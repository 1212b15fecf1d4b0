"""The plan as data: the real config against the plan document, and every broken case."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import yaml

from metrics.plan.model import PlanError, load_plan
from tests.conftest import ROOT, SHARED

PLAN_TEXT = (SHARED / "seeds" / "002_36f507f3aa5c5132.txt").read_text(encoding="utf-8")
# Typos in the source that the config corrects (source wording -> config wording).
CORRECTIONS = {
    "Overall reduction is ASB and Crime  in the city centre": "Overall reduction in ASB and Crime in the city centre",
}


def _plan_on_a_page() -> str:
    return PLAN_TEXT[PLAN_TEXT.index("CCSP - Plan on a Page") :]


def _bullets(section: str) -> list[str]:
    lines = section.replace("\xa0", " ").splitlines()
    return [line.strip().lstrip("•").strip() for line in lines if line.strip().startswith("•")]


def test_real_config_loads(plan) -> None:
    assert plan.partnership.short_name == "CCSP"
    assert [t.name for t in plan.themes] == [
        "Reduction of offending, re-offending and serious violence",
        "Public places safety and reassurance",
        "Tackling exploitation and protecting victims of crime",
    ]
    assert len(plan.wards) == 18


def test_every_priority_and_measure_is_word_for_word() -> None:
    """Each bullet of the Plan on a Page is a priority or success measure in the config."""
    plan = load_plan(ROOT / "config.yaml")
    declared = {o.text.rstrip(".") for o in plan.objectives} | {m.text for t in plan.themes for m in t.measures}
    for bullet in _bullets(_plan_on_a_page()):
        wanted = CORRECTIONS.get(bullet, bullet).rstrip(".")
        assert wanted in declared, f"{bullet!r} from the Plan on a Page is not in config.yaml"
    assert len(declared) == len(_bullets(_plan_on_a_page()))


def test_subgroups_match_the_monitoring_table(plan) -> None:
    names = {s.name for s in plan.subgroups}
    for wanted in (
        "Coventry Serious Violence Prevention Partnership",
        "Coventry Reducing Reoffending Board",
        "Domestic Abuse Local Partnership Board",
        "Night Time Economy Steering Group",
        "City Tasking",
        "Harm Abuse Reduction Partnership",
        "Prevent",
        "CCSP wide",
    ):
        assert wanted in names
    for s in plan.subgroups:
        assert s.strategies, f"{s.name} has no strategies"
        for a in s.strategies:
            # strategies are taken from the plan (allowing for the corrected typos)
            probe = re.sub(r"[^a-z ]", "", a.text.lower())[:25]
            assert probe in re.sub(r"[^a-z ]", "", PLAN_TEXT.lower()) or a.id in {
                "crrb_early_intervention",
                "ccsp_duty_to_collaborate",
            }


def test_wards_match_ons_codes(plan) -> None:
    with (SHARED / "data" / "wards" / "coventry_wards_18.csv").open(encoding="utf-8") as f:
        ons = {r["WD18CD"]: r["WD18NM"] for r in csv.DictReader(f)}
    assert {w.code: w.name for w in plan.wards} == ons
    for w in plan.wards:
        assert w.population is None or w.population_source, f"{w.name}: a population needs a source"


def test_baselines_are_the_plans_figures(plan) -> None:
    b = {i.id: i.baseline for i in plan.indicators}
    assert (b["total_recorded_crime"].value, b["total_recorded_crime"].change_pct) == (38508, -10.1)
    assert b["asb_incidents"].value is None and b["asb_incidents"].change_pct == 22.6
    assert b["unsafe_at_night"].value == 63.2
    assert b["victim_or_knew_victim"].value == 43.8
    assert b["crime_not_reported"].value == 27.5
    assert b["city_centre_crime"].value == 8209
    for i in plan.indicators:
        assert i.baseline.source, f"{i.id}: a baseline needs its source, or says none is quoted"


def test_every_indicator_is_consistent(plan) -> None:
    owners = {s.id for s in plan.subgroups}
    for i in plan.indicators:
        assert i.owner in owners
        assert i.polarity in ("higher", "lower")
        assert i.objective_id in {o.id for o in plan.theme(i.theme_id).objectives}
    for t in plan.themes:
        for m in t.measures:
            assert m.indicators, f"{m.text} has no indicator"


# --- broken plans ---------------------------------------------------------------------------


def _broken(tmp_path: Path, change) -> Path:
    raw = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    change(raw)
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def _first_indicator(raw: dict) -> dict:
    return raw["themes"][0]["measures"][0]["indicators"][0]


def _set(d: dict, key: str, value) -> None:
    d[key] = value


BROKEN = [
    ("missing themes", lambda r: r.pop("themes"), ["themes: missing"]),
    (
        "missing indicator name",
        lambda r: _first_indicator(r).pop("name"),
        ["themes[0].measures[0].indicators[0].name: missing"],
    ),
    (
        "unknown owner",
        lambda r: _set(_first_indicator(r), "owner", "police_hq"),
        ["themes[0].measures[0].indicators[0].owner: unknown owner 'police_hq'", "use the id of a subgroup"],
    ),
    (
        "duplicate indicator id",
        lambda r: _set(r["themes"][0]["measures"][0]["indicators"][1], "id", "serious_violence_offences"),
        [
            "themes[0].measures[0].indicators[1].id: duplicate indicator id 'serious_violence_offences'",
            "ids must be unique",
        ],
    ),
    (
        "bad polarity",
        lambda r: _set(_first_indicator(r), "polarity", "up"),
        ["themes[0].measures[0].indicators[0].polarity: 'up' is not allowed; use one of: higher, lower"],
    ),
    (
        "unknown ward",
        lambda r: _set(_first_indicator(r), "ward", "E05009999"),
        ["themes[0].measures[0].indicators[0].ward: unknown ward 'E05009999'"],
    ),
    (
        "bad ward code",
        lambda r: _set(r["wards"][0], "code", "Bablake"),
        ["wards[0].code: 'Bablake' is not an ONS ward code"],
    ),
    (
        "population without source",
        lambda r: (_set(r["wards"][0], "population", 1000), _set(r["wards"][0], "population_source", None)),
        ["wards[0].population_source: a population needs its source"],
    ),
    (
        "unknown objective of a subgroup",
        lambda r: r["subgroups"][0]["objectives"].append("world_peace"),
        ["subgroups[0].objectives: unknown objective 'world_peace'"],
    ),
    (
        "bad quarter",
        lambda r: _set(r["partnership"], "plan_start", "2025 Q5"),
        ["partnership.plan_start: Quarter '2025 Q5' is not in a form we read"],
    ),
    (
        "fixed target without value",
        lambda r: _set(_first_indicator(r), "target", {"rule": "fixed"}),
        ["themes[0].measures[0].indicators[0].target.value: missing; it must be a number"],
    ),
    (
        "text tolerance",
        lambda r: _set(_first_indicator(r), "tolerance", {"value": "five", "kind": "percent"}),
        ["themes[0].measures[0].indicators[0].tolerance.value: 'five' is not a number"],
    ),
    (
        "spc run length not a whole number",
        lambda r: _set(r["settings"]["spc"], "run_length", 6.5),
        ["settings.spc.run_length: 6.5 must be a whole number of at least 0"],
    ),
    (
        "spc trend of one point",
        lambda r: _set(r["settings"]["spc"], "trend_length", 1),
        ["settings.spc.trend_length: 1 is not a trend"],
    ),
    (
        "spc flag not true or false",
        lambda r: _set(r["settings"]["spc"], "screen_moving_ranges", "yes"),
        ["settings.spc.screen_moving_ranges: 'yes' must be true or false"],
    ),
    (
        "spc unknown setting",
        lambda r: _set(r["settings"]["spc"], "runs", 8),
        ["settings.spc.runs: unknown setting; expected one of"],
    ),
    (
        "spc bad rebase quarter",
        lambda r: _set(r["settings"]["spc"], "rebase_at", ["2025 Q9"]),
        ["settings.spc.rebase_at[0]: Quarter '2025 Q9' is not in a form we read"],
    ),
]


@pytest.mark.parametrize(("case", "change", "expected"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_plan_names_the_key(tmp_path: Path, case: str, change, expected: list[str]) -> None:
    path = _broken(tmp_path, change)
    with pytest.raises(PlanError) as err:
        load_plan(path)
    message = str(err.value)
    assert str(path) in message
    for part in expected:
        assert part in message, f"{case}: {part!r} not in:\n{message}"


def test_unreadable_yaml_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text("themes: [unclosed\n", encoding="utf-8")
    with pytest.raises(PlanError, match="not valid YAML"):
        load_plan(path)


def test_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="cannot be read"):
        load_plan(tmp_path / "nowhere.yaml")


def test_another_partnership_needs_no_code_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CSP_CONFIG chooses the plan: a renamed partnership with one theme loads as it is."""

    def rename(raw: dict) -> None:
        raw["partnership"].update(id="wcsp", name="Warwick Community Safety Partnership", short_name="WCSP")
        raw["themes"] = raw["themes"][:1]
        raw.pop("surveys", None)  # its measures supply indicators of the themes dropped here
        keep = {o["id"] for o in raw["themes"][0]["objectives"]}
        for s in raw["subgroups"]:
            s["objectives"] = [o for o in s["objectives"] if o in keep]
        frame = raw["consultation"]["coding_frame"]  # the codes under the one theme kept
        raw["consultation"]["coding_frame"] = [c for c in frame if c["theme"] == raw["themes"][0]["id"]]

    path = _broken(tmp_path, rename)
    monkeypatch.setenv("CSP_CONFIG", str(path))
    other = load_plan()
    assert other.partnership.name == "Warwick Community Safety Partnership"
    assert len(other.themes) == 1
