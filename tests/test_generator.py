import pytest
from django.contrib.auth import password_validation

from accounts.generator import (
    ALPHABET,
    DIGITS,
    LOWER,
    SYMBOLS,
    UPPER,
    forbidden_words,
    generate_password,
)
from accounts.models import Client, User

SAMPLE_SIZE = 10_000
LOOK_ALIKES = set("0Oo1lI|")


@pytest.fixture(scope="module")
def dana_unsaved():
    client = Client(code="HCC", name="Harbor Crate Co.")
    return User(
        username="dana",
        full_name="Dana Reyes",
        email="dana.reyes@harborcrate.test",
        client=client,
    )


@pytest.fixture(scope="module")
def sample(dana_unsaved):
    return [generate_password(dana_unsaved) for _ in range(SAMPLE_SIZE)]


def test_generated_passwords_pass_django_validators(sample, dana_unsaved):
    """Every generated password passes the configured validators."""
    for password in sample:
        password_validation.validate_password(password, dana_unsaved)


def test_generated_passwords_follow_generator_rules(sample, dana_unsaved):
    words = forbidden_words(dana_unsaved)
    for password in sample:
        assert len(password) == 16
        assert set(password) <= set(ALPHABET)
        assert any(ch in UPPER for ch in password)
        assert any(ch in LOWER for ch in password)
        assert any(ch in DIGITS for ch in password)
        assert any(ch in SYMBOLS for ch in password)
        assert not any(word in password.casefold() for word in words)


def test_generated_passwords_have_no_look_alikes(sample):
    """None of 0 O o 1 l I | in any password."""
    used = set("".join(sample))
    assert used.isdisjoint(LOOK_ALIKES)


def test_alphabet_has_no_look_alikes_or_fragile_symbols():
    assert set(ALPHABET).isdisjoint(LOOK_ALIKES)
    assert set(ALPHABET).isdisjoint(set("<>&\"'`\\@._*^~ "))


def test_forbidden_words_cover_user_and_client(dana_unsaved):
    words = forbidden_words(dana_unsaved)

    assert "dana" in words
    assert "reyes" in words
    assert "harbor" in words
    assert "crate" in words


def test_passwords_are_not_repeated(sample):
    assert len(set(sample)) == SAMPLE_SIZE


def test_generator_avoids_short_username():
    user = User(username="ab", full_name="", email="")
    passwords = [generate_password(user) for _ in range(500)]

    assert not any("ab" in password.casefold() for password in passwords)
