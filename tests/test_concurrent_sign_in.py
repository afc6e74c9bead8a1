from datetime import timedelta
from http import HTTPStatus

import time_machine
from django.test import Client as Browser
from django.urls import reverse

from accounts.models import EventKind, LockReason

PORTAL = reverse("clientportal:portal")


def test_second_browser_locks_account(dana, sign_in):
    first, second = Browser(), Browser()
    sign_in(first, "dana")

    response = sign_in(second, "dana")

    dana.refresh_from_db()
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert dana.lock_reason == LockReason.CONCURRENT_SIGN_IN
    assert first.get(PORTAL).status_code == HTTPStatus.FOUND
    assert dana.events.filter(kind=EventKind.CONCURRENT_SIGN_IN).count() == 1


def test_same_browser_signing_in_again_is_not_concurrent(dana, sign_in):
    browser = Browser()
    sign_in(browser, "dana")

    response = sign_in(browser, "dana")

    dana.refresh_from_db()
    assert response.status_code == HTTPStatus.FOUND
    assert dana.locked_at is None


def test_sign_in_after_sign_out_is_not_concurrent(dana, sign_in):
    first, second = Browser(), Browser()
    sign_in(first, "dana")
    first.post(reverse("clientportal:sign-out"))

    response = sign_in(second, "dana")

    assert response.status_code == HTTPStatus.FOUND


def test_idle_session_is_not_concurrent(dana, sign_in):
    first, second = Browser(), Browser()
    sign_in(first, "dana")

    with time_machine.travel(timedelta(minutes=31)):
        response = sign_in(second, "dana")

    dana.refresh_from_db()
    assert response.status_code == HTTPStatus.FOUND
    assert dana.locked_at is None
