"""A starter plan file for any partnership, written from the reference geography alone.

The plan holds the partnership, its wards with ONS codes and Census 2021 populations, a note of
the police force(s) whose police.uk files cover it, and one theme of police.uk indicators (all
crime, anti-social behaviour and nine crime types), each monthly with SPC charts, owned by one
"Partnership board" until the partnership adds its subgroups. Its comments say what to edit
next. It is text (YAML with comments), not a plan model, so that a person can read and change
it; ``python -m metrics check-config`` accepts it as written.
"""

from __future__ import annotations

import json
import re
import textwrap
from dataclasses import dataclass
from datetime import date

from metrics.areas.reference import CREDIT, POPULATION_SOURCE, Partnership, Reference

PLAN_YEARS = 3  # a community safety plan usually runs three financial years
DEMO_YEARS = 3  # demo data spans this many years back, enough points for SPC limits (12+ months)
BOARD_ID = "partnership_board"
THEME_ID = "crime_asb"
OBJECTIVE_ID = "less_crime"
MEASURE_ID = "police_recorded"
TOLERANCE_PCT = 5  # how far from target still counts as amber, until the partnership sets its own
BOUNDARIES_URL = "https://geoportal.statistics.gov.uk/ (search: Wards May 2024 Boundaries UK BSC)"


@dataclass(frozen=True)
class StarterIndicator:
    """An indicator of the starter plan: police.uk records of some crime types."""

    id: str
    name: str
    crime_types: tuple[str, ...] | None  # None: every crime type but anti-social behaviour


STARTER_INDICATORS = (
    StarterIndicator("all_crime", "All crime", None),
    StarterIndicator("asb", "Anti-social behaviour", ("Anti-social behaviour",)),
    StarterIndicator("violence_sexual", "Violence and sexual offences", ("Violence and sexual offences",)),
    StarterIndicator("burglary", "Burglary", ("Burglary",)),
    StarterIndicator("robbery", "Robbery", ("Robbery",)),
    StarterIndicator("vehicle_crime", "Vehicle crime", ("Vehicle crime",)),
    StarterIndicator("drugs", "Drugs", ("Drugs",)),
    StarterIndicator("weapons", "Possession of weapons", ("Possession of weapons",)),
    StarterIndicator("damage_arson", "Criminal damage and arson", ("Criminal damage and arson",)),
    StarterIndicator("shoplifting", "Shoplifting", ("Shoplifting",)),
    StarterIndicator("public_order", "Public order", ("Public order",)),
)


NEXT_STEPS = (
    "partnership: the plan's own title and span (plan_start, plan_end).",
    "subgroups: replace the one 'Partnership board' with your boards and subgroups, and give each "
    "indicator below its owner.",
    "themes: your plan's themes, priorities (objectives) and success measures; keep the police.uk "
    "indicators you use and add your own (figures from subgroups' returns).",
    "each indicator's baseline (a figure and its source) and target (rule: fixed or "
    "same_period_last_year): until then the board pages show trends and SPC charts, not RAG ratings.",
    f"settings.ward_boundaries: a ward boundary GeoJSON for the map ({BOUNDARIES_URL}).",
)
BOARD_STRATEGY = "Review the police.uk crime picture each quarter and agree where to act first."
BASELINE_NOTE = "Not set yet: take it from the first year of imported police.uk data"
COMMENT_WIDTH = 96  # the project's line length, less a margin


def _comment(text: str, indent: str = "", hang: str = "") -> list[str]:
    """Text as YAML comment lines, wrapped."""
    lines = textwrap.wrap(text, COMMENT_WIDTH - len(indent) - 2, subsequent_indent=hang, break_on_hyphens=False)
    return [f"#{' ' if line else ''}{indent}{line}".rstrip() for line in lines]


def _q(text: str) -> str:
    """A YAML scalar for any text (a JSON string is a YAML double-quoted string)."""
    return json.dumps(str(text), ensure_ascii=False)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.casefold()).strip("_") or "partnership"


def _quarter(fy: int, n: int) -> str:
    return f"{fy}/{(fy + 1) % 100:02d} Q{n}"


def _financial_quarter(day: date) -> tuple[int, int]:
    """(financial year's first calendar year, quarter 1-4) of a day: April-June is Q1."""
    fy = day.year if day.month >= 4 else day.year - 1
    return fy, (day.month - 4) % 12 // 3 + 1


def _full_name(name: str) -> str:
    return name if name.casefold().endswith("partnership") else f"{name} Community Safety Partnership"


def plan_text(reference: Reference, partnership: Partnership, today: date) -> str:
    """The starter plan file for ``partnership`` as YAML text. ``today`` sets the plan's span
    (this financial year and the next two) and the demo quarters (three years to the last
    complete quarter)."""
    wards = reference.wards(partnership)
    coverage = reference.coverage(partnership)
    fy, quarter = _financial_quarter(today)
    last_fy, last_q = (fy, quarter - 1) if quarter > 1 else (fy - 1, 4)
    slug = _slug(partnership.name)
    full = _full_name(partnership.name)
    population = int(wards["usual_residents"].fillna(0).sum())
    forces = ", ".join(f"{f.police_uk_name} (police.uk force id {f.police_uk_id})" for f in partnership.forces)
    force_names = " and ".join(f.police_uk_name for f in partnership.forces)
    authorities = ", ".join(f"{a.name} ({a.code})" for a in partnership.authorities)

    out = _comment(
        f"Starter plan for {full} ({partnership.code}), written by `python -m metrics new-partnership` "
        "from public data alone. Check it with `python -m metrics check-config FILE`, start the dashboard "
        "on it with `CSP_CONFIG=FILE make run`, then import police.uk data with `python -m metrics "
        "import-police the.zip` (the zip as downloaded from data.police.uk)."
    )
    out += ["#"] + _comment(f"Local authorities: {authorities}.")
    out += _comment(
        f"Police: {forces}. police.uk records are matched to the wards below through the reference "
        "LSOA lookup, for 2011 and 2021 LSOA codes alike."
    )
    out += _comment(f"Areas and populations: {CREDIT}.")
    out += ["#", "# What to edit next:"]
    for n, step in enumerate(NEXT_STEPS, start=1):
        out += _comment(f"{n}. {step}", indent="  ", hang="   ")
    out += [
        "",
        "partnership:",
        f"  id: {slug}",
        f"  name: {_q(full)}",
        f"  short_name: {_q(partnership.name + ' CSP')}",
        f"  plan_title: {_q(f'{full} plan {fy}-{fy + PLAN_YEARS}')}",
        f"  plan_start: {_quarter(fy, 1)}",
        f"  plan_end: {_quarter(fy + PLAN_YEARS - 1, 4)}",
        "  area:",
        f"    name: {_q(partnership.name)}",
        "    kind: area                # what residents call the whole area: city, county, borough ...",
        f"    population: {population}",
        f"    population_source: {_q(f'{POPULATION_SOURCE}: the sum of the wards below')}",
        "    local_areas: {singular: ward, plural: wards}",
        "",
        "settings:",
        "  # The DuckDB file, relative to this file's folder. CSP_DB overrides it.",
        f"  database: data/{slug}.duckdb",
        "  # A Strategic Assessment CSV loaded by `python -m metrics init`, relative to this file.",
        "  strategic_assessment_file: null",
        "  # The map is a plain grid of tiles, one per ward, until a boundary file is set here: a ward",
        "  # boundary GeoJSON (WGS84, a property like WD24CD holding the ward code), relative to this",
        "  # file, for example ONS's super-generalised ward boundaries from",
        f"  # {BOUNDARIES_URL}.",
        "  # Or give each ward a `tile: {col: C, row: R}` to lay the tiles out as the wards lie.",
        "  ward_boundaries: null",
        "  steady_band_pct: 1.0",
        "  # Statistical process control on every indicator (NHS Making Data Count XmR charts).",
        "  spc: {min_points: 6, provisional_below: 12, beyond_limits: true, trend_length: 7, two_in_three: true,",
        "        run_length: 7, screen_moving_ranges: true}",
        "  # Demo data fills the dashboard, marked as demo, until real data is imported.",
        "  demo:",
        "    seed: 1",
        f"    first_quarter: {_quarter(last_fy - DEMO_YEARS + 1, 1)}",
        f"    last_quarter: {_quarter(last_fy, last_q)}",
        "",
    ]
    out += _comment(
        f"The {len(wards)} electoral wards (ONS codes, May 2024) whose Census 2021 residents best fit this "
        "partnership. Populations are Census 2021 usual residents (table TS038), the sum of each ward's "
        "LSOAs (2021) in ONS's best-fit LSOA to ward lookup: official counts, not estimates."
    )
    if partnership.shared:
        shared = " and ".join(a.name for a in partnership.shared)
        note = (
            f"{shared} is split between partnerships, and ONS publishes no ward to partnership lookup: "
            "each ward was placed in the partnership of the former district (named in ONS's 2011 LSOA names) "
            "holding most of its residents. Check the list against your own records."
        )
        if coverage.straddling:
            note += f" {coverage.straddling} ward(s) marked 'straddles' also hold residents of another former district."
        if coverage.undecided:
            note += (
                f" {coverage.undecided} ward(s) marked 'undecided' could not be placed from the data and are listed "
                "for every partnership they might belong to: delete those that are not yours."
            )
        out += _comment(note)
    out += [f"x-population-source: &census {_q(POPULATION_SOURCE)}", "wards:"]
    for w in wards.itertuples():
        note = "  # undecided" if w.undecided else ("  # straddles a former district boundary" if w.straddling else "")
        pop = (
            f"population: {int(w.usual_residents)}, population_source: *census"
            if w.usual_residents == w.usual_residents
            else ""
        )
        fields = ", ".join(x for x in (f"code: {w.ward24_code}", f"name: {_q(w.ward24_name)}", pop) if x)
        out.append(f"  - {{{fields}}}{note}")

    out += [
        "",
        "# One owner until the partnership adds its subgroups: give each its id, name, the objectives it",
        "# owns and the strategies it reports progress on each quarter.",
        "subgroups:",
        f"  - id: {BOARD_ID}",
        "    name: Partnership board",
        "    short_name: Board",
        f"    objectives: [{OBJECTIVE_ID}]",
        "    strategies:",
        f"      - {{id: board_review, text: {_q(BOARD_STRATEGY)}}}",
        "",
        "# A starter theme of police.uk street-level crime, counted monthly by ward. Replace or add",
        "# themes, objectives and measures from the partnership's plan.",
        "themes:",
        f"  - id: {THEME_ID}",
        "    name: Crime and anti-social behaviour",
        "    short_name: Crime and ASB",
        '    icon: ":material/local_police:"',
        "    objectives:",
        f"      - id: {OBJECTIVE_ID}",
        f"        text: {_q(f'Less crime and anti-social behaviour in {partnership.name}')}",
        "        how_we_plan: []",
        "    measures:",
        f"      - id: {MEASURE_ID}",
        "        text: Crime and anti-social behaviour recorded by the police (police.uk)",
        "        indicators:",
    ]
    source = f"police.uk street-level crime ({force_names})"
    for ind in STARTER_INDICATORS:
        types = "all_crime" if ind.crime_types is None else "[" + ", ".join(ind.crime_types) + "]"
        out += [
            f"          - id: {ind.id}",
            f"            name: {_q(ind.name)}",
            f"            objective: {OBJECTIVE_ID}",
            "            unit: count",
            "            polarity: lower",
            f"            owner: {BOARD_ID}",
            "            frequency: monthly",
            "            aggregation: sum",
            f"            source: {_q(source)}",
            "            ward_detail: true",
            f"            police_uk: {{crime_types: {types}}}",
            f"            baseline: {{value: null, source: {_q(BASELINE_NOTE)}}}",
            "            target: {rule: none}",
            f"            tolerance: {{value: {TOLERANCE_PCT}, kind: percent}}",
        ]
    return "\n".join(out) + "\n"
