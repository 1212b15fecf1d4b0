"""Shared fixtures: the real plan, and real DuckDB stores built the way users build them."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from metrics.bootstrap import initialise
from metrics.plan.model import load_plan
from metrics.store import Store

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


# `make test` runs the files on two workers, one file at a time each (pytest-xdist's loadfile,
# with --no-loadscope-reorder so that the order below is the order they are handed out). The
# longest files go first and the short ones fill the gaps, so that both workers finish together
# instead of one waiting out a browser test begun at the end. Seconds per file, measured with
# --junitxml on this machine; files not named here follow in their usual order.
LONGEST_FIRST = (
    "test_browser_board.py",  # 85 s: every page at two sizes with axe, and presenter mode
    "test_app.py",  # 51 s: every page for each kind of quarter in AppTest
    "test_browser_signin.py",  # 47 s: a sign-in provider, its own server and the hostile corpus
    "test_browser.py",  # 43 s
    "test_bench.py",  # 36 s: every bench script at its smallest size (page_switch starts a server and Chromium)
    "test_cli.py",  # 30 s
    "test_backup.py",  # 29 s: backups and restores killed at random points, the command line
    "test_auth_app.py",  # 29 s
    "test_returns.py",  # 20 s
    "test_init_atomic.py",  # 15 s
    "test_consultation_app.py",  # 15 s
    "test_pack.py",  # 14 s
    "test_plan_schema.py",  # 13 s
    "test_board_actions.py",  # 13 s
    "test_hostile_files.py",  # 13 s
    "test_proxy.py",  # 12 s: nginx, the app with sign-in, Chromium through the proxy
    "test_survey_app.py",  # 12 s
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: the rest keep their order


@pytest.fixture(scope="session", autouse=True)
def _isolated_store(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never touch data/ccsp.duckdb: CSP_DB points every test at its own file."""
    os.environ["CSP_DB"] = str(tmp_path_factory.mktemp("session") / "session.duckdb")
    os.environ.pop("CSP_CONFIG", None)


@pytest.fixture(autouse=True)
def _metrics_logger_put_back() -> Iterator[None]:
    """The command line's main() routes the metrics logger to the fault log and stops it
    propagating; a test that calls main() in-process must not take caplog away from the tests
    after it, so the logger's state is put back after every test."""
    logger = logging.getLogger("metrics")
    propagate, handlers = logger.propagate, list(logger.handlers)
    yield
    logger.propagate, logger.handlers = propagate, handlers


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


@pytest.fixture
def app_store(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    """A private copy of the demo store that the app (AppTest) uses, with Streamlit's caches
    emptied: they live for the whole process, and would otherwise serve another test's data."""
    import streamlit as st

    monkeypatch.setenv("CSP_DB", str(demo_store.path))
    st.cache_data.clear()
    st.cache_resource.clear()
    return demo_store


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


# --- the browser tests' server (tests/test_browser*.py share one per session) -----------------

CHROMIUM = Path("/usr/bin/chromium")
SERVER_DBS: dict[str, Path] = {}  # each server's store, for tests that prepare files from it
SERVER_START_SECONDS = 60
SERVER_LOGS: list[Path] = []  # this worker's server log, for a failing browser test to quote


def server_log_tail(chars: int = 3000) -> str:
    """The end of this worker's streamlit server log ("" before the server has started)."""
    if not SERVER_LOGS:
        return ""
    return SERVER_LOGS[0].read_text(errors="replace")[-chars:]


def wait_for_port(port: int, seconds: float = SERVER_START_SECONDS) -> bool:
    """Whether a server accepts connections on the local port within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.3)
    return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`streamlit run dashboard.py` on a fresh, empty store, one per test session: every
    browser test module shares it (each start builds the demo store again)."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run scripts/install-browser (make test does) to install Debian's chromium."
        )
    port = _free_port()
    db = tmp_path_factory.mktemp("browser") / "fresh.duckdb"
    env = {**os.environ, "CSP_DB": str(db)}
    log_path = tmp_path_factory.getbasetemp() / "streamlit.log"
    SERVER_LOGS.append(log_path)
    log = log_path.open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "dashboard.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    if not wait_for_port(port):
        proc.kill()
        pytest.fail(f"streamlit did not start on port {port} within {SERVER_START_SECONDS} s")
    url = f"http://127.0.0.1:{port}"
    SERVER_DBS[url] = db
    yield url
    proc.terminate()
    proc.wait(timeout=20)
    log.close()
