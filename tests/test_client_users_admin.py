from http import HTTPStatus

import pytest
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from accounts.models import EventKind, LockReason
from tests.factories import ClientFactory, ClientUserFactory

LIST_URL = reverse("clientportal:client-users")


def lock(user, reason=LockReason.FAILED_ATTEMPTS):
    user.locked_at = timezone.now()
    user.lock_reason = reason
    user.failed_attempts = 3
    user.save()


def usernames_on(response) -> list[str]:
    return [account.username for account in response.context["listing"].rows]


def test_standard_list_hides_locked(admin_client, dana, omar):
    lock(omar)

    response = admin_client.get(LIST_URL)

    assert usernames_on(response) == ["dana"]
    assert response.context["listing"].hidden_locked == 1
    assert "1 locked account is hidden" in response.content.decode()


def test_show_locked_out_lists_only_locked(admin_client, dana, omar):
    lock(omar, LockReason.CONCURRENT_SIGN_IN)

    response = admin_client.get(LIST_URL, {"locked": "1"})

    assert usernames_on(response) == ["omar"]
    assert "Concurrent sign-in" in response.content.decode()


def test_show_locked_out_names_lock_address(admin_client, dana, sign_in):
    for wrong in ["wrong-1", "wrong-2", "wrong-3"]:
        sign_in(Browser(REMOTE_ADDR="203.0.113.9"), "dana", wrong)

    response = admin_client.get(LIST_URL, {"locked": "1"})

    assert usernames_on(response) == ["dana"]
    assert "203.0.113.9" in response.content.decode()


def test_unlock_returns_user_to_list(admin_client, dana):
    lock(dana)

    response = admin_client.post(
        reverse("clientportal:unlock-user", args=[dana.pk]), {"reason": "Called us"}
    )

    dana.refresh_from_db()
    assert response.status_code == HTTPStatus.FOUND
    assert dana.locked_at is None
    assert dana.failed_attempts == 0
    assert "dana" in usernames_on(admin_client.get(LIST_URL))
    event = dana.events.get(kind=EventKind.UNLOCKED)
    assert event.detail == "Called us"
    assert event.actor.username == "wendy"


def test_reset_shows_password_once(admin_client, dana, sign_in):
    response = admin_client.post(reverse("clientportal:reset-password", args=[dana.pk]))

    password = response.context["new_password"]
    body = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "no-store" in response["Cache-Control"]
    assert body.index(password) < body.index("<h1>")
    assert f"<code>{password}</code>" in body
    assert password not in admin_client.get(LIST_URL).content.decode()
    assert all(password not in cookie.value for cookie in admin_client.cookies.values())
    assert sign_in(Browser(), "dana", password).status_code == HTTPStatus.FOUND


def test_reset_ends_user_sessions(admin_client, dana, sign_in):
    dana_browser = Browser()
    sign_in(dana_browser, "dana")

    admin_client.post(reverse("clientportal:reset-password", args=[dana.pk]))

    response = dana_browser.get(reverse("clientportal:portal"))
    assert response.status_code == HTTPStatus.FOUND


def test_reset_of_locked_account_says_locked(admin_client, dana):
    lock(dana)

    response = admin_client.post(reverse("clientportal:reset-password", args=[dana.pk]))

    body = response.content.decode()
    dana.refresh_from_db()
    assert dana.locked_at is not None
    assert "still locked" in body
    assert "sign in again with the new password" not in body


def test_unlock_and_reset(admin_client, dana):
    lock(dana)

    response = admin_client.post(
        reverse("clientportal:unlock-and-reset-password", args=[dana.pk])
    )

    dana.refresh_from_db()
    assert dana.locked_at is None
    assert dana.check_password(response.context["new_password"])


def test_add_client_user_shows_generated_password(admin_client, harbor):
    response = admin_client.post(
        reverse("clientportal:add-client-user"),
        {
            "client": harbor.pk,
            "username": "  Priya ",
            "full_name": "Priya Shah",
            "email": "priya@harborcrate.test",
        },
    )

    account = response.context["account"]
    assert response.status_code == HTTPStatus.OK
    assert account.username == "priya"
    assert account.check_password(response.context["new_password"])
    assert account.events.filter(kind=EventKind.CREATED).exists()


def test_add_client_user_rejects_taken_username(admin_client, dana, harbor):
    response = admin_client.post(
        reverse("clientportal:add-client-user"),
        {"client": harbor.pk, "username": "DANA", "full_name": "", "email": ""},
    )

    assert response.status_code == HTTPStatus.OK
    assert "already exists" in response.content.decode()


def test_search_matches_username_name_and_email(admin_client, harbor):
    ClientUserFactory(username="alpha", full_name="Zed One", email="a@x.test")
    ClientUserFactory(username="beta", full_name="Alpha Two", email="b@x.test")
    ClientUserFactory(username="gamma", full_name="Zed Three", email="alpha@x.test")
    ClientUserFactory(username="delta", full_name="Zed Four", email="d@x.test")

    response = admin_client.get(LIST_URL, {"q": "ALPHA"})

    assert sorted(usernames_on(response)) == ["alpha", "beta", "gamma"]


def test_client_filter(admin_client, dana):
    other = ClientFactory(code="NPS", name="Northpeak")
    ClientUserFactory(username="nina", client=other)

    response = admin_client.get(LIST_URL, {"client": "NPS"})

    assert usernames_on(response) == ["nina"]


def test_recent_sign_in_sort_puts_never_last(admin_client, harbor):
    ClientUserFactory(username="never", client=harbor, last_login=None)
    ClientUserFactory(username="recent", client=harbor, last_login=timezone.now())

    response = admin_client.get(LIST_URL, {"sort": "-last_sign_in"})

    assert usernames_on(response) == ["recent", "never"]


def test_oldest_password_sort_puts_unknown_first(admin_client, harbor):
    """An unknown password date counts as expired, so it is the oldest."""
    ClientUserFactory(username="dated", client=harbor)
    ClientUserFactory(username="undated", client=harbor, password_changed_at=None)

    response = admin_client.get(LIST_URL, {"sort": "password_set"})

    assert usernames_on(response) == ["undated", "dated"]


def test_list_pages_by_fifty(admin_client, harbor):
    ClientUserFactory.create_batch(51, client=harbor)

    first = admin_client.get(LIST_URL)
    second = admin_client.get(LIST_URL, {"page": 2})

    assert len(first.context["listing"].rows) == 50
    assert len(second.context["listing"].rows) == 1


def test_anonymous_is_sent_to_warehouse_sign_in(client):
    response = client.get(LIST_URL)

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("clientportal:warehouse-sign-in"))


@pytest.mark.parametrize("kind", ["client_user", "staff_without_permission"])
def test_others_get_403(client, dana, sign_in, kind):
    if kind == "staff_without_permission":
        ClientUserFactory(username="sam", client=None, is_staff=True)
    username = "dana" if kind == "client_user" else "sam"
    sign_in(client, username)

    assert client.get(LIST_URL).status_code == HTTPStatus.FORBIDDEN
    response = client.post(reverse("clientportal:reset-password", args=[dana.pk]))
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_actions_need_csrf_token(admin_user, dana, sign_in):
    browser = Browser(enforce_csrf_checks=True)
    page = browser.get(reverse("clientportal:warehouse-sign-in"))
    token = page.cookies["csrftoken"].value
    browser.post(
        reverse("clientportal:warehouse-sign-in"),
        {"username": "wendy", "password": "P-valid", "csrfmiddlewaretoken": token},
    )

    response = browser.post(reverse("clientportal:reset-password", args=[dana.pk]))

    assert response.status_code == HTTPStatus.FORBIDDEN
    dana.refresh_from_db()
    assert dana.check_password("P-valid")


def test_actions_refuse_get(admin_client, dana):
    response = admin_client.get(reverse("clientportal:reset-password", args=[dana.pk]))

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_two_hundred_resets_all_succeed(admin_client, dana):
    """200 admin resets in a row all succeed first time."""
    url = reverse("clientportal:reset-password", args=[dana.pk])
    passwords = set()
    for _ in range(200):
        response = admin_client.post(url)
        assert response.status_code == HTTPStatus.OK
        passwords.add(response.context["new_password"])

    assert len(passwords) == 200
