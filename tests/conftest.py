"""Shared fixtures: the real plan, and real DuckDB stores built the way users build them."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from metrics.bootstrap import initialise
from metrics.plan import load_plan
from metrics.store import Store

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session", autouse=True)
def _isolated_store(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never touch data/ccsp.duckdb: CSP_DB points every test at its own file."""
    os.environ["CSP_DB"] = str(tmp_path_factory.mktemp("session") / "session.duckdb")
    os.environ.pop("CSP_CONFIG", None)


@pytest.fixture(scope="session")
def plan():
    return load_plan(ROOT / "config.yaml")


@pytest.fixture(scope="session")
def demo_template(plan, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store made once per session by the real init with demo data."""
    path = tmp_path_factory.mktemp("template") / "demo.duckdb"
    initialise(plan, Store(path), with_demo=True)
    return path


@pytest.fixture
def demo_store(demo_template: Path, tmp_path: Path) -> Store:
    """A private copy of the demo store for a test that may write."""
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_template, path)
    return Store(path)


# --- the second, fictional partnership (tests/partnerships/marrowvale) ------------------------
OTHER_PLAN = ROOT / "tests" / "partnerships" / "marrowvale" / "plan.yaml"


@pytest.fixture(scope="session")
def other_plan():
    """Marrowvale: a fictional county of seven districts, unlike Coventry in every way."""
    return load_plan(OTHER_PLAN)


@pytest.fixture(scope="session")
def other_template(other_plan, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Marrowvale's demo store, made once per session by the real init."""
    path = tmp_path_factory.mktemp("other-template") / "marrowvale.duckdb"
    initialise(other_plan, Store(path), with_demo=True)
    return path


@pytest.fixture
def other_store(other_template: Path, tmp_path: Path) -> Store:
    """A private copy of Marrowvale's demo store."""
    path = tmp_path / "marrowvale.duckdb"
    shutil.copy(other_template, path)
    return Store(path)
