"""The lock notice: one email per lock, sent by the task worker."""

from datetime import UTC, datetime, timedelta

from django.test import Client

from accounts.locking import unlock_account
from tests.smtp import html_body, text_body

ADDRESS = "dana.reyes@harborcrate.test"
LOCKED_AT = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def lock_by_failures(sign_in) -> None:
    attacker = Client()
    for password in ["wrong-1", "wrong-2", "wrong-3", "wrong-4", "wrong-5"]:
        sign_in(attacker, "dana", password)


def test_failed_attempt_lock_sends_one_notice(dana, sign_in, smtp_server, run_worker):
    lock_by_failures(sign_in)
    sent_before_worker = len(smtp_server.messages)
    run_worker()

    messages = smtp_server.messages_to(ADDRESS)
    body = text_body(messages[0])
    assert sent_before_worker == 0
    assert len(messages) == 1
    assert "locked" in messages[0]["Subject"]
    assert "Failed sign-in attempts" in body
    assert "Forgot password?" in body
    assert "/sign-in/forgot/" in body
    assert "Forgot password?" in html_body(messages[0])


def test_notice_says_when_the_account_locked(dana, sign_in, smtp_server, run_worker):
    lock_by_failures(sign_in)
    run_worker()

    dana.refresh_from_db()
    body = text_body(smtp_server.messages_to(ADDRESS)[0])
    assert f"{dana.locked_at:%-d %B %Y, %H:%M}" in body


def test_concurrent_lock_notice_sends_to_the_warehouse(
    dana, sign_in, smtp_server, run_worker
):
    sign_in(Client(), "dana")
    sign_in(Client(), "dana")
    run_worker()

    messages = smtp_server.messages_to(ADDRESS)
    body = text_body(messages[0])
    assert len(messages) == 1
    assert "Concurrent sign-in" in body
    assert "Only the warehouse can unlock it" in body
    assert "Forgot password?" not in body


def test_each_new_lock_sends_its_own_notice(
    dana, admin_user, sign_in, smtp_server, run_worker
):
    lock_by_failures(sign_in)
    run_worker()
    unlock_account(dana, actor=admin_user)
    lock_by_failures(sign_in)
    run_worker()

    assert len(smtp_server.messages_to(ADDRESS)) == 2


def test_notice_waits_for_the_mail_server(
    dana, sign_in, smtp_server, run_worker, time_machine
):
    time_machine.move_to(LOCKED_AT, tick=False)
    smtp_server.stop()
    lock_by_failures(sign_in)
    run_worker()
    smtp_server.start()

    time_machine.move_to(LOCKED_AT + timedelta(minutes=5), tick=False)
    run_worker()

    assert len(smtp_server.messages_to(ADDRESS)) == 1


def test_staff_lock_notice_offers_no_forgot_password(
    admin_user, sign_in, smtp_server, run_worker
):
    """Forgot password? never emails staff, so their notice does not offer it."""
    attacker = Client()
    for password in ["wrong-1", "wrong-2", "wrong-3"]:
        sign_in(attacker, "wendy", password, url_name="clientportal:warehouse-sign-in")
    run_worker()

    (message,) = smtp_server.messages_to(admin_user.email)
    assert "Forgot password?" not in text_body(message)
    assert "Forgot password?" not in html_body(message)
    assert "/sign-in/forgot/" not in text_body(message)
