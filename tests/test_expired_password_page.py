"""The expired-password page lets the owner out and back in, and never traps her."""

from datetime import timedelta
from http import HTTPStatus

import pytest
import time_machine
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from accounts.models import EventKind

EXPIRED_PAGE = reverse("clientportal:password-expired")
SIGN_IN_PAGE = reverse("clientportal:sign-in")


@pytest.fixture
def expired_dana(dana):
    dana.password_changed_at = timezone.now() - timedelta(days=400)
    dana.save()
    return dana


@pytest.fixture
def on_expired_page(client, expired_dana, sign_in):
    """A browser that signed in with Dana's correct but expired password."""
    response = sign_in(client, "dana")
    assert response["Location"] == EXPIRED_PAGE
    return client


def test_expired_password_redirects_once(client, expired_dana, sign_in):
    response = sign_in(client, "dana")

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == EXPIRED_PAGE
    page = client.get(response["Location"])
    assert page.status_code == HTTPStatus.OK
    assert "Your password has expired" in page.content.decode()


def test_expired_password_counts_no_failure(client, expired_dana, sign_in):
    sign_in(client, "dana")

    expired_dana.refresh_from_db()
    assert expired_dana.failed_attempts == 0
    assert expired_dana.locked_at is None
    assert not AccessAttempt.objects.filter(username="dana").exists()
    assert not expired_dana.events.filter(kind=EventKind.SIGN_IN_FAILED).exists()


def test_expired_password_opens_no_portal(on_expired_page):
    response = on_expired_page.get(reverse("clientportal:portal"))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(SIGN_IN_PAGE)


def test_expired_page_reloads_without_redirect(on_expired_page):
    for _ in range(3):
        response = on_expired_page.get(EXPIRED_PAGE)

        assert response.status_code == HTTPStatus.OK


@pytest.mark.parametrize(
    "url",
    [
        reverse("clientportal:forgot-password"),
        reverse("clientportal:sign-in"),
        reverse("clientportal:home"),
        "/static/css/site.css",
    ],
)
def test_expired_state_leaves_other_pages_alone(on_expired_page, url):
    response = on_expired_page.get(url)

    assert response.status_code == HTTPStatus.OK


def test_expired_page_offers_sign_out(on_expired_page):
    page = on_expired_page.get(EXPIRED_PAGE).content.decode()

    assert f'action="{reverse("clientportal:sign-out")}"' in page
    assert "Forgot password?" in page


def test_sign_out_from_expired_page_forgets_her(on_expired_page):
    response = on_expired_page.post(reverse("clientportal:sign-out"))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == SIGN_IN_PAGE
    assert on_expired_page.get(SIGN_IN_PAGE).status_code == HTTPStatus.OK
    after = on_expired_page.get(EXPIRED_PAGE)
    assert after["Location"] == SIGN_IN_PAGE
    renew = on_expired_page.post(reverse("clientportal:renew-password"))
    assert renew["Location"] == SIGN_IN_PAGE


def test_new_password_lets_her_in(on_expired_page, expired_dana):
    response = on_expired_page.post(reverse("clientportal:renew-password"))

    assert response.status_code == HTTPStatus.OK
    assert 'data-testid="new-password"' in response.content.decode()
    portal = on_expired_page.get(reverse("clientportal:portal"))
    assert portal.status_code == HTTPStatus.OK
    expired_dana.refresh_from_db()
    assert expired_dana.password_changed_at > timezone.now() - timedelta(minutes=1)


def test_stale_expired_mark_sends_to_sign_in_once(on_expired_page):
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        response = on_expired_page.get(EXPIRED_PAGE)
        sign_in_page = on_expired_page.get(response["Location"])

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == SIGN_IN_PAGE
    assert sign_in_page.status_code == HTTPStatus.OK
