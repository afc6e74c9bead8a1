"""Settings for server processes started by tests and benchmarks.

The product's settings, with the password hasher swapped for one that counts
its calls (tests.live.hashers) so a test can tell how many passwords a burst
of requests made the servers check.
"""

from config.test_settings import *  # noqa: F403
from config.test_settings import PASSWORD_HASHERS

PASSWORD_HASHERS = [
    "tests.live.hashers.CountingArgon2PasswordHasher",
    *(name for name in PASSWORD_HASHERS if not name.endswith("Argon2PasswordHasher")),
]
