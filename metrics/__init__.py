"""The domain package: the plan, the store, returns, police.uk data, statuses and statistics.

This module names the public API: what a page in ``pages/``, ``dashboard.py`` or a script may
use, as ``from metrics import Quarter, load_plan, returns``. Everything else in the package is
internal and may change without notice; ``tests/test_architecture.py`` checks that pages and the
dashboard import nothing else. Names are loaded when first used (PEP 562), so importing one name
does not import the board pack's PDF renderer or DuckDB.

Some entries are modules used as namespaces (``access``, ``action_log``, ``board_actions``,
``returns``, ``ward_view``, ``police_uk``, ``police_peers``, ``return_versions``, ``area_export``, ``spreadsheet``,
``compare`` and ``compare_figure`` (funnel plots: the statistics and the figure), the survey's
``survey``, ``survey_import``, ``survey_results`` and ``survey_charts``, ``consultation`` (and its modules
``consultation_plan``, ``consultation_operations``, ``consultation_followup``), and the store's
area modules ``store_schema``, ``indicator_store``, ``police_store``, ``return_store``,
``survey_store``, ``consultation_store``): their own public names (no leading underscore) are part of
the API too.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Real imports for editors and type checkers, which cannot see through __getattr__ below; at run
# time names are still loaded on first use. tests/test_architecture.py keeps this in step with _API.
if TYPE_CHECKING:
    from metrics import access, compare, consultation, returns, spreadsheet, survey
    from metrics.areas.next_steps import next_steps
    from metrics.board import action_log
    from metrics.board import actions as board_actions
    from metrics.board.assessment import share_mismatches
    from metrics.board.charts import spc_figure, ward_volume_figure
    from metrics.board.completeness import Completeness, completeness_of, default_quarter, quarter_completeness
    from metrics.board.exceptions import Category, Review, exception_report, proposed_actions, review_all
    from metrics.board.spc import Assurance, Variation
    from metrics.board.status import IndicatorStatus, Rag, available_quarters, exceptions_first, format_value, summarise
    from metrics.board.survey_status import SurveyFigures
    from metrics.board.updates import ActionProgress, Commentary, commentary_by_indicator, progress_by_action
    from metrics.bootstrap import InitError, initialise
    from metrics.compare import figure as compare_figure
    from metrics.consultation import followup as consultation_followup
    from metrics.consultation import from_plan as consultation_plan
    from metrics.consultation import operations as consultation_operations
    from metrics.icons import ActionStatus, StatusIcon
    from metrics.pack import FORMATS as PACK_FORMATS
    from metrics.pack import board_pack
    from metrics.pack.model import spc_png
    from metrics.plan.model import Indicator, Plan, PlanError, load_plan
    from metrics.plan.outline import outline
    from metrics.plan.words import AreaWords, area_words
    from metrics.police import explorer as ward_view
    from metrics.police import export as area_export
    from metrics.police import peers as police_peers
    from metrics.police import uk as police_uk
    from metrics.quarters import Quarter, quarter_range
    from metrics.returns import versions as return_versions
    from metrics.returns.tracker import SubmissionStatus, submission_status
    from metrics.store import Store, StoreError, open_store
    from metrics.store import backup as store_backup
    from metrics.store import consultation as consultation_store
    from metrics.store import indicators as indicator_store
    from metrics.store import police as police_store
    from metrics.store import returns as return_store
    from metrics.store import schema as store_schema
    from metrics.store import survey as survey_store
    from metrics.survey import charts as survey_charts
    from metrics.survey import importing as survey_import
    from metrics.survey import results as survey_results

# public name -> (module that defines it, the attribute there; None when the name is the module)
_API: dict[str, tuple[str, str | None]] = {
    # the plan and its calendar
    "Plan": ("metrics.plan.model", "Plan"),
    "Indicator": ("metrics.plan.model", "Indicator"),
    "PlanError": ("metrics.plan.model", "PlanError"),
    "load_plan": ("metrics.plan.model", "load_plan"),
    "AreaWords": ("metrics.plan.words", "AreaWords"),
    "outline": ("metrics.plan.outline", "outline"),
    "area_words": ("metrics.plan.words", "area_words"),
    "Quarter": ("metrics.quarters", "Quarter"),
    "quarter_range": ("metrics.quarters", "quarter_range"),
    # statuses and statistics
    "StatusIcon": ("metrics.icons", "StatusIcon"),
    "ActionStatus": ("metrics.icons", "ActionStatus"),
    "Rag": ("metrics.board.status", "Rag"),
    "IndicatorStatus": ("metrics.board.status", "IndicatorStatus"),
    "available_quarters": ("metrics.board.status", "available_quarters"),
    "exceptions_first": ("metrics.board.status", "exceptions_first"),
    "format_value": ("metrics.board.status", "format_value"),
    "summarise": ("metrics.board.status", "summarise"),
    "SurveyFigures": ("metrics.board.survey_status", "SurveyFigures"),
    "Assurance": ("metrics.board.spc", "Assurance"),
    "Variation": ("metrics.board.spc", "Variation"),
    "Completeness": ("metrics.board.completeness", "Completeness"),
    "completeness_of": ("metrics.board.completeness", "completeness_of"),
    "default_quarter": ("metrics.board.completeness", "default_quarter"),
    "quarter_completeness": ("metrics.board.completeness", "quarter_completeness"),
    "Category": ("metrics.board.exceptions", "Category"),
    "Review": ("metrics.board.exceptions", "Review"),
    "exception_report": ("metrics.board.exceptions", "exception_report"),
    "proposed_actions": ("metrics.board.exceptions", "proposed_actions"),
    "review_all": ("metrics.board.exceptions", "review_all"),
    "Commentary": ("metrics.board.updates", "Commentary"),
    "ActionProgress": ("metrics.board.updates", "ActionProgress"),
    "commentary_by_indicator": ("metrics.board.updates", "commentary_by_indicator"),
    "progress_by_action": ("metrics.board.updates", "progress_by_action"),
    # figures, the assessment, the tracker, the board pack
    "spc_figure": ("metrics.board.charts", "spc_figure"),
    "spc_png": ("metrics.pack.model", "spc_png"),
    "ward_volume_figure": ("metrics.board.charts", "ward_volume_figure"),
    "share_mismatches": ("metrics.board.assessment", "share_mismatches"),
    "SubmissionStatus": ("metrics.returns.tracker", "SubmissionStatus"),
    "submission_status": ("metrics.returns.tracker", "submission_status"),
    "PACK_FORMATS": ("metrics.pack", "FORMATS"),
    "board_pack": ("metrics.pack", "board_pack"),
    # the store and first start
    "next_steps": ("metrics.areas.next_steps", "next_steps"),
    "Store": ("metrics.store", "Store"),
    "StoreError": ("metrics.store", "StoreError"),
    "open_store": ("metrics.store", "open_store"),
    "initialise": ("metrics.bootstrap", "initialise"),
    "InitError": ("metrics.bootstrap", "InitError"),
    # modules used as namespaces
    "action_log": ("metrics.board.action_log", None),
    "board_actions": ("metrics.board.actions", None),
    "access": ("metrics.access", None),
    "store_schema": ("metrics.store.schema", None),
    "store_backup": ("metrics.store.backup", None),
    "indicator_store": ("metrics.store.indicators", None),
    "police_store": ("metrics.store.police", None),
    "return_store": ("metrics.store.returns", None),
    "survey_store": ("metrics.store.survey", None),
    "survey": ("metrics.survey", None),
    "survey_import": ("metrics.survey.importing", None),
    "survey_results": ("metrics.survey.results", None),
    "survey_charts": ("metrics.survey.charts", None),
    "returns": ("metrics.returns", None),
    "return_versions": ("metrics.returns.versions", None),
    "police_uk": ("metrics.police.uk", None),
    "ward_view": ("metrics.police.explorer", None),
    "area_export": ("metrics.police.export", None),
    "police_peers": ("metrics.police.peers", None),
    "spreadsheet": ("metrics.spreadsheet", None),
    "consultation": ("metrics.consultation", None),
    "consultation_store": ("metrics.store.consultation", None),
    "consultation_plan": ("metrics.consultation.from_plan", None),
    "consultation_operations": ("metrics.consultation.operations", None),
    "consultation_followup": ("metrics.consultation.followup", None),
    "compare": ("metrics.compare", None),
    "compare_figure": ("metrics.compare.figure", None),
}

__all__ = sorted(_API)


def __getattr__(name: str) -> Any:
    """Load a public name on first use; anything not in the API is an AttributeError."""
    try:
        module_name, attribute = _API[name]
    except KeyError:
        raise AttributeError(f"module 'metrics' has no public name {name!r} (see metrics/__init__.py)") from None
    module = importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return __all__
