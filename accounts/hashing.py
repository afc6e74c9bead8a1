"""Hashing of generated pending (emailed) passwords."""

import functools
import secrets

from django.conf import settings
from django.contrib.auth.hashers import (
    Argon2PasswordHasher,
    check_password,
    get_hasher,
    make_password,
)


class GeneratedPasswordHasher(Argon2PasswordHasher):
    """Argon2id at a low cost, used only for generated pending passwords.

    A hash's work factor slows down guessing of passwords people choose. A
    generated password has about 94 bits of entropy (16 characters drawn with
    `secrets` from 62, less the draws that lack a character class). No
    guessing rate reaches that, so the full cost would only make one worker
    send a few emails a second. When the emailed password is first used,
    accounts.pending.accept_pending_password hashes it again at full cost, so
    the cheap hash never becomes the account's password hash.
    """

    time_cost = 1
    memory_cost = 4096
    parallelism = 1


def hash_generated_password(password: str) -> str:
    """Return the pending-password hash of a generated `password`.

    The low-cost hasher applies only where the configured default is Argon2,
    so a test run with a fast hasher keeps it.
    """
    if get_hasher("default").algorithm == GeneratedPasswordHasher.algorithm:
        return make_password(password, hasher=GeneratedPasswordHasher())
    return make_password(password)


def check_generated_password(password: str, encoded: str | None) -> bool:
    """Check `password` against a pending hash, or pay the same cost without one.

    With no hash (no pending password, or no account) the password is checked
    against a throwaway pending hash instead, so the response takes as long.
    """
    if not encoded:
        check_password(password, _throwaway_pending_hash())
        return False
    return check_password(password, encoded)


def _throwaway_pending_hash() -> str:
    return _throwaway_hash_for(tuple(settings.PASSWORD_HASHERS))


@functools.cache
def _throwaway_hash_for(hashers: tuple[str, ...]) -> str:
    # One per process and PASSWORD_HASHERS value; its password is never kept.
    return hash_generated_password(secrets.token_urlsafe(16))
