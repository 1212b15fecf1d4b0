"""The plan file declares surveys: the Coventry plan's resident survey, and check-config's
problems for a broken declaration, all at once with their key paths."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from metrics.plan.model import PlanError, build_plan, load_plan, summary_lines
from metrics.survey import AreaKind, Polarity
from tests.conftest import ROOT

RAW = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))


def test_coventry_declares_its_resident_survey_supplying_four_indicators() -> None:
    plan = load_plan(ROOT / "config.yaml")
    survey = plan.survey("resident_survey")
    assert survey.area is not None and survey.area.kind == AreaKind.NAME
    links = {m.indicator: m.id for m in survey.measures}
    assert links == {
        "unsafe_at_night": "unsafe_at_night",
        "victim_or_knew_victim": "victim_or_knew_victim",
        "crime_not_reported": "crime_not_reported",
        "nothing_would_happen": "nothing_would_happen",
    }
    baselines = {i: plan.indicator(i).baseline.value for i in links}
    assert baselines == {
        "unsafe_at_night": 63.2,
        "victim_or_knew_victim": 43.8,
        "crime_not_reported": 27.5,
        "nothing_would_happen": 58.9,
    }
    found = plan.survey_measure("unsafe_at_night")
    assert found is not None and found[1].counts == ("Disagree", "Strongly disagree")
    assert found[1].polarity == Polarity.LOWER
    assert plan.survey_measure("asb_successful_outcomes") is None
    assert plan.settings.survey_min_base == 50 and plan.settings.survey_weight_cap == 5.0
    assert summary_lines(plan)[-1] == ("survey resident_survey: 4 measures (4 supplying indicators), weighted by area")


def test_a_broken_survey_declaration_lists_every_problem_with_its_key_path() -> None:
    raw = copy.deepcopy(RAW)
    survey = raw["surveys"][0]
    survey["measures"][0]["other"].append("disagree")
    survey["measures"][1]["indicator"] = "no_such"
    survey["measures"][2]["indicator"] = "unsafe_at_night"
    survey["measures"][3]["countz"] = ["x"]
    survey["demographics"][0]["population"] = {"16-24": 10}
    survey["area"]["lookup"] = "x.csv"
    with pytest.raises(PlanError) as caught:
        build_plan(Path("config.yaml"), raw)
    assert caught.value.problems == [
        "surveys[0].measures[3].countz: unknown key; did you mean 'counts'? (the keys allowed here: counts, id, "
        "indicator, leaves_base, name, other, polarity, question)",
        "surveys[0].area.lookup: only an lsoa or postcode column uses a lookup; remove it",
        "surveys[0].demographics[0].population: give a population for every category and only those (missing "
        "['25-34', '35-44', '45-54', '55-64', '65+'], not a category [])",
        "surveys[0].demographics[0].population_source: a population needs its source (for example 'Census 2021')",
        "surveys[0].measures[0].other: 'disagree' is already declared under counts; declare each answer once",
        "surveys[0].measures[1].indicator: unknown indicator 'no_such'; use an indicator id",
        "surveys[0].measures[2].indicator: 'unsafe_at_night' is already supplied by surveys[0].measures[0]",
    ]


def test_a_plan_without_surveys_has_none() -> None:
    raw = copy.deepcopy(RAW)
    del raw["surveys"]
    assert build_plan(ROOT / "config.yaml", raw).surveys == ()
