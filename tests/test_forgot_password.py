"""Forgot password: the request, the email, the pending password and the limits."""

import re
from datetime import timedelta
from http import HTTPStatus

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import MD5PasswordHasher
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.models import (
    AccountEvent,
    EventKind,
    LockReason,
    PasswordRequest,
    PasswordRequestStatus,
)
from tests.factories import DEMO_PASSWORD, ClientUserFactory
from tests.smtp import emailed_password, html_body, text_body

FORGOT = "clientportal:forgot-password"
NEW_PASSWORD_SUBJECT = "Your new password for the warehouse client portal"


def ask(client, identifier, ip="127.0.0.1", follow=False):
    return client.post(
        reverse(FORGOT), {"identifier": identifier}, REMOTE_ADDR=ip, follow=follow
    )


def password_emails(server, address="dana.reyes@harborcrate.test"):
    return [
        m for m in server.messages_to(address) if m["Subject"] == NEW_PASSWORD_SUBJECT
    ]


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


# The request itself


def test_request_stores_no_identifier_in_clear(client, dana):
    ask(client, "dana.reyes@harborcrate.test")

    request = PasswordRequest.objects.get()
    assert "dana" not in request.sealed_identifier
    assert request.sealed_identifier != ""
    assert request.ip_address == "127.0.0.1"


def test_request_queues_delivery_run_without_arguments(client, dana):
    ask(client, "dana.reyes@harborcrate.test")

    task_row = DBTaskResult.objects.get()
    assert task_row.task_path == "accounts.tasks.deliver_password_requests"
    assert task_row.args_kwargs == {"args": [], "kwargs": {}}
    assert PasswordRequest.objects.get().status == PasswordRequestStatus.QUEUED


def test_request_does_no_account_lookup(client, dana):
    client.get(reverse(FORGOT))
    with CaptureQueriesContext(connection) as queries:
        ask(client, "dana")

    touched = " ".join(query["sql"] for query in queries.captured_queries)
    assert "accounts_user" not in touched
    assert "axes_" not in touched


def test_request_hashes_nothing_and_sends_nothing(
    client, dana, smtp_server, monkeypatch
):
    def refuse(*args, **kwargs):
        raise AssertionError("the forgot-password request hashed a password")

    monkeypatch.setattr(MD5PasswordHasher, "encode", refuse)
    monkeypatch.setattr(MD5PasswordHasher, "verify", refuse)

    response = ask(client, "dana")

    assert response.status_code == HTTPStatus.FOUND
    assert smtp_server.messages == []


def test_identifier_erased_once_matched(client, dana, smtp_server, run_worker):
    ask(client, "dana.reyes@harborcrate.test")
    run_worker()

    request = PasswordRequest.objects.get()
    assert request.sealed_identifier == ""
    assert request.user == dana
    assert request.status == PasswordRequestStatus.SENT


def test_empty_identifier_shows_form_error(client, dana):
    response = ask(client, "   ")

    assert response.status_code == HTTPStatus.OK
    assert PasswordRequest.objects.count() == 0


# The same page for everyone, and no spam relay


def test_same_answer_for_address_username_and_stranger(client, dana, smtp_server):
    """Identical status, redirects and body (apart from the CSRF token)."""
    client.get(reverse(FORGOT))
    identifiers = ["dana.reyes@harborcrate.test", "dana", "stranger@elsewhere.test"]
    responses = [ask(client, identifier, follow=True) for identifier in identifiers]

    first = responses[0]
    for response in responses[1:]:
        assert response.status_code == first.status_code
        assert response.redirect_chain == first.redirect_chain
        assert without_csrf(response.content.decode()) == without_csrf(
            first.content.decode()
        )


def test_email_goes_to_stored_address_only(client, dana, smtp_server, run_worker):
    """Whatever case the address was typed in, the stored one gets it."""
    ask(client, "DANA.REYES@HarborCrate.TEST")
    run_worker()

    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0]["X-Envelope-To"] == "dana.reyes@harborcrate.test"


def test_stranger_address_gets_nothing(client, dana, smtp_server, run_worker):
    """An address that is on no account is never mailed."""
    ask(client, "dana.reyes@harborcrate.test")
    ask(client, "dana")
    ask(client, "stranger@elsewhere.test")
    run_worker()

    assert smtp_server.messages_to("stranger@elsewhere.test") == []
    # One email per request that named Dana, each to her stored address.
    assert len(smtp_server.messages) == 2
    for message in smtp_server.messages:
        assert message["X-Envelope-To"] == "dana.reyes@harborcrate.test"
    stranger = PasswordRequest.objects.get(user=None)
    assert stranger.status == PasswordRequestStatus.NO_ACCOUNT


# The email


def test_email_names_username_and_shows_password(client, dana, smtp_server, run_worker):
    ask(client, "dana")
    run_worker()

    message = smtp_server.messages[0]
    password = emailed_password(message)
    text, html = text_body(message), html_body(message)
    assert message["Subject"] == NEW_PASSWORD_SUBJECT
    assert '"dana"' in text
    assert "<strong>dana</strong>" in html
    assert re.search(r"<pre[^>]*monospace[^>]*>" + re.escape(password) + "</pre>", html)
    assert "http://127.0.0.1:8000/sign-in/" in text
    assert 'href="http://127.0.0.1:8000/sign-in/"' in html
    assert "If you did not ask for a new password" in text
    assert message["Auto-Submitted"] == "auto-generated"


def test_email_links_through_site_url(client, dana, smtp_server, run_worker, settings):
    settings.SITE_URL = "https://portal.warehouse.test"
    ask(client, "dana")
    run_worker()

    assert "https://portal.warehouse.test/sign-in/" in text_body(
        smtp_server.messages[0]
    )


def test_addresses_shared_by_two_accounts_each_get_one(
    client, dana, harbor, smtp_server, run_worker
):
    ClientUserFactory(username="dana2", email=dana.email, client=harbor)
    ask(client, "dana.reyes@harborcrate.test")
    run_worker()

    names = sorted(text_body(m).split('"')[1] for m in smtp_server.messages)
    assert names == ["dana", "dana2"]
    assert (
        PasswordRequest.objects.filter(status=PasswordRequestStatus.SENT).count() == 2
    )


# Who gets nothing


def test_deactivated_account_gets_nothing(client, dana, smtp_server, run_worker):
    dana.is_active = False
    dana.save()
    response = ask(client, "dana")
    run_worker()

    assert response.status_code == HTTPStatus.FOUND
    assert smtp_server.messages == []
    dana.refresh_from_db()
    assert dana.pending_password == ""


def test_account_without_email_gets_nothing(client, harbor, smtp_server, run_worker):
    ClientUserFactory(username="noemail", email="", client=harbor)
    response = ask(client, "noemail")
    run_worker()

    assert response.status_code == HTTPStatus.FOUND
    assert smtp_server.messages == []
    assert PasswordRequest.objects.get().status == PasswordRequestStatus.NO_ACCOUNT


def test_warehouse_staff_get_nothing(client, admin_user, smtp_server, run_worker):
    """Staff accounts are recovered by an operator, never through a mailbox."""
    response = ask(client, admin_user.email)
    run_worker()

    admin_user.refresh_from_db()
    assert response.status_code == HTTPStatus.FOUND
    assert smtp_server.messages == []
    assert admin_user.pending_password == ""


def test_deactivated_after_request_gets_nothing(client, dana, smtp_server, run_worker):
    ask(client, "dana")
    dana.is_active = False
    dana.save()
    run_worker()

    assert smtp_server.messages == []


# The pending password


def test_current_password_works_until_emailed_one_used(
    client, dana, smtp_server, run_worker, sign_in
):
    ask(client, "dana")
    run_worker()

    response = sign_in(client, "dana", DEMO_PASSWORD)

    assert response.status_code == HTTPStatus.FOUND
    dana.refresh_from_db()
    assert dana.pending_password != ""


def test_emailed_password_becomes_the_password(
    client, dana, smtp_server, run_worker, sign_in
):
    set_at = dana.password_changed_at
    ask(client, "dana")
    run_worker()
    password = emailed_password(smtp_server.messages[0])

    response = sign_in(client, "dana", password)

    assert response.status_code == HTTPStatus.FOUND
    dana.refresh_from_db()
    assert dana.check_password(password)
    assert not dana.check_password(DEMO_PASSWORD)
    assert dana.password_changed_at > set_at
    assert dana.pending_password == ""
    kinds = list(dana.events.values_list("kind", flat=True))
    assert EventKind.NEW_PASSWORD_USED in kinds


@pytest.mark.parametrize("locked", [False, True])
def test_emailed_password_refused_once_deactivated(
    client, dana, smtp_server, run_worker, sign_in, locked
):
    """An account deactivated after the email went out stays unchanged."""
    if locked:
        lock_by_failures(client, sign_in, "dana")
    ask(client, "dana")
    run_worker()
    (message,) = password_emails(smtp_server)
    dana.refresh_from_db()
    dana.is_active = False
    dana.save()
    old_hash = dana.password

    response = sign_in(client, "dana", emailed_password(message))

    dana.refresh_from_db()
    assert response.status_code != HTTPStatus.FOUND
    assert dana.password == old_hash
    assert dana.pending_password != ""
    assert not dana.events.filter(kind=EventKind.NEW_PASSWORD_USED).exists()


def test_sent_email_recorded_in_history(client, dana, smtp_server, run_worker):
    ask(client, "dana", ip="203.0.113.9")
    run_worker()

    event = AccountEvent.objects.get(user=dana, kind=EventKind.PASSWORD_RESET_REQUESTED)
    assert event.ip_address == "203.0.113.9"


def test_pending_password_expires_after_a_day(
    client, dana, smtp_server, run_worker, sign_in, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    ask(client, "dana")
    run_worker()
    password = emailed_password(smtp_server.messages[0])

    time_machine.shift(timedelta(hours=24, seconds=1))
    expired = sign_in(client, "dana", password)

    assert expired.status_code == HTTPStatus.OK
    assert "attempts are left" in expired.content.decode()
    assert sign_in(client, "dana", DEMO_PASSWORD).status_code == HTTPStatus.FOUND


def test_newer_request_replaces_older_pending_password(
    client, dana, smtp_server, run_worker, sign_in
):
    ask(client, "dana")
    run_worker()
    ask(client, "dana")
    run_worker()
    older, newer = (emailed_password(m) for m in smtp_server.messages)

    assert sign_in(client, "dana", older).status_code == HTTPStatus.OK
    assert sign_in(client, "dana", newer).status_code == HTTPStatus.FOUND


# Forgot password on a locked account


def lock_by_failures(client, sign_in, username):
    for wrong in ["wrong-1", "wrong-2", "wrong-3"]:
        sign_in(client, username, wrong)


def test_failed_attempt_lock_lifted_by_emailed_password(
    client, dana, smtp_server, run_worker, sign_in
):
    """The emailed password works first time and lifts the lock."""
    lock_by_failures(client, sign_in, "dana")
    ask(client, "dana")
    run_worker()
    (message,) = password_emails(smtp_server)

    response = sign_in(client, "dana", emailed_password(message))

    assert response.status_code == HTTPStatus.FOUND
    dana.refresh_from_db()
    assert dana.locked_at is None
    assert dana.failed_attempts == 0
    assert not AccessAttempt.objects.filter(username="dana").exists()


def test_email_to_locked_account_says_it_unlocks(
    client, dana, smtp_server, run_worker, sign_in
):
    """A locked account's old password does not work, so the email does not say so."""
    lock_by_failures(client, sign_in, "dana")
    ask(client, "dana")
    run_worker()
    (message,) = password_emails(smtp_server)

    for body in [text_body(message), html_body(message)]:
        assert "also unlocks" in body
        assert "current password keeps working" not in body
        assert "current password still works" not in body


def test_email_to_unlocked_account_keeps_current_password(
    client, dana, smtp_server, run_worker
):
    ask(client, "dana")
    run_worker()
    (message,) = password_emails(smtp_server)

    for body in [text_body(message), html_body(message)]:
        assert "current password keeps working" in body
        assert "also unlocks" not in body


def test_concurrent_lock_gets_notice_without_password(
    client, omar, smtp_server, run_worker, sign_in
):
    """A notice that only the warehouse can unlock, and the lock stays."""
    from django.test import Client

    sign_in(Client(), "omar")
    sign_in(Client(), "omar")
    omar.refresh_from_db()
    assert omar.lock_reason == LockReason.CONCURRENT_SIGN_IN
    run_worker()
    smtp_server.messages.clear()

    ask(client, "omar")
    run_worker()

    (message,) = smtp_server.messages_to("omar@harborcrate.test")
    text = text_body(message)
    assert "only the warehouse can" in text
    assert "locked" in message["Subject"]
    assert "Your new password is" not in text
    omar.refresh_from_db()
    assert omar.locked_at is not None
    assert omar.pending_password == ""
    request = PasswordRequest.objects.get()
    assert request.status == PasswordRequestStatus.LOCK_NOTICE_SENT


# Repeated requests and the limits


def test_forgot_requests_do_not_lock_owner_out(
    client, dana, smtp_server, run_worker, sign_in, time_machine
):
    """Five requests in a minute while Dana is signed in elsewhere."""
    from django.test import Client

    time_machine.move_to(timezone.now(), tick=False)
    browser_a = Client()
    assert sign_in(browser_a, "dana").status_code == HTTPStatus.FOUND
    someone_else = Client()
    for _ in range(5):
        ask(someone_else, "dana", ip="198.51.100.7")
        time_machine.shift(timedelta(seconds=10))
        run_worker()

    emails = password_emails(smtp_server)
    assert len(emails) == 3
    portal = browser_a.get(reverse("clientportal:portal"))
    assert portal.status_code == HTTPStatus.OK
    dana.refresh_from_db()
    assert dana.check_password(DEMO_PASSWORD)
    assert dana.failed_attempts == 0
    assert not AccessAttempt.objects.filter(username="dana").exists()

    newest = emailed_password(emails[-1])
    browser_a.post(reverse("clientportal:sign-out"))
    assert sign_in(browser_a, "dana", newest).status_code == HTTPStatus.FOUND
    dana.refresh_from_db()
    assert not dana.check_password(DEMO_PASSWORD)


def test_fourth_email_in_an_hour_is_not_sent(
    client, dana, smtp_server, run_worker, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    for _ in range(3):
        ask(client, "dana")
    run_worker()
    dana.refresh_from_db()
    pending = dana.pending_password

    ask(client, "dana")
    run_worker()

    assert len(smtp_server.messages) == 3
    dana.refresh_from_db()
    assert dana.pending_password == pending
    latest = PasswordRequest.objects.latest("pk")
    assert latest.status == PasswordRequestStatus.ACCOUNT_LIMITED


def test_account_limit_counts_every_identifier(client, dana, smtp_server, run_worker):
    for identifier in ["dana", "DANA.REYES@harborcrate.test", "Dana", "dana "]:
        ask(client, identifier)
    run_worker()

    assert len(smtp_server.messages) == 3


def test_account_limit_resets_after_an_hour(
    client, dana, smtp_server, run_worker, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    for _ in range(4):
        ask(client, "dana")
    run_worker()

    time_machine.shift(timedelta(hours=1, seconds=1))
    ask(client, "dana")
    run_worker()

    assert len(smtp_server.messages) == 4


def test_ip_over_limit_stores_and_sends_nothing(
    client, dana, smtp_server, run_worker, settings
):
    settings.FORGOT_PASSWORD_REQUESTS_PER_IP_HOUR = 2
    ask(client, "omar-not-here", ip="192.0.2.1")
    ask(client, "nobody", ip="192.0.2.1")

    over = ask(client, "dana", ip="192.0.2.1", follow=True)
    run_worker()

    assert over.redirect_chain == [(reverse("clientportal:forgot-password-sent"), 302)]
    assert PasswordRequest.objects.count() == 2
    assert smtp_server.messages == []
    dana.refresh_from_db()
    assert dana.pending_password == ""


def test_ip_limit_is_per_address(client, dana, smtp_server, run_worker, settings):
    settings.FORGOT_PASSWORD_REQUESTS_PER_IP_HOUR = 1
    ask(client, "nobody", ip="192.0.2.1")
    ask(client, "dana", ip="192.0.2.2")
    run_worker()

    assert len(smtp_server.messages) == 1


@pytest.mark.parametrize("identifier", ["dana", "stranger@elsewhere.test"])
def test_limit_answer_is_the_usual_page(client, dana, settings, identifier):
    settings.FORGOT_PASSWORD_REQUESTS_PER_IP_HOUR = 0
    over = ask(client, identifier, follow=True)

    assert over.status_code == HTTPStatus.OK
    assert "Check your email" in over.content.decode()
