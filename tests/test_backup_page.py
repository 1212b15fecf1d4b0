"""An administrator downloads a backup from the dashboard (the Returns tracker page, in the real
Streamlit runtime); no other role is offered one."""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics.store import Store, schema
from metrics.store.backup import DATABASE, MANIFEST, SNAPSHOT_SUFFIX, Manifest
from tests.test_app import APP, TIMEOUT, _goto, _no_errors
from tests.test_auth_app import ROLES, _as

PAGE = "returns-tracker"


def test_an_administrator_prepares_and_downloads_a_backup(app_store: Store) -> None:
    """Local mode: the operator on this computer is an administrator."""
    at = _goto(AppTest.from_file(APP, default_timeout=TIMEOUT).run(), PAGE)
    assert not at.get("download_button") or all("backup" not in str(d.proto.label) for d in at.get("download_button"))
    at.button(key="backup_prepare").click().run()
    _no_errors(at, "after preparing a backup")
    name, data, summary = at.session_state["tracker_backup"]
    assert name.endswith(SNAPSHOT_SUFFIX) and f"Download {name}" in [d.proto.label for d in at.get("download_button")]
    with zipfile.ZipFile(BytesIO(data)) as zf:
        manifest = Manifest.from_json(zf.read(MANIFEST).decode(), Path(name))
        assert DATABASE in zf.namelist()
    assert {t.name: (t.rows, t.checksum) for t in manifest.tables} == schema.checksums(app_store)
    assert f"{manifest.rows:,} rows" in summary


@pytest.fixture
def _roles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    roles = tmp_path / "roles.yaml"
    roles.write_text(ROLES, encoding="utf-8")
    monkeypatch.setenv("CSP_ROLES", str(roles))


@pytest.mark.usefixtures("_roles")
@pytest.mark.parametrize("who", ["board", "officer", "analyst"])
def test_only_an_administrator_is_offered_a_backup(app_store: Store, who: str) -> None:
    at = _goto(_as(who), PAGE)
    _no_errors(at, who)
    assert "backup_prepare" not in {b.key for b in at.button}
    at_admin = _goto(_as("admin"), PAGE)
    assert "backup_prepare" in {b.key for b in at_admin.button}
