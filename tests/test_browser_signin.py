"""Sign-in and hostile text in a real browser (issue 12).

1. The real sign-in flow: a local OpenID Connect provider (oidc-provider-mock, started by the
   test on localhost) and `streamlit run dashboard.py` configured for it through a secrets file;
   headless Chromium signs in as a subgroup lead, sees the lead's page only, is not offered
   another subgroup's upload nor a board page, and signs out.
2. Hostile text: a return whose commentary and action notes hold script tags, `<img onerror>`,
   markdown links and images, `javascript:` URLs, bare addresses and a very long word is stored;
   every page's DOM in Chromium holds no element or link that text could have made, and the
   text shows as typed.
3. Local mode started on a non-local address refuses to serve and says how to configure sign-in.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from metrics import access, returns
from metrics.board.exceptions import Category, review_all
from metrics.board.status import available_quarters
from metrics.plan.model import load_plan
from metrics.returns.reading import parse_period
from metrics.store import Store
from metrics.store import indicators as indicator_store
from tests.conftest import CHROMIUM, _free_port, wait_for_port
from tests.test_browser import ARTIFACTS, CHROMIUM_ARGS, PAGE_SECONDS, _open, _pages, _wait_for_script

ROOT = Path(__file__).resolve().parent.parent
LEAD_OF = "csvpp"
LEAD = {"sub": "lee-lead", "email": "lead@example.org", "name": "Lee Lead"}
HOSTILE = " ".join(
    [
        "<script>window.__pwned=1</script>",
        '<img src=x onerror="window.__pwned=2">',
        "[click me](javascript:window.__pwned=3)",
        "![pixel](http://evil.example/pixel.png)",
        '<a href="http://evil.example/a">a link</a>',
        "<iframe src=http://evil.example/frame></iframe>",
        "<svg onload=window.__pwned=4></svg>",
        "javascript:window.__pwned=5",
        "http://evil.example/bare www.evil.example someone@evil.example",
        "**bold** _em_ `code` # heading",
        "W" * 400,
    ]
)
# Anything the hostile text could have made, anywhere in the document.
INJECTED = (
    "a[href^='javascript:' i], a[href*='evil.example'], img[src*='evil.example'], img[src='x'], "
    "iframe[src*='evil.example'], [onerror], [onload], svg[onload]"
)


@contextmanager
def _streamlit(env: dict[str, str], *args: str, log: Path, port: int | None = None) -> Iterator[int]:
    """`streamlit run dashboard.py` on a port (a free one by default) with extra options,
    stopped afterwards."""
    port = port or _free_port()
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port)]
            + ["--server.headless", "true", *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            if not wait_for_port(port):
                pytest.fail(f"streamlit did not start on port {port}: {log.read_text()[-2000:]}")
            yield port
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def _browser(pw):  # noqa: ANN001, ANN202 - playwright objects
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-browser (make test does).")
    return pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def _settle(page) -> None:  # noqa: ANN001
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=PAGE_SECONDS * 1000)


def test_sign_in_as_a_lead_see_their_page_only_and_sign_out(demo_template: Path, tmp_path: Path) -> None:
    from oidc_provider_mock import User, run_server_in_thread
    from playwright.sync_api import sync_playwright

    db = tmp_path / "signin.duckdb"
    shutil.copy(demo_template, db)
    roles = tmp_path / "roles.yaml"
    roles.write_text(
        f'contact: "the CSP officer (csp@example.org)"\npeople:\n  - email: {LEAD["email"]}\n'
        f"    roles: [subgroup_lead]\n    subgroups: [{LEAD_OF}]\n",
        encoding="utf-8",
    )
    claims = {k: v for k, v in LEAD.items() if k != "sub"}
    # http on localhost only: Authlib refuses plain-http token endpoints unless told otherwise.
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
    with run_server_in_thread(user_claims=[User(sub=LEAD["sub"], claims=claims)]) as oidc:
        port = _free_port()
        secrets = tmp_path / "secrets.toml"
        secrets.write_text(
            "[auth]\n"
            f'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
            f'cookie_secret = "{"c0ffee" * 11}"\n'
            'client_id = "csp-dashboard"\n'
            'client_secret = "test-secret"\n'
            f'server_metadata_url = "http://localhost:{oidc.server_port}/.well-known/openid-configuration"\n'
            'client_kwargs = { scope = "openid profile email" }\n',
            encoding="utf-8",
        )
        env = {**os.environ, "CSP_DB": str(db), "CSP_ROLES": str(roles), "AUTHLIB_INSECURE_TRANSPORT": "1"}
        log = tmp_path / "streamlit-signin.log"
        with _streamlit(env, "--secrets.files", str(secrets), log=log, port=port):
            with sync_playwright() as pw:
                browser = _browser(pw)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                app = f"http://localhost:{port}"
                page.goto(f"{app}/")
                _wait_for_script(page, "Sign in")
                assert page.locator('[data-testid="stSidebarNav"]').count() == 0, "nothing but the sign-in page"
                page.get_by_role("button", name="Sign in").click()
                # The provider's consent page: one button per predefined user.
                page.wait_for_url(f"http://localhost:{oidc.server_port}/**", wait_until="domcontentloaded")
                page.get_by_role("button", name=LEAD["sub"]).click()
                _wait_for_script(page, "Upload a quarterly return")
                sidebar = page.locator('[data-testid="stSidebar"]')
                assert "Signed in as Lee Lead <lead@example.org>" in sidebar.inner_text()
                assert sidebar.get_by_role("link", name="Plan on a Page").count() == 0
                assert page.get_by_text("Local mode", exact=False).count() == 0
                # Another subgroup's upload is not offered: the subgroup list holds only theirs.
                plan = load_plan()
                page.locator('[data-testid="stSelectbox"]').filter(has_text="Subgroup").click()
                offered = page.get_by_role("option").all_inner_texts()
                assert offered == [plan.subgroup(LEAD_OF).name]
                page.keyboard.press("Escape")
                # A board page's address leads nowhere for them.
                page.goto(f"{app}/exception-report")
                _settle(page)
                assert page.locator('h1:has-text("Exception report")').count() == 0
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / "signed-in-lead-board-address.png"))
                page.goto(f"{app}/")
                _wait_for_script(page, "Upload a quarterly return")
                page.screenshot(path=str(ARTIFACTS / "signed-in-lead.png"))
                page.get_by_role("button", name="Sign out").click()
                # Streamlit ends the provider's session too (RP-initiated logout); the mock asks.
                page.wait_for_url(f"http://localhost:{oidc.server_port}/**", wait_until="domcontentloaded")
                page.get_by_role("button", name="End session").click()
                page.wait_for_load_state("domcontentloaded")
                page.goto(f"{app}/")
                _wait_for_script(page, "Sign in")  # the session is gone, not just the page
                browser.close()
    assert "Traceback" not in log.read_text(), log.read_text()[-3000:]


@pytest.fixture(scope="module")
def hostile_store(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo store with a return whose every commentary and action note is hostile text,
    from the owner of an indicator the exception report shows (figures as stored, so the
    exceptions stay the same), submitted by someone whose name is hostile too."""
    db = tmp_path_factory.mktemp("hostile") / "hostile.duckdb"
    shutil.copy(demo_template, db)
    plan, store = load_plan(), Store(db)
    values = indicator_store.values(store)
    quarter = available_quarters(values)[-1]
    attention = [r for r in review_all(plan, values, quarter) if r.category is Category.ATTENTION]
    owner = attention[0].indicator.owner
    indicators, actions = returns.template_rows(plan, store, owner, quarter)
    for r in indicators:
        ind = plan.indicator(r["indicator_id"])
        start = parse_period(r["period"], ind)
        held = values[(values["indicator_id"] == ind.id) & (values["period_start"].dt.date == start)]
        held = held[held["ward_code"].isna()] if r["ward"] is None else held
        r["value"] = float(held["value"].iloc[0]) if len(held) else r["last_value"]
        r["commentary"] = HOSTILE
    for r in actions:
        r["status"], r["commentary"] = "At risk", HOSTILE
    content = returns.rows_csv(indicators, actions)
    parsed = returns.validate_return(plan, store, content, "hostile.csv", owner, quarter)
    assert not parsed.errors, [str(m) for m in parsed.errors]
    who = access.operator('<img src=x onerror="window.__pwned=9"> [Mallory](javascript:alert(1))')
    assert returns.submit(plan, store, parsed, content, who, HOSTILE).stored
    return db


def test_hostile_text_in_a_return_makes_no_element_on_any_page(hostile_store: Path, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    env = {**os.environ, "CSP_DB": str(hostile_store)}
    env.pop("CSP_ROLES", None)
    with _streamlit(env, "--server.address", "127.0.0.1", log=tmp_path / "streamlit-hostile.log") as port:
        with sync_playwright() as pw:
            browser = _browser(pw)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            shown_on: list[str] = []
            for url_path, title in _pages():
                _open(page, f"http://127.0.0.1:{port}", url_path, title)
                injected = page.evaluate(
                    "(sel) => [...document.querySelectorAll(sel)].map(e => e.outerHTML.slice(0, 200))", INJECTED
                )
                assert not injected, f"{url_path}: {injected}"
                scripts = page.evaluate(
                    '() => [...document.querySelectorAll(\'[data-testid="stMain"] script, '
                    '[data-testid="stSidebar"] script\')].length'
                )
                assert scripts == 0, f"{url_path}: a script element in the page's content"
                assert page.evaluate("() => window.__pwned") is None, f"{url_path}: hostile script ran"
                if page.get_by_text("<script>window.__pwned=1</script>", exact=False).count():
                    shown_on.append(url_path)
                    # The very long word wraps instead of pushing the page sideways.
                    overflow = page.evaluate(
                        "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
                        " return m.scrollWidth - m.clientWidth; }"
                    )
                    assert overflow <= 2, f"{url_path}: the long word widens the page by {overflow}px"
            browser.close()
    assert errors == [], errors
    plan = load_plan()
    owner_theme = [p for p, _ in _pages() if p not in ("", "exception-report", "assessment", "wards")]
    assert "exception-report" in shown_on, "the exception report shows the commentary, as text"
    assert any(p in shown_on for p in owner_theme if p.replace("-", "_") in {t.id for t in plan.themes}), shown_on


def test_local_mode_off_localhost_refuses_to_serve(demo_template: Path, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    db = tmp_path / "open.duckdb"
    shutil.copy(demo_template, db)
    env = {**os.environ, "CSP_DB": str(db)}
    log = tmp_path / "streamlit-open.log"
    with _streamlit(env, "--server.address", "0.0.0.0", log=log) as port:
        with sync_playwright() as pw:
            browser = _browser(pw)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/")
            _wait_for_script(page, "This dashboard needs sign-in here")
            text = page.locator('[data-testid="stMain"]').inner_text()
            assert "it listens on 0.0.0.0" in text and "secrets.example.toml" in text
            assert page.locator('[data-testid="stSidebarNav"]').count() == 0
            browser.close()
    assert "Refusing to serve: sign-in is not configured" in log.read_text()
