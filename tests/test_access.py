"""The permission rule, the roles file and the write paths' own checks (issue 12).

The expected grants are written out here from the issue, not read from metrics.access, so a
change to the rule shows up as a failing row."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from metrics import access
from metrics.access import AccessDenied, Action, Role, User, can
from metrics.police import uk as police_uk
from metrics.quarters import Quarter
from metrics.returns import REFUSED, rows_csv, rows_xlsx, submit, template_rows, validate_return
from metrics.spreadsheet import safe_cell
from metrics.store import Store, schema
from metrics.store import returns as return_store
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "returns"
Q2 = Quarter.parse("2025/26 Q2")
OWN, OTHER = "csvpp", "prevent"  # a lead of the first, asking about the second

# role -> actions allowed for every subject (per-subgroup actions: for every subgroup)
EXPECTED = {
    Role.BOARD_MEMBER: {"view_board", "download_pack"},
    Role.BOARD_OFFICER: {"view_board", "download_pack", "record_board_action", "record_consultation"},
    Role.SUBGROUP_LEAD: set(),  # only per subgroup, below
    Role.ANALYST: {
        "view_board",
        "download_pack",
        "view_analysis",
        "download_data",
        "import_police",
        "import_survey",  # issue 20: the analyst imports survey waves and may see respondents
        "view_respondents",
        "view_returns",
        "download_original_return",
        "code_comments",
    },
    Role.ADMINISTRATOR: {a.value for a in Action},
}
LEAD_OWN = {"submit_return", "view_returns", "download_original_return", "view_audit"}


def _user(role: Role, subgroups: frozenset[str] = frozenset()) -> User:
    return User(name=f"A {role.value}", email=f"{role.value}@example.org", roles=frozenset({role}), subgroups=subgroups)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Action))
def test_every_role_and_action(role: Role, action: Action) -> None:
    subgroups = frozenset({OWN}) if role is Role.SUBGROUP_LEAD else frozenset()
    user = _user(role, subgroups)
    expected_other = action.value in EXPECTED[role]
    expected_own = expected_other or (role is Role.SUBGROUP_LEAD and action.value in LEAD_OWN)
    assert can(user, action, OWN) is expected_own, f"{role} {action} on own subgroup"
    assert can(user, action, OTHER) is expected_other, f"{role} {action} on another subgroup"
    assert can(user, action.value, OTHER) is expected_other, "actions can be named by their string"


def test_roles_add_up_and_strangers_are_refused() -> None:
    both = User("B", roles=frozenset({Role.BOARD_MEMBER, Role.SUBGROUP_LEAD}), subgroups=frozenset({OWN}))
    assert can(both, Action.VIEW_BOARD) and can(both, Action.SUBMIT_RETURN, OWN)
    assert not can(both, Action.SUBMIT_RETURN, OTHER) and not can(both, Action.IMPORT_POLICE)
    assert can(both, Action.SUBMIT_RETURN), "with no subject: for at least one subgroup"
    assert not can(User("nobody"), Action.VIEW_BOARD)
    assert not can(None, Action.VIEW_BOARD)
    assert not can(_user(Role.ADMINISTRATOR), "delete_everything"), "unknown actions are refused"
    with pytest.raises(AccessDenied, match=r"A board_member <board_member@example.org> may not submit return for"):
        access.require(_user(Role.BOARD_MEMBER), Action.SUBMIT_RETURN, OWN)


def test_the_operator_is_an_administrator_named_by_the_os(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(access.getpass, "getuser", lambda: "opsuser")
    assert access.operator().label == "opsuser" and Role.ADMINISTRATOR in access.operator().roles
    assert access.local_operator().label == "opsuser (local mode)"
    assert access.operator("Named").label == "Named"


def _roles_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "roles.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_roles_file_and_claims(plan, tmp_path: Path) -> None:
    roles = access.load_roles(
        plan,
        _roles_file(
            tmp_path,
            f"""
contact: "the CSP officer (csp@example.org)"
people:
  - email: Lee.Lead@Example.org
    roles: [subgroup_lead]
    subgroups: [{OWN}]
  - subject: abc-123
    roles: [analyst]
groups:
  - group: BOARD-GROUP
    roles: [board member]
""",
        ),
    )
    lead = access.user_from_claims({"email": "lee.lead@example.org", "name": "Lee Lead", "sub": "s1"}, roles)
    assert lead.label == "Lee Lead <lee.lead@example.org>" and lead.subgroups == {OWN}
    assert can(lead, Action.SUBMIT_RETURN, OWN) and not can(lead, Action.SUBMIT_RETURN, OTHER)
    by_subject = access.user_from_claims({"sub": "abc-123"}, roles)
    assert by_subject.roles == {Role.ANALYST} and by_subject.label == "sub abc-123"
    grouped = access.user_from_claims({"email": "x@example.org", "groups": ["board-group", "other"]}, roles)
    assert grouped.roles == {Role.BOARD_MEMBER}
    combined = access.user_from_claims({"email": "lee.lead@example.org", "groups": "BOARD-GROUP"}, roles)
    assert combined.roles == {Role.BOARD_MEMBER, Role.SUBGROUP_LEAD}
    stranger = access.user_from_claims({"email": "who@example.org", "name": "Who"}, roles)
    assert not stranger.has_role and roles.contact == "the CSP officer (csp@example.org)"
    long_name = access.user_from_claims({"name": "x" * 5000, "sub": "s"}, roles)
    assert len(long_name.name) == access.MAX_NAME_CHARS


def test_a_missing_roles_file_gives_no_one_a_role(plan, tmp_path: Path) -> None:
    roles = access.load_roles(plan, tmp_path / "absent.yaml")
    assert not access.user_from_claims({"email": "a@example.org"}, roles).has_role
    assert roles.contact == access.NO_ROLES_CONTACT


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("peoples: []", "peoples: unknown key"),
        ("people:\n  - email: a@example.org\n    roles: [overlord]", "people[0].roles: 'overlord' is not a role"),
        ("people:\n  - email: a@example.org\n    roles: []", "people[0].roles: a list of one or more of"),
        ("people:\n  - email: nobody\n    roles: [analyst]", "people[0].email: 'nobody' is not an e-mail address"),
        ("people:\n  - roles: [analyst]", "people[0]: give email or subject"),
        ("people:\n  - email: a@example.org\n    roles: [subgroup_lead]", "a subgroup lead needs the subgroups"),
        (
            "people:\n  - email: a@example.org\n    roles: [subgroup_lead]\n    subgroups: [nope]",
            "people[0].subgroups: 'nope' is not a subgroup of the plan",
        ),
        (
            "people:\n  - email: a@example.org\n    roles: [analyst]\n    subgroups: [csvpp]",
            "only a subgroup lead has subgroups",
        ),
        (
            "people:\n  - email: a@example.org\n    roles: [analyst]\n  - email: A@example.org\n    roles: [analyst]",
            "people[1]: 'A@example.org' is listed twice",
        ),
        ("groups:\n  - name: x\n    roles: [analyst]", "groups[0]: give group"),
        ("contact: ''", "contact: say whom a person with no role should ask"),
        ("people: [unclosed", "not valid YAML"),
        ("- just a list", "the file must be a mapping"),
    ],
)
def test_roles_file_problems_are_named(plan, tmp_path: Path, text: str, message: str) -> None:
    path = _roles_file(tmp_path, text)
    with pytest.raises(access.RolesError) as err:
        access.load_roles(plan, path)
    assert message in str(err.value) and str(path) in str(err.value)


@pytest.mark.parametrize(
    ("address", "local"),
    [("localhost", True), ("127.0.0.1", True), ("127.1.2.3", True), ("::1", True), (None, False), ("", False)]
    + [("0.0.0.0", False), ("192.168.1.10", False), ("csp.example.org", False)],
)
def test_only_loopback_addresses_are_local(address: str | None, local: bool) -> None:
    assert access.is_loopback(address) is local


def test_local_mode_refuses_proxied_and_foreign_requests() -> None:
    assert access.local_request_problem({}) is None
    assert access.local_request_problem({"Host": "localhost:8501"}) is None
    assert access.local_request_problem({"host": "[::1]:8501"}) is None
    assert "proxy" in access.local_request_problem({"Host": "localhost:8501", "X-Forwarded-For": "10.0.0.9"})
    assert "csp.example.org" in access.local_request_problem({"Host": "csp.example.org"})


# --- the write paths check again --------------------------------------------------------------


def _without_audit(checksums: dict) -> dict:
    return {k: v for k, v in checksums.items() if k != "return_audit"}


def test_a_lead_cannot_submit_for_another_subgroup(plan, demo_store: Store) -> None:
    content = (FIXTURES / "valid.xlsx").read_bytes()
    parsed = validate_return(plan, demo_store, content, "valid.xlsx", OWN, Q2)
    assert not parsed.errors
    other_lead = _user(Role.SUBGROUP_LEAD, frozenset({OTHER}))
    before = schema.checksums(demo_store)
    with pytest.raises(AccessDenied, match="may not submit return for subgroup 'csvpp'"):
        submit(plan, demo_store, parsed, content, other_lead, "explained")
    assert _without_audit(schema.checksums(demo_store)) == _without_audit(before), "nothing but the audit row changed"
    audit = return_store.audit(
        demo_store,
    ).iloc[0]
    assert audit["outcome"] == REFUSED and audit["submitted_by"] == other_lead.label
    for role in (Role.BOARD_MEMBER, Role.BOARD_OFFICER, Role.ANALYST):
        with pytest.raises(AccessDenied):
            submit(plan, demo_store, parsed, content, _user(role), "explained")
    with pytest.raises(TypeError, match="access.User"):
        submit(plan, demo_store, parsed, content, "Typed Name", "explained")  # type: ignore[arg-type]

    own_lead = _user(Role.SUBGROUP_LEAD, frozenset({OWN}))
    stored = submit(plan, demo_store, parsed, content, own_lead, "Checked with the analyst.")
    assert stored.stored
    assert (
        return_store.latest_submission(demo_store, OWN, str(Q2.start)).submitted_by
        == "A subgroup_lead <subgroup_lead@example.org>"
    )


def test_only_analysts_and_administrators_import_police_data(plan, tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    from metrics.bootstrap import initialise

    initialise(plan, store)
    before = schema.checksums(store)
    street = tmp_path / "2024-01-west-midlands-street.csv"
    street.write_text("not even read\n", encoding="utf-8")
    for role in (Role.BOARD_MEMBER, Role.BOARD_OFFICER, Role.SUBGROUP_LEAD):
        with pytest.raises(AccessDenied, match="may not import police"):
            police_uk.import_street_files(store, plan, [street], by=_user(role, frozenset({OWN})))
    assert schema.checksums(store) == before


# --- uploads: macros refused on every path -----------------------------------------------------


def _with_macro(tmp_path: Path) -> Path:
    source = zipfile.ZipFile(FIXTURES / "valid.xlsx")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in source.infolist():
            z.writestr(item, source.read(item))
        z.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 pretend VBA")
    path = tmp_path / "with-macro.xlsx"
    path.write_bytes(out.getvalue())
    return path


def test_a_workbook_with_macros_is_refused_on_the_page_path_and_the_command_line(
    plan, demo_store: Store, tmp_path: Path
) -> None:
    path = _with_macro(tmp_path)
    parsed = validate_return(plan, demo_store, path.read_bytes(), path.name, OWN, Q2)
    assert [m.problem for m in parsed.errors] == [
        "'with-macro.xlsx' contains macros, which a return must not carry, so it was not opened"
    ]
    run = subprocess.run(
        [sys.executable, "-m", "metrics", "import-return", str(path), "--subgroup", OWN, "--quarter", Q2.label],
        cwd=ROOT,
        env={**__import__("os").environ, "CSP_DB": str(demo_store.path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode != 0 and "contains macros" in run.stderr
    assert (
        return_store.audit(
            demo_store,
        ).iloc[0]["outcome"]
        == "rejected"
    )


# --- downloads neutralise formulas -------------------------------------------------------------

HOSTILE_CELLS = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


def test_safe_cell_keeps_numbers_and_quotes_formulas() -> None:
    assert [safe_cell(v) for v in HOSTILE_CELLS] == ["'" + v for v in HOSTILE_CELLS]
    assert [safe_cell(v) for v in ("-3", "+4.5", "-1,200", 7, None, "plain")] == [
        "-3",
        "+4.5",
        "-1,200",
        7,
        None,
        "plain",
    ]


def test_templates_never_carry_a_live_formula(plan, demo_store: Store) -> None:
    indicators, actions = template_rows(plan, demo_store, OWN, Q2)
    for r, bad in zip(indicators, HOSTILE_CELLS * 10, strict=False):
        r["indicator"] = r["value"] = bad
    for r, bad in zip(actions, HOSTILE_CELLS * 10, strict=False):
        r["action"] = bad
    csv_text = rows_csv(indicators, actions).decode("utf-8-sig")
    for line in csv_text.splitlines()[1:]:
        for cell in line.split(","):
            assert not cell.startswith(("=", "+", "@", '"=', '"+', '"@')), line
    wb = openpyxl.load_workbook(io.BytesIO(rows_xlsx(plan, OWN, Q2, indicators, actions)))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula: {cell.value!r}"
    assert wb["Indicators"]["C2"].value == "'" + HOSTILE_CELLS[0]
