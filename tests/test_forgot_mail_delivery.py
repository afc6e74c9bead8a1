"""Forgot-password email delivery: retries, back-off, worker loss, one password."""

import logging
import smtplib
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.core.mail.backends.smtp import EmailBackend
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts import tasks
from accounts.models import PasswordRequest, PasswordRequestStatus
from accounts.passwords import reset_password
from accounts.task_recovery import WorkerLostError
from tests.smtp import LoopbackSMTPServer, emailed_password

SEND_TASK = "accounts.tasks.send_new_password"
RUN_TASK = "accounts.tasks.deliver_password_requests"


@pytest.fixture
def smtp_down(settings):
    """An SMTP server on loopback that stays stopped until the test starts it."""
    server = LoopbackSMTPServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    return time_machine


def ask(client, identifier="dana"):
    return client.post(
        reverse("clientportal:forgot-password"), {"identifier": identifier}
    )


def queued_send_delay() -> float:
    row = DBTaskResult.objects.get(task_path=SEND_TASK, status="READY")
    return (row.run_after - timezone.now()).total_seconds()


def our_log_lines(caplog) -> list[str]:
    """Log lines written by the product, leaving out the test SMTP server's."""
    return [r.getMessage() for r in caplog.records if not r.name.startswith("mail.")]


# The mail server is down, then back


def test_email_sent_once_server_is_back(
    client, dana, smtp_down, run_worker, sign_in, frozen
):
    ask(client)
    run_worker()
    assert PasswordRequest.objects.get().status == PasswordRequestStatus.RETRY_WAIT

    smtp_down.start()
    run_worker()
    assert smtp_down.messages == []

    frozen.shift(timedelta(seconds=31))
    run_worker()

    (message,) = smtp_down.messages
    request = PasswordRequest.objects.get()
    assert request.status == PasswordRequestStatus.SENT
    assert request.attempts == 2
    assert sign_in(client, "dana", emailed_password(message)).status_code == (
        HTTPStatus.FOUND
    )


def test_retry_back_off_capped_then_fails(
    client, dana, smtp_down, run_worker, settings, frozen, caplog
):
    settings.EMAIL_RETRY_BASE_SECONDS = 10
    settings.EMAIL_RETRY_MAX_SECONDS = 25
    settings.EMAIL_RETRY_ATTEMPTS = 5
    ask(client)

    delays = []
    for _ in range(4):
        run_worker()
        delays.append(queued_send_delay())
        frozen.shift(timedelta(seconds=delays[-1]))
    with caplog.at_level(logging.ERROR, logger="accounts.tasks"):
        run_worker()

    assert delays == [10, 20, 25, 25]
    request = PasswordRequest.objects.get()
    assert request.status == PasswordRequestStatus.FAILED
    assert request.attempts == 5
    assert not DBTaskResult.objects.filter(task_path=SEND_TASK, status="READY").exists()
    dana.refresh_from_db()
    assert dana.pending_password == ""
    assert any("giving up" in line for line in our_log_lines(caplog))


def test_refused_message_is_retried(client, dana, smtp_server, run_worker, frozen):
    smtp_server.inbox.refuse_data_with = "451 4.3.0 Try again later"
    ask(client)
    run_worker()
    assert smtp_server.messages == []

    smtp_server.inbox.refuse_data_with = None
    frozen.shift(timedelta(seconds=31))
    run_worker()

    assert len(smtp_server.messages) == 1


def test_attempts_logged_without_password_or_address(
    client, dana, smtp_server, run_worker, frozen, caplog
):
    # A refused recipient puts the address in the exception's text.
    smtp_server.inbox.refuse_recipients_with = "450 4.2.1 Mailbox busy"
    caplog.set_level(logging.DEBUG)
    ask(client)
    run_worker()
    smtp_server.inbox.refuse_recipients_with = None
    frozen.shift(timedelta(seconds=31))
    run_worker()

    password = emailed_password(smtp_server.messages[0])
    lines = our_log_lines(caplog)
    assert any("attempt 1 failed with SMTPRecipientsRefused" in line for line in lines)
    assert any("attempt 2 sent" in line for line in lines)
    for line in lines:
        assert password not in line
        assert "dana.reyes" not in line
        assert "harborcrate" not in line


def test_lock_notice_retried_until_server_is_back(
    client, dana, smtp_down, run_worker, sign_in, frozen
):
    for wrong in ["wrong-1", "wrong-2", "wrong-3"]:
        sign_in(client, "dana", wrong)
    run_worker()
    smtp_down.start()
    frozen.shift(timedelta(seconds=31))
    run_worker()

    (message,) = smtp_down.messages
    assert "locked" in message["Subject"]


# One request, one working password


class SentThenDisconnected(EmailBackend):
    """Delivers the message, then loses the connection before the reply arrives."""

    def send_messages(self, email_messages):
        super().send_messages(email_messages)
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture
def delivered_but_unconfirmed(smtp_server, settings):
    settings.EMAIL_BACKEND = f"{__name__}.SentThenDisconnected"
    return smtp_server


def test_retry_after_used_password_sends_nothing(
    client, dana, delivered_but_unconfirmed, run_worker, sign_in, frozen, settings
):
    ask(client)
    run_worker()
    (message,) = delivered_but_unconfirmed.messages
    first = emailed_password(message)
    assert sign_in(client, "dana", first).status_code == HTTPStatus.FOUND

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    frozen.shift(timedelta(seconds=31))
    run_worker()

    assert len(delivered_but_unconfirmed.messages) == 1
    request = PasswordRequest.objects.get()
    assert request.status == PasswordRequestStatus.SUPERSEDED
    dana.refresh_from_db()
    assert dana.pending_password == ""


def test_retry_leaves_only_newest_password_working(
    client, dana, delivered_but_unconfirmed, run_worker, sign_in, frozen, settings
):
    ask(client)
    run_worker()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    frozen.shift(timedelta(seconds=31))
    run_worker()

    first, second = (emailed_password(m) for m in delivered_but_unconfirmed.messages)
    assert first != second
    assert sign_in(client, "dana", first).status_code == HTTPStatus.OK
    assert sign_in(client, "dana", second).status_code == HTTPStatus.FOUND


def test_retry_after_admin_reset_sends_nothing(
    client, dana, smtp_down, run_worker, frozen
):
    ask(client)
    run_worker()
    dana.refresh_from_db()
    reset_password(dana)

    smtp_down.start()
    frozen.shift(timedelta(seconds=31))
    run_worker()

    assert smtp_down.messages == []
    request = PasswordRequest.objects.get()
    assert request.status == PasswordRequestStatus.SUPERSEDED


# A worker killed mid-task


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing after it runs in the dying worker."""


def kill_worker_during_send(monkeypatch):
    """Make the next send die the way a killed worker does, leaving no trace."""

    def die(delivery):
        raise WorkerKilled

    monkeypatch.setattr(tasks, "new_password_email", die)
    # A killed process cannot record the failure either.
    monkeypatch.setattr(DBTaskResult, "set_failed", lambda self, exc: None)


def test_task_of_killed_worker_is_run_again(
    client, dana, smtp_server, run_worker, sign_in, frozen, monkeypatch
):
    ask(client)
    with monkeypatch.context() as patch:
        kill_worker_during_send(patch)
        run_worker()
    killed = DBTaskResult.objects.get(task_path=RUN_TASK)
    assert killed.status == "RUNNING"
    run_worker()
    assert smtp_server.messages == []

    frozen.shift(timedelta(minutes=11))
    run_worker()

    (message,) = smtp_server.messages
    assert sign_in(client, "dana", emailed_password(message)).status_code == (
        HTTPStatus.FOUND
    )
    killed.refresh_from_db()
    assert killed.status == "FAILED"
    assert killed.exception_class_path.endswith(WorkerLostError.__name__)
    request = PasswordRequest.objects.get()
    assert request.status == PasswordRequestStatus.SENT
    assert request.attempts == 2


def test_killed_retry_recovered_at_once(
    client, dana, smtp_down, run_worker, frozen, monkeypatch
):
    """An operator recovers with --stalled-after 0 right after a worker died
    while sending a retry; the recovered task must send the email."""
    ask(client)
    run_worker()
    smtp_down.start()
    frozen.shift(timedelta(seconds=31))
    with monkeypatch.context() as patch:
        kill_worker_during_send(patch)
        run_worker()
    assert DBTaskResult.objects.get(task_path=SEND_TASK).status == "RUNNING"

    frozen.shift(timedelta(seconds=1))
    call_command("recover_tasks", stalled_after=0, stdout=None)
    run_worker()

    assert len(smtp_down.messages_to(dana.email)) == 1
    request = PasswordRequest.objects.get()
    assert request.status == PasswordRequestStatus.SENT


def test_request_whose_task_crashed_is_enqueued_again(
    client, dana, smtp_server, run_worker, frozen, monkeypatch
):
    """A retry's own task crashed, rather than a delivery run."""
    ask(client)
    request = PasswordRequest.objects.get()
    request.status = PasswordRequestStatus.RETRY_WAIT
    request.save()
    DBTaskResult.objects.all().delete()
    tasks.send_new_password.enqueue(request.pk)
    with monkeypatch.context() as patch:
        patch.setattr(tasks, "claim_delivery", lambda *args, **kwargs: 1 / 0)
        run_worker()
    assert DBTaskResult.objects.get(task_path=SEND_TASK).status == "FAILED"

    frozen.shift(timedelta(minutes=11))
    call_command("recover_tasks", stdout=None)
    run_worker()

    assert len(smtp_server.messages) == 1


def test_broken_request_retried_alone(
    client, dana, omar, smtp_server, run_worker, frozen, monkeypatch, caplog
):
    ask(client, "dana")
    ask(client, "omar")
    dana_request = PasswordRequest.objects.order_by("pk").first()
    claim = tasks.claim_delivery

    def break_on_dana(request_id, **kwargs):
        if request_id == dana_request.pk:
            raise RuntimeError("unforeseen")
        return claim(request_id, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(tasks, "claim_delivery", break_on_dana)
        run_worker()
    assert [m["X-Envelope-To"] for m in smtp_server.messages] == [omar.email]
    runs = DBTaskResult.objects.filter(task_path=RUN_TASK)
    assert set(runs.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert 0 < queued_send_delay() <= 30
    assert "delivery failed; retrying it alone" in caplog.text

    frozen.shift(timedelta(seconds=31))
    run_worker()

    assert smtp_server.messages_to(dana.email)


def test_recovery_stops_rescheduling_when_idle(
    client, dana, smtp_server, run_worker, frozen
):
    ask(client)
    run_worker()
    assert DBTaskResult.objects.filter(status="READY").count() == 1

    frozen.shift(timedelta(minutes=6))
    run_worker()

    assert not DBTaskResult.objects.filter(status="READY").exists()


# The pending password's hash


@pytest.mark.real_hasher
def test_pending_hash_upgraded_at_sign_in(
    client, dana, smtp_server, run_worker, sign_in
):
    ask(client)
    run_worker()
    password = emailed_password(smtp_server.messages[0])
    dana.refresh_from_db()
    assert dana.pending_password.startswith("argon2$argon2id$")

    sign_in(client, "dana", password)
    client.post(reverse("clientportal:sign-out"))
    sign_in(client, "dana", password)

    dana.refresh_from_db()
    assert dana.password.startswith("argon2$argon2id$v=19$m=102400,t=2,p=8$")
