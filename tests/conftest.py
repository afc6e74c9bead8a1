from unittest import mock

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.factories import (
    DEMO_PASSWORD,
    ClientFactory,
    ClientUserFactory,
    WarehouseAdminFactory,
)


@pytest.fixture(autouse=True)
def fast_hasher(request, settings):
    """Unit tests hash with MD5 for speed; tests marked real_hasher keep Argon2."""
    if request.node.get_closest_marker("real_hasher") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def harbor(db):
    return ClientFactory(code="HCC", name="Harbor Crate Co.")


@pytest.fixture
def dana(harbor):
    return ClientUserFactory(
        username="dana",
        full_name="Dana Reyes",
        email="dana.reyes@harborcrate.test",
        client=harbor,
    )


@pytest.fixture
def omar(harbor):
    return ClientUserFactory(
        username="omar",
        full_name="Omar Haddad",
        email="omar@harborcrate.test",
        client=harbor,
    )


@pytest.fixture
def admin_user(db):
    return WarehouseAdminFactory(username="wendy", full_name="Wendy Admin")


@pytest.fixture
def sign_in():
    """Post the client sign-in form with a test client; return the response."""

    def post(client, username, password=DEMO_PASSWORD, url_name="clientportal:sign-in"):
        return client.post(
            reverse(url_name), {"username": username, "password": password}
        )

    return post


@pytest.fixture
def admin_client(client, admin_user, sign_in):
    response = sign_in(client, "wendy", url_name="clientportal:warehouse-sign-in")
    assert response.status_code == 302
    return client


@pytest.fixture
def run_worker():
    """Run every queued task that is due, then return."""

    def run():
        # The worker closes database connections between tasks. Inside a test's
        # transaction that would end the test's connection on PostgreSQL
        # (SQLite's in-memory test database ignores the close).
        with mock.patch(
            "django_tasks_db.management.commands.db_worker.close_old_connections"
        ):
            call_command(
                "db_worker", batch=True, startup_delay=False, reload=False, verbosity=0
            )

    return run


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on loopback; Django's email goes to it."""
    from accounts.mail_connection import close_connection
    from tests.smtp import LoopbackSMTPServer

    server = LoopbackSMTPServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield server
    # send_message keeps this thread's SMTP connection open between emails.
    close_connection()
    server.stop()
