"""The live-test settings plus a bare Django LoginView to compare against."""

from tests.live.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
