"""Who is using the dashboard: sign-in (Streamlit's st.login, OpenID Connect), local mode,
the pages shown instead of the dashboard (sign in, no role, refused), the local-mode banner
and the signed-in identity in the sidebar.

Sign-in is configured when ``.streamlit/secrets.toml`` has an ``[auth]`` section with a
provider (see .streamlit/secrets.example.toml). Without it the app runs in **local mode**:
served to this computer only, everyone an administrator, and a banner says so. The decision
of who may do what is metrics.access.can; this module only reads who the person is.

Tests drive sign-in through AppTest's own ``user`` and ``secrets`` (st.user and st.secrets as
a signed-in session sees them); there is no other way in.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from metrics import Plan, access
from pages import reads
from pages.safe_text import plain

LOG = logging.getLogger("csp.auth")
LOCAL_BANNER = "Local mode: no sign-in; everyone using this computer is an administrator"
SIGNIN_HELP = (
    "Configure sign-in: copy `.streamlit/secrets.example.toml` to `.streamlit/secrets.toml`, fill in "
    "your identity provider's client id, secret and metadata address (README: *Signing in with "
    "Microsoft Entra ID*), and create the roles file (`roles.example.yaml` → `roles.yaml`). Or run in "
    "local mode on this computer only: `make run`, which listens on localhost."
)


def _auth_section() -> dict:
    """The ``[auth]`` section of secrets.toml, or {} when there is no secrets file or section."""
    try:
        section = st.secrets.get("auth")
    except (StreamlitSecretNotFoundError, FileNotFoundError):
        return {}
    return dict(section) if section else {}


def providers() -> list[str]:
    """The sign-in providers configured: [None] for a single provider written directly in
    ``[auth]``, or the names of ``[auth.NAME]`` sections (st.login takes the name)."""
    section = _auth_section()
    if not section.get("redirect_uri") or not section.get("cookie_secret"):
        return []
    named = [k for k, v in section.items() if hasattr(v, "get") and v.get("client_id")]
    if named:
        return named
    return [None] if section.get("client_id") else []


def signin_configured() -> bool:
    return bool(providers())


def bind_address() -> str | None:
    """The address the server listens on (server.address; unset means every interface)."""
    return st.get_option("server.address")


@dataclass(frozen=True)
class Gate:
    """Who is using the app, or the page to show instead of the dashboard."""

    user: access.User | None
    blocker: Callable[[], None] | None = None
    title: str = ""
    local: bool = False


def resolve(plan: Plan) -> Gate:
    """Decide, drawing nothing, whether this session may see the dashboard and as whom."""
    if not signin_configured():
        if not access.is_loopback(bind_address()):
            LOG.error("Refusing to serve: sign-in is not configured and server.address is %r", bind_address())
            return Gate(
                None, _refused(f"it listens on {bind_address() or 'every network interface'}"), "Sign-in needed"
            )
        problem = access.local_request_problem(dict(st.context.headers or {}))
        if problem:
            _log_once(logging.ERROR, "Refusing a local-mode request: %s", problem)
            return Gate(None, _refused(problem), "Sign-in needed")
        return Gate(access.local_operator(), local=True)
    try:
        roles = access.load_roles(plan)
    except access.RolesError as exc:
        _log_roles_problems(exc)  # the details (people's addresses) go to the operator, not the page
        return Gate(None, _roles_broken(exc.contact), "Roles file error")
    if not st.user.is_logged_in:
        return Gate(None, _sign_in, "Sign in")
    user = access.user_from_claims(st.user.to_dict(), roles)
    if not user.has_role:
        _log_once(logging.WARNING, "Signed in with no role: %s", user.label)
        return Gate(user, _no_role(user, roles.contact), "No access yet")
    return Gate(user)


LOGGED_KEY = "_auth_logged"  # the session's log lines already written (see _log_once)


def _log_once(level: int, message: str, *args: object) -> None:
    """Log a line once per session: resolve() runs at every permission check, several times a
    rerun, and the operator needs the fact once, not a line per check."""
    line = message % args
    logged = st.session_state.setdefault(LOGGED_KEY, set())
    if line not in logged:
        logged.add(line)
        LOG.log(level, message, *args)


def current_user() -> access.User | None:
    """The person using this session (None: not signed in, or no role). Worked out afresh on
    every run from st.user and the roles file, so nothing a browser sends can change it."""
    gate = resolve(_plan())
    return gate.user if gate.blocker is None else None


def _plan() -> Plan:
    return reads.plan()


def allowed(action: access.Action | str, subject: str | None = None) -> bool:
    """Whether the person using this session may do ``action``: pages ask it to hide what is
    not allowed (the write paths ask metrics.access again)."""
    return access.can(current_user(), action, subject)


def require_page(action: access.Action | str, subject: str | None = None) -> access.User:
    """At the top of a page: the user, or a refusal and nothing else of the page."""
    user = current_user()
    if not access.can(user, action, subject):
        st.error("You do not have access to this page. Ask an administrator if you need it.", icon=":material/lock:")
        st.stop()
    return user


def _refused(why: str) -> Callable[[], None]:
    def page() -> None:
        st.title("This dashboard needs sign-in here")
        st.error(
            f"Sign-in is not configured, so the dashboard only serves this computer in local mode, but {why}. "
            "Nothing is shown.",
            icon=":material/lock:",
        )
        st.markdown(SIGNIN_HELP)

    return page


# The version of a broken roles file last written to the log: every session and every
# permission check of every rerun meets the same problems, and the operator needs them once.
_logged_roles: access.RolesVersion | None = None
_logged_roles_lock = threading.Lock()  # sessions run on the server's threads


def _log_roles_problems(exc: access.RolesError) -> None:
    """Log a broken roles file's problems once per version of the file (an edit that leaves it
    broken is logged again, with its own problems)."""
    global _logged_roles
    with _logged_roles_lock:
        if exc.version is not None and exc.version == _logged_roles:
            return
        _logged_roles = exc.version
    LOG.error("%s", exc)


def _roles_broken(contact: str) -> Callable[[], None]:
    def page() -> None:
        st.title("Sign-in is not available")
        st.error(
            "The dashboard's roles file has problems, so no one can be given access until it is corrected. "
            f"Ask {_md(contact)} to correct it: the operator will find every problem in the server's log.",
            icon=":material/lock:",
        )

    return page


def _sign_in() -> None:
    st.title("Sign in")
    st.markdown("This dashboard holds partners' returns. Sign in with your organisation's account to continue.")
    for name in providers():
        label = "Sign in" if name is None else f"Sign in with {name.replace('_', ' ').title()}"
        if st.button(label, type="primary", key=f"login_{name or 'default'}", icon=":material/login:"):
            if name:
                st.login(name)
            else:
                st.login()


def _no_role(user: access.User, contact: str) -> Callable[[], None]:
    def page() -> None:
        st.title("No access yet")
        st.info(
            f"You are signed in as **{_md(user.label)}**, but you have no role in this dashboard yet. "
            f"Ask {_md(contact)} to give you one (board member, subgroup lead, analyst or administrator).",
            icon=":material/person_off:",
        )
        if st.button("Sign out", key="logout_no_role"):
            st.logout()

    return page


def _md(text: str) -> str:
    """Text from a claim or a file, shown in markdown as plain text (no links, images or HTML)."""
    return plain(text)


def show_blocker(gate: Gate) -> None:
    """The only page of a session that may not see the dashboard (sign in, no role, refused)."""
    st.navigation([st.Page(gate.blocker, title=gate.title, url_path="access")], position="hidden").run()
    st.stop()


def frame(gate: Gate) -> None:
    """On every page: the local-mode banner, or who is signed in with a sign-out button."""
    if gate.local:
        st.warning(f"**{LOCAL_BANNER}.**", icon=":material/lock_open:")
        return
    user = gate.user
    with st.sidebar:
        roles = ", ".join(r.label.lower() for r in sorted(user.roles))
        st.caption(f"Signed in as **{_md(user.label)}** ({_md(roles)})")
        if st.button("Sign out", key="logout", icon=":material/logout:"):
            st.logout()
