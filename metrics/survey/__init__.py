"""Residents' surveys: declared measures, waves read from respondent files, weights, estimates.

This package owns everything between a wave's respondent file and its published figures. It is
pure (no Streamlit, no SQL): the store keeps respondents and the pages show estimates elsewhere.

- ``declaration``: what the plan declares (:class:`Survey`, :class:`Measure`,
  :class:`Demographic`, :class:`AreaColumn`)
- ``reading``: :func:`read_survey` (CSV, XLSX, SPSS .sav), every :class:`Problem` located
- ``weighting``: :func:`rake` to the declared margins (weightipy), trimming, design effect
- ``estimates``: :func:`survey_estimates` (Wilson on the effective base), suppression,
  :func:`compare_waves`, :func:`judge_target`, :func:`format_estimate`
- ``demo``: :func:`demo_wave`, an invented wave flagged demo

docs/survey.md describes the method and each choice.
"""

from __future__ import annotations

from metrics.survey.declaration import (
    AreaColumn,
    AreaKind,
    AreaRef,
    Demographic,
    Measure,
    Polarity,
    Survey,
    survey_from_dict,
)
from metrics.survey.demo import DEMO_NOTE, DemoPopulation, DemoWave, demo_wave
from metrics.survey.estimates import (
    COLUMNS,
    MIN_BASE,
    TOO_FEW,
    Change,
    Estimate,
    TargetVerdict,
    compare_waves,
    difference_interval,
    estimates_frame,
    format_estimate,
    judge_target,
    survey_estimates,
    wilson_interval,
)
from metrics.survey.reading import Problem, SurveyReading, check_table, frame_table, read_lookup, read_survey
from metrics.survey.weighting import (
    WEIGHT_CAP,
    Weighted,
    WeightingReport,
    design_effect,
    kish_effective_base,
    rake,
)

__all__ = [
    "COLUMNS",
    "DEMO_NOTE",
    "MIN_BASE",
    "TOO_FEW",
    "WEIGHT_CAP",
    "AreaColumn",
    "AreaKind",
    "AreaRef",
    "Change",
    "Demographic",
    "DemoPopulation",
    "DemoWave",
    "Estimate",
    "Measure",
    "Polarity",
    "Problem",
    "Survey",
    "SurveyReading",
    "TargetVerdict",
    "Weighted",
    "WeightingReport",
    "check_table",
    "compare_waves",
    "demo_wave",
    "design_effect",
    "difference_interval",
    "estimates_frame",
    "format_estimate",
    "frame_table",
    "judge_target",
    "kish_effective_base",
    "rake",
    "read_lookup",
    "read_survey",
    "survey_estimates",
    "survey_from_dict",
    "wilson_interval",
]
