"""Checks on the test set-up itself, so a fixture that stops working fails loudly."""

import pytest
from django.contrib.auth.hashers import get_hasher


def test_unit_tests_hash_with_md5(dana):
    assert get_hasher().algorithm == "md5"
    assert dana.password.startswith("md5$")


@pytest.mark.real_hasher
def test_real_hasher_mark_keeps_argon2(dana):
    assert get_hasher().algorithm == "argon2"
    assert dana.password.startswith("argon2$")
