"""init is all or nothing: a failure injected at each stage leaves the store exactly as it was
(same bytes, same table checksums, no working copy left behind), names the stage, and a rerun
then builds the whole store. The dashboard's first start shows the same message, never a
traceback."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from metrics import bootstrap, demo
from metrics.bootstrap import STAGES, WORKING_SUFFIX, InitError, initialise
from metrics.plan.model import Plan
from metrics.store import Store, schema
from metrics.store import police as police_store
from tests.conftest import OTHER_PLAN, ROOT


class Injected(RuntimeError):
    """The failure a test injects."""


def _after(real: Callable, stage: str) -> Callable:
    """The real step, run (so it has written to the working copy), then a failure."""

    def step(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        real(*args, **kwargs)
        raise Injected(f"injected failure in {stage}")

    return step


# stage -> (object holding the step, the step's name): each is a real step of init.
STEP_OF_STAGE = {
    "schema": (bootstrap.schema, "migrate"),
    "plan": (bootstrap.plan_store, "sync_plan"),
    "assessment": (bootstrap.indicator_store, "replace_sa_figures"),
    "demo": (demo.indicator_store, "load_demo"),
    "police demo": (demo.police_uk, "import_demo_frame"),
    "demo actions": (demo.action_log, "record"),
    "demo returns": (demo, "submit"),
}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def plan_only(plan: Plan, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the plan and the assessment, no demo data yet (built once)."""
    path = tmp_path_factory.mktemp("plan-only") / "store.duckdb"
    initialise(plan, Store(path))
    return path


def test_every_stage_is_covered() -> None:
    assert set(STEP_OF_STAGE) | {"finish"} == set(STAGES)


@pytest.mark.parametrize("stage", [*STEP_OF_STAGE, "finish"])
def test_a_failure_at_any_stage_leaves_the_store_as_it_was(
    stage: str, plan: Plan, plan_only: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "store.duckdb"
    shutil.copy(plan_only, path)
    store = Store(path)
    before_bytes, before_sums = _digest(path), schema.checksums(store)
    if stage == "finish":
        monkeypatch.setattr(bootstrap.os, "replace", _after(lambda *a: None, stage))
    else:
        holder, name = STEP_OF_STAGE[stage]
        monkeypatch.setattr(holder, name, _after(getattr(holder, name), stage))
    with pytest.raises(InitError) as caught:
        initialise(plan, store, with_demo=True)
    assert caught.value.stage == stage
    assert f"failed while {STAGES[stage]}: injected failure in {stage}" in str(caught.value)
    assert "Nothing was changed" in str(caught.value)
    monkeypatch.undo()
    assert _digest(path) == before_bytes, "the store file changed"
    assert schema.checksums(store) == before_sums
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.duckdb"], "a working copy was left behind"
    if stage != "demo returns":
        return  # one full rerun (after the last stage's failure) is enough to show the point below
    # the rerun builds everything, rather than reporting success on a half-built store
    report = initialise(plan, store, with_demo=True)
    assert report.demo_loaded and report.demo_returns > 0 and report.police is not None
    assert police_store.summary_bounds(store).first is not None


def test_a_failure_on_first_start_leaves_no_store(plan: Plan, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    path = tmp_path / "new.duckdb"
    monkeypatch.setattr(bootstrap.indicator_store, "load_demo", _after(bootstrap.indicator_store.load_demo, "demo"))
    with pytest.raises(InitError):
        initialise(plan, Store(path), with_demo=True)
    assert list(tmp_path.iterdir()) == [], "neither a store nor a working copy (*" + WORKING_SUFFIX + ") is left"


def test_first_start_shows_the_message_not_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A plan whose assessment file is broken: the dashboard says what failed and stores nothing."""
    folder = tmp_path / "plan"
    folder.mkdir()
    text = OTHER_PLAN.read_text(encoding="utf-8").replace(
        "  steady_band_pct: 2.0", "  strategic_assessment_file: assessment.csv\n  steady_band_pct: 2.0"
    )
    (folder / "plan.yaml").write_text(text, encoding="utf-8")
    (folder / "assessment.csv").write_text("this is not,an assessment\n1,2\n", encoding="utf-8")
    db = tmp_path / "first.duckdb"
    monkeypatch.setenv("CSP_CONFIG", str(folder / "plan.yaml"))
    monkeypatch.setenv("CSP_DB", str(db))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90).run()
    assert not at.exception, [e.value for e in at.exception]
    message = "\n".join(e.value for e in at.error)
    assert "failed while loading the Strategic Assessment file" in message
    assert "assessment.csv" in message and "Nothing was changed" in message
    assert not db.exists()


def test_the_store_is_held_from_the_copy_until_the_rename(
    plan: Plan, plan_only: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process cannot write to the store while init builds its working copy: a write
    there would be lost when the copy replaces the store. It waits, and is refused as busy."""
    import subprocess
    import sys

    path = tmp_path / "store.duckdb"
    shutil.copy(plan_only, path)
    writer = (
        "import sys; from metrics.store import Store, StoreBusyError; from metrics.store import plan\n"
        "try:\n    plan.set_meta(Store(sys.argv[1], wait_seconds=0.5), 'written_by', 'another process')\n"
        "except StoreBusyError:\n    sys.exit(3)\n"
    )
    seen: list[int] = []
    real = bootstrap.plan_store.sync_plan

    def sync_then_try_a_write(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        real(*args, **kwargs)
        seen.append(subprocess.run([sys.executable, "-c", writer, str(path)], cwd=ROOT).returncode)

    monkeypatch.setattr(bootstrap.plan_store, "sync_plan", sync_then_try_a_write)
    initialise(plan, Store(path))
    assert seen == [3], "the other process was refused as busy while init ran"
    monkeypatch.undo()
    from metrics.store import plan as plan_store

    plan_store.set_meta(Store(path), "written_by", "after init")  # and can write once it is done
    assert plan_store.meta(Store(path))["written_by"] == "after init"


def test_a_killed_inits_working_copy_is_removed_by_the_next_init(plan_only: Path, plan: Plan, tmp_path: Path) -> None:
    """A working copy whose process has gone and that is over an hour old is removed (with its
    write-ahead log); one whose process still runs, or that is recent, or that init did not
    name, is left. The report says what went."""
    db = tmp_path / "store.duckdb"
    shutil.copy(plan_only, db)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(gone.stdout)  # that process has ended and been reaped
    hour_ago = time.time() - bootstrap.STALE_AFTER_SECONDS - 60

    def copy(pid: int, tag: str = "0a1b2c3d", age: float = hour_ago) -> Path:
        path = tmp_path / f"{db.name}.{pid}-{tag}{WORKING_SUFFIX}"
        path.write_bytes(b"half-built")
        os.utime(path, (age, age))
        return path

    stale = copy(dead_pid)
    stale_wal = stale.with_name(stale.name + ".wal")
    stale_wal.write_bytes(b"log")
    running = copy(os.getpid(), "11111111")
    recent = copy(dead_pid, "22222222", age=time.time())
    foreign = tmp_path / f"{db.name}.backup{WORKING_SUFFIX}"
    foreign.write_bytes(b"someone's own file")
    os.utime(foreign, (hour_ago, hour_ago))

    report = initialise(plan, Store(db))

    assert not stale.exists() and not stale_wal.exists()
    assert running.exists() and recent.exists() and foreign.exists()
    assert report.stale_copies_removed == [stale.name]
    assert any(stale.name in line and "earlier init that was stopped" in line for line in report.lines())
    assert initialise(plan, Store(db)).stale_copies_removed == [], "nothing left to remove the second time"
