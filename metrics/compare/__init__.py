"""How we compare: funnel plots of ratios, rates and proportions (Spiegelhalter 2005).

This package owns the comparison statistics and their figure; it reads no store and draws
no page. Its public surface:

- ``funnel`` (observed / expected), ``rate_funnel`` (rates per 1,000 against population) and
  ``proportion_funnel`` (proportions against their effective base), each returning a frozen
  result with every unit's limits and ``Judgement``;
- ``metrics.compare.figure``: ``rate_funnel_figure`` and ``proportion_funnel_figure``, the
  plotly figures, and ``describe``, a rate funnel in words: a module of its own, so the
  statistics load without plotly;
- ``area_comparison``: a partnership's areas in a rate funnel, as the one table the area
  explorer, its downloads and the command line share (``AreaComparison``, ``method_note``,
  ``RANKING_NOTE``);
- ``peer_comparison``: the partnership beside the other partnerships (``PeerUnit``,
  ``PeerComparison``, ``peer_sentence``): the funnel of partnerships and the monthly trend
  against the peers' mean and interquartile range;
- ``survey_area_comparison``: a survey measure's areas in a proportion funnel, suppressed areas
  left out and named (``SurveyAreaComparison``);
- ``CompareError``: input a funnel cannot be drawn from.

The method and every choice are in ``docs/compare.md``.
"""

from __future__ import annotations

from metrics.compare.areas import RANKING_NOTE, AreaComparison, area_comparison, method_note
from metrics.compare.funnel import (
    CompareError,
    Dispersion,
    Judgement,
    Limits,
    ProportionFunnel,
    RateFunnel,
    RatioFunnel,
    funnel,
    proportion_funnel,
    rate_funnel,
)
from metrics.compare.peers import PeerComparison, PeerUnit, peer_comparison, peer_sentence
from metrics.compare.survey_areas import SurveyAreaComparison, survey_area_comparison

__all__ = [
    "SurveyAreaComparison",
    "survey_area_comparison",
    "RANKING_NOTE",
    "AreaComparison",
    "area_comparison",
    "method_note",
    "CompareError",
    "Dispersion",
    "Judgement",
    "Limits",
    "ProportionFunnel",
    "RateFunnel",
    "RatioFunnel",
    "funnel",
    "proportion_funnel",
    "rate_funnel",
    "PeerComparison",
    "PeerUnit",
    "peer_comparison",
    "peer_sentence",
]
