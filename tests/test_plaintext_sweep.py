"""No generated password is stored in plaintext anywhere the product writes.

One test runs every flow that generates a password and collects each password
from the page, email or command output that delivers it. It then searches
every database table (found by introspection, sessions decoded), the log
records (with SQL logging on), the test clients' cookies (signed message
cookies decoded) and the cache. A second test plants a marker in each of those
places and checks that the same search finds it, so the first cannot pass by
searching nothing.
"""

import io
import logging
import pickle
import re
from datetime import timedelta

import pytest
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccountEvent, EventKind
from tests.factories import DEMO_PASSWORD, ClientUserFactory
from tests.smtp import emailed_password

SHOWN_PASSWORD = re.compile(r'data-testid="new-password"><code>([^<]+)</code>')


def shown_password(response) -> str:
    return SHOWN_PASSWORD.search(response.content.decode()).group(1)


# Where to look


def database_texts() -> list[str]:
    """Return every cell of every table as text, with sessions decoded."""
    texts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - table names come from introspection
            for row in cursor.fetchall():
                texts.extend(_as_text(value) for value in row)
    texts.extend(
        repr(SessionStore().decode(data))
        for data in _column("django_session", "session_data")
    )
    return texts


def cookie_texts(clients) -> list[str]:
    request = RequestFactory().get("/")
    texts = []
    for client in clients:
        for morsel in client.cookies.values():
            texts.append(morsel.value)
            decoded = CookieStorage(request)._decode(morsel.value)
            if decoded is not None:
                texts.append(repr([str(message) for message in decoded]))
    return texts


def cache_texts() -> list[str]:
    texts = []
    for alias in caches:
        store = getattr(caches[alias], "_cache", None)
        assert store is not None, f"cache {alias!r} cannot be listed by this test"
        for key, pickled in store.items():
            texts.append(str(key))
            texts.append(repr(pickle.loads(pickled)))  # noqa: S301 - our own cache
    return texts


def log_texts(caplog) -> list[str]:
    # The loopback SMTP server is the receiving end: the email it logs is the
    # one place where the password belongs.
    return [
        record.getMessage()
        for record in caplog.records
        if not record.name.startswith("mail.")
    ]


def _as_text(value) -> str:
    if isinstance(value, memoryview | bytes):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


def _column(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {connection.ops.quote_name(column)} "  # noqa: S608 - fixed names
            f"FROM {connection.ops.quote_name(table)}"
        )
        return [row[0] for row in cursor.fetchall()]


def places_holding(secret: str, places: dict[str, list[str]]) -> list[str]:
    return [name for name, texts in places.items() if any(secret in t for t in texts)]


# The flows that generate passwords


def admin_reset(admin_client, user) -> str:
    url = reverse("clientportal:reset-password", args=[user.pk])
    return shown_password(admin_client.post(url))


def admin_unlock_and_reset(admin_client, user) -> str:
    user.locked_at = timezone.now()
    user.save()
    url = reverse("clientportal:unlock-and-reset-password", args=[user.pk])
    return shown_password(admin_client.post(url))


def admin_add_user(admin_client, harbor) -> str:
    fields = {
        "client": harbor.pk,
        "username": "nadia",
        "full_name": "Nadia Park",
        "email": "nadia@harborcrate.test",
    }
    return shown_password(
        admin_client.post(reverse("clientportal:add-client-user"), fields)
    )


def forgot_password(browser, smtp_server, run_worker, sign_in) -> str:
    browser.post(reverse("clientportal:forgot-password"), {"identifier": "dana"})
    run_worker()
    password = emailed_password(smtp_server.messages[-1])
    sign_in(browser, "dana", password)
    return password


def expired_renewal(browser, harbor, sign_in) -> str:
    ClientUserFactory(
        username="ezra",
        client=harbor,
        password_changed_at=timezone.now() - timedelta(days=400),
    )
    sign_in(browser, "ezra", DEMO_PASSWORD)
    return shown_password(browser.post(reverse("clientportal:renew-password")))


def portal_renewal(browser, harbor, sign_in) -> str:
    ClientUserFactory(username="rosa", client=harbor)
    sign_in(browser, "rosa", DEMO_PASSWORD)
    return shown_password(browser.post(reverse("clientportal:portal-renew-password")))


def operator_commands() -> list[str]:
    created, reset = io.StringIO(), io.StringIO()
    call_command(
        "create_client_user", "theo", client="HCC", name="Theo Lind", stdout=created
    )
    call_command("reset_password", "theo", stdout=reset)
    return [output.getvalue().split()[-1] for output in (created, reset)]


def test_generated_passwords_stored_nowhere(
    admin_client, harbor, dana, omar, smtp_server, run_worker, sign_in, caplog
):
    caplog.set_level(logging.DEBUG)
    connection.force_debug_cursor = True  # log every SQL statement with its values
    browsers = [Client(), Client(), Client()]
    try:
        passwords = {
            "admin reset": admin_reset(admin_client, omar),
            "admin unlock and reset": admin_unlock_and_reset(admin_client, omar),
            "add user": admin_add_user(admin_client, harbor),
            "forgot password": forgot_password(
                browsers[0], smtp_server, run_worker, sign_in
            ),
            "expiry renewal": expired_renewal(browsers[1], harbor, sign_in),
            "portal renewal": portal_renewal(browsers[2], harbor, sign_in),
        }
        created, reset = operator_commands()
        passwords["create_client_user"] = created
        passwords["reset_password command"] = reset
    finally:
        connection.force_debug_cursor = False

    places = {
        "database": database_texts(),
        "logs": log_texts(caplog),
        "cookies": cookie_texts([admin_client, *browsers]),
        "cache": cache_texts(),
    }
    assert len(set(passwords.values())) == len(passwords)
    for flow, password in passwords.items():
        assert len(password) == 16, flow
        assert places_holding(password, places) == [], flow


def test_sweep_finds_planted_markers(client, dana, caplog):
    """The search above would see a password in each place it looks."""
    caplog.set_level(logging.DEBUG)
    AccountEvent.objects.create(user=dana, kind=EventKind.UPDATED, detail="Row#Mark42")
    session = SessionStore()
    session["note"] = "Session#Mark42"
    session.save()
    caches["default"].set("note", {"value": "Cache#Mark42"})
    logging.getLogger("accounts").info("note %s", "Log#Mark42")
    storage = CookieStorage(RequestFactory().get("/"))
    client.cookies["messages"] = storage._encode([Message(20, "Cookie#Mark42")])

    database = database_texts()
    assert places_holding("Row#Mark42", {"database": database}) == ["database"]
    assert places_holding("Session#Mark42", {"database": database}) == ["database"]
    assert places_holding("Log#Mark42", {"logs": log_texts(caplog)}) == ["logs"]
    assert places_holding("Cookie#Mark42", {"c": cookie_texts([client])}) == ["c"]
    assert places_holding("Cache#Mark42", {"cache": cache_texts()}) == ["cache"]


@pytest.fixture(autouse=True)
def empty_cache():
    caches["default"].clear()
