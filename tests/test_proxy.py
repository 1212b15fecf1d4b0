"""The reverse proxy shipped in deploy/nginx/, run as shipped (but for its ports, addresses and
file paths) in front of the real app on loopback, with a certificate made at test time: every
response carries the security headers, the XSRF cookie is Secure, plain HTTP redirects, the
websocket upgrades, and in Chromium the app draws its pages through it with no
Content-Security-Policy violation."""

from __future__ import annotations

import base64
import http.client
import os
import shutil
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM, ROOT, _free_port, wait_for_port
from tests.test_browser import CHROMIUM_ARGS, IDLE, PAGE_SECONDS

DEPLOY = ROOT / "deploy" / "nginx"
NGINX = Path("/usr/sbin/nginx")
START_SECONDS = 30
HEADERS = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "strict-transport-security": "max-age=31536000",
}
CSP_MUST = ("frame-ancestors 'none'", "default-src 'self'", "object-src 'none'", "connect-src 'self' wss://127.0.0.1")


def _render(folder: Path, https: int, http: int, app: int) -> Path:
    """nginx.conf for the test: the shipped site with only its addresses and paths changed."""
    site = (DEPLOY / "csp-dashboard.conf").read_text()
    changes = {
        "    listen [::]:80;\n": "",
        "    listen [::]:443 ssl;\n": "",
        "listen 80;": f"listen 127.0.0.1:{http};",
        "listen 443 ssl;": f"listen 127.0.0.1:{https} ssl;",
        "server 127.0.0.1:8501;": f"server 127.0.0.1:{app};",
        "/etc/ssl/certs/csp-dashboard.pem": str(folder / "cert.pem"),
        "/etc/ssl/private/csp-dashboard.key": str(folder / "key.pem"),
        "/etc/nginx/snippets/csp-dashboard-headers.conf": str(DEPLOY / "security-headers.conf"),
    }
    for old, new in changes.items():
        assert old in site, f"deploy/nginx/csp-dashboard.conf no longer has {old!r}: update this test"
        site = site.replace(old, new)
    (folder / "site.conf").write_text(site)
    temp = "\n".join(
        f"    {kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main = folder / "nginx.conf"
    main.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")  # workers must read the test's private folder
        + f"daemon off;\nworker_processes 1;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'};\n"
        + "events { worker_connections 64; }\n"
        + f"http {{\n    access_log {folder / 'access.log'};\n{temp}\n    include {folder / 'site.conf'};\n}}\n"
    )
    return main


def _certificate(folder: Path) -> None:
    """A self-signed certificate for 127.0.0.1, valid for a day."""
    files = ["-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")]
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", *files],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


BOARD_MEMBER = {"sub": "bo-board", "email": "chair@example.org", "name": "Bo Board"}


@pytest.fixture(scope="module")
def proxy(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, int]]:
    """The app as deployed: sign-in configured (a local OpenID Connect provider stands in for
    Entra ID), listening on loopback, with nginx in front of it. (Without sign-in the app
    refuses requests that come through a proxy.)"""
    from oidc_provider_mock import User, run_server_in_thread

    if not NGINX.exists():
        pytest.fail(f"{NGINX} is missing: run scripts/install-proxy (make test does) to install Debian's nginx.")
    folder = tmp_path_factory.mktemp("proxy")
    shutil.copy(demo_template, folder / "store.duckdb")
    ports = {"app": _free_port(), "https": _free_port(), "http": _free_port()}
    (folder / "roles.yaml").write_text(
        f'contact: "the CSP officer (csp@example.org)"\npeople:\n  - email: {BOARD_MEMBER["email"]}\n'
        "    roles: [board_member]\n",
        encoding="utf-8",
    )
    claims = {k: v for k, v in BOARD_MEMBER.items() if k != "sub"}
    with run_server_in_thread(user_claims=[User(sub=BOARD_MEMBER["sub"], claims=claims)]) as oidc:
        ports["oidc"] = oidc.server_port
        (folder / "secrets.toml").write_text(
            "[auth]\n"
            f'redirect_uri = "https://127.0.0.1:{ports["https"]}/oauth2callback"\n'
            f'cookie_secret = "{"c0ffee" * 11}"\n'
            'client_id = "csp-dashboard"\nclient_secret = "test-secret"\n'
            f'server_metadata_url = "http://localhost:{oidc.server_port}/.well-known/openid-configuration"\n'
            'client_kwargs = { scope = "openid profile email" }\n',
            encoding="utf-8",
        )
        env = {
            **os.environ,
            "CSP_DB": str(folder / "store.duckdb"),
            "CSP_ROLES": str(folder / "roles.yaml"),
            "AUTHLIB_INSECURE_TRANSPORT": "1",  # the stand-in provider's token endpoint is plain http
        }
        log = (folder / "streamlit.log").open("w")
        app = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(ports["app"]),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--secrets.files",
             str(folder / "secrets.toml")],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        _certificate(folder)
        conf = _render(folder, ports["https"], ports["http"], ports["app"])
        checked = subprocess.run([str(NGINX), "-t", "-c", str(conf), "-p", str(folder)], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
        nginx = subprocess.Popen([str(NGINX), "-c", str(conf), "-p", str(folder)])
        try:
            assert wait_for_port(ports["app"], START_SECONDS), (folder / "streamlit.log").read_text()[-2000:]
            assert wait_for_port(ports["https"], START_SECONDS), (folder / "error.log").read_text()[-2000:]
            yield ports
        finally:
            _stop(nginx)
            _stop(app)
            log.close()


def _get(port: int, path: str, tls: bool = True) -> http.client.HTTPResponse:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate
    con = (
        http.client.HTTPSConnection("127.0.0.1", port, timeout=30, context=context)
        if tls
        else http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    )
    con.request("GET", path)
    response = con.getresponse()
    response.read()
    return response


@pytest.mark.parametrize("path", ["/", "/_stcore/health", "/no-such-file.js"])
def test_every_response_carries_the_security_headers(proxy: dict[str, int], path: str) -> None:
    response = _get(proxy["https"], path)
    headers = {k.lower(): v for k, v in response.getheaders()}
    assert {k: headers.get(k) for k in HEADERS} == HEADERS, path
    policy = headers["content-security-policy"]
    assert [p for p in CSP_MUST if p not in policy] == []
    assert "'unsafe-eval'" not in policy and "script-src 'self' 'sha256-" in policy
    assert "nginx/" not in headers.get("server", ""), "the proxy does not name its version"


def test_the_app_itself_sets_none_of_them(proxy: dict[str, int]) -> None:
    """Why the proxy is needed: straight from Streamlit, none of the headers are there."""
    headers = {k.lower() for k, _v in _get(proxy["app"], "/", tls=False).getheaders()}
    assert headers.isdisjoint({*HEADERS, "content-security-policy"})


def test_the_xsrf_cookie_is_secure_through_the_proxy(proxy: dict[str, int]) -> None:
    direct = _get(proxy["app"], "/_stcore/health", tls=False).getheader("set-cookie")
    proxied = _get(proxy["https"], "/_stcore/health").getheader("set-cookie")
    assert direct.startswith("_streamlit_xsrf=") and "secure" not in direct.lower()
    assert proxied.startswith("_streamlit_xsrf=") and "; secure" in proxied.lower()


def test_plain_http_is_redirected_to_https(proxy: dict[str, int]) -> None:
    response = _get(proxy["http"], "/exception-report?q=1", tls=False)
    assert response.status == 301
    assert response.getheader("location") == "https://127.0.0.1/exception-report?q=1"


def test_the_websocket_upgrades_through_the_proxy(proxy: dict[str, int]) -> None:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    key = base64.b64encode(os.urandom(16)).decode()
    origin = f"https://127.0.0.1:{proxy['https']}"
    with (
        socket.create_connection(("127.0.0.1", proxy["https"]), timeout=30) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        tls.sendall(
            (
                f"GET /_stcore/stream HTTP/1.1\r\nHost: 127.0.0.1:{proxy['https']}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                f"Origin: {origin}\r\nSec-WebSocket-Protocol: streamlit\r\n\r\n"
            ).encode()
        )
        reply = tls.recv(4096).decode("latin-1")
    assert reply.startswith("HTTP/1.1 101"), reply[:300]
    assert "upgrade: websocket" in reply.lower()


def test_a_board_member_signs_in_and_reads_the_board_through_the_proxy(proxy: dict[str, int]) -> None:
    """In Chromium, over HTTPS: sign-in (a round trip to the identity provider and back to the
    proxy's address), then pages drawn over the websocket, charts included, and not one
    Content-Security-Policy violation reported."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-browser (make test does).")
    base = f"https://127.0.0.1:{proxy['https']}"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(ignore_https_errors=True)
        reported: list[str] = []
        page.on("console", lambda m: reported.append(m.text) if "Content Security Policy" in m.text else None)
        page.on("pageerror", lambda exc: reported.append(str(exc)))
        page.goto(base + "/")
        _wait_for_title(page, "Sign in")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"http://localhost:{proxy['oidc']}/**", wait_until="domcontentloaded")
        page.get_by_role("button", name=BOARD_MEMBER["sub"]).click()
        _wait_for_title(page, "Plan on a Page")
        page.goto(f"{base}/assessment")  # a page that opens with plotly charts drawn
        _wait_for_title(page, "Strategic Assessment")
        try:
            page.wait_for_function(
                "() => document.querySelectorAll('[data-testid=\"stPlotlyChart\"] svg.main-svg').length > 0",
                timeout=30_000,
            )
        except PlaywrightTimeout:
            pytest.fail("no chart was drawn; the browser reported: " + "\n".join(reported))
        cookies = {c["name"]: c for c in page.context.cookies(base)}
        browser.close()
    assert reported == [], "\n".join(reported)
    assert cookies and all(c["secure"] for c in cookies.values()), cookies


def _wait_for_title(page, title: str) -> None:  # noqa: ANN001 - playwright Page
    page.wait_for_selector(f'h1:has-text("{title}")', timeout=PAGE_SECONDS * 1000)
    page.wait_for_selector(IDLE, timeout=PAGE_SECONDS * 1000)
