"""Encrypt short values that must be stored briefly but never in the clear.

A forgot-password request keeps what the visitor typed (a username or an email
address, possibly a stranger's) until the task has matched it to an account.
It is stored as a Fernet token (AES-128-CBC with HMAC-SHA256) under a key
derived from SECRET_KEY, so a copy of the database alone does not reveal it.
"""

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.crypto import salted_hmac

KEY_SALT = "accounts.sealing"


def _fernet_for(secret: str) -> Fernet:
    digest = salted_hmac(KEY_SALT, "fernet-key", secret=secret, algorithm="sha256")
    return Fernet(base64.urlsafe_b64encode(digest.digest()))


def _keys() -> MultiFernet:
    # Tokens sealed before a SECRET_KEY rotation still open with a fallback key.
    secrets = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return MultiFernet([_fernet_for(secret) for secret in secrets])


def seal(value: str) -> str:
    """Return `value` encrypted as a URL-safe text token."""
    return _keys().encrypt(value.encode()).decode("ascii")


def unseal(token: str) -> str | None:
    """Return the value sealed in `token`, or None if no current key opens it."""
    try:
        return _keys().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError):
        return None


def keyed_digest(purpose: str, value: str) -> str:
    """Return an HMAC-SHA256 of `value` under SECRET_KEY, separated by `purpose`."""
    return salted_hmac(purpose, value, algorithm="sha256").hexdigest()
