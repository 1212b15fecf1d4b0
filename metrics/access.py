"""Who may do what: the one permission rule, the people and roles it is asked about, and the
roles file that declares who holds which role.

Every page and every write path asks :func:`can` (pages to hide what is not allowed; the write
paths in metrics again, so a crafted request cannot go round a page). The rule is a pure
function of the user, the action and its subject (a subgroup id where the action is about one
subgroup's return); it never reads a file or the session.

Roles are declared as data: ``roles.yaml`` beside the plan file (or the file named by
``CSP_ROLES``) lists people (by e-mail or the identity provider's subject) and the identity
provider's groups, each with its roles and, for subgroup leads, the subgroups they lead.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

import yaml

from metrics.plan.model import Plan

ROLES_ENV = "CSP_ROLES"
ROLES_FILE = "roles.yaml"  # beside the plan file
DEFAULT_GROUP_CLAIM = "groups"  # Entra ID, Okta and Keycloak all use this name by default
MAX_NAME_CHARS = 200  # a claim longer than this is cut for the audit log (claims are not trusted)
NO_ROLES_CONTACT = "the dashboard's administrator"  # whom to ask when the roles file names no one


class Role(StrEnum):
    """The roles of the partnership's dashboard. A person may hold several."""

    BOARD_MEMBER = "board_member"
    BOARD_OFFICER = "board_officer"
    SUBGROUP_LEAD = "subgroup_lead"
    ANALYST = "analyst"
    ADMINISTRATOR = "administrator"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Action(StrEnum):
    """Everything the dashboard lets a person do. Actions marked *per subgroup* take the
    subgroup's id as their subject."""

    VIEW_BOARD = "view_board"  # Plan on a Page, exception report, theme pages, assessment, tracker
    DOWNLOAD_PACK = "download_pack"  # the board pack (PDF, Word)
    VIEW_ANALYSIS = "view_analysis"  # the area explorer (police.uk figures by area)
    DOWNLOAD_DATA = "download_data"  # CSV and Excel downloads of figures
    IMPORT_POLICE = "import_police"  # police.uk import (a write)
    SUBMIT_RETURN = "submit_return"  # per subgroup: upload, check and (re)submit a return (a write)
    VIEW_RETURNS = "view_returns"  # per subgroup: stored versions of its returns and what changed
    DOWNLOAD_ORIGINAL = "download_original_return"  # per subgroup: the file as uploaded
    VIEW_AUDIT = "view_audit"  # per subgroup: the audit log of every attempt
    RECORD_BOARD_ACTION = "record_board_action"  # the board's action log (a write)
    RECORD_CONSULTATION = "record_consultation"  # a consultation's activities and the public summary (a write)
    CODE_COMMENTS = "code_comments"  # comments as written (personal data): code them, mark names, delete originals
    IMPORT_SURVEY = "import_survey"  # a survey wave's respondent file (a write)
    VIEW_RESPONDENTS = "view_respondents"  # survey respondents' answers (personal data)
    DELETE_SURVEY_WAVE = "delete_survey_wave"  # a stored survey wave and its respondents (a write)
    DOWNLOAD_BACKUP = "download_backup"  # a snapshot of the whole store (personal data included)


PER_SUBGROUP = frozenset({Action.SUBMIT_RETURN, Action.VIEW_RETURNS, Action.DOWNLOAD_ORIGINAL, Action.VIEW_AUDIT})

# What each role may do regardless of subject. A subgroup lead's rights are per subgroup and
# decided in can(); an administrator may do everything.
GRANTS: dict[Role, frozenset[Action]] = {
    Role.BOARD_MEMBER: frozenset({Action.VIEW_BOARD, Action.DOWNLOAD_PACK}),
    Role.BOARD_OFFICER: frozenset(
        {Action.VIEW_BOARD, Action.DOWNLOAD_PACK, Action.RECORD_BOARD_ACTION, Action.RECORD_CONSULTATION}
    ),
    Role.SUBGROUP_LEAD: frozenset(),
    Role.ANALYST: frozenset(
        {
            Action.VIEW_BOARD,
            Action.DOWNLOAD_PACK,
            Action.VIEW_ANALYSIS,
            Action.DOWNLOAD_DATA,
            Action.IMPORT_POLICE,
            Action.IMPORT_SURVEY,
            Action.VIEW_RESPONDENTS,
            Action.VIEW_RETURNS,
            Action.DOWNLOAD_ORIGINAL,
            Action.CODE_COMMENTS,
        }
    ),
    Role.ADMINISTRATOR: frozenset(Action),
}
# A lead may do these for the subgroups they lead, and nothing else.
LEAD_GRANTS = frozenset({Action.SUBMIT_RETURN, Action.VIEW_RETURNS, Action.DOWNLOAD_ORIGINAL, Action.VIEW_AUDIT})


@dataclass(frozen=True)
class User:
    """A person (or the command line's operator) as the dashboard knows them."""

    name: str
    email: str | None = None
    subject: str | None = None  # the identity provider's stable id ("sub")
    roles: frozenset[Role] = frozenset()
    subgroups: frozenset[str] = frozenset()  # the subgroups they lead
    local: bool = False  # the operator on this computer (command line, local mode)

    @property
    def label(self) -> str:
        """Who, as every audit row and return version records it: the name with the e-mail
        (or the subject, when the provider gives no e-mail)."""
        ident = self.email or (f"sub {self.subject}" if self.subject else None)
        return f"{self.name} <{ident}>" if ident and ident != self.name else self.name

    @property
    def has_role(self) -> bool:
        return bool(self.roles)


def can(user: User | None, action: Action | str, subject: str | None = None) -> bool:
    """Whether ``user`` may do ``action`` (on ``subject``: a subgroup id for the per-subgroup
    actions; ``None`` there asks whether they may do it for at least one subgroup). Unknown
    actions and anonymous users are refused."""
    if user is None:
        return False
    try:
        action = Action(action)
    except ValueError:
        return False
    if any(action in GRANTS[r] for r in user.roles):
        return True
    if Role.SUBGROUP_LEAD in user.roles and action in LEAD_GRANTS:
        return bool(user.subgroups) if subject is None else subject in user.subgroups
    return False


def allowed_subgroups(user: User | None, action: Action | str, subgroup_ids: Iterable[str]) -> list[str]:
    """The subgroups (in the order given) for which ``user`` may do ``action``."""
    return [s for s in subgroup_ids if can(user, action, s)]


class AccessDenied(PermissionError):
    """A write was asked for by someone not allowed to make it."""


def require(user: User | None, action: Action | str, subject: str | None = None) -> None:
    """Raise :class:`AccessDenied`, saying who, what and why, unless ``user`` may do it."""
    if can(user, action, subject):
        return
    who = user.label if user else "someone not signed in"
    what = Action(action).value.replace("_", " ") if action in Action._value2member_map_ else str(action)
    on = f" for subgroup {subject!r}" if subject else ""
    raise AccessDenied(
        f"{who} may not {what}{on}: their role does not allow it. Ask an administrator to change the roles file."
    )


def operator(name: str | None = None) -> User:
    """The person at the command line (or at the dashboard in local mode): an administrator,
    recorded by their operating-system user name unless a name is given."""
    return User(name=(name or getpass.getuser()).strip(), roles=frozenset({Role.ADMINISTRATOR}), local=True)


def local_operator() -> User:
    """Whoever uses the dashboard in local mode (no sign-in, served to this computer only): an
    administrator, recorded as the operating-system user running the app."""
    return operator(f"{getpass.getuser()} (local mode)")


# --- where local mode may be served ------------------------------------------------------------

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]", "ip6-localhost"})
# Headers a reverse proxy adds: local mode behind a proxy would serve the network with no sign-in.
PROXY_HEADERS = ("x-forwarded-for", "x-forwarded-host", "forwarded", "x-real-ip")


def is_loopback(address: str | None) -> bool:
    """Whether a listening address (Streamlit's server.address) serves this computer only.
    Unset or empty means every interface, which is not."""
    if not address:
        return False
    host = address.strip().lower()
    return host in LOOPBACK_NAMES or host.startswith("127.")


def local_request_problem(headers: Mapping[str, str]) -> str | None:
    """Why a request must not be served in local mode (it came through a proxy, or names a
    host other than this computer), or None. Headers are matched case-insensitively; a request
    with no Host header (a test harness) is local."""
    lowered = {k.lower(): v for k, v in headers.items()}
    for name in PROXY_HEADERS:
        if lowered.get(name):
            return f"the request came through a proxy (it carries {name})"
    host = lowered.get("host", "")
    if host:
        name = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
        if not is_loopback(name):
            return f"the request was addressed to {host!r}, not to this computer"
    return None


# --- the roles file -------------------------------------------------------------------------


# Which version of a roles file: its path, modification time (ns) and size. An edit changes it,
# so a broken file is read, and reported, once per version rather than on every check.
RolesVersion = tuple[str, int, int]


class RolesError(ValueError):
    """The roles file is unreadable or inconsistent. The message lists every problem;
    ``contact`` is whom a visitor should ask (the file's own contact where it could be read),
    ``version`` which version of the file it is about (None when not read from a file)."""

    def __init__(
        self,
        path: Path,
        problems: list[str],
        contact: str = NO_ROLES_CONTACT,
        version: RolesVersion | None = None,
    ) -> None:
        self.path = path
        self.problems = problems
        self.contact = contact
        self.version = version
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"The roles file {path} cannot be used ({len(problems)} problem(s)):\n{lines}")


@dataclass(frozen=True)
class Grant:
    """Roles (and led subgroups) given to a person or a group."""

    roles: frozenset[Role]
    subgroups: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Roles:
    """The roles file: grants by person (e-mail or subject, lower-cased) and by group."""

    path: Path | None
    contact: str
    group_claim: str = DEFAULT_GROUP_CLAIM
    people: Mapping[str, Grant] = field(default_factory=dict)
    groups: Mapping[str, Grant] = field(default_factory=dict)


_TOP_KEYS = {"contact", "group_claim", "people", "groups"}
_PERSON_KEYS = {"email", "subject", "name", "roles", "subgroups"}
_GROUP_KEYS = {"group", "name", "roles", "subgroups"}


def roles_path(plan: Plan) -> Path:
    """The roles file in force: CSP_ROLES if set, else roles.yaml beside the plan file."""
    env = os.environ.get(ROLES_ENV)
    return Path(env).resolve() if env else plan.path.parent / ROLES_FILE


def load_roles(plan: Plan, path: str | Path | None = None) -> Roles:
    """Read and check the roles file. A missing file gives no one a role (the page then says
    whom to ask); a file with problems raises :class:`RolesError` listing every one."""
    resolved = Path(path) if path else roles_path(plan)
    try:
        stat = resolved.stat()
    except FileNotFoundError:
        return Roles(None, NO_ROLES_CONTACT)
    version = (str(resolved), stat.st_mtime_ns, stat.st_size)
    outcome = _load_cached(resolved, version, tuple(s.id for s in plan.subgroups))
    if isinstance(outcome, RolesError):
        # A fresh exception each time: re-raising the cached one would grow its traceback on
        # every check, and sessions on other threads raise it at the same time.
        raise RolesError(outcome.path, list(outcome.problems), outcome.contact, outcome.version)
    return outcome


@lru_cache(maxsize=8)
def _load_cached(path: Path, version: RolesVersion, subgroup_ids: tuple[str, ...]) -> Roles | RolesError:
    """One version of the roles file read and checked, or what is wrong with it. The failure is
    kept too (lru_cache keeps only what is returned), so a broken file is not read again on
    every permission check of every rerun until it changes."""
    try:
        return _read_roles(path, subgroup_ids)
    except RolesError as exc:
        return RolesError(exc.path, exc.problems, exc.contact, version)


def _read_roles(path: Path, subgroup_ids: tuple[str, ...]) -> Roles:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RolesError(path, [f"the file cannot be read ({exc.strerror}); check its permissions"]) from exc
    except UnicodeDecodeError as exc:
        raise RolesError(path, [f"not UTF-8 text ({exc.reason}); save it as UTF-8"]) from exc
    except yaml.YAMLError as exc:
        raise RolesError(path, [f"not valid YAML: {exc}"]) from exc
    problems: list[str] = []
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise RolesError(path, ["the file must be a mapping with keys " + ", ".join(sorted(_TOP_KEYS))])
    for key in sorted(set(raw) - _TOP_KEYS):
        problems.append(f"{key}: unknown key; the keys are {', '.join(sorted(_TOP_KEYS))}")
    contact = raw.get("contact", NO_ROLES_CONTACT)
    if not isinstance(contact, str) or not contact.strip():
        problems.append("contact: say whom a person with no role should ask (a name and an e-mail address)")
        contact = NO_ROLES_CONTACT
    claim = raw.get("group_claim", DEFAULT_GROUP_CLAIM)
    if not isinstance(claim, str) or not claim.strip():
        problems.append(f"group_claim: the name of the ID token's group claim, e.g. {DEFAULT_GROUP_CLAIM!r}")
        claim = DEFAULT_GROUP_CLAIM
    people = _entries(raw.get("people"), "people", _PERSON_KEYS, ("email", "subject"), subgroup_ids, problems)
    groups = _entries(raw.get("groups"), "groups", _GROUP_KEYS, ("group",), subgroup_ids, problems)
    if problems:
        raise RolesError(path, problems, contact.strip())
    return Roles(path, contact.strip(), claim.strip(), people, groups)


def _entries(
    raw: object,
    section: str,
    keys: set[str],
    id_keys: tuple[str, ...],
    subgroup_ids: tuple[str, ...],
    problems: list[str],
) -> dict[str, Grant]:
    """Check one list (people or groups) and index its grants by identifier (lower-cased)."""
    out: dict[str, Grant] = {}
    if raw is None:
        return out
    if not isinstance(raw, list):
        problems.append(f"{section}: a list of entries, each starting with '- {id_keys[0]}:'")
        return out
    known_roles = ", ".join(r.value for r in Role)
    for i, entry in enumerate(raw):
        where = f"{section}[{i}]"
        if not isinstance(entry, dict):
            problems.append(f"{where}: an entry with keys {', '.join(sorted(keys))}")
            continue
        for key in sorted(set(entry) - keys):
            problems.append(f"{where}.{key}: unknown key; the keys are {', '.join(sorted(keys))}")
        ids = [str(entry[k]).strip() for k in id_keys if entry.get(k) not in (None, "")]
        if not ids:
            problems.append(f"{where}: give {' or '.join(id_keys)} to say who this entry is")
        for ident in ids:
            if id_keys[0] == "email" and ident == str(entry.get("email", "")).strip() and "@" not in ident:
                problems.append(f"{where}.email: {ident!r} is not an e-mail address")
        roles_raw = entry.get("roles")
        roles: set[Role] = set()
        if not isinstance(roles_raw, list) or not roles_raw:
            problems.append(f"{where}.roles: a list of one or more of {known_roles}")
        else:
            for r in roles_raw:
                try:
                    roles.add(Role(str(r).strip().lower().replace(" ", "_")))
                except ValueError:
                    problems.append(f"{where}.roles: {r!r} is not a role; use {known_roles}")
        subs_raw = entry.get("subgroups", [])
        subs: set[str] = set()
        if not isinstance(subs_raw, list):
            problems.append(f"{where}.subgroups: a list of subgroup ids from the plan")
        else:
            for s in subs_raw:
                if str(s) not in subgroup_ids:
                    problems.append(
                        f"{where}.subgroups: {s!r} is not a subgroup of the plan; use {', '.join(subgroup_ids)}"
                    )
                subs.add(str(s))
        if Role.SUBGROUP_LEAD in roles and not subs:
            problems.append(f"{where}.subgroups: a subgroup lead needs the subgroups they lead")
        if subs and Role.SUBGROUP_LEAD not in roles:
            problems.append(f"{where}.subgroups: only a subgroup lead has subgroups; add subgroup_lead to roles")
        for ident in ids:
            key = ident.lower()
            if key in out:
                problems.append(f"{where}: {ident!r} is listed twice in {section}; keep one entry")
            out[key] = Grant(frozenset(roles), frozenset(subs))
    return out


def _claim_text(claims: Mapping[str, object], *names: str) -> str | None:
    for n in names:
        value = claims.get(n)
        if isinstance(value, str) and value.strip():
            return value.strip()[:MAX_NAME_CHARS]
    return None


def user_from_claims(claims: Mapping[str, object], roles: Roles) -> User:
    """The signed-in person from the identity provider's claims (``st.user``), with the roles
    the roles file gives their e-mail, their subject and each of their groups (all combined)."""
    email = _claim_text(claims, "email", "preferred_username", "upn")
    subject = _claim_text(claims, "sub", "oid")
    name = _claim_text(claims, "name") or email or (f"sub {subject}" if subject else "unknown")
    grants = [roles.people.get(k.lower()) for k in (email, subject) if k]
    raw_groups = claims.get(roles.group_claim) or []
    if isinstance(raw_groups, str):
        raw_groups = [raw_groups]
    if isinstance(raw_groups, list):
        grants += [roles.groups.get(str(g).strip().lower()) for g in raw_groups]
    held = [g for g in grants if g is not None]
    return User(
        name=name,
        email=email,
        subject=subject,
        roles=frozenset(r for g in held for r in g.roles),
        subgroups=frozenset(s for g in held for s in g.subgroups),
    )
