"""Per-account admin pages: history, edit, deactivate/reactivate, sessions, unlock."""

from datetime import timedelta
from http import HTTPStatus

import time_machine
from django.test import Client as BrowserClient
from django.urls import reverse
from django.utils import timezone

from accounts.events import record_event
from accounts.models import AccountEvent, EventKind, LockReason, UserSession
from tests.factories import ClientFactory

FIREFOX_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
)


def url(name, user):
    return reverse(f"clientportal:{name}", args=[user.pk])


def kinds(user) -> list[str]:
    return list(AccountEvent.objects.filter(user=user).values_list("kind", flat=True))


def signed_in_browser(sign_in, username, user_agent=FIREFOX_ON_WINDOWS):
    browser = BrowserClient(HTTP_USER_AGENT=user_agent, REMOTE_ADDR="192.0.2.44")
    assert sign_in(browser, username).status_code == HTTPStatus.FOUND
    return browser


def test_history_lists_events_newest_first(admin_client, dana):
    with time_machine.travel(timezone.now() - timedelta(days=2)):
        record_event(dana, EventKind.SIGNED_IN, ip_address="192.0.2.1")
    record_event(dana, EventKind.SIGNED_OUT, ip_address="192.0.2.2")

    response = admin_client.get(url("account-history", dana))
    events = list(response.context["page"])

    assert [event.kind for event in events] == [
        EventKind.SIGNED_OUT,
        EventKind.SIGNED_IN,
    ]
    assert "192.0.2.2" in response.content.decode()


def test_history_pages_by_fifty(admin_client, dana):
    for _ in range(55):
        record_event(dana, EventKind.SIGN_IN_FAILED)

    first = admin_client.get(url("account-history", dana))
    second = admin_client.get(url("account-history", dana), {"page": "2"})

    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 5


def test_history_shows_only_that_account(admin_client, dana, omar):
    record_event(omar, EventKind.SIGNED_IN, ip_address="192.0.2.99")

    response = admin_client.get(url("account-history", dana))

    assert "192.0.2.99" not in response.content.decode()


def test_unlock_reason_is_kept_in_history(admin_client, dana, admin_user):
    dana.locked_at = timezone.now()
    dana.lock_reason = LockReason.FAILED_ATTEMPTS
    dana.save()

    admin_client.post(url("unlock-user", dana), {"reason": "Called the help desk"})
    event = AccountEvent.objects.get(user=dana, kind=EventKind.UNLOCKED)
    history = admin_client.get(url("account-history", dana)).content.decode()

    assert event.detail == "Called the help desk"
    assert event.actor == admin_user
    assert "Called the help desk" in history


def test_edit_changes_name_email_and_client(admin_client, dana):
    northpeak = ClientFactory(code="NPS", name="Northpeak Supplies")

    response = admin_client.post(
        url("edit-account", dana),
        {
            "full_name": "Dana R. Reyes",
            "email": "dana@northpeak.test",
            "client": northpeak.pk,
        },
    )
    dana.refresh_from_db()

    assert response.status_code == HTTPStatus.FOUND
    assert dana.full_name == "Dana R. Reyes"
    assert dana.email == "dana@northpeak.test"
    assert dana.client == northpeak


def test_edit_records_changed_fields_not_values(admin_client, dana, admin_user):
    admin_client.post(
        url("edit-account", dana),
        {
            "full_name": "Dana Reyes",
            "email": "new@harborcrate.test",
            "client": dana.client.pk,
        },
    )
    event = AccountEvent.objects.get(user=dana, kind=EventKind.UPDATED)

    assert event.detail == "Changed: email address"
    assert "harborcrate" not in event.detail
    assert event.actor == admin_user


def test_edit_without_change_records_nothing(admin_client, dana):
    admin_client.post(
        url("edit-account", dana),
        {"full_name": dana.full_name, "email": dana.email, "client": dana.client.pk},
    )

    assert EventKind.UPDATED not in kinds(dana)


def test_edit_rejects_invalid_email(admin_client, dana):
    response = admin_client.post(
        url("edit-account", dana),
        {"full_name": "Dana", "email": "not-an-address", "client": dana.client.pk},
    )
    dana.refresh_from_db()

    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors["email"]
    assert dana.email == "dana.reyes@harborcrate.test"


def test_edit_of_warehouse_staff_is_not_found(admin_client, admin_user):
    response = admin_client.get(url("edit-account", admin_user))

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_deactivate_ends_sessions_and_blocks_sign_in(admin_client, dana, sign_in):
    browser = signed_in_browser(sign_in, "dana")

    admin_client.post(url("deactivate-account", dana))
    dana.refresh_from_db()

    assert not dana.is_active
    assert EventKind.DEACTIVATED in kinds(dana)
    assert browser.get(reverse("clientportal:portal")).status_code == HTTPStatus.FOUND
    assert sign_in(BrowserClient(), "dana").status_code != HTTPStatus.FOUND


def test_reactivate_lets_account_sign_in(admin_client, dana, sign_in):
    admin_client.post(url("deactivate-account", dana))

    admin_client.post(url("reactivate-account", dana))
    dana.refresh_from_db()

    assert dana.is_active
    assert EventKind.REACTIVATED in kinds(dana)
    assert sign_in(BrowserClient(), "dana").status_code == HTTPStatus.FOUND


def test_sessions_page_shows_browser_and_ip(admin_client, dana, sign_in):
    signed_in_browser(sign_in, "dana")

    body = admin_client.get(url("account-sessions", dana)).content.decode()

    assert "Firefox 128 on Windows" in body
    assert "192.0.2.44" in body


def test_sessions_page_leaves_out_idle_sessions(admin_client, dana, sign_in):
    signed_in_browser(sign_in, "dana")
    UserSession.objects.filter(user=dana).update(
        last_seen_at=timezone.now() - timedelta(hours=1)
    )

    response = admin_client.get(url("account-sessions", dana))

    assert response.context["sessions"] == []


def test_end_sessions_signs_account_out(admin_client, dana, sign_in, admin_user):
    browser = signed_in_browser(sign_in, "dana")

    response = admin_client.post(url("end-sessions", dana))
    event = AccountEvent.objects.get(user=dana, kind=EventKind.SESSION_ENDED)

    assert response.status_code == HTTPStatus.FOUND
    assert not UserSession.objects.filter(user=dana).exists()
    assert browser.get(reverse("clientportal:portal")).status_code == HTTPStatus.FOUND
    assert event.actor == admin_user
    assert event.detail == "1 session(s) ended by an admin"


def test_actions_need_csrf_token(dana, admin_user, sign_in):
    browser = BrowserClient(enforce_csrf_checks=True)
    page = browser.get(reverse("clientportal:warehouse-sign-in"))
    token = page.cookies["csrftoken"].value
    browser.post(
        reverse("clientportal:warehouse-sign-in"),
        {"username": "wendy", "password": "P-valid", "csrfmiddlewaretoken": token},
    )

    for name in ["deactivate-account", "end-sessions", "unlock-user", "reset-password"]:
        response = browser.post(url(name, dana))
        assert response.status_code == HTTPStatus.FORBIDDEN, name
    dana.refresh_from_db()
    assert dana.is_active
