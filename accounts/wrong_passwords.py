"""Recognise a wrong password seen before, so repeating it counts once.

A browser that keeps filling in an old password is the usual cause of
lockouts. Only keyed digests of recent wrong passwords are kept, on the
attempt counter (the user row, or the UnknownUsername row).
"""

from django.utils.crypto import constant_time_compare

from accounts.sealing import keyed_digest

# How many distinct wrong passwords are remembered (as digests) per account.
REMEMBERED_WRONG_PASSWORDS = 5


def wrong_password_digest(username: str, password: str) -> str:
    """Return a keyed digest of a password, so a repeat can be recognised."""
    return keyed_digest("accounts.signin.wrong-password", username + "\0" + password)


def is_repeat(counter, digest: str) -> bool:
    return any(
        constant_time_compare(digest, known)
        for known in counter.failed_password_digests
    )


def remember_wrong_password(counter, digest: str) -> None:
    digests = [*counter.failed_password_digests, digest]
    counter.failed_password_digests = digests[-REMEMBERED_WRONG_PASSWORDS:]
