"""Unknown usernames get the same pages as real ones and cost the same hashing."""

import re
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.utils import timezone

from accounts.generator import generate_password
from tests.live.hashers import COUNT_FILE_VARIABLE, read_counts

WRONG = ["wrong-1", "wrong-2", "wrong-3", "wrong-4"]


@pytest.fixture
def hash_calls(settings, monkeypatch, tmp_path):
    """Count real Argon2 calls (verify and encode) made in this process."""
    settings.PASSWORD_HASHERS = ["tests.live.hashers.CountingArgon2PasswordHasher"]
    path = tmp_path / "hasher-calls.txt"
    monkeypatch.setenv(COUNT_FILE_VARIABLE, str(path))
    return lambda: sum(read_counts(path).values())


def hashes_per_attempt(sign_in, hash_calls, username, passwords) -> list[int]:
    browser = Client()
    calls = []
    for password in passwords:
        before = hash_calls()
        sign_in(browser, username, password)
        calls.append(hash_calls() - before)
    return calls


@pytest.fixture
def dana_with_emailed_password(dana):
    dana.pending_password = make_password(generate_password())
    dana.pending_password_expires_at = timezone.now() + timedelta(hours=24)
    dana.save()
    return dana


@pytest.mark.real_hasher
@pytest.mark.parametrize("username", ["dana", "nobody"])
def test_each_attempt_pays_one_hash_until_locked(dana, sign_in, hash_calls, username):
    calls = hashes_per_attempt(sign_in, hash_calls, username, WRONG)

    assert calls == [1, 1, 1, 0]


@pytest.mark.real_hasher
@pytest.mark.parametrize("username", ["dana", "nobody"])
def test_pending_check_costs_the_same(
    dana_with_emailed_password, sign_in, hash_calls, username
):
    """The emailed-password check costs the same for every username."""
    guesses = [generate_password() for _ in range(3)]

    calls = hashes_per_attempt(sign_in, hash_calls, username, guesses)

    assert calls == [2, 2, 2]


@pytest.mark.real_hasher
def test_right_password_on_locked_account_costs_no_hash(dana, sign_in, hash_calls):
    hashes_per_attempt(sign_in, hash_calls, "dana", WRONG)
    before = hash_calls()

    response = sign_in(Client(), "dana")

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert hash_calls() == before


def without_csrf(body: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)


def answers(sign_in, username: str) -> list[tuple[int, str]]:
    browser = Client()
    responses = [sign_in(browser, username, password) for password in WRONG]
    responses.append(sign_in(browser, username, "P-valid"))
    return [
        (r.status_code, without_csrf(r.content.decode()).replace(username, "NAME"))
        for r in responses
    ]


def test_real_and_unknown_usernames_get_identical_pages(dana, sign_in):
    """Countdown, lock page and the locked page for the right password."""
    assert answers(sign_in, "dana") == answers(sign_in, "nobody")


def test_real_and_unknown_usernames_set_the_same_cookies(dana, sign_in):
    real = sign_in(Client(), "dana", WRONG[0])
    unknown = sign_in(Client(), "nobody", WRONG[0])

    assert sorted(real.cookies) == sorted(unknown.cookies)
