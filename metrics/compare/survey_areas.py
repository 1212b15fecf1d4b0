"""A survey measure's areas compared on the same footing as the area explorer's crime rates:
a proportion funnel (arcsine scale, limits at each area's effective base), each area judged
"higher than expected", "lower than expected" or "within expected range" against 99.8% limits.

Areas whose base is below the plan's minimum have no figure (suppressed): they are left out of
the funnel, and the result names them so the page says so. The centre is the funnel's own
base-weighted mean of the areas compared, not the whole-area weighted estimate, so that every
area is judged against the same population of areas the limits describe.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from metrics.compare.funnel import Judgement, ProportionFunnel, proportion_funnel
from metrics.survey.estimates import Estimate

MIN_AREAS = 2  # a funnel needs at least two areas to compare


@dataclass(frozen=True)
class SurveyAreaComparison:
    """The areas of one measure in one wave: the funnel (None with fewer than two areas with a
    figure), each compared area's judgement, and the areas left out for too few responses."""

    funnel: ProportionFunnel | None
    judgements: dict[str, Judgement]  # area (the estimate's group) -> judgement
    left_out: tuple[str, ...]  # areas with too few responses, in the order given

    def judgement(self, area: str) -> str:
        """The area's judgement in words, or why it has none."""
        if area in self.left_out:
            return "left out: too few responses"
        found = self.judgements.get(area)
        return str(found) if found is not None else "not compared: too few areas with a figure"


def survey_area_comparison(areas: Sequence[Estimate], *, overdispersion: bool = False) -> SurveyAreaComparison:
    """Compare the areas' estimates of one measure (``group_kind`` "area") in a proportion
    funnel on their effective bases; suppressed areas are left out and named."""
    shown = [a for a in areas if not a.suppressed and a.estimate is not None and a.effective_base > 0]
    left_out = tuple(a.group for a in areas if a not in shown)
    if len(shown) < MIN_AREAS:
        return SurveyAreaComparison(None, {}, left_out)
    found = proportion_funnel(
        [a.estimate / 100 for a in shown],  # type: ignore[operator]  # None filtered above
        [float(a.unweighted_base) for a in shown],
        # Kish's effective base never exceeds the base; rounding in the store may put it a hair over
        effective_bases=[min(a.effective_base, float(a.unweighted_base)) for a in shown],
        overdispersion=overdispersion,
        labels=[a.group for a in shown],
    )
    return SurveyAreaComparison(found, {u.label: u.judgement for u in found.units}, left_out)
