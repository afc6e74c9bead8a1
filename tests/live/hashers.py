"""Argon2, unchanged, except that every call is counted in a file.

Server processes append one line per call to the file named by the
HASHER_COUNT_FILE environment variable, so a test can add up the calls of
every worker. Without that variable nothing is written.
"""

import os

from django.contrib.auth.hashers import Argon2PasswordHasher

COUNT_FILE_VARIABLE = "HASHER_COUNT_FILE"


def record_call(kind: str) -> None:
    path = os.environ.get(COUNT_FILE_VARIABLE)
    if not path:
        return
    # One short write with O_APPEND is atomic, so workers never interleave.
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, f"{kind}\n".encode())
    finally:
        os.close(descriptor)


def read_counts(path) -> dict[str, int]:
    """Return {"verify": n, "encode": n} from a count file."""
    counts = {"verify": 0, "encode": 0}
    if os.path.exists(path):
        with open(path) as lines:
            for line in lines:
                counts[line.strip()] += 1
    return counts


class CountingArgon2PasswordHasher(Argon2PasswordHasher):
    def verify(self, password, encoded):
        record_call("verify")
        return super().verify(password, encoded)

    def encode(self, password, salt):
        record_call("encode")
        return super().encode(password, salt)
