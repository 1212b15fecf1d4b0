"""Sign-in, roles and local mode in the real Streamlit runtime (AppTest): every role x page x
action, allowed and refused.

AppTest's own ``user`` and ``secrets`` stand for what a signed-in session sees as st.user and
st.secrets (the browser test, test_browser_signin.py, signs in for real); the roles file is a
real file named by CSP_ROLES."""

from __future__ import annotations

import getpass
import logging
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics import returns
from metrics.plan.model import load_plan
from metrics.quarters import Quarter
from metrics.store import Store
from metrics.store import returns as return_store
from pages import auth
from tests.test_app import APP, TIMEOUT, _goto, _no_errors, _text
from tests.test_app_actions import action_forms, open_action_form, open_change_form

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "returns"
Q2 = Quarter.parse("2025/26 Q2")
LEAD_OF = "csvpp"
SECRETS = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a" * 64,
    "client_id": "dashboard",
    "client_secret": "secret",
    "server_metadata_url": "http://localhost:9/.well-known/openid-configuration",
}
ROLES = f"""
contact: "the CSP officer (csp.officer@example.org)"
people:
  - email: board@example.org
    roles: [board_member]
  - email: officer@example.org
    roles: [board_officer]
  - email: lead@example.org
    roles: [subgroup_lead]
    subgroups: [{LEAD_OF}]
  - email: analyst@example.org
    roles: [analyst]
groups:
  - group: csp-admins
    roles: [administrator]
"""
BROKEN_CONTACT = 'contact: "the CSP officer (csp.officer@example.org)"'
PEOPLE = {
    "board": {"email": "board@example.org", "name": "Bea Board"},
    "officer": {"email": "officer@example.org", "name": "Olu Officer"},
    "lead": {"email": "lead@example.org", "name": "Lee Lead"},
    "analyst": {"email": "analyst@example.org", "name": "Ana Analyst"},
    "admin": {"email": "admin@example.org", "name": "Ada Admin", "groups": ["csp-admins"]},
    "nobody": {"email": "nobody@example.org", "name": "Nob Body"},
}


def _board_pages() -> set[str]:
    plan = load_plan()
    board = {
        "",
        "exception-report",
        "present",
        "action-log",
        "consultation",
        "surveys",
        "assessment",
        "returns-tracker",
    }
    return board | {t.id.replace("_", "-") for t in plan.themes}


# The pages each role is offered (the default page is served at "").
def _expected_pages(who: str) -> set[str]:
    board = _board_pages()
    return {
        "board": board,
        "officer": board,
        "lead": {""},  # their returns page, as the default
        "analyst": board | {"wards", "returns-upload"},
        "admin": board | {"wards", "returns-upload"},
    }[who]


@pytest.fixture
def db(app_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    roles = tmp_path / "roles.yaml"
    roles.write_text(ROLES, encoding="utf-8")
    monkeypatch.setenv("CSP_ROLES", str(roles))
    return app_store


def _as(who: str | None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.secrets["auth"] = SECRETS
    at.user = {"is_logged_in": False} if who is None else {"is_logged_in": True, "sub": f"sub-{who}", **PEOPLE[who]}
    return at.run()


def signed_in(who: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The app as the roles file's ``who`` sees it (the roles file written under ``tmp_path``)."""
    roles = tmp_path / "roles.yaml"
    roles.write_text(ROLES, encoding="utf-8")
    monkeypatch.setenv("CSP_ROLES", str(roles))
    return _as(who)


def _pages(at: AppTest) -> set[str]:
    return {info.get("url_pathname") for info in at._registered_pages.values()}


def _keys(at: AppTest, kind: str) -> set[str]:
    return {getattr(e, "key", None) or getattr(e.proto, "id", "") for e in at.get(kind)}


@pytest.mark.parametrize("who", ["board", "officer", "analyst", "admin"])
def test_each_role_sees_its_pages_and_nothing_else(db: Store, who: str) -> None:
    at = _as(who)
    _no_errors(at, f"{who}: first page")
    assert _pages(at) == _expected_pages(who)
    assert f"Signed in as **{PEOPLE[who]['name']}" in " ".join(c.value for c in at.sidebar.caption).replace("\\", "")
    assert not any(auth.LOCAL_BANNER in w.value for w in at.warning), "no local-mode banner once signed in"
    at = _goto(at, "exception-report")
    _no_errors(at, f"{who}: exception report")
    assert any(b.label == "Build the board pack" for b in at.button), f"{who} may take the board pack"
    theme = next(
        u
        for u in sorted(_board_pages())
        if u not in {"", "exception-report", "action-log", "consultation", "assessment", "returns-tracker"}
    )
    # One theme page stands for all (they share one script). The Strategic Assessment goes last:
    # after it, AppTest reports the pages/ folder instead of the navigation (see README, Known issues).
    for url in (theme, "returns-tracker", "assessment"):
        _no_errors(_goto(at, url), f"{who}: {url}")


def test_a_board_member_is_refused_the_analysts_and_leads_pages(db: Store) -> None:
    at = _as("board")
    for url in ("wards", "returns-upload"):
        assert url not in _pages(at)
        with pytest.raises(AssertionError, match="no page with URL path"):
            _goto(at, url)


def test_a_lead_uploads_only_for_their_subgroup_and_sees_its_audit(db: Store) -> None:
    at = _as("lead")
    _no_errors(at, "lead's page")
    assert _pages(at) == {""}, "a lead has no board page, explorer or tracker"
    assert at.title[0].value == "Upload a quarterly return"
    picker = at.selectbox(key="return_subgroup")
    assert picker.value == LEAD_OF and len(picker.options) == 1, "only the subgroup they lead is offered"
    at.selectbox(key="return_quarter").set_value(Q2.label).run()
    assert len(at.get("file_uploader")) == 1 and len(at.get("download_button")) >= 2  # uploader, two templates
    content = (FIXTURES / "valid.xlsx").read_bytes()
    at.get("file_uploader")[0].set_value(("valid.xlsx", content, returns.XLSX_MIME)).run()
    _no_errors(at, "preview")
    if at.text_area:
        at.text_area(key="return_explanation").set_value("Checked with the analyst.")
    at.button(key="return_submit").click().run()
    _no_errors(at, "after submit")
    assert any("Stored as version 2" in s.value for s in at.success)
    stored = return_store.latest_submission(db, LEAD_OF, str(Q2.start))
    assert stored.submitted_by == "Lee Lead <lead@example.org>", "the signed-in identity, not a typed name"
    assert any(e.label.startswith("Audit log") for e in at.expander), "a lead sees their own audit log"
    assert "return_original" in _keys(at, "download_button"), "and the original file, as uploaded"
    assert not any(t.label == "Your name" for t in at.sidebar.text_input), "the name box is gone"


def test_an_analyst_sees_every_return_but_submits_none_and_sees_no_audit(db: Store) -> None:
    at = _goto(_as("analyst"), "returns-upload")
    _no_errors(at, "analyst on returns")
    assert len(at.selectbox(key="return_subgroup").options) == len(load_plan().subgroups)
    at.selectbox(key="return_quarter").set_value(Q2.label).run()
    assert not at.get("file_uploader"), "no upload for an analyst"
    assert not any(b.key == "return_submit" for b in at.button)
    assert any("but not submit them" in i.value for i in at.info)
    assert "return_original" in _keys(at, "download_button")
    assert not any(e.label.startswith("Audit log") for e in at.expander), "the audit log is the leads' and admins'"


def test_an_analyst_downloads_and_imports_on_the_explorer(db: Store) -> None:
    at = _goto(_as("analyst"), "wards")
    _no_errors(at, "analyst on the explorer")
    assert {"download_csv", "download_xlsx"} <= _keys(at, "download_button")
    assert any(b.key == "police_import" for b in at.button)


def test_an_administrator_uploads_for_any_subgroup_and_sees_every_audit(db: Store) -> None:
    at = _goto(_as("admin"), "returns-upload")
    for subgroup in ("prevent", LEAD_OF):
        at.selectbox(key="return_subgroup").set_value(subgroup)
        at.selectbox(key="return_quarter").set_value(Q2.label).run()
        _no_errors(at, f"admin on {subgroup}")
        assert len(at.get("file_uploader")) == 1
        stored = not any("No return has been stored" in i.value for i in at.info)
        assert any(e.label.startswith("Audit log") for e in at.expander) is stored
    assert stored, "the last subgroup (a demo return) shows its audit log to an administrator"


def test_a_person_with_no_role_sees_whom_to_ask_and_nothing_else(db: Store, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=auth.LOG.name)
    at = _as("nobody")
    _no_errors(at, "no role")
    at.run()
    logged = [r.getMessage() for r in caplog.records if r.name == auth.LOG.name]
    assert logged == ["Signed in with no role: Nob Body <nobody@example.org>"], "once for the session, not per check"
    assert _pages(at) == {""} and [t.value for t in at.title] == ["No access yet"]
    text = _text(at).replace("\\", "")
    assert "Nob Body <nobody@example.org>" in text and "Ask the CSP officer (csp.officer@example.org)" in text
    assert [b.label for b in at.button] == ["Sign out"]
    assert not at.dataframe and not at.get("plotly_chart") and not at.selectbox


def test_signed_out_sees_only_the_sign_in_button(db: Store) -> None:
    at = _as(None)
    assert [t.value for t in at.title] == ["Sign in"] and [b.label for b in at.button] == ["Sign in"]
    assert _pages(at) == {""} and not at.dataframe and not at.selectbox


def test_a_broken_roles_file_lets_no_one_in(db: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """No one gets in, the page says whom to ask, and the operator's log has the problems once
    per version of the file, not once per permission check of every rerun."""
    roles = tmp_path / "roles.yaml"
    roles.write_text(f"{BROKEN_CONTACT}\npeople:\n  - email: admin@example.org\n    roles: [emperor]\n")
    caplog.set_level(logging.INFO, logger=auth.LOG.name)
    at = _as("admin")
    assert [t.value for t in at.title] == ["Sign-in is not available"]
    shown = _text(at) + "\n".join(e.value for e in at.error).replace("\\", "")
    assert "emperor" not in shown, "the problems go to the operator's log, not the page"
    assert "Ask the CSP officer (csp.officer@example.org) to correct it" in shown
    assert _pages(at) == {""} and not at.dataframe and not at.selectbox, "nothing of the dashboard"
    at.run()
    assert [t.value for t in at.title] == ["Sign-in is not available"], "still refused on the next rerun"
    logged = [r.getMessage() for r in caplog.records if r.name == auth.LOG.name]
    assert len(logged) == 1 and "'emperor' is not a role" in logged[0], logged

    roles.write_text("people:\n  - email: admin@example.org\n    roles: [admiral]\n")  # edited, still broken
    at.run()
    logged = [r.getMessage() for r in caplog.records if r.name == auth.LOG.name]
    assert len(logged) == 2 and "'admiral' is not a role" in logged[1], "a new version is logged once more"
    assert "Ask the dashboard's administrator" in at.error[0].value.replace("\\", ""), "no contact in the file"


def test_local_mode_banner_and_refusal_off_localhost(db: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    _no_errors(at, "local mode")
    assert any(auth.LOCAL_BANNER in w.value for w in at.warning)
    assert "wards" in _pages(at) and "returns-upload" in _pages(at), "local mode: an administrator"
    at = _goto(at, "returns-upload")
    assert len(at.selectbox(key="return_subgroup").options) == len(load_plan().subgroups)

    monkeypatch.setattr(auth, "bind_address", lambda: "0.0.0.0")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert [t.value for t in at.title] == ["This dashboard needs sign-in here"]
    assert "it listens on 0.0.0.0" in at.error[0].value
    assert "secrets.example.toml" in _text(at) and _pages(at) == {""}
    assert getpass.getuser()  # the refusal names no user: nothing of the dashboard is drawn
    assert not at.dataframe and not at.selectbox


@pytest.mark.parametrize(("who", "may"), [("board", False), ("officer", True), ("admin", True)])
def test_only_the_board_officer_changes_the_action_log(db: Store, who: str, may: bool) -> None:
    """Recording an action is record_board_action's: a board member reads the log and its
    follow-up but is offered no form; the officer is, and is recorded by name and e-mail."""
    at = _goto(_as(who), "exception-report")
    _no_errors(at, f"{who}: exception report")
    forms = action_forms(at)
    assert bool(forms) is may
    assert "Actions from the last meeting" in _text(at), "everyone on the board sees the follow-up"
    log = _goto(at, "action-log")
    _no_errors(log, f"{who}: action log")
    assert "A-2025/26-Q1-01" in _text(log)
    log = open_change_form(log, "A-2025/26-Q1-01")
    assert bool([s for s in log.selectbox if (s.key or "").startswith("chg_status_")]) is may
    if who == "officer":
        key = forms[0]
        at = open_action_form(_goto(log, "exception-report"), key)
        at.text_area(key=f"ba_text_{key}").set_value("Bring the partners' plan to the next meeting.")
        at.button(key=f"FormSubmitter:board_action_{key}-Record it").click().run()
        _no_errors(at, "officer records")
        assert any("by Olu Officer <officer@example.org>." in s.value for s in at.success)
