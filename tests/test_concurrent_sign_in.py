"""Concurrent sign-ins, the three policies, and the session limits."""

from datetime import UTC, datetime, timedelta
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import EventKind, LockReason
from accounts.sessions import BROWSER_COOKIE

START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
PORTAL = reverse("clientportal:portal")


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


def is_signed_in(browser: Client) -> bool:
    return browser.get(PORTAL).status_code == HTTPStatus.OK


def test_browser_closed_past_idle_timeout_is_not_concurrent(dana, sign_in, clock):
    """A browser closed without signing out stops counting when idle."""
    sign_in(Client(), "dana")
    clock.move_to(START + timedelta(minutes=31))
    browser_b = Client()

    response = sign_in(browser_b, "dana")

    dana.refresh_from_db()
    assert response.status_code == HTTPStatus.FOUND
    assert dana.locked_at is None
    assert is_signed_in(browser_b)


def test_session_past_absolute_limit_is_not_concurrent(dana, sign_in, clock):
    """Browser A stays busy for over 12 hours, so its session has expired."""
    browser_a = Client()
    sign_in(browser_a, "dana")
    for minutes in range(20, 12 * 60, 20):
        clock.move_to(START + timedelta(minutes=minutes))
        assert is_signed_in(browser_a)
    clock.move_to(START + timedelta(hours=12, minutes=5))
    browser_b = Client()

    response = sign_in(browser_b, "dana")

    dana.refresh_from_db()
    assert response.status_code == HTTPStatus.FOUND
    assert dana.locked_at is None
    assert is_signed_in(browser_b)


def test_second_browser_while_first_active_locks_once(dana, sign_in, clock):
    """Locked once, cause concurrent sign-in, and both sessions end."""
    browser_a, browser_b = Client(), Client()
    sign_in(browser_a, "dana")
    clock.move_to(START + timedelta(minutes=2))

    response = sign_in(browser_b, "dana")

    dana.refresh_from_db()
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "This account is locked" in response.content.decode()
    assert dana.lock_reason == LockReason.CONCURRENT_SIGN_IN
    assert dana.events.filter(kind=EventKind.LOCKED).count() == 1
    assert not is_signed_in(browser_a)
    assert not is_signed_in(browser_b)


def test_two_tabs_of_one_browser_are_not_concurrent(dana, sign_in, clock):
    """Both tabs load the form, then both sign in."""
    browser = Client()
    browser.get(reverse("clientportal:sign-in"))
    browser.get(reverse("clientportal:sign-in"))
    sign_in(browser, "dana")
    clock.move_to(START + timedelta(minutes=2))

    response = sign_in(browser, "dana")

    dana.refresh_from_db()
    assert response.status_code == HTTPStatus.FOUND
    assert dana.locked_at is None


def test_sign_in_after_sign_out_is_not_concurrent(dana, sign_in, clock):
    browser_a = Client()
    sign_in(browser_a, "dana")
    browser_a.post(reverse("clientportal:sign-out"))
    clock.move_to(START + timedelta(minutes=1))

    response = sign_in(Client(), "dana")

    dana.refresh_from_db()
    assert response.status_code == HTTPStatus.FOUND
    assert dana.locked_at is None


def test_end_other_sessions_policy_moves_the_session(dana, sign_in, settings):
    settings.CONCURRENT_SIGN_IN_POLICY = "end_other_sessions"
    browser_a, browser_b = Client(), Client()
    sign_in(browser_a, "dana")

    response = sign_in(browser_b, "dana")

    dana.refresh_from_db()
    assert response.status_code == HTTPStatus.FOUND
    assert dana.locked_at is None
    assert not is_signed_in(browser_a)
    assert is_signed_in(browser_b)
    assert dana.events.filter(kind=EventKind.CONCURRENT_SIGN_IN).count() == 1


def test_allow_policy_keeps_both_sessions(dana, sign_in, settings):
    settings.CONCURRENT_SIGN_IN_POLICY = "allow"
    browser_a, browser_b = Client(), Client()
    sign_in(browser_a, "dana")

    response = sign_in(browser_b, "dana")

    dana.refresh_from_db()
    assert response.status_code == HTTPStatus.FOUND
    assert dana.locked_at is None
    assert is_signed_in(browser_a)
    assert is_signed_in(browser_b)
    assert not dana.events.filter(kind=EventKind.CONCURRENT_SIGN_IN).exists()


def test_session_ends_after_thirty_idle_minutes(dana, sign_in, clock):
    browser = Client()
    sign_in(browser, "dana")
    clock.move_to(START + timedelta(minutes=29))
    active_at_29 = is_signed_in(browser)

    clock.move_to(START + timedelta(minutes=29 + 31))
    response = browser.get(PORTAL)

    assert active_at_29
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("clientportal:sign-in"))


def test_active_session_ends_after_twelve_hours(dana, sign_in, clock):
    browser = Client()
    sign_in(browser, "dana")
    active = []
    for minutes in range(20, 12 * 60, 20):
        clock.move_to(START + timedelta(minutes=minutes))
        active.append(is_signed_in(browser))

    clock.move_to(START + timedelta(hours=12))
    response = browser.get(PORTAL)

    assert all(active)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("clientportal:sign-in"))


def test_sign_in_form_sets_browser_cookie(db, client):
    """Tabs opened from the form share one browser before either signs in."""
    response = client.get(reverse("clientportal:sign-in"))

    assert response.cookies[BROWSER_COOKIE]["httponly"]
    assert response.cookies[BROWSER_COOKIE].value
