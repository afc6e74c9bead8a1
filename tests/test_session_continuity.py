"""A signed-in session whose key changes keeps its UserSession row.

Each signed-in session has a UserSession row keyed by the session key. A key
that changes without the row signs the user out on the next request, and the
orphaned row counts as an active second browser for the concurrent sign-in
policy.
"""

import re
from datetime import UTC, datetime, timedelta
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
PORTAL = reverse("clientportal:portal")
RENEW = reverse("clientportal:portal-renew-password")
SHOWN_PASSWORD = re.compile(r'data-testid="new-password"><code>([^<]+)</code>')


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


def shown_password(response) -> str:
    return SHOWN_PASSWORD.search(response.content.decode()).group(1)


def test_own_renewal_keeps_this_session(dana, sign_in):
    browser = Client()
    sign_in(browser, "dana")

    browser.post(RENEW)

    assert browser.get(PORTAL).status_code == HTTPStatus.OK


def test_own_renewal_then_other_browser_is_not_concurrent(dana, sign_in, clock):
    """Renew, sign out, and sign in from another browser: no lock."""
    browser_a = Client()
    sign_in(browser_a, "dana")
    password = shown_password(browser_a.post(RENEW))
    browser_a.post(reverse("clientportal:sign-out"))
    clock.move_to(START + timedelta(minutes=2))

    response = sign_in(Client(), "dana", password)

    dana.refresh_from_db()
    assert response.status_code == HTTPStatus.FOUND
    assert dana.locked_at is None
