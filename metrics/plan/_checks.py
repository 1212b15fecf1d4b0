"""The plan file's checks that need more than one part of it: unique ids and codes, owners,
objectives and area codes that exist, a source for every population, a tile layout that fits,
spans that end after they start. Run on the parsed YAML beside the declared schema
(metrics/plan/schema.py), so that every problem in a file is reported at once."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from metrics.quarters import PeriodError, Quarter

DEFAULT_AREA_SINGULAR = "ward"  # what the entries under `wards` are called unless the plan says
DEFAULT_AREA_PLURAL = "wards"


def area_words(raw: dict[str, Any]) -> tuple[str, str]:
    """What the plan calls its local areas, read before validation so messages can use it."""
    node: Any = raw
    for key in ("partnership", "area", "local_areas"):
        node = node.get(key) if isinstance(node, dict) else None
    node = node if isinstance(node, dict) else {}
    singular, plural = node.get("singular"), node.get("plural")
    return (
        singular if isinstance(singular, str) and singular.strip() else DEFAULT_AREA_SINGULAR,
        plural if isinstance(plural, str) and plural.strip() else DEFAULT_AREA_PLURAL,
    )


_INDICATOR_PATH = re.compile(r"^themes\[(\d+)\]\.measures\[(\d+)\]\.indicators\[(\d+)\]")


def with_indicator_ids(problems: list[str], raw: dict[str, Any]) -> list[str]:
    """Add the indicator's id to each problem found in one, so a long plan file is easy to search."""
    out = []
    for problem in problems:
        match = _INDICATOR_PATH.match(problem)
        if match:
            t, m, i = (int(g) for g in match.groups())
            try:
                iid = raw["themes"][t]["measures"][m]["indicators"][i]["id"]
            except (KeyError, IndexError, TypeError):
                iid = None
            if isinstance(iid, str):
                problem = f"{problem} (indicator {iid!r})"
        out.append(problem)
    return out


def _entries(node: Any, name: str, prefix: str = "") -> list[tuple[str, dict[str, Any]]]:
    """(key path, mapping) for each mapping in the list node[name]; anything else the schema reports."""
    items = node.get(name) if isinstance(node, dict) else None
    if not isinstance(items, list):
        return []
    base = f"{prefix}.{name}" if prefix else name
    return [(f"{base}[{i}]", item) for i, item in enumerate(items) if isinstance(item, dict)]


def cross_check(raw: dict[str, Any], words: tuple[str, str]) -> list[str]:
    """The checks that need more than one part of the file: unique ids and codes, owners,
    objectives and area codes that exist, a source for every population, a layout that fits."""
    problems: list[str] = []
    singular, plural = words
    seen: dict[str, dict[str, str]] = {}

    def unique(what: str, key: str, value: Any) -> None:
        if not isinstance(value, str):
            return
        first = seen.setdefault(what, {})
        if value in first:
            problems.append(
                f"{key}.id: duplicate {what} id {value!r} (first used at {first[value]}); ids must be unique"
            )
        else:
            first[value] = key

    area = raw.get("partnership", {}).get("area") if isinstance(raw.get("partnership"), dict) else None
    if isinstance(area, dict) and area.get("population") is not None and not area.get("population_source"):
        problems.append("partnership.area.population_source: a population needs its source (for example 'Census 2021')")

    codes: dict[str, str] = {}
    tiles: dict[tuple[Any, Any], str] = {}
    wards = _entries(raw, "wards")
    for key, ward in wards:
        code = ward.get("code")
        if isinstance(code, str):
            if code in codes:
                problems.append(f"{key}.code: duplicate {singular} code {code!r} (first at {codes[code]})")
            codes.setdefault(code, key)
        if ward.get("population") is not None and not ward.get("population_source"):
            problems.append(f"{key}.population_source: a population needs its source (for example 'Census 2021')")
        tile = ward.get("tile")
        if isinstance(tile, dict):
            place = (tile.get("col"), tile.get("row"))
            if place in tiles:
                problems.append(
                    f"{key}.tile: the same place as {tiles[place]}; give each {singular} its own col and row"
                )
            tiles.setdefault(place, key)
    with_tile = [key for key, ward in wards if ward.get("tile") is not None]
    if with_tile and len(with_tile) < len(wards):
        without = [key for key, ward in wards if ward.get("tile") is None]
        problems.append(
            f"{without[0]}.tile: missing; a tile layout needs a place for every one of the {plural} "
            f"({len(without)} without one), or none at all"
        )

    owners = set()
    subgroups = _entries(raw, "subgroups")
    for key, sub in subgroups:
        unique("subgroup", key, sub.get("id"))
        if isinstance(sub.get("id"), str):
            owners.add(sub["id"])
    owner_list = ", ".join(sorted(owners))

    def owner_exists(key: str, owner: Any) -> None:
        if isinstance(owner, str) and owner not in owners:
            problems.append(f"{key}.owner: unknown owner {owner!r}; use the id of a subgroup: {owner_list}")

    actions: dict[str, str] = {}

    def action(key: str, value: Any) -> None:
        if isinstance(value, str):
            if value in actions:
                problems.append(
                    f"{key}.id: duplicate action id {value!r} (first used at {actions[value]}); ids must be "
                    "unique across strategies and how_we_plan items"
                )
            actions.setdefault(value, key)

    for key, sub in subgroups:
        for skey, strategy in _entries(sub, "strategies", key):
            action(skey, strategy.get("id"))

    objective_ids: set[str] = set()
    for tkey, theme in _entries(raw, "themes"):
        unique("theme", tkey, theme.get("id"))
        own: set[str] = set()
        for okey, objective in _entries(theme, "objectives", tkey):
            unique("objective", okey, objective.get("id"))
            if isinstance(objective.get("id"), str):
                own.add(objective["id"])
            for pkey, item in _entries(objective, "how_we_plan", okey):
                owner_exists(pkey, item.get("owner"))
                action(pkey, item.get("id"))
        objective_ids |= own
        for mkey, measure in _entries(theme, "measures", tkey):
            unique("measure", mkey, measure.get("id"))
            if measure.get("indicators") == []:
                problems.append(f"{mkey}.indicators: every success measure needs at least one indicator")
            for ikey, ind in _entries(measure, "indicators", mkey):
                unique("indicator", ikey, ind.get("id"))
                owner_exists(ikey, ind.get("owner"))
                ward = ind.get("ward")
                if ward is not None and ward not in codes:
                    problems.append(
                        f"{ikey}.ward: unknown {singular} {ward!r}; use one of the codes listed under wards"
                    )
                objective = ind.get("objective")
                if isinstance(objective, str) and objective not in own:
                    problems.append(
                        f"{ikey}.objective: unknown objective {objective!r}; use one of this theme's "
                        f"objectives: {', '.join(sorted(own))}"
                    )
                target = ind.get("target")
                if isinstance(target, dict) and target.get("rule") == "fixed" and target.get("value") is None:
                    problems.append(f"{ikey}.target.value: missing; it must be a number")
    for key, sub in subgroups:
        for oid in sub.get("objectives") or []:
            if isinstance(oid, str) and oid not in objective_ids:
                problems.append(
                    f"{key}.objectives: unknown objective {oid!r}; use an objective id declared under themes"
                )

    settings = raw.get("settings")
    spc = settings.get("spc") if isinstance(settings, dict) else None
    if isinstance(spc, dict) and spc.get("trend_length") == 1 and spc.get("trend_length") is not True:
        problems.append("settings.spc.trend_length: 1 is not a trend: give at least 2, or 0 to switch the rule off")
    problems += survey_checks(raw)
    problems += _order_check(raw.get("partnership"), "partnership", "plan_start", "plan_end")
    problems += _order_check(
        settings.get("demo") if isinstance(settings, dict) else None, "settings.demo", "first_quarter", "last_quarter"
    )
    return problems


def consultation_check(raw: dict[str, Any]) -> list[str]:
    """Codes under themes the plan has, unique code and consultation ids, and each
    consultation's end on or after its start."""
    problems: list[str] = []
    section = raw.get("consultation")
    if not isinstance(section, dict):
        return problems
    themes = {t.get("id") for _, t in _entries(raw, "themes")}
    theme_list = ", ".join(sorted(str(t) for t in themes if isinstance(t, str)))
    for what, key in (("code", "coding_frame"), ("consultation", "consultations")):
        first: dict[str, str] = {}
        for path, entry in _entries(section, key, "consultation"):
            ident = entry.get("id")
            if isinstance(ident, str) and ident in first:
                problems.append(f"{path}.id: duplicate {what} id {ident!r} (first used at {first[ident]})")
            if isinstance(ident, str):
                first.setdefault(ident, path)
            theme = entry.get("theme")
            if what == "code" and isinstance(theme, str) and theme not in themes:
                problems.append(f"{path}.theme: unknown theme {theme!r}; use the id of a theme: {theme_list}")
            start, end = entry.get("start"), entry.get("end")
            if what == "consultation" and isinstance(start, date) and isinstance(end, date) and end < start:
                problems.append(f"{path}.end: {end} is before the start {start}; give the last day of the consultation")
    return problems


def _order_check(node: Any, key: str, first: str, last: str) -> list[str]:
    """A span whose end comes before its start (each quarter's own form is checked by the schema)."""
    if not isinstance(node, dict):
        return []
    try:
        start, end = Quarter.parse(str(node.get(first))), Quarter.parse(str(node.get(last)))
    except PeriodError:
        return []
    if end < start:
        return [f"{key}.{last}: {end.label} is before {first} {start.label}; swap them"]
    return []


def survey_checks(raw: dict[str, Any]) -> list[str]:
    """Surveys: unique ids, each answer declared once, margins for every category with a
    source, lookups only where the area column needs one, and linked indicators that exist,
    are percentages and are supplied by one measure only."""
    problems: list[str] = []
    units = {
        ind.get("id"): ind.get("unit")
        for _tkey, theme in _entries(raw, "themes")
        for mkey, measure in _entries(theme, "measures")
        for _ikey, ind in _entries(measure, "indicators", mkey)
    }
    surveys: dict[str, str] = {}
    linked: dict[str, str] = {}
    for skey, survey in _entries(raw, "surveys"):
        sid = survey.get("id")
        if isinstance(sid, str):
            if sid in surveys:
                problems.append(f"{skey}.id: duplicate survey id {sid!r} (first used at {surveys[sid]})")
            surveys.setdefault(sid, skey)
        area = survey.get("area")
        if isinstance(area, dict):
            needs = area.get("kind") in ("lsoa", "postcode")
            if needs and not area.get("lookup"):
                problems.append(f"{skey}.area.lookup: missing; an {area.get('kind')} column needs a lookup CSV")
            if not needs and area.get("lookup"):
                problems.append(f"{skey}.area.lookup: only an lsoa or postcode column uses a lookup; remove it")
        ids: dict[str, str] = {}
        for dkey, demo in _entries(survey, "demographics", skey) + _entries(survey, "measures", skey):
            did = demo.get("id")
            if isinstance(did, str):
                if did in ids or did in ("respondent", "area", "comment"):
                    problems.append(f"{dkey}.id: {did!r} is already used in this survey; give it its own id")
                ids.setdefault(did, dkey)
        for dkey, demo in _entries(survey, "demographics", skey):
            population, categories = demo.get("population"), demo.get("categories")
            if isinstance(population, dict) and isinstance(categories, list):
                missing = [c for c in categories if c not in population]
                extra = [c for c in population if c not in categories]
                if missing or extra:
                    problems.append(
                        f"{dkey}.population: give a population for every category and only those "
                        f"(missing {missing}, not a category {extra})"
                    )
                if not demo.get("population_source"):
                    problems.append(
                        f"{dkey}.population_source: a population needs its source (for example 'Census 2021')"
                    )
        for mkey, measure in _entries(survey, "measures", skey):
            seen: dict[str, str] = {}
            for kind in ("counts", "other", "leaves_base"):
                for answer in measure.get(kind) or []:
                    if isinstance(answer, str) and answer.casefold() in seen:
                        problems.append(
                            f"{mkey}.{kind}: {answer!r} is already declared under {seen[answer.casefold()]}; "
                            "declare each answer once"
                        )
                    elif isinstance(answer, str):
                        seen[answer.casefold()] = kind
            indicator = measure.get("indicator")
            if isinstance(indicator, str):
                if indicator not in units:
                    problems.append(f"{mkey}.indicator: unknown indicator {indicator!r}; use an indicator id")
                elif units[indicator] != "percent":
                    problems.append(
                        f"{mkey}.indicator: {indicator!r} is not a percent indicator; a survey gives shares"
                    )
                elif indicator in linked:
                    problems.append(f"{mkey}.indicator: {indicator!r} is already supplied by {linked[indicator]}")
                linked.setdefault(indicator, mkey)
    return problems


def peer_check(raw: dict[str, Any]) -> list[str]:
    """A declared comparator group lists each partnership once. (Whether each code is a
    partnership is checked against the reference geography by ``check-config``:
    :func:`metrics.police.peers.group_problems`.)"""
    settings = raw.get("settings")
    peers = settings.get("peers") if isinstance(settings, dict) else None
    codes = peers.get("partnerships") if isinstance(peers, dict) else None
    if not isinstance(codes, list):
        return []
    problems: list[str] = []
    seen: set[str] = set()
    for i, code in enumerate(codes):
        if isinstance(code, str) and code.strip() in seen:
            problems.append(f"settings.peers.partnerships[{i}]: {code.strip()} is listed twice; list each once")
        seen.add(code.strip() if isinstance(code, str) else code)
    return problems
