"""One SMTP connection per worker thread: reuse, reconnects, and errors."""

import logging
import os
import smtplib
import threading

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.urls import reverse

from accounts.emails import send_templated_email
from accounts.mail_connection import close_connection, send_message


@pytest.fixture(autouse=True)
def no_open_connection():
    """Start and end each test without a connection left by another test."""
    close_connection()
    yield
    close_connection()


def send(subject: str) -> None:
    send_message(
        EmailMessage(
            subject=subject,
            body="Body",
            from_email="portal@warehouse.test",
            to=["dana.reyes@harborcrate.test"],
        )
    )


def subjects(server) -> list[str]:
    return [message["Subject"] for message in server.messages]


def test_two_emails_share_one_connection(smtp_server):
    send("First")
    send("Second")

    assert subjects(smtp_server) == ["First", "Second"]
    assert smtp_server.inbox.ehlo_count == 1
    assert smtp_server.inbox.noop_count == 1


def test_templated_emails_share_connection(smtp_server, dana):
    send_templated_email("locked", dana.email, {"user": dana})
    send_templated_email("locked", dana.email, {"user": dana})

    assert len(smtp_server.messages_to(dana.email)) == 2
    assert smtp_server.inbox.ehlo_count == 1


def test_worker_sends_batch_over_one_connection(
    client, dana, omar, smtp_server, run_worker
):
    for username in ("dana", "omar"):
        client.post(reverse("clientportal:forgot-password"), {"identifier": username})
    run_worker()

    assert len(smtp_server.messages_to(dana.email)) == 1
    assert len(smtp_server.messages_to(omar.email)) == 1
    assert smtp_server.inbox.ehlo_count == 1


def test_server_restart_reconnects(smtp_server, caplog):
    send("Before restart")
    smtp_server.stop()
    smtp_server.start()
    with caplog.at_level(logging.INFO, logger="accounts.mail_connection"):
        send("After restart")

    assert subjects(smtp_server) == ["Before restart", "After restart"]
    assert smtp_server.inbox.ehlo_count == 2
    assert "failed the NOOP check" in caplog.text


def test_noop_error_reply_reconnects(smtp_server):
    send("First")
    smtp_server.inbox.noop_reply = "421 4.3.2 Service shutting down"
    send("Second")

    assert subjects(smtp_server) == ["First", "Second"]
    assert smtp_server.inbox.noop_count == 1
    assert smtp_server.inbox.ehlo_count == 2


def test_rejected_data_raises_and_reconnects(smtp_server):
    send("Warm-up")
    smtp_server.inbox.refuse_next_data_with = "554 5.6.0 Message rejected"

    with pytest.raises(smtplib.SMTPDataError):
        send("Refused")
    send("After refusal")

    # The rejected message is not sent again behind the caller's back.
    assert subjects(smtp_server) == ["Warm-up", "After refusal"]
    assert smtp_server.inbox.ehlo_count == 2


def test_rejected_recipient_raises_and_reconnects(smtp_server):
    smtp_server.inbox.refuse_recipients_with = "550 5.1.1 Mailbox unavailable"
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send("Refused")
    smtp_server.inbox.refuse_recipients_with = None
    send("After refusal")

    assert subjects(smtp_server) == ["After refusal"]
    assert smtp_server.inbox.ehlo_count == 2


def test_max_age_zero_reconnects(smtp_server, settings):
    settings.EMAIL_CONNECTION_MAX_AGE = 0
    send("First")
    send("Second")

    assert subjects(smtp_server) == ["First", "Second"]
    assert smtp_server.inbox.ehlo_count == 2
    assert smtp_server.inbox.noop_count == 0


def test_max_idle_zero_reconnects(smtp_server, settings):
    settings.EMAIL_CONNECTION_MAX_IDLE = 0
    send("First")
    send("Second")

    assert subjects(smtp_server) == ["First", "Second"]
    assert smtp_server.inbox.ehlo_count == 2
    assert smtp_server.inbox.noop_count == 0


def test_new_server_settings_reconnect(smtp_server, settings):
    from tests.smtp import LoopbackSMTPServer

    send("To the first server")
    other = LoopbackSMTPServer()
    other.start()
    try:
        settings.EMAIL_PORT = other.port
        send("To the second server")
    finally:
        close_connection()
        other.stop()

    assert subjects(smtp_server) == ["To the first server"]
    assert subjects(other) == ["To the second server"]


def test_each_thread_has_own_connection(smtp_server):
    send("Main thread")
    worker = threading.Thread(target=send, args=["Other thread"])
    worker.start()
    worker.join(timeout=10)
    send("Main thread again")

    assert sorted(subjects(smtp_server)) == [
        "Main thread",
        "Main thread again",
        "Other thread",
    ]
    # The other thread's connection ends with the thread, without QUIT.
    assert smtp_server.inbox.ehlo_count == 2


def test_forked_child_opens_own_connection(smtp_server):
    send("Parent before fork")
    pid = os.fork()
    if pid == 0:
        exit_code = 1
        try:
            send("Child")
            exit_code = 0
        finally:
            os._exit(exit_code)
    _, status = os.waitpid(pid, 0)
    send("Parent after fork")

    assert os.waitstatus_to_exitcode(status) == 0
    assert subjects(smtp_server) == ["Parent before fork", "Child", "Parent after fork"]
    # One connection for the parent, kept across the fork, and one for the child.
    assert smtp_server.inbox.ehlo_count == 2


def test_locmem_backend_sends_as_before(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    send("First")
    send("Second")

    assert [message.subject for message in mail.outbox] == ["First", "Second"]
