"""Commands for comparisons: compare areas (the area explorer's funnel table) and compare peers
(the partnership beside the force's other partnerships, as on the Strategic Assessment page)."""

from __future__ import annotations

import argparse
import sys

from metrics.cli.common import EXIT_EMPTY, ready_store
from metrics.cli.police import add_period, add_types_and_out, demo_note, held_text, police_filter, write_export
from metrics.compare import area_comparison, peer_sentence
from metrics.plan.model import load_plan
from metrics.plan.words import area_words
from metrics.police import explorer, peers
from metrics.police import uk as police_uk
from metrics.police.export import comparison_export


def _compare_areas(args: argparse.Namespace) -> int:
    plan = load_plan()
    store = ready_store(plan)
    scope = police_filter(store, plan, args)
    words = area_words(plan)
    if scope.held[0] is None:
        print(f"Nothing to compare: {held_text(scope)}. Nothing was written to {args.out}.", file=sys.stderr)
        return EXIT_EMPTY
    summary = police_uk.ward_summary(store, scope.first, scope.last, (), scope.crime_types)
    view = explorer.build(plan, summary, [], [])
    comparison = area_comparison(view.wards, overdispersion=args.overdispersion)
    if comparison.funnel is None:
        print(
            f"Nothing to compare: {comparison.reason} (months {scope.first} to {scope.last}, crime types "
            f"{', '.join(scope.crime_types) or 'all'}). Nothing was written to {args.out}.",
            file=sys.stderr,
        )
        return EXIT_EMPTY
    export = comparison_export(plan, comparison, scope)
    out = write_export(export, args.out)
    found = "; ".join(f"{n} {j}" for j, n in comparison.counts.items())
    print(f"Wrote {len(comparison.table):,} {words.many} to {out}: {found}.{demo_note(scope)}")
    if comparison.left_out:
        print(f"Left out (no population in {words.plan_file}): {', '.join(comparison.left_out)}.")
    return 0


def _compare_peers(args: argparse.Namespace) -> int:
    plan = load_plan()
    store = ready_store(plan)
    scope = police_filter(store, plan, args)
    for month in (args.from_month, args.to_month):
        if month:
            police_uk.month_start(month)  # a month not written YYYY-MM is refused, naming it
    view = peers.compare_peers(
        store, plan, args.from_month, args.to_month, scope.crime_types, overdispersion=args.overdispersion
    )
    comparison = view.comparison
    if comparison.funnel is None:
        print(
            f"Nothing to compare: {comparison.reason} (months {scope.first or 'first'} to {scope.last or 'last'}, "
            f"crime types {', '.join(scope.crime_types) or 'all'}). Nothing was written to {args.out}.",
            file=sys.stderr,
        )
        return EXIT_EMPTY
    export = view.export
    out = write_export(export, args.out)
    demo = " DEMO DATA (generated, not real records)." if view.inputs.is_demo else ""
    print(f"Wrote {len(comparison.table):,} partnerships to {out}. {peer_sentence(comparison)}{demo}")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add compare (areas, peers)."""
    compare = commands.add_parser(
        "compare",
        help="compare areas, or the partnership with its peers, in a funnel plot table (limits and judgements) "
        "and write it to CSV or Excel",
        description="Comparisons that say which differences are more than chance (funnel plots; docs/compare.md).",
    )
    kinds = compare.add_subparsers(dest="kind", metavar="KIND", required=True)
    areas = kinds.add_parser(
        "areas",
        help="the plan's areas against the whole partnership's rate per 1,000 residents",
        description="Write the area explorer's comparison of areas: for the months and crime types chosen, "
        "each area's count, residents, rate per 1,000 residents, the count expected at the whole partnership's "
        "rate, the 95% and 99.8% funnel limits and the judgement (higher than expected, lower than expected, "
        "within expected range; outside the 99.8% limits only). Columns: ward_code and ward_name for the plan's "
        "area, count, population, population_is_estimate, rate_per_1000_residents, expected_count, lower_99_8, "
        "lower_95, upper_95, upper_99_8, judgement; after a header block of '#' lines saying what was compared "
        "and how (read it with pandas.read_csv(FILE, comment='#')) or, for .xlsx, an About sheet. Exit status: "
        f"0 written; {EXIT_EMPTY} nothing to compare (said on standard error, nothing written); 1 a bad argument.",
    )
    add_period(areas)
    areas.add_argument(
        "--overdispersion",
        action="store_true",
        help="widen the limits when areas differ more than chance alone would make them (Spiegelhalter 2005)",
    )
    add_types_and_out(areas)
    areas.set_defaults(handler=_compare_areas)
    peer = kinds.add_parser(
        "peers",
        help="the partnership beside the other partnerships of its force(s) in the police.uk data imported",
        description="Write the Strategic Assessment page's comparison with other partnerships: for the months and "
        "crime types chosen (only months held for the partnership and its peers alike), each partnership's "
        "count, Census 2021 residents, rate per 1,000 residents, the count expected at the rate of all of them "
        "together, the 95% and 99.8% funnel limits and the judgement. Columns: partnership_code, "
        "partnership_name, this_partnership, count, population, rate_per_1000_residents, expected_count, "
        "lower_99_8, lower_95, upper_95, upper_99_8, judgement; after a header block of '#' lines (read it with "
        "pandas.read_csv(FILE, comment='#')) or, for .xlsx, an About sheet. The peers' counts are kept when "
        "police.uk files covering the force are imported. Exit status: 0 written; "
        f"{EXIT_EMPTY} nothing to compare (said on standard error, nothing written); 1 a bad argument.",
    )
    add_period(peer)
    peer.add_argument(
        "--overdispersion",
        action="store_true",
        help="widen the limits when partnerships differ more than chance alone would make them (Spiegelhalter 2005)",
    )
    add_types_and_out(peer)
    peer.set_defaults(handler=_compare_peers)
