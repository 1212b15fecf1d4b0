"""Create or upgrade a store and fill it: the plan, the Strategic Assessment, demo data.

Used by ``python -m metrics init`` and by the dashboard on first start. Idempotent: running
it again migrates nothing new, re-syncs the plan and leaves real data alone; demo data is
regenerated only when the store holds none or was made with another seed.

All or nothing: the stages run on a working copy beside the store (a copy of it, or a new
file), which replaces the store in one rename only when every stage has succeeded. A failure
at any stage removes the copy and raises :class:`InitError` naming the stage, so the store is
exactly as it was (and a rerun never finds, or reports success on, a half-built store).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from metrics import demo
from metrics.board.assessment import read_assessment_csv
from metrics.plan.model import Plan
from metrics.police import uk as police_uk
from metrics.store import Store, StoreError, schema
from metrics.store import indicators as indicator_store
from metrics.store import plan as plan_store

Progress = Callable[[float, str], None]


def _silent(_fraction: float, _message: str) -> None:
    """A progress callback that reports nothing."""


# The stages of init, in order, as named in a failure's message.
STAGES = {
    "schema": "creating or upgrading the data store",
    "plan": "loading the plan",
    "assessment": "loading the Strategic Assessment file",
    "demo": "generating and storing demo data",
    "police demo": "storing demo police.uk data",
    "demo actions": "recording demo board actions",
    "demo returns": "submitting demo quarterly returns",
    "finish": "putting the new store in place",
}
WORKING_SUFFIX = ".init-tmp"  # the working copy sits beside the store, so the final rename is atomic
# A working copy left by an init that was killed (power cut, kill -9: nothing ran to remove it)
# is removed by the next init once its process has gone and it is at least this old. Both are
# asked: a process id means nothing to another computer sharing the folder, and no init takes
# anywhere near this long.
STALE_AFTER_SECONDS = 3600


class InitError(StoreError):
    """Init failed at one stage; the store was left exactly as it was."""

    def __init__(self, stage: str, store: Path, cause: BaseException) -> None:
        self.stage = stage
        self.cause = cause
        super().__init__(
            f"Setting up the data store failed while {STAGES[stage]}: {cause}\n"
            f"Nothing was changed: {store} is exactly as it was before. Correct the problem above and run "
            "`python -m metrics init` again (or reload the dashboard)."
        )


@dataclass
class InitReport:
    migrations_applied: list[int] = field(default_factory=list)
    assessment_rows: int = 0
    assessment_file: bool = False  # whether the plan names a Strategic Assessment file
    demo_loaded: bool = False
    demo_rows: int = 0
    real_rows: int = 0
    demo_returns: int = 0
    demo_actions: int = 0
    demo_survey_waves: int = 0
    police: police_uk.ImportReport | None = None
    police_skipped: str = ""  # why no demo police.uk data was made, when it was not
    stale_copies_removed: list[str] = field(default_factory=list)  # killed inits' working copies

    def lines(self) -> list[str]:
        out = [
            f"Migrations applied: {', '.join(map(str, self.migrations_applied))}"
            if self.migrations_applied
            else "Schema already up to date."
        ]
        if self.assessment_file:
            out.append(f"Strategic Assessment figures loaded: {self.assessment_rows}.")
        else:
            out.append("No Strategic Assessment file in the plan (settings.strategic_assessment_file): none loaded.")
        if self.demo_loaded:
            out.append(
                f"Demo data loaded: {self.demo_rows} indicator values flagged as demo, and "
                f"{self.real_rows} real survey figures quoted in the plan."
            )
            out.append(f"Demo quarterly returns submitted: {self.demo_returns}.")
            out.append(f"Demo board actions recorded: {self.demo_actions}.")
            if self.demo_survey_waves:
                out.append(f"Demo survey waves stored: {self.demo_survey_waves} (invented respondents, flagged demo).")
        if self.police is not None:
            out.append(
                f"Demo police.uk data imported: {self.police.stored:,} incidents in "
                f"{len(self.police.months)} months, for the indicators the plan links to police.uk data."
            )
        elif self.police_skipped:
            out.append(self.police_skipped)
        if self.stale_copies_removed:
            out.append(
                f"Removed {len(self.stale_copies_removed)} working copy(ies) left by an earlier init that was "
                f"stopped: {', '.join(self.stale_copies_removed)}."
            )
        return out


def initialise(plan: Plan, store: Store, with_demo: bool = False, progress: Progress = _silent) -> InitReport:
    """Bring the store up to date with the plan; with ``with_demo``, make sure demo data is in.

    All or nothing: raises :class:`InitError` (the store untouched) if any stage fails."""
    # Beside the store (so the rename is atomic), and unique: two first starts at once (two
    # browser sessions) each build their own complete copy instead of sharing one.
    work = store.path.with_name(f"{store.path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}{WORKING_SUFFIX}")
    stage = "schema"
    try:
        _discard(work)
        # An existing store is held from the copy until the rename, so no other process can
        # write to it meanwhile (a write there would be lost when the copy replaces it); it is
        # checkpointed first, so the file alone holds everything.
        exists = store.path.exists()
        with store.session() if exists else contextlib.nullcontext(), contextlib.ExitStack() as keep:
            if exists:
                store.checkpoint()
                # DuckDB's lock is a POSIX record lock, which a process loses when it closes *any*
                # descriptor of the file: so the original is read through one descriptor kept
                # open until after the rename (shutil.copy2 would close its own, and free it).
                source = keep.enter_context(open(store.path, "rb"))  # noqa: SIM115
                with open(work, "wb") as target:
                    shutil.copyfileobj(source, target)
            working = Store(work, store.wait_seconds)
            tracker = _Stage()
            try:
                report = _build(plan, working, with_demo, progress, tracker)
            finally:
                stage = tracker.name
            stage = "finish"
            working.checkpoint()
            os.replace(work, store.path)
    except Exception as exc:
        _discard(work)
        if isinstance(exc, InitError):
            raise
        raise InitError(stage, store.path, exc) from exc
    except BaseException:  # interrupted (Ctrl-C): no working copy left behind either
        _discard(work)
        raise
    # Only once the new store is in place: a failure above leaves everything as it was.
    report.stale_copies_removed = remove_stale_copies(store.path)
    progress(1.0, "Ready")
    return report


@dataclass
class _Stage:
    """The stage running, so a failure can name it."""

    name: str = "schema"

    def enter(self, name: str) -> None:
        self.name = name


def remove_stale_copies(store_path: Path, now: float | None = None) -> list[str]:
    """Remove the working copies beside the store that a killed init left behind: those whose
    process (the id in the name) no longer runs here and that are older than
    STALE_AFTER_SECONDS. A copy that cannot be removed is left, silently: it harms nothing but
    disk space, and init has already succeeded. Returns the names removed."""
    now = time.time() if now is None else now
    removed = []
    for work in sorted(store_path.parent.glob(f"{glob.escape(store_path.name)}.*{WORKING_SUFFIX}")):
        pid = _pid_of(work, store_path.name)
        try:
            old_enough = now - work.stat().st_mtime >= STALE_AFTER_SECONDS
        except OSError:
            continue  # gone meanwhile
        if pid is None or _running(pid) or not old_enough:
            continue
        try:
            _discard(work)
        except OSError:
            continue
        removed.append(work.name)
    return removed


def _pid_of(work: Path, store_name: str) -> int | None:
    """The process id in a working copy's name (``<store>.<pid>-<hex>.init-tmp``), or None if the
    name is not one init makes."""
    middle = work.name[len(store_name) + 1 : -len(WORKING_SUFFIX)]
    pid, _, tag = middle.partition("-")
    return int(pid) if pid.isdigit() and len(tag) == 8 else None


def _running(pid: int) -> bool:
    """Whether a process with this id runs on this computer (one we may not signal still runs)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _discard(work: Path) -> None:
    """Remove a working copy and its write-ahead log, if any."""
    for path in (work, work.with_name(work.name + ".wal")):
        path.unlink(missing_ok=True)


def _build(plan: Plan, store: Store, with_demo: bool, progress: Progress, stage: _Stage) -> InitReport:
    """Every stage of init, on the working copy."""
    report = InitReport()
    progress(0.05, "Creating or upgrading the data store")
    report.migrations_applied = schema.migrate(store)
    stage.name = "plan"
    progress(0.2, "Loading the plan")
    plan_store.sync_plan(store, plan)
    sa = None
    if plan.settings.strategic_assessment_file is not None:
        stage.name = "assessment"
        report.assessment_file = True
        progress(0.3, "Loading the Strategic Assessment key findings")
        sa = read_assessment_csv(plan.settings.strategic_assessment_file, plan)
        report.assessment_rows = indicator_store.replace_sa_figures(store, sa)
    if with_demo and plan_store.meta(store).get("demo_seed") != str(plan.settings.demo_seed):
        filled = demo.fill(plan, store, sa, progress, stage.enter)
        report.demo_loaded = True
        report.demo_rows, report.real_rows = filled.demo_rows, filled.real_rows
        report.demo_returns, report.demo_actions = filled.demo_returns, filled.demo_actions
        report.police, report.police_skipped = filled.police, filled.police_skipped
        report.demo_survey_waves = filled.demo_survey_waves
    stage.name = "finish"
    return report
