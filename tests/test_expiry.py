"""Expiry arithmetic with USE_TZ, a non-UTC zone and a frozen clock."""

from datetime import UTC, datetime, timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.urls import reverse

from accounts.expiry import is_expiry_near, is_password_expired, password_expires_at
from accounts.models import User


@pytest.fixture(autouse=True)
def berlin_time(settings):
    settings.TIME_ZONE = "Europe/Berlin"


def user_with_password_set(at: datetime | None) -> User:
    return User(username="dana", password_changed_at=at)


def test_expiry_crosses_leap_day():
    user = user_with_password_set(datetime(2023, 6, 1, 12, 0, tzinfo=UTC))

    assert not is_password_expired(user, datetime(2024, 5, 30, 12, 0, tzinfo=UTC))
    assert is_password_expired(user, datetime(2024, 5, 31, 12, 0, tzinfo=UTC))


def test_expiry_is_exactly_365_days_across_dst():
    set_at = datetime(2024, 3, 30, 12, 0, tzinfo=UTC)  # day before Berlin's DST
    user = user_with_password_set(set_at)
    expires = set_at + timedelta(hours=365 * 24)

    assert password_expires_at(user) == expires
    assert not is_password_expired(user, expires - timedelta(seconds=1))
    assert is_password_expired(user, expires)


def test_missing_set_date_counts_as_expired():
    user = user_with_password_set(None)

    assert password_expires_at(user) is None
    assert is_password_expired(user, datetime(2024, 1, 1, tzinfo=UTC))


def test_warning_window_starts_fourteen_days_before():
    set_at = datetime(2023, 6, 1, 12, 0, tzinfo=UTC)
    user = user_with_password_set(set_at)
    expires = set_at + timedelta(days=365)

    assert not is_expiry_near(user, expires - timedelta(days=15))
    assert is_expiry_near(user, expires - timedelta(days=14))
    assert not is_expiry_near(user, expires)


def test_old_password_leads_to_expired_page(client, dana, sign_in):
    with time_machine.travel(dana.password_changed_at + timedelta(days=400)):
        response = sign_in(client, "dana")
        page = client.get(response["Location"])

    dana.refresh_from_db()
    assert response["Location"] == reverse("clientportal:password-expired")
    assert page.status_code == HTTPStatus.OK
    assert "more than 12 months old" in page.content.decode()
    assert dana.failed_attempts == 0


def test_new_password_from_expired_page_signs_in(client, dana, sign_in):
    with time_machine.travel(dana.password_changed_at + timedelta(days=400)):
        sign_in(client, "dana")
        response = client.post(reverse("clientportal:renew-password"))
        portal = client.get(reverse("clientportal:portal"))

    dana.refresh_from_db()
    assert response.status_code == HTTPStatus.OK
    assert "no-store" in response["Cache-Control"]
    new_password = response.context["new_password"]
    assert dana.check_password(new_password)
    assert portal.status_code == HTTPStatus.OK


def test_expired_page_without_sign_in_redirects(client):
    response = client.get(reverse("clientportal:password-expired"))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("clientportal:sign-in")


def test_banner_shows_near_expiry(client, dana, sign_in):
    with time_machine.travel(dana.password_changed_at + timedelta(days=355)):
        sign_in(client, "dana")
        page = client.get(reverse("clientportal:portal"))

    assert "Your password expires on" in page.content.decode()
