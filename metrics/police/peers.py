"""The force's other partnerships (peers) in the police.uk data imported.

A force's monthly street file holds every partnership it polices. The import keeps the
partnership's own rows as incidents (:mod:`metrics.police.uk`) and, here, counts the others by
month, partnership and crime type: each row outside the partnership is placed in the
partnership of its LSOA through the reference geography (:mod:`metrics.areas`, 2011 and 2021
codes), and counted only when the file's force polices that partnership, so a neighbouring
force's partnership is never compared on the few of its incidents a border file holds.

:func:`peer_inputs` reads them back with the partnership's own counts and the Census 2021
populations, as the input of :func:`metrics.compare.peer_comparison`: the partnerships of the
plan's own force(s) (when its areas are in the reference), over the months that hold both their
incidents and the partnership's own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from metrics.areas import load_reference
from metrics.areas.reference import POPULATION_SOURCE
from metrics.compare.peers import PeerComparison, PeerUnit, no_comparison, peer_comparison
from metrics.plan.model import Plan
from metrics.police.export import AreaExport, peer_export
from metrics.store import Store
from metrics.store import police as police_store

NO_PEERS = "no other partnership's police.uk data is held; import police.uk files that cover the force to compare"
PAGE_MONTHS = 12  # the Strategic Assessment page and the board pack compare the latest year held


def own_partnerships(plan: Plan) -> tuple[str, ...]:
    """The reference partnership code(s) of the plan's areas (none when no area is a 2024 ward
    in the reference): left out of the peers, as they are the partnership itself."""
    return load_reference().partnerships_of_wards([w.code for w in plan.wards])


def store_peers(imp: police_store.StreetImport, plan: Plan, is_demo: bool) -> int:
    """Inside an import's transaction: replace the peers' counts for the force months staged;
    returns the incidents counted for other partnerships."""
    return imp.replace_peer_months(load_reference().lsoa_partnerships(), own_partnerships(plan), is_demo)


@dataclass(frozen=True)
class PeerInputs:
    """What a comparison with the peers is drawn from, for one choice of months and crime types."""

    own: PeerUnit | None  # the partnership (None: no population, see ``reason``)
    peers: tuple[PeerUnit, ...]  # the other partnerships held, by name
    months: tuple[str, ...]  # YYYY-MM: the months the peers' data covers in the choice
    is_demo: bool
    reason: str  # why there is nothing to compare, when there is nothing
    population_source: str  # where the residents come from, for the About block
    missing: tuple[str, ...] = ()  # partnerships of a declared group with no data held, by name
    group: str = "the other partnerships of its force"  # who the partnership is compared with, in words


def _own_population(plan: Plan) -> tuple[float | None, str]:
    """The partnership's residents: the plan's areas' populations (what every other rate on the
    dashboard uses) when every area has one; otherwise the reference partnership's Census 2021."""
    populations = [w.population for w in plan.wards]
    if populations and all(p for p in populations):
        return float(sum(populations)), f"{plan.path.name} (the areas' populations)"
    found = load_reference().partnership_residents(own_partnerships(plan))
    if found:
        return float(sum(found.values())), POPULATION_SOURCE
    return None, ""


def peer_inputs(
    store: Store,
    plan: Plan,
    first: str | None = None,
    last: str | None = None,
    crime_types: Sequence[str] = (),
    latest: int | None = None,
) -> PeerInputs:
    """The partnership's and the peers' monthly counts between two months (YYYY-MM, either
    open) for the crime types (empty: all), over the months the peers' data covers (the
    ``latest`` of them only, when given), with their residents."""
    begin = f"{first}-01" if first else None
    end = f"{last}-01" if last else None
    declared = plan.settings.peer_codes
    if declared:  # a declared group: its partnerships, from whichever forces' files were imported
        every = police_store.peer_summary(store, begin, end)
        every = every[every["partnership_code"].isin(list(declared))]
    else:  # the other partnerships of the plan's own force(s) (all held, when its force is not known)
        forces = [f.police_uk_name for f in load_reference().forces_for_wards([w.code for w in plan.wards])]
        every = police_store.peer_summary(store, begin, end, (), forces)
    missing = _not_held(declared, set(every["partnership_code"]))
    if every.empty:
        return PeerInputs(None, (), (), False, _no_peers(plan), POPULATION_SOURCE, missing, peer_group(plan))
    # Only months held for the partnership and for every peer (whatever the crime types): a month
    # missing for one is no fall, and a peer's total over fewer months would look low.
    held = police_store.ward_summary(store, begin, end)
    months = set(held["month"])
    for _code, rows in every.groupby("partnership_code"):
        months &= set(rows["month"])
    months = tuple(sorted(months))
    if not months:
        reason = "no month is held for the partnership and every other partnership alike; " + NO_PEERS
        return PeerInputs(None, (), (), False, reason, POPULATION_SOURCE, missing, peer_group(plan))
    peers = every[every["crime_type"].isin(list(crime_types))] if crime_types else every
    months = months[-latest:] if latest else months
    peers = peers[peers["month"].isin(months)]
    own_rows = held[held["month"].isin(months)]
    if crime_types:
        own_rows = own_rows[own_rows["crime_type"].isin(list(crime_types))]
    population, source = _own_population(plan)
    is_demo = bool(every["is_demo"].any())
    if population is None:
        reason = f"the plan's {plan.partnership.area_plural} have no populations, so the partnership has no rate"
        return PeerInputs(None, (), months, is_demo, reason, POPULATION_SOURCE, missing, peer_group(plan))
    own = PeerUnit(
        code=",".join(own_partnerships(plan)),
        name=plan.partnership.name,
        population=population,
        monthly=_monthly(own_rows, months),
    )
    residents = load_reference().partnership_residents(list(every["partnership_code"].unique()))
    names = every.drop_duplicates("partnership_code").set_index("partnership_code")["partnership_name"]
    counted = dict(tuple(peers.groupby("partnership_code")))
    empty = peers.iloc[:0]
    units = [  # every partnership held, with 0 where none of the chosen crime types was recorded
        PeerUnit(str(code), str(name), float(residents[code]), _monthly(counted.get(code, empty), months))
        for code, name in names.items()
        if code in residents
    ]
    units.sort(key=lambda u: u.name)
    sources = f"the partnership: {source}; the other partnerships: {POPULATION_SOURCE}"
    return PeerInputs(own, tuple(units), months, is_demo, "", sources, missing, peer_group(plan))


def peer_group(plan: Plan) -> str:
    """Who the partnership is compared with, in words."""
    if plan.settings.peer_group:
        return f"the {plan.settings.peer_group} declared in {plan.path.name}"
    if not load_reference().forces_for_wards([w.code for w in plan.wards]):
        # areas not in the reference: their force is not known, so every partnership imported
        return "the other partnerships in the police.uk data imported"
    return "the other partnerships of its force"


def group_problems(plan: Plan) -> list[str]:
    """A declared group's codes that are not Community Safety Partnerships in the reference
    geography (December 2024), each with where it is and what to do."""
    known = {p.code for p in load_reference().partnerships()}
    return [
        f"settings.peers.partnerships[{i}]: {code} is not a Community Safety Partnership (December 2024); "
        "`python -m metrics new-partnership NAME` prints a partnership's code"
        for i, code in enumerate(plan.settings.peer_codes)
        if code not in known
    ]


def group_forces(plan: Plan) -> list[str]:
    """The data.police.uk ids of the forces policing a declared group's partnerships (an archive
    import reads their street files too)."""
    codes = set(plan.settings.peer_codes)
    found = [f.police_uk_id for p in load_reference().partnerships() if p.code in codes for f in p.forces]
    return list(dict.fromkeys(found))


def _no_peers(plan: Plan) -> str:
    if plan.settings.peer_codes:
        return (
            f"none of the {len(plan.settings.peer_codes)} partnerships of the {plan.settings.peer_group} is held; "
            "import police.uk files that cover their forces to compare"
        )
    return NO_PEERS


def _not_held(declared: Sequence[str], held: set[str]) -> tuple[str, ...]:
    """The declared partnerships with no data held, by name (code when the reference has none)."""
    names = {p.code: p.name for p in load_reference().partnerships()} if declared else {}
    return tuple(names.get(c, c) for c in declared if c not in held)


def _monthly(rows, months: Sequence[str]) -> tuple[int, ...]:
    """Counts per month (0 where none) in the order of ``months``."""
    by_month = rows.groupby("month")["count"].sum()
    return tuple(int(by_month.get(m, 0)) for m in months)


@dataclass(frozen=True)
class PeerView:
    """The comparison with the peers as the page, the board pack and ``compare peers`` show it."""

    comparison: PeerComparison
    inputs: PeerInputs
    export: AreaExport  # the table (rounded) and its About lines: what the page shows and the command writes


def compare_peers(
    store: Store,
    plan: Plan,
    first: str | None = None,
    last: str | None = None,
    crime_types: Sequence[str] = (),
    *,
    overdispersion: bool = False,
    latest: int | None = None,
) -> PeerView:
    """The partnership beside its peers (:func:`metrics.compare.peer_comparison`) for the months
    (the ``latest`` held, when given) and crime types, with its inputs and its table."""
    inputs = peer_inputs(store, plan, first, last, crime_types, latest)
    if inputs.own is None:
        comparison = no_comparison(plan.partnership.name, inputs.months, inputs.reason, overdispersion)
    else:
        comparison = peer_comparison(inputs.own, inputs.peers, inputs.months, overdispersion=overdispersion)
    export = peer_export(
        plan,
        comparison,
        populations=inputs.population_source,
        is_demo=inputs.is_demo,
        crime_types=crime_types,
        group=inputs.group + (f"; not held: {', '.join(inputs.missing)}" if inputs.missing else ""),
    )
    return PeerView(comparison, inputs, export)
