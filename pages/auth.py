"""Sign-in for the hosted dashboard, and who the current session is: :func:`current_principal`.

Two providers, both configured in ``.streamlit/secrets.toml`` (see ``.streamlit/secrets.example.toml``):

- **OIDC** through ``st.login`` when an ``[auth]`` section is present. The role comes from a claim
  (``role_claim`` / ``editor_claim_values``) or the e-mail allow-list (``editors``).
- **Built-in passwords** from ``[metrics_auth.users.<name>]``: only salted hashes are stored
  (``pbkdf2_sha256$…`` or ``scrypt$…``, made by ``python -m pages.auth hash-password``), compared with
  ``hmac.compare_digest``; failed attempts are limited per session.

With neither configured the dashboard is in local mode: the person at the keyboard is
``METRICS_ROLE_DEFAULT`` (default editor), as before hosting existed. ``require_login`` (or
``METRICS_REQUIRE_LOGIN=1``) makes viewers sign in too; otherwise anonymous visitors are viewers.
The role is enforced again in the query layer (``queries.access``); this module only says who is asking.

Run as a page (``st.Page("pages/auth.py")``) it shows the sign-in form.
"""

from __future__ import annotations

import base64
import getpass
import hashlib
import hmac
import os
import secrets as random_source
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from queries.access import ANONYMOUS_VIEWER, ROLES, Principal

PBKDF2_ITERATIONS = 600_000  # OWASP 2023 advice for PBKDF2-HMAC-SHA256
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
SESSION_PRINCIPAL = "auth_principal"
SESSION_FAILURES = "auth_failures"
# A hash to check against when the user name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = "pbkdf2_sha256$600000$AAAAAAAAAAAAAAAAAAAAAA==$" + "A" * 43 + "="


@dataclass(frozen=True)
class AuthSettings:
    """The ``[metrics_auth]`` table of the secrets, with defaults."""

    require_login: bool = False
    editors: frozenset[str] = frozenset()
    role_claim: str = "roles"
    editor_claim_values: frozenset[str] = frozenset({"editor"})
    oidc_provider: str | None = None
    users: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    max_attempts: int = 5
    window_seconds: float = 300.0
    oidc_configured: bool = False

    @property
    def configured(self) -> bool:
        """Any provider set up: the dashboard is hosted, and an unknown visitor is a viewer."""
        return self.oidc_configured or bool(self.users)


# ---------------------------------------------------------------------------- settings


def read_secrets() -> Mapping[str, Any]:
    """st.secrets as a dict; empty when there is no secrets file (local mode)."""
    try:
        return st.secrets.to_dict()
    except Exception:  # no secrets.toml: FileNotFoundError / StreamlitSecretNotFoundError
        return {}


def _lowered(values: Any) -> frozenset[str]:
    if isinstance(values, str):
        values = values.split(",")
    return frozenset(str(v).strip().lower() for v in values or () if str(v).strip())


def load_settings(secrets: Mapping[str, Any] | None = None) -> AuthSettings:
    """Auth settings from the secrets, plus METRICS_REQUIRE_LOGIN and METRICS_EDITORS from the environment."""
    secrets = read_secrets() if secrets is None else secrets
    table = dict(secrets.get("metrics_auth", {}))
    require = bool(table.get("require_login", False)) or os.environ.get("METRICS_REQUIRE_LOGIN", "").lower() in (
        "1", "true", "yes", "on",
    )  # fmt: skip
    return AuthSettings(
        require_login=require,
        editors=_lowered(table.get("editors", ())) | _lowered(os.environ.get("METRICS_EDITORS", "")),
        role_claim=str(table.get("role_claim", "roles")),
        editor_claim_values=_lowered(table.get("editor_claim_values", ("editor",))),
        oidc_provider=table.get("oidc_provider") or None,
        users=dict(table.get("users", {})),
        max_attempts=int(table.get("max_attempts", 5)),
        window_seconds=float(table.get("window_seconds", 300)),
        oidc_configured="auth" in secrets,
    )


# ---------------------------------------------------------------------------- password hashes


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def hash_password(password: str, iterations: int = PBKDF2_ITERATIONS, salt: bytes | None = None) -> str:
    """A salted PBKDF2-SHA256 hash to put in the secrets: ``pbkdf2_sha256$<iterations>$<salt>$<hash>``."""
    salt = salt or random_source.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return f"pbkdf2_sha256${iterations}${_b64(salt)}${_b64(digest)}"


def hash_password_scrypt(password: str, salt: bytes | None = None) -> str:
    """The scrypt alternative: ``scrypt$<n>$<r>$<p>$<salt>$<hash>``."""
    salt = salt or random_source.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, maxmem=2**26)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches the stored hash; compared in constant time; malformed hashes never match."""
    try:
        scheme, *parts = stored.split("$")
        if scheme == "pbkdf2_sha256":
            iterations, salt, expected = int(parts[0]), base64.b64decode(parts[1]), base64.b64decode(parts[2])
            actual = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
        elif scheme == "scrypt":
            n, r, p = (int(x) for x in parts[:3])
            salt, expected = base64.b64decode(parts[3]), base64.b64decode(parts[4])
            actual = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=2**27)
        else:
            return False
    except (ValueError, IndexError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


# ---------------------------------------------------------------------------- roles


def role_for(email: str, claims: Mapping[str, Any], settings: AuthSettings) -> str:
    """'editor' when the e-mail is on the allow-list or the role claim names an editor value, else 'viewer'."""
    if email.strip().lower() in settings.editors:
        return "editor"
    claim = claims.get(settings.role_claim)
    values = _lowered([claim] if isinstance(claim, str) else claim or ())
    return "editor" if values & settings.editor_claim_values else "viewer"


def password_user_role(name: str, record: Mapping[str, Any], settings: AuthSettings) -> str:
    """A password user's role: their ``role`` entry when valid, else the e-mail allow-list."""
    role = str(record.get("role", "")).strip().lower()
    if role in ROLES:
        return role
    return role_for(str(record.get("email", name)), {}, settings)


# ---------------------------------------------------------------------------- rate limit


def seconds_locked(failures: list[float], now: float, max_attempts: int, window: float) -> float:
    """How long sign-in stays refused after ``failures`` (their times); 0 when another attempt is allowed.

    >>> seconds_locked([100.0, 101.0, 102.0], now=110.0, max_attempts=3, window=60.0)
    50.0
    >>> seconds_locked([100.0, 101.0], now=110.0, max_attempts=3, window=60.0)
    0.0
    """
    recent = [t for t in failures if now - t < window]
    if len(recent) < max_attempts:
        return 0.0
    return max(0.0, recent[-max_attempts] + window - now)


@dataclass(frozen=True)
class SignInResult:
    principal: Principal | None
    message: str


def sign_in_with_password(name: str, password: str, settings: AuthSettings | None = None) -> SignInResult:
    """Check a user name and password against the secrets, counting failures in this session."""
    settings = settings or load_settings()
    failures: list[float] = st.session_state.setdefault(SESSION_FAILURES, [])
    now = time.time()
    wait = seconds_locked(failures, now, settings.max_attempts, settings.window_seconds)
    if wait > 0:
        return SignInResult(None, f"Too many failed attempts. Try again in {int(wait) + 1} s.")
    record = settings.users.get(name.strip())
    stored = str(record.get("password_hash", "")) if record else _DUMMY_HASH
    if not verify_password(password, stored) or record is None:
        failures.append(now)
        left = settings.max_attempts - len([t for t in failures if now - t < settings.window_seconds])
        return SignInResult(None, f"Wrong user name or password ({max(left, 0)} attempts left).")
    failures.clear()
    principal = Principal(str(record.get("email") or name.strip()), password_user_role(name.strip(), record, settings))
    st.session_state[SESSION_PRINCIPAL] = principal
    return SignInResult(principal, f"Signed in as {principal.user} ({principal.role}).")


def sign_out() -> None:
    """Forget the password sign-in of this session (OIDC sessions sign out through st.logout)."""
    st.session_state.pop(SESSION_PRINCIPAL, None)


# ---------------------------------------------------------------------------- who is asking


def oidc_user() -> dict[str, Any]:
    """st.user as a dict when an OIDC user is logged in, else {}."""
    try:
        user = st.user.to_dict()
    except Exception:  # bare mode or no auth configuration
        return {}
    return user if user.get("is_logged_in") else {}


def local_principal() -> Principal:
    """Local mode (no provider configured): the OS user (or METRICS_USER) with METRICS_ROLE_DEFAULT."""
    role = os.environ.get("METRICS_ROLE_DEFAULT", "editor").strip().lower()
    try:
        fallback = getpass.getuser()
    except (KeyError, OSError):
        fallback = "local"
    return Principal(os.environ.get("METRICS_USER", "").strip() or fallback, role if role in ROLES else "editor")


def current_principal(settings: AuthSettings | None = None) -> Principal:
    """Who this session is: an OIDC user, a password user, the local user, or an anonymous viewer."""
    settings = settings or load_settings()
    user = oidc_user()
    if user:
        email = str(user.get("email") or user.get("sub") or user.get("name") or "")
        return Principal(email, role_for(email, user, settings)) if email else ANONYMOUS_VIEWER
    signed_in = st.session_state.get(SESSION_PRINCIPAL)
    if isinstance(signed_in, Principal):
        return signed_in
    return ANONYMOUS_VIEWER if settings.configured else local_principal()


def must_sign_in(settings: AuthSettings | None = None) -> bool:
    """True when this session has to sign in before seeing anything."""
    settings = settings or load_settings()
    return settings.configured and settings.require_login and current_principal(settings) == ANONYMOUS_VIEWER


# ---------------------------------------------------------------------------- widgets


def render_sign_in(settings: AuthSettings | None = None) -> None:
    """The sign-in controls: an OIDC button and/or the password form; or who is signed in, with sign-out."""
    settings = settings or load_settings()
    principal = current_principal(settings)
    if principal != ANONYMOUS_VIEWER and settings.configured:
        st.caption(f"Signed in as **{principal.user}** ({principal.role})")
        st.button("Sign out", key="auth_sign_out", on_click=st.logout if oidc_user() else sign_out)
        return
    if settings.oidc_configured:
        args = (settings.oidc_provider,) if settings.oidc_provider else ()
        st.button("Sign in with your organisation", key="auth_oidc", on_click=st.login, args=args)
    if settings.users:
        render_password_form(settings)


def render_password_form(settings: AuthSettings) -> None:
    """User name and password; the outcome is shown under the form."""
    with st.form("auth_password_form", clear_on_submit=True):
        name = st.text_input("User name", key="auth_username")
        password = st.text_input("Password", type="password", key="auth_password")
        submitted = st.form_submit_button("Sign in", key="auth_submit")
    if submitted:
        result = sign_in_with_password(name, password, settings)
        (st.success if result.principal else st.error)(result.message)
        if result.principal:
            st.rerun()


def require_sign_in(settings: AuthSettings | None = None) -> Principal:
    """For app.py, before navigation: show only the sign-in form (and stop) when viewers must sign in."""
    settings = settings or load_settings()
    if must_sign_in(settings):
        st.title("Sign in")
        st.caption("This dashboard is for signed-in users.")
        render_sign_in(settings)
        st.stop()
    return current_principal(settings)


def render_page() -> None:
    """This file as a page: the sign-in form, or who is signed in."""
    st.title("Account")
    settings = load_settings()
    if not settings.configured:
        principal = local_principal()
        st.info(f"Local mode: no sign-in is configured; you are {principal.user} ({principal.role}).")
        return
    render_sign_in(settings)


def main(argv: list[str]) -> int:
    """``python -m pages.auth hash-password [--scrypt]``: print a hash for the secrets file."""
    if not argv or argv[0] != "hash-password":
        print("usage: python -m pages.auth hash-password [--scrypt]", file=sys.stderr)
        return 2
    password = getpass.getpass("Password: ")
    if password != getpass.getpass("Again: "):
        print("the two passwords differ", file=sys.stderr)
        return 2
    print(hash_password_scrypt(password) if "--scrypt" in argv else hash_password(password))
    return 0


def _running_in_streamlit() -> bool:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    return get_script_run_ctx() is not None


if __name__ == "__main__":
    if _running_in_streamlit():
        render_page()
    else:
        sys.exit(main(sys.argv[1:]))
