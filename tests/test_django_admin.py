"""Django's admin site is staff-only and must follow the portal's rules.

Its sign-out must end the portal session (UserSession row included), and it
must not let anyone choose a password: every password is generated.
"""

from datetime import UTC, datetime, timedelta
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import WarehouseAdminFactory

START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


def test_django_admin_sign_out_is_not_concurrent(db, sign_in, clock):
    """Signing out through Django's admin ends the portal session too."""
    WarehouseAdminFactory(username="wendy", is_superuser=True)
    browser_a = Client()
    sign_in(browser_a, "wendy", url_name="clientportal:warehouse-sign-in")
    browser_a.post(reverse("admin:logout"))
    clock.move_to(START + timedelta(minutes=2))

    response = sign_in(Client(), "wendy", url_name="clientportal:warehouse-sign-in")

    assert response.status_code == HTTPStatus.FOUND


def test_django_admin_offers_no_chosen_password(admin_client):
    """Passwords are generated: the admin's change-password form is not served."""
    response = admin_client.get(reverse("admin:password_change"))

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_django_admin_password_change_post_changes_nothing(admin_client, admin_user):
    admin_user.refresh_from_db()
    old_hash = admin_user.password

    admin_client.post(
        reverse("admin:password_change"),
        {
            "old_password": "P-valid",
            "new_password1": "Chosen#Pass9876x",
            "new_password2": "Chosen#Pass9876x",
        },
    )

    admin_user.refresh_from_db()
    assert admin_user.password == old_hash
