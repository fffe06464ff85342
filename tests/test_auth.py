"""Sign-in: password hashes, the password form (right, wrong, rate limit), OIDC roles in AppTest (at.user)."""

from __future__ import annotations

import doctest

import pytest
from streamlit.testing.v1 import AppTest

from pages import auth
from pages.auth import AuthSettings, hash_password, hash_password_scrypt, role_for, verify_password
from queries.access import Principal

FAST = 1_000  # iterations for test hashes; real ones use auth.PBKDF2_ITERATIONS
ALICE_HASH = hash_password("correct horse", iterations=FAST)
BOB_HASH = hash_password("battery staple", iterations=FAST)
PASSWORD_SECRETS = {
    "metrics_auth": {
        "max_attempts": 3,
        "window_seconds": 300,
        "users": {
            "alice": {"password_hash": ALICE_HASH, "role": "editor", "email": "alice@example.com"},
            "bob": {"password_hash": BOB_HASH},
        },
    }
}
OIDC_SECRETS = {
    "auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32},
    "metrics_auth": {"editors": ["boss@example.com"], "role_claim": "groups", "editor_claim_values": ["kpi-editors"]},
}


def harness():
    """A page that shows the sign-in controls and who the session is (AppTest runs this function)."""
    import streamlit as st

    from pages.auth import current_principal, render_sign_in

    render_sign_in()
    principal = current_principal()
    st.text(f"{principal.user}|{principal.role}")


def gated():
    """app.py's first lines: viewers must sign in when require_login is set."""
    import streamlit as st

    from pages.auth import require_sign_in

    principal = require_sign_in()
    st.text(f"content for {principal.user}")


def run(app_fn, secrets: dict, user: dict | None = None) -> AppTest:
    at = AppTest.from_function(app_fn, default_timeout=30)
    for key, value in secrets.items():
        at.secrets[key] = value
    if user is not None:
        at.user = user
    return at.run()


def who(at: AppTest) -> str:
    return at.text[-1].value


def sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="auth_username").input(name)
    at.text_input(key="auth_password").input(password)
    return at.button(key="auth_submit").click().run()


# ---------------------------------------------------------------------------- hashes


def test_auth_doctests():
    assert doctest.testmod(auth).failed == 0


@pytest.mark.parametrize("make", [lambda p: hash_password(p, iterations=FAST), hash_password_scrypt])
def test_hash_is_salted_and_verifies(make):
    first, second = make("s3cret"), make("s3cret")
    assert first != second and "s3cret" not in first
    assert verify_password("s3cret", first) and verify_password("s3cret", second)
    assert not verify_password("s3cret ", first) and not verify_password("", first)


@pytest.mark.parametrize("stored", ["", "plain-text", "md5$abc", "pbkdf2_sha256$x$y$z", "scrypt$1$2"])
def test_malformed_or_unknown_hashes_never_match(stored):
    assert not verify_password("anything", stored)


def test_roles_from_claim_or_allow_list():
    settings = AuthSettings(editors=frozenset({"boss@example.com"}), role_claim="groups",
                            editor_claim_values=frozenset({"kpi-editors"}))  # fmt: skip
    assert role_for("Boss@Example.com", {}, settings) == "editor"
    assert role_for("x@example.com", {"groups": ["staff", "KPI-Editors"]}, settings) == "editor"
    assert role_for("x@example.com", {"groups": "kpi-editors"}, settings) == "editor"
    assert role_for("x@example.com", {"groups": ["staff"]}, settings) == "viewer"
    assert role_for("x@example.com", {}, settings) == "viewer"


# ---------------------------------------------------------------------------- password sign-in in AppTest


def test_right_password_signs_in_with_the_role_from_secrets():
    at = run(harness, PASSWORD_SECRETS)
    assert who(at) == "anonymous|viewer"
    at = sign_in(at, "alice", "correct horse")
    assert not at.exception
    assert who(at) == "alice@example.com|editor"
    assert at.session_state[auth.SESSION_PRINCIPAL] == Principal("alice@example.com", "editor")


def test_a_user_without_a_role_is_a_viewer():
    at = sign_in(run(harness, PASSWORD_SECRETS), "bob", "battery staple")
    assert who(at) == "bob|viewer"


def test_wrong_password_or_unknown_user_is_refused():
    at = sign_in(run(harness, PASSWORD_SECRETS), "alice", "wrong")
    assert who(at) == "anonymous|viewer"
    assert "Wrong user name or password" in at.error[0].value
    at = sign_in(at, "mallory", "correct horse")
    assert who(at) == "anonymous|viewer"


def test_attempts_are_rate_limited_per_session():
    at = run(harness, PASSWORD_SECRETS)
    for _ in range(3):
        at = sign_in(at, "alice", "wrong")
    at = sign_in(at, "alice", "correct horse")  # right, but too late: this session is locked for a while
    assert who(at) == "anonymous|viewer"
    assert "Too many failed attempts" in at.error[0].value
    fresh = sign_in(run(harness, PASSWORD_SECRETS), "alice", "correct horse")  # another session is not
    assert who(fresh) == "alice@example.com|editor"


def test_sign_out_forgets_the_session():
    at = sign_in(run(harness, PASSWORD_SECRETS), "alice", "correct horse")
    at = at.button(key="auth_sign_out").click().run()
    assert who(at) == "anonymous|viewer"


def test_required_login_shows_only_the_form():
    secrets = {"metrics_auth": {**PASSWORD_SECRETS["metrics_auth"], "require_login": True}}
    at = run(gated, secrets)
    assert [t.value for t in at.title] == ["Sign in"]
    assert not at.text  # nothing of the content
    at = sign_in(at, "bob", "battery staple")
    assert at.text[-1].value == "content for bob"


def test_optional_login_lets_anonymous_viewers_in():
    at = run(gated, PASSWORD_SECRETS)
    assert at.text[-1].value == "content for anonymous"


# ---------------------------------------------------------------------------- OIDC (st.login) roles via at.user


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ({"is_logged_in": True, "email": "boss@example.com"}, "boss@example.com|editor"),
        ({"is_logged_in": True, "email": "ed@example.com", "groups": ["kpi-editors"]}, "ed@example.com|editor"),
        ({"is_logged_in": True, "email": "vi@example.com", "groups": ["staff"]}, "vi@example.com|viewer"),
        ({"is_logged_in": False}, "anonymous|viewer"),
    ],
    ids=["allow-list", "claim", "viewer", "logged-out"],
)
def test_oidc_roles_from_claim_or_allow_list(user, expected):
    at = run(harness, OIDC_SECRETS, user)
    assert not at.exception
    assert who(at) == expected


def test_without_any_provider_the_local_user_keeps_todays_role(monkeypatch):
    monkeypatch.setenv("METRICS_USER", "analyst")
    monkeypatch.delenv("METRICS_ROLE_DEFAULT", raising=False)
    at = run(harness, {})
    assert who(at) == "analyst|editor"
