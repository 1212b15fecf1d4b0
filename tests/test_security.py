"""The production settings (issue 12's security pass): what the server shows a visitor when
something breaks, cross-site and cross-origin protection, the upload limit, usage statistics,
and secrets kept out of the repository."""

from __future__ import annotations

import logging
import math
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from pages.safe_text import plain
from tests.conftest import ROOT

CONFIG = ROOT / ".streamlit" / "config.toml"


def test_config_is_set_for_production(plan) -> None:
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none", "no traceback, exception type or text to visitors"
    assert config["client"]["disableDataExport"] is True, "tables' own CSV export is unneutralised"
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["enableCORS"] is True, "cross-origin requests refused"
    assert config["server"]["address"] == "localhost", "local mode is served to this computer only"
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["maxUploadSize"] == math.ceil(plan.settings.returns.max_file_mb), (
        "the upload limit is the returns limit in config.yaml (settings.returns.max_file_mb)"
    )


def test_streamlit_reads_those_settings() -> None:
    """What `streamlit config show` (the real config loader) makes of the file."""
    shown = subprocess.run(
        [sys.executable, "-m", "streamlit", "config", "show"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    for line in (
        'showErrorDetails = "none"',
        "enableXsrfProtection = true",
        "enableCORS = true",
        "gatherUsageStats = false",
        "maxUploadSize = 5",
        'address = "localhost"',
    ):
        assert f"\n{line}\n" in shown, line


def test_a_visitor_sees_no_error_details_and_the_operator_gets_them(tmp_path: Path) -> None:
    script = tmp_path / "boom.py"
    script.write_text('raise RuntimeError("secret path /srv/csp/data/ccsp.duckdb")\n', encoding="utf-8")
    # What Streamlit writes to the server's log: its own logger for script errors.
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("streamlit.error_util")
    logger.addHandler(handler)
    try:
        at = AppTest.from_file(str(script)).run()
    finally:
        logger.removeHandler(handler)
    shown = at.exception[0]
    assert "secret path" not in shown.message and "RuntimeError" not in shown.message
    assert "redacted" in shown.message and not shown.stack_trace
    logged = [r for r in records if r.getMessage() == "Uncaught app execution"]
    assert logged and logged[0].exc_info, "the operator's log has the error with its traceback"
    assert "secret path /srv/csp/data/ccsp.duckdb" in str(logged[0].exc_info[1])


@pytest.mark.parametrize("name", [".streamlit/secrets.toml", "roles.yaml"])
def test_secrets_and_the_roles_file_are_never_committed(name: str) -> None:
    ignored = subprocess.run(["git", "check-ignore", "-q", name], cwd=ROOT, check=False)
    assert ignored.returncode == 0, f"{name} must be git-ignored"
    assert (
        ROOT / (name.replace("secrets.toml", "secrets.example.toml").replace("roles.yaml", "roles.example.yaml"))
    ).exists()


def test_example_secrets_hold_no_live_setting() -> None:
    """The example is all comments: copying it as is configures nothing by accident."""
    text = (ROOT / ".streamlit" / "secrets.example.toml").read_text(encoding="utf-8")
    assert tomllib.loads(text) == {}
    assert "[auth]" in text and "server_metadata_url" in text and "cookie_secret" in text


def test_plain_markdown_escapes_every_punctuation_mark() -> None:
    hostile = "[x](javascript:alert(1)) ![i](http://evil.example/i.png) <b>b</b> *e* www.evil.example a@b.c"
    escaped = plain(hostile)
    unescaped = escaped.replace("\\", "")
    assert unescaped == hostile.replace("\\", "")
    assert all(escaped[i - 1] == "\\" for i, c in enumerate(escaped) if c in "[]()<>!*@.:" and i > 0)
