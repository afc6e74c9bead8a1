"""/healthz: 200 with a reachable database, 503 without, for any Host header."""

from http import HTTPStatus

import pytest
from django.db import connections

from tests.smtp import free_port


@pytest.fixture
def unreachable_database(db):
    """Swap the default connection for one to a database that cannot be opened.

    The test database itself stays open, so the rest of the suite is unharmed.
    """
    original = connections["default"]
    settings_dict = dict(original.settings_dict)
    if original.vendor == "postgresql":
        settings_dict.update(HOST="127.0.0.1", PORT=free_port())
    else:
        settings_dict["NAME"] = "/nonexistent-directory/portal.sqlite3"
    broken = original.__class__(settings_dict, alias="default")
    connections["default"] = broken
    yield
    broken.close()
    connections["default"] = original


def test_healthz_answers_ok_with_database(client, db):
    response = client.get("/healthz")

    assert response.status_code == HTTPStatus.OK
    assert response.content == b"ok\n"
    assert response["Cache-Control"] == "no-store"


def test_healthz_answers_503_without_database(client, unreachable_database):
    response = client.get("/healthz")

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.content == b"database unreachable\n"


def test_healthz_accepts_any_host(client, db, settings):
    settings.ALLOWED_HOSTS = ["portal.example.test"]

    response = client.get("/healthz", HTTP_HOST="127.0.0.2:8000")

    assert response.status_code == HTTPStatus.OK


def test_healthz_skips_https_redirect(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True

    health = client.get("/healthz")
    home = client.get("/")

    assert health.status_code == HTTPStatus.OK
    assert home.status_code == HTTPStatus.MOVED_PERMANENTLY


def test_healthz_needs_no_session(client, db, django_assert_num_queries):
    with django_assert_num_queries(1):
        client.get("/healthz")
