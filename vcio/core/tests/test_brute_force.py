"""Guessing passwords and API tokens is stopped.

40 wrong passwords in a row followed by the right one used to log in; 60 bad
bearer tokens got 60 plain 401s. Now the sign-in form locks a username from
one address after VCIO_LOGIN_FAILURE_LIMIT failures (django-axes) and says
so, and an address that sent too many bad tokens gets 429s for a while.
"""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from vcio.core.tests.factories import make_token


def sign_in(http: HttpClient, username: str, password: str, address: str = "203.0.113.7"):
    return http.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_the_right_password_after_too_many_wrong_ones_is_refused(bob, password, settings):
    http = HttpClient()
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5  # the shipped default
    for _ in range(limit - 1):
        r = sign_in(http, "bob", "wrong")
        assert r.status_code == 200 and "Please enter a correct username" in r.content.decode()
    r = sign_in(http, "bob", "wrong")  # the 5th failure locks
    assert r.status_code == 429
    r = sign_in(http, "bob", password)
    page = r.content.decode()
    assert r.status_code == 429
    assert "Too many failed sign-ins" in page
    assert "After 5 wrong passwords in a row for “bob”" in page
    assert "locked for 15 minutes" in page
    assert "_auth_user_id" not in http.session


def test_a_lockout_holds_for_one_address_only(bob, password):
    guesser = HttpClient()
    for _ in range(6):
        sign_in(guesser, "bob", "wrong", address="203.0.113.7")
    # Bob, at his own desk, still gets in: a guesser cannot lock him out.
    r = sign_in(HttpClient(), "bob", password, address="198.51.100.20")
    assert r.status_code == 302


def test_a_good_sign_in_resets_the_count(bob, password):
    http = HttpClient()
    for _ in range(4):
        sign_in(http, "bob", "wrong")
    assert sign_in(http, "bob", password).status_code == 302
    http.logout()
    for _ in range(4):
        assert sign_in(http, "bob", "wrong").status_code == 200
    assert sign_in(http, "bob", password).status_code == 302


def test_bad_tokens_from_one_address_get_429_after_the_limit(bob, settings):
    _, good = make_token(bob, name="script")
    http = HttpClient()
    limit = settings.VCIO_TOKEN_FAILURE_LIMIT
    assert limit == 10  # the shipped default
    statuses = [
        http.get(
            "/api/me/", HTTP_AUTHORIZATION=f"Bearer vcio_guess{n}", REMOTE_ADDR="203.0.113.7"
        ).status_code
        for n in range(60)
    ]
    assert statuses == [401] * limit + [429] * (60 - limit)
    r = http.get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {good}", REMOTE_ADDR="203.0.113.7")
    assert r.status_code == 429
    assert r.json()["detail"] == (
        "Too many failed API token attempts from this address: try again in 15 minutes."
    )
    assert 0 < int(r["Retry-After"]) <= 15 * 60
    # Another address is not affected.
    r = http.get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {good}", REMOTE_ADDR="198.51.100.20")
    assert r.status_code == 200


@pytest.mark.parametrize("header", ["Bearer vcio_nope", "Bearer \xe9t\xe9"])
def test_a_few_bad_tokens_stay_plain_401s(bob, header):
    http = HttpClient()
    for _ in range(3):
        r = http.get("/api/me/", HTTP_AUTHORIZATION=header)
        assert r.status_code == 401
