"""The plan file's declared schema: pydantic models of what config.yaml may hold.

These models are the single statement of the file's shape. They validate what is read (unknown
keys are refused with a "did you mean", every problem is collected with its key path), and they
publish the same shape as JSON Schema (``python -m metrics plan-schema``), which editors use to
check and complete the file through the ``yaml-language-server`` line at its top.

They are input only: metrics/plan/model.py turns a valid file into the frozen dataclasses the rest of
the code uses, and adds the checks that need the whole file (owners, codes, unique ids).
"""

from __future__ import annotations

import difflib
import json
import re
from datetime import date
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict, ValidationInfo, WithJsonSchema
from pydantic_core import PydanticCustomError

from metrics.plan.periods import PERIOD_PATTERN, Period
from metrics.quarters import PeriodError, Quarter

SCHEMA_URL = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_TITLE = "Community Safety Partnership plan"
EXTENSION_PREFIX = "x-"  # top-level keys starting so are the author's own (YAML anchors, notes)
SUGGESTION_CUTOFF = 0.6  # difflib similarity above which an unknown key is probably a typo of a known one
ID_PATTERN = r"^[a-z][a-z0-9_]*$"
AREA_CODE_PATTERN = r"^[EWSN]\d{8}$"  # ONS GSS codes: wards E05..., districts E07..., etc.
QUARTER_PATTERN = r"^\s*(\d{4}\s*[/-]\s*\d{2,4}\s+Q\d|Q\d\s+\d{4}\s*[/-]\s*\d{2,4})\s*$"
ALL_CRIME = "all_crime"
# police.uk street-level crime categories (data.police.uk/docs/method/crime-categories/).
POLICE_UK_CRIME_TYPES = (
    "Anti-social behaviour",
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other crime",
    "Other theft",
    "Possession of weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
)
POLICE_UK_ASB = "Anti-social behaviour"


def _error(kind: str, message: str, **context: Any) -> PydanticCustomError:
    return PydanticCustomError(kind, message, context)


# --- value types: each says, in the plan's terms, what is wrong ------------------------------


def _text(value: Any) -> str:
    # YAML reads `name: 2024` as a number; a name is still text, so numbers are taken as written.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise _error("text", "missing; it must be given as text")
    return value.strip()


def _ident(value: Any) -> str:
    if not isinstance(value, str) or not re.match(ID_PATTERN, value):
        raise _error(
            "id", "{value} is not a usable id; use lower-case letters, digits and underscores", value=repr(value)
        )
    return value


def _area_code(value: Any, info: ValidationInfo) -> str:
    word = (info.context or {}).get("area_word", "area")
    if not isinstance(value, str) or not re.match(AREA_CODE_PATTERN, value.strip()):
        raise _error(
            "area_code", "{value} is not an ONS {word} code (like E05001218)", value=repr(value), word=str(word)
        )
    return value.strip()


PARTNERSHIP_CODE_PATTERN = r"^[EW]22\d{6}$"  # ONS Community Safety Partnership codes (E22..., W22...)


def _partnership_code(value: Any) -> str:
    if not isinstance(value, str) or not re.match(PARTNERSHIP_CODE_PATTERN, value.strip()):
        raise _error(
            "partnership_code",
            "{value} is not an ONS Community Safety Partnership code (like E22000336)",
            value=repr(value),
        )
    return value.strip()


def _quarter(value: Any) -> Quarter:
    if isinstance(value, Quarter):
        return value
    try:
        return Quarter.parse(str(value))
    except PeriodError as exc:
        raise _error("quarter", "{problem}", problem=str(exc)) from None


def _period(value: Any) -> Period:
    if isinstance(value, Period):
        return value
    try:
        return Period.parse(value)
    except PeriodError as exc:
        raise _error("period", "{problem}", problem=str(exc)) from None


def _whole(least: int, message: str = "{value} must be a whole number of at least {least}") -> Any:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise _error("whole_number", message, value="empty (null)" if value is None else repr(value), least=least)
        return value

    return Annotated[int, BeforeValidator(check), WithJsonSchema({"type": "integer", "minimum": least})]


def _crime_types(value: Any) -> tuple[str, ...]:
    if value == ALL_CRIME:
        return (ALL_CRIME,)
    if not isinstance(value, list) or not value:
        raise _error(
            "crime_types",
            "{value} is not usable; write {all_crime} (every police.uk crime type but anti-social behaviour) "
            "or a list of police.uk crime types",
            value=repr(value),
            all_crime=ALL_CRIME,
        )
    for item in value:
        if item not in POLICE_UK_CRIME_TYPES:
            raise _error(
                "crime_type",
                "{value} is not a police.uk crime type{hint}; use one of: {allowed}",
                value=repr(item),
                hint=did_you_mean(str(item), POLICE_UK_CRIME_TYPES),
                allowed=", ".join(POLICE_UK_CRIME_TYPES),
            )
    return tuple(value)


Text = Annotated[str, BeforeValidator(_text), WithJsonSchema({"type": "string", "minLength": 1})]
Id = Annotated[str, BeforeValidator(_ident), WithJsonSchema({"type": "string", "pattern": ID_PATTERN})]
PartnershipCode = Annotated[
    str,
    BeforeValidator(_partnership_code),
    WithJsonSchema({"type": "string", "pattern": PARTNERSHIP_CODE_PATTERN}),
]
AreaCode = Annotated[str, BeforeValidator(_area_code), WithJsonSchema({"type": "string", "pattern": AREA_CODE_PATTERN})]
QuarterValue = Annotated[
    Quarter,
    BeforeValidator(_quarter),
    WithJsonSchema({"type": "string", "pattern": QUARTER_PATTERN, "examples": ["2025/26 Q1"]}),
]
PeriodValue = Annotated[
    Period,
    BeforeValidator(_period),
    WithJsonSchema(
        {
            "type": ["string", "integer"],
            "pattern": PERIOD_PATTERN,
            "examples": ["2023/24", "2024", "2025/26 Q1", "2024-03", "2024-01-01..2024-12-31"],
        }
    ),
]
CrimeTypes = Annotated[
    tuple[str, ...],
    BeforeValidator(_crime_types),
    WithJsonSchema(
        {
            "anyOf": [
                {"const": ALL_CRIME},
                {"type": "array", "minItems": 1, "items": {"enum": list(POLICE_UK_CRIME_TYPES)}},
            ]
        }
    ),
]
WholeFrom0 = _whole(0)
WholeFrom1 = _whole(1)
WholeFrom2 = _whole(2)
WorkingDays = _whole(0, "{value} is not a whole number of days (0 or more)")
Number = Annotated[float, Strict()]  # 3 and 3.5, never "3" or true
Flag = Annotated[bool, Strict()]  # true or false, never "yes"
Day = Annotated[date, Strict(), WithJsonSchema({"type": "string", "format": "date"})]
Positive = Annotated[float, Strict(), Field(gt=0)]
NotNegative = Annotated[float, Strict(), Field(ge=0)]


class _Section(BaseModel):
    # Unknown keys are errors: a misspelt key silently ignored would leave its default in force.
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True, str_strip_whitespace=True)


# --- partnership ------------------------------------------------------------------------------


class AreaWords(_Section):
    """What the partnership calls its local areas (the entries under `wards`)."""

    singular: Text = Field("ward", description="e.g. ward, district, neighbourhood")
    plural: Text = Field("wards", description="e.g. wards, districts, neighbourhoods")


class Area(_Section):
    """The whole area the partnership serves."""

    name: Text = Field(description="the name of the whole area, as residents know it")
    kind: Text = Field("area", description="what the whole area is called: city, county, borough ...")
    population: WholeFrom0 | None = None
    population_source: Text | None = Field(None, description="where the population figure comes from")
    local_areas: AreaWords = Field(default_factory=AreaWords)


class PartnershipSection(_Section):
    """Who the partnership is and the plan's span."""

    id: Text
    name: Text
    short_name: Text
    plan_title: Text
    plan_start: QuarterValue
    plan_end: QuarterValue
    area: Area


# --- settings ---------------------------------------------------------------------------------


class SpcSection(_Section):
    """Statistical process control rules (NHS Making Data Count; see metrics/board/spc.py)."""

    min_points: WholeFrom2 = 6
    provisional_below: WholeFrom2 = 12
    beyond_limits: Flag = True
    trend_length: WholeFrom0 = 7
    two_in_three: Flag = True
    run_length: WholeFrom0 = 7
    screen_moving_ranges: Flag = True
    rebase_at: list[QuarterValue] = Field(default_factory=list)


class ReturnsSection(_Section):
    """Limits and thresholds for subgroups' quarterly returns."""

    max_file_mb: Positive = 5.0
    max_unzipped_mb: Positive = 50.0
    max_compression_ratio: Positive = 100.0
    max_rows: WholeFrom2 = 2000
    max_columns: WholeFrom2 = 40
    max_cell_chars: WholeFrom2 = 5000
    max_cells: WholeFrom2 = 40000
    messages_per_kind: WholeFrom1 = 10
    change_warning_pct: Positive = 50.0
    deadline_working_days: WorkingDays = 20
    bank_holidays: list[Day] = Field(default_factory=list)


class DemoSettings(_Section):
    """The demo data generator's seed and span."""

    seed: WholeFrom0 = 0
    first_quarter: QuarterValue
    last_quarter: QuarterValue


class SurveySettings(_Section):
    """How survey estimates are shown and weighted (docs/survey.md)."""

    min_base: WholeFrom1 = Field(50, description="responses below which no figure is shown, only 'too few responses'")
    weight_cap: Annotated[float, Strict(), Field(gt=1)] = Field(
        5.0, description="the largest weight, as a multiple of the mean weight (trimming)"
    )


class PeersSettings(_Section):
    """A declared group of partnerships to compare with ("How we compare"), in place of the other
    partnerships of the plan's force(s); their counts come from importing their forces' files."""

    name: Text = Field(description="what the group is called, for example 'Home Office most similar group (2024)'")
    partnerships: list[PartnershipCode] = Field(
        min_length=1, description="the group's ONS partnership codes (E22..., W22...), this partnership's left out"
    )


class SettingsSection(_Section):
    """Where data lives and how figures are judged."""

    database: Text = Field(description="the DuckDB file, relative to this file's folder (CSP_DB overrides it)")
    strategic_assessment_file: Text | None = None
    ward_boundaries: Text | None = Field(None, description="a boundary GeoJSON for the map, relative to this file")
    steady_band_pct: NotNegative = 1.0
    complete_quarter_share: Annotated[float, Strict(), Field(gt=0, le=1)] = Field(
        0.8,
        description="the share of indicators (0-1] with a figure that makes a quarter complete: the board "
        "pages open on the latest complete quarter; a partial one can still be chosen and is marked",
    )
    spc: SpcSection = Field(default_factory=SpcSection)
    returns: ReturnsSection = Field(default_factory=ReturnsSection)
    survey: SurveySettings = Field(default_factory=SurveySettings)
    peers: PeersSettings | None = None
    demo: DemoSettings


# --- areas and subgroups ----------------------------------------------------------------------


class Tile(_Section):
    """Where the area sits in the map's tile layout (used when no boundary file is set)."""

    col: WholeFrom0
    row: WholeFrom0


class WardEntry(_Section):
    """One local area (ward, district ...), by its ONS code."""

    code: AreaCode
    name: Text
    population: WholeFrom0 | None = None
    population_source: Text | None = None
    population_estimated: Flag = False
    tile: Tile | None = None


class Strategy(_Section):
    """A strategy a subgroup reports progress on each quarter."""

    id: Id
    text: Text


class SubgroupEntry(_Section):
    """A board or subgroup: the objectives it owns and its strategies."""

    id: Id
    name: Text
    short_name: Text | None = None
    objectives: list[Id] = Field(default_factory=list)
    strategies: list[Strategy] = Field(default_factory=list)


# --- themes -----------------------------------------------------------------------------------


class PlanItem(_Section):
    """An item of an objective's "How we plan to achieve this"."""

    id: Id
    owner: Id
    text: Text


class ObjectiveEntry(_Section):
    """A priority of a theme."""

    id: Id
    text: Text
    how_we_plan: list[PlanItem] = Field(default_factory=list)


class BaselineSection(_Section):
    """The figure the plan measures change from; value null where the source quotes none."""

    value: Number | None
    change_pct: Number | None = None
    period: PeriodValue | None = None
    source: Text


class TargetSection(_Section):
    """How the target for a period is set."""

    rule: Literal["same_period_last_year", "fixed", "none"]
    value: Number | None = None
    change_pct: Number | None = None
    source: Text | None = None


class ToleranceSection(_Section):
    """How far from target still counts as amber."""

    value: NotNegative
    kind: Literal["percent", "points"]


class Shock(_Section):
    """A one-off step in the demo series."""

    quarter: QuarterValue
    pct: Number = 0.0


class DemoSteer(_Section):
    """Steers the demo data generator only; never shown as a fact."""

    level: Number | None = None
    trend_pct_per_year: Number = 0.0
    shock: Shock | None = None
    max: Number | None = None


class PoliceLinkSection(_Section):
    """This indicator counts police.uk street-level records of these crime types."""

    crime_types: CrimeTypes


class IndicatorEntry(_Section):
    """An indicator of a success measure."""

    id: Id
    name: Text
    objective: Id
    unit: Literal["count", "percent", "rate", "score"]
    polarity: Literal["higher", "lower"]
    owner: Id
    frequency: Literal["monthly", "quarterly", "annual"]
    aggregation: Literal["sum", "mean"]
    source: Text
    ward_detail: Flag = False
    ward: Text | None = None
    assessment_measure: Text | None = None
    maximum: Positive | None = Field(
        None,
        description="the largest figure that is plausible; a return with a larger one needs an explanation "
        "(default: 1,000 times the largest figure stored for the indicator, or its baseline)",
    )
    baseline: BaselineSection
    target: TargetSection
    tolerance: ToleranceSection
    demo: DemoSteer | None = None
    police_uk: PoliceLinkSection | None = None


class MeasureEntry(_Section):
    """A success measure and its indicators."""

    id: Id
    text: Text
    indicators: list[IndicatorEntry]


class ThemeEntry(_Section):
    """A theme of the plan."""

    id: Id
    name: Text
    short_name: Text | None = None
    icon: Text = ":material/flag:"
    objectives: list[ObjectiveEntry]
    measures: list[MeasureEntry]


class CodeEntry(_Section):
    """A code of the consultation coding frame: something residents raise, under one of the themes."""

    id: Id
    theme: Id = Field(description="the id of the theme it sits under")
    label: Text
    phrases: list[Text] = Field(
        default_factory=list, description="key phrases that suggest the code; a trailing * matches any ending"
    )


class ConsultationEntry(_Section):
    """A consultation the plan draws on. Its facts are shown as published, with their source."""

    id: Id
    title: Text
    start: Day
    end: Day
    purpose: Text
    responses_reported: WholeFrom0 | None = Field(None, description="survey responses a published document reports")
    emerging_themes: list[Text] = Field(default_factory=list, description="what that document says residents said")
    source: Text | None = Field(None, description="the published document these facts come from")
    demo: Flag = Field(
        False, description="the demo invents activities, comments and actions around these facts, marked demo"
    )


class ConsultationSection(_Section):
    """Consultations: the coding frame comments are coded to, and the consultations recorded."""

    coding_frame: list[CodeEntry] = Field(default_factory=list)
    consultations: list[ConsultationEntry] = Field(default_factory=list)


# --- surveys ----------------------------------------------------------------------------------

Answers = Annotated[list[Text], Field(min_length=1)]


class SurveyArea(_Section):
    """The column placing each respondent in one of the local areas."""

    column: Text
    kind: Literal["name", "code", "lsoa", "postcode"] = Field(
        "name", description="the local area's name or code; or an LSOA code or postcode placed by the lookup"
    )
    lookup: Text | None = Field(None, description="for lsoa and postcode: a CSV (code or postcode, area code)")
    weight: Flag = Field(True, description="rake to the local areas' populations")


class SurveyDemographic(_Section):
    """A demographic column: reported as groups, and weighted when its population is given."""

    id: Id
    column: Text
    categories: Answers
    population: dict[str, NotNegative] | None = Field(None, description="each category's population")
    population_source: Text | None = None
    not_stated: list[Text] = Field(default_factory=lambda: ["Prefer not to say"])


class SurveyMeasure(_Section):
    """A perception measure: the share of respondents whose answer counts towards it."""

    id: Id
    name: Text
    question: Text = Field(description="the column holding the question's answers")
    counts: Answers = Field(description="the answers that count towards the measure")
    other: list[Text] = Field(default_factory=list, description="answers in the base that do not count")
    leaves_base: list[Text] = Field(default_factory=list, description="answers that leave the base (blank always does)")
    polarity: Literal["higher", "lower"] = "lower"
    indicator: Id | None = Field(None, description="the plan indicator whose values this measure supplies")


class SurveyEntry(_Section):
    """A survey the partnership runs: its waves are imported against this declaration."""

    id: Id
    title: Text
    source: Text | None = None
    respondent: Text | None = Field(None, description="the respondent id column")
    comment: Text | None = Field(None, description="a free-text column to keep (personal data)")
    area: SurveyArea | None = None
    demographics: list[SurveyDemographic] = Field(default_factory=list)
    measures: Annotated[list[SurveyMeasure], Field(min_length=1)]


class PlanFile(_Section):
    """A Community Safety Partnership plan (config.yaml)."""

    partnership: PartnershipSection
    settings: SettingsSection
    wards: list[WardEntry]
    subgroups: list[SubgroupEntry]
    themes: list[ThemeEntry]
    consultation: ConsultationSection = Field(default_factory=ConsultationSection)
    surveys: list[SurveyEntry] = Field(default_factory=list)


# --- the published schema ---------------------------------------------------------------------


def json_schema() -> dict[str, Any]:
    """The plan file's JSON Schema, as published in plan.schema.json."""
    schema = PlanFile.model_json_schema()
    schema = {"$schema": SCHEMA_URL, "title": SCHEMA_TITLE, **{k: v for k, v in schema.items() if k != "title"}}
    schema["patternProperties"] = {f"^{EXTENSION_PREFIX}": {"description": "your own key (a YAML anchor, a note)"}}
    return schema


def json_schema_text() -> str:
    """The JSON Schema as the committed file holds it."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


# --- reading pydantic's errors in the plan's terms -------------------------------------------


def did_you_mean(word: str, choices: tuple[str, ...] | list[str]) -> str:
    """' (did you mean 'x'?)' for the closest choice, or '' when none is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=SUGGESTION_CUTOFF)
    return f"; did you mean {close[0]!r}?" if close else ""


def key_path(loc: tuple[Any, ...]) -> str:
    """('themes', 1, 'objectives', 0) -> 'themes[1].objectives[0]'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _strip(annotation: Any) -> Any:
    """The type under Optional / Annotated wrappers."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin is Union or type(annotation).__name__ == "UnionType":
            annotation = next(a for a in get_args(annotation) if a is not type(None))
        else:
            return annotation


def _annotation_at(loc: tuple[Any, ...]) -> Any:
    """The declared type at a key path, or None where the path leaves the schema."""
    current: Any = PlanFile
    for part in loc:
        current = _strip(current)
        if isinstance(part, int):
            if get_origin(current) not in (list, tuple):
                return None
            current = get_args(current)[0]
        elif isinstance(current, type) and issubclass(current, BaseModel) and part in current.model_fields:
            info = current.model_fields[part]
            current = info.annotation if not info.metadata else Annotated[(info.annotation, *info.metadata)]
        else:
            return None
    return current


def _missing_hint(loc: tuple[Any, ...]) -> str:
    if loc[-2:] == ("baseline", "value"):
        return "missing; give the baseline figure, or null where the source quotes none"
    annotation = _strip(_annotation_at(loc))
    if get_origin(annotation) is Literal:
        return f"missing; use one of: {', '.join(map(str, get_args(annotation)))}"
    if get_origin(annotation) is list:
        return "missing; add a list here"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "missing; add this section"
    if annotation is float:
        return "missing; it must be a number"
    if annotation is int:
        return "missing; it must be a whole number"
    if annotation is bool:
        return "missing; it must be true or false"
    return "missing; it must be given"


def _unknown_key(loc: tuple[Any, ...]) -> str:
    parent = _strip(_annotation_at(loc[:-1]))
    known = sorted(parent.model_fields) if isinstance(parent, type) and issubclass(parent, BaseModel) else []
    what = "setting" if loc and loc[0] == "settings" else "key"
    if not loc[:-1]:
        known_text = ", ".join(known) + f", or a key of your own starting {EXTENSION_PREFIX!r}"
    else:
        known_text = ", ".join(known)
    hint = did_you_mean(str(loc[-1]), known)
    if hint:
        return f"unknown {what}{hint} (the keys allowed here: {known_text})"
    return f"unknown {what}; expected one of {known_text}"


def describe(error: dict[str, Any]) -> str:
    """One pydantic error as 'key.path: what is wrong; how to fix it'."""
    loc, kind, value, ctx = tuple(error["loc"]), error["type"], error.get("input"), error.get("ctx") or {}
    shown = "empty (null)" if value is None else repr(value)
    if kind == "missing":
        message = _missing_hint(loc)
    elif kind == "extra_forbidden":
        message = _unknown_key(loc)
    elif kind == "literal_error":
        allowed = get_args(_strip(_annotation_at(loc)))
        what = "empty (null)" if value is None else f"{value!r} is not allowed"
        message = f"{what}; use one of: {', '.join(map(str, allowed))}"
    elif kind in ("float_type", "float_parsing", "finite_number"):
        message = f"{shown} is not a number"
    elif kind in ("int_type", "int_parsing", "int_from_float"):
        message = f"{shown} is not a whole number"
    elif kind == "bool_type":
        message = f"{shown} must be true or false"
    elif kind in ("date_type", "date_parsing", "date_from_datetime_inexact", "date_from_datetime_parsing"):
        message = f"{value!r} is not a date; write it as 2025-12-25"
    elif kind in ("model_type", "dict_type", "model_attributes_type"):
        message = f"expected a mapping of keys, found {type(value).__name__}"
    elif kind in ("list_type", "tuple_type"):
        message = f"must be a list, found {type(value).__name__}"
    elif kind == "greater_than":
        message = f"{value!r} must be greater than {ctx.get('gt')}"
    elif kind == "greater_than_equal":
        message = "must not be negative" if ctx.get("ge") == 0 else f"{value!r} must be at least {ctx.get('ge')}"
    else:
        message = error["msg"].removeprefix("Value error, ")
    return f"{key_path(loc)}: {message}"
