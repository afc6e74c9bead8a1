"""Settings for the test suite: production settings with test-only defaults.

The environment still wins, so DATABASE_URL points the suite at PostgreSQL.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-deployment")
# Live-server browser tests run over plain HTTP on loopback.
os.environ.setdefault("SECURE_HTTPS", "false")

from config.settings import *  # noqa: E402, F403
from config.settings import STORAGES  # noqa: E402

# The manifest storage needs collectstatic; tests render templates without it.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Serve static files straight from the app folders, without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
