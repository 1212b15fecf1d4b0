"""Do the survey intervals cover the truth, and does weighting remove the response bias?

    python bench/survey_coverage.py [--size smoke|standard|full] [--respondents 700]

Builds a model population with known true shares (metrics.survey.DemoPopulation: eight areas,
three age bands, two sexes; the oldest band answers three times as often as the youngest, and
the measures differ by age), then draws repeated waves from it. Each wave goes through the same
path as a real file: reading and checking, raking to the area, age and sex margins (weightipy),
and Wilson intervals on the effective base. It prints:

- coverage: how often the 95% intervals contain the true share (expected 93-97%);
- bias ratio: how much of the unweighted estimates' mean bias the weighting removes;
- the mean design effect and effective base.

Sizes: smoke (10 waves, for the test), standard (200 waves), full (1000 waves).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from metrics.survey import (  # noqa: E402
    AreaRef,
    DemoPopulation,
    check_table,
    frame_table,
    rake,
    survey_estimates,
    survey_from_dict,
)

SIZES = {"smoke": 10, "standard": 200, "full": 1000}  # waves drawn
EXPECTED = (93.0, 97.0)  # percent of 95% intervals expected to cover the truth
AGREE = ["Strongly agree", "Agree", "Neither agree nor disagree"]
SURVEY = survey_from_dict(
    {
        "id": "bench",
        "title": "Benchmark resident survey",
        "area": {"column": "Area", "kind": "name"},
        "demographics": [
            {
                "id": "age",
                "column": "Age",
                "categories": ["16-34", "35-54", "55+"],
                "population": {"16-34": 36, "35-54": 33, "55+": 31},
            },
            {"id": "sex", "column": "Sex", "categories": ["Female", "Male"], "population": {"Female": 51, "Male": 49}},
        ],
        "measures": [
            {
                "id": "unsafe",
                "question": "Safe at night",
                "counts": ["Disagree", "Strongly disagree"],
                "other": AGREE,
                "leaves_base": ["Don't know"],
            },
            {"id": "victim", "question": "Victim", "counts": ["Yes"], "other": ["No"]},
            {"id": "not_reported", "question": "Reported", "counts": ["No"], "other": ["Yes"]},
            {"id": "rare", "question": "Rare", "counts": ["Yes"], "other": ["No"]},
        ],
    }
)
BASELINES = {"unsafe": 63.2, "victim": 43.8, "not_reported": 27.5, "rare": 4.0}
AREAS = [AreaRef(f"A{i:02d}", f"Area {i}", 15000 + 2500 * i) for i in range(8)]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its coverage and bias lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="standard")
    parser.add_argument("--respondents", type=int, default=700)
    args = parser.parse_args(argv)
    waves = SIZES[args.size]
    started = time.perf_counter()
    population = DemoPopulation(SURVEY, BASELINES, AREAS, seed=1)
    covered = total = 0
    bias_unweighted: dict[str, list[float]] = {m.id: [] for m in SURVEY.measures}
    bias_weighted: dict[str, list[float]] = {m.id: [] for m in SURVEY.measures}
    deffs, bases = [], []
    for wave in range(waves):
        drawn = population.draw(args.respondents, seed=1000 + wave)
        reading = check_table(frame_table(drawn.frame, f"wave{wave}.csv"), SURVEY, AREAS)
        if not reading.ok:
            print(f"wave {wave}: {reading.problems[0]}", file=sys.stderr)
            return 1
        weighted = rake(reading.respondents, SURVEY, AREAS)
        deffs.append(weighted.report.design_effect)
        bases.append(weighted.report.effective_base)
        for estimate in survey_estimates(reading.respondents, weighted.weights, SURVEY, AREAS, min_base=1):
            if estimate.group_kind != "all" or estimate.estimate is None:
                continue
            truth = drawn.truth[estimate.measure]
            total += 1
            covered += estimate.lower <= truth <= estimate.upper
            measure = SURVEY.measure(estimate.measure)
            answers = reading.respondents[measure.id]
            in_base = answers.isin(measure.counts + measure.other).sum()
            unweighted = 100 * answers.isin(measure.counts).sum() / in_base
            bias_unweighted[measure.id].append(unweighted - truth)
            bias_weighted[measure.id].append(estimate.estimate - truth)
    coverage = 100 * covered / total
    verdict = "within" if EXPECTED[0] <= coverage <= EXPECTED[1] else "OUTSIDE"
    seconds = time.perf_counter() - started
    print(f"waves: {waves} of {args.respondents} respondents, {len(SURVEY.measures)} measures, {seconds:.1f} s")
    low, high = EXPECTED
    print(
        f"coverage: {coverage:.1f}% of {total} 95% intervals cover the truth ({verdict} the expected {low:g}-{high:g}%)"
    )
    for measure in SURVEY.measures:
        raw = statistics.fmean(bias_unweighted[measure.id])
        adjusted = statistics.fmean(bias_weighted[measure.id])
        removed = 100 * (1 - abs(adjusted) / abs(raw)) if raw else float("nan")
        print(
            f"bias ratio {measure.id}: weighting removed {removed:.0f}% of the unweighted bias "
            f"(mean unweighted {raw:+.2f} points, weighted {adjusted:+.2f} points, truth {BASELINES[measure.id]:g}%)"
        )
    raw_all = sum(abs(statistics.fmean(b)) for b in bias_unweighted.values())
    adjusted_all = sum(abs(statistics.fmean(b)) for b in bias_weighted.values())
    removed_all = 100 * (1 - adjusted_all / raw_all)
    print(f"bias ratio: weighting removed {removed_all:.0f}% of the unweighted bias over all measures")
    print(f"design effect: mean {statistics.fmean(deffs):.2f}; effective base: mean {statistics.fmean(bases):.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
