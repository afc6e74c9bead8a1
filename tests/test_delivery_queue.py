"""Forgot-password requests wait in one queue that delivery runs work through."""

import threading
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts import tasks
from accounts.forgot import request_new_password
from accounts.forgot_delivery import claim_delivery
from accounts.models import DeliveryQueue, PasswordRequest, PasswordRequestStatus
from tests.factories import ClientUserFactory
from tests.smtp import emailed_password

RUN_TASK = "accounts.tasks.deliver_password_requests"


def delivery_runs():
    return DBTaskResult.objects.filter(task_path=RUN_TASK)


def recipients(smtp_server) -> list[str]:
    return sorted(message["X-Envelope-To"] for message in smtp_server.messages)


def test_burst_of_requests_queues_one_run(harbor, smtp_server, run_worker):
    users = ClientUserFactory.create_batch(5, client=harbor)
    for number, user in enumerate(users):
        request_new_password(user.username, f"192.0.2.{number + 1}")

    assert delivery_runs().count() == 1
    run_worker()

    assert recipients(smtp_server) == sorted(user.email for user in users)
    statuses = set(PasswordRequest.objects.values_list("status", flat=True))
    assert statuses == {PasswordRequestStatus.SENT}


def test_late_request_gets_next_run(dana, omar, smtp_server, run_worker, monkeypatch):
    """The run has found the queue empty when Omar's request comes in."""
    request_new_password("dana", "192.0.2.1")
    find_next = tasks.next_queued_request_id
    late = []

    def find_next_then_ask():
        found = find_next()
        if found is None and not late:
            late.append(request_new_password("omar", "192.0.2.2"))
        return found

    monkeypatch.setattr(tasks, "next_queued_request_id", find_next_then_ask)
    run_worker()

    assert recipients(smtp_server) == [dana.email, omar.email]
    assert delivery_runs().count() == 2


def test_run_hands_over_after_its_bound(harbor, smtp_server, run_worker, monkeypatch):
    monkeypatch.setattr(tasks, "DELIVERY_RUN_REQUESTS", 2)
    users = ClientUserFactory.create_batch(5, client=harbor)
    for number, user in enumerate(users):
        request_new_password(user.username, f"192.0.2.{number + 1}")

    run_worker()

    assert len(smtp_server.messages) == 5
    handled = delivery_runs().values_list("return_value", flat=True)
    assert sorted(handled) == [1, 2, 2]


def test_claimed_request_is_not_claimed_again(dana, smtp_server):
    """A second run, or a stray task of the request, finds it taken."""
    request_id = request_new_password("dana", "192.0.2.1")
    assert claim_delivery(request_id, queued_only=True) is not None

    assert tasks.deliver(request_id, queued_only=True) == "finished"
    assert tasks.send_new_password.call(request_id) == "finished"
    assert smtp_server.messages == []
    assert PasswordRequest.objects.get().attempts == 1


def test_overlapping_runs_keep_newest_email_working(
    client, dana, smtp_server, run_worker, sign_in, time_machine
):
    """One run is still sending Dana's first email when another run reaches
    her second request, as after a double submit."""
    time_machine.move_to(timezone.now(), tick=False)
    first = request_new_password("dana", "192.0.2.1")
    second = request_new_password("dana", "192.0.2.1")
    slow_run = claim_delivery(first, queued_only=True)

    tasks.deliver(second, queued_only=True)
    tasks.new_password_email(slow_run)
    tasks.mark_delivered(slow_run)
    time_machine.shift(timedelta(minutes=1))
    run_worker()

    assert len(smtp_server.messages) == 2
    newest = emailed_password(smtp_server.messages[-1])
    assert sign_in(client, "dana", newest).status_code == HTTPStatus.FOUND


def test_recovery_replaces_lost_waiting_run(
    client, dana, smtp_server, run_worker, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    request_new_password("dana", "192.0.2.1")
    delivery_runs().delete()
    assert DeliveryQueue.objects.get().run_queued_at is not None

    time_machine.shift(timedelta(minutes=11))
    call_command("recover_tasks", stdout=None)
    run_worker()

    assert recipients(smtp_server) == [dana.email]


def test_flag_row_restored_when_missing(dana, smtp_server, run_worker):
    DeliveryQueue.objects.all().delete()

    request_new_password("dana", "192.0.2.1")
    run_worker()

    assert recipients(smtp_server) == [dana.email]
    assert DeliveryQueue.objects.get().run_queued_at is None


def test_stale_flag_counts_as_clear(dana, omar, smtp_server, run_worker, time_machine):
    """The waiting run was lost, and a later request finds its flag."""
    time_machine.move_to(timezone.now(), tick=False)
    request_new_password("dana", "192.0.2.1")
    delivery_runs().delete()

    time_machine.shift(timedelta(seconds=119))
    request_new_password("omar", "192.0.2.2")
    assert not delivery_runs().exists()
    time_machine.shift(timedelta(seconds=2))
    request_new_password("omar", "192.0.2.3")
    assert delivery_runs().count() == 1
    run_worker()

    assert recipients(smtp_server) == [dana.email, omar.email, omar.email]


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing after it runs in the dying worker."""


def test_lost_run_holds_up_only_its_request(
    harbor, smtp_server, run_worker, monkeypatch
):
    users = ClientUserFactory.create_batch(3, client=harbor)
    for number, user in enumerate(users):
        request_new_password(user.username, f"192.0.2.{number + 1}")
    send = tasks.new_password_email

    def die_on_first(delivery):
        if delivery.user == users[0]:
            raise WorkerKilled
        send(delivery)

    monkeypatch.setattr(tasks, "new_password_email", die_on_first)
    # A killed process cannot record the failure either.
    monkeypatch.setattr(DBTaskResult, "set_failed", lambda self, exc: None)
    run_worker()

    assert recipients(smtp_server) == sorted(user.email for user in users[1:])
    first = PasswordRequest.objects.get(user=users[0])
    assert first.status == PasswordRequestStatus.SENDING
    assert delivery_runs().filter(status="RUNNING").count() == 1


@pytest.mark.django_db(transaction=True)
def test_ip_limit_holds_under_concurrent_requests(settings):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time; this tests PostgreSQL's lock")
    settings.FORGOT_PASSWORD_REQUESTS_PER_IP_HOUR = 3
    start = threading.Barrier(12)
    results = []

    def ask():
        start.wait(timeout=10)
        try:
            results.append(request_new_password("dana", "198.51.100.7"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ask) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(results) == 12
    assert sum(result is not None for result in results) == 3
    assert PasswordRequest.objects.filter(ip_address="198.51.100.7").count() == 3


def test_shared_address_retries_wait_back_off(dana, harbor, smtp_server, run_worker):
    """Each account of a shared address gets one attempt, then waits to retry."""
    ClientUserFactory(username="dana2", email=dana.email, client=harbor)
    smtp_server.inbox.refuse_data_with = "451 4.3.0 Try again later"

    request_new_password(dana.email, "192.0.2.1")
    run_worker()

    attempts = sorted(PasswordRequest.objects.values_list("attempts", flat=True))
    assert attempts == [1, 1]
    statuses = set(PasswordRequest.objects.values_list("status", flat=True))
    assert statuses == {PasswordRequestStatus.RETRY_WAIT}
    retries = DBTaskResult.objects.filter(
        task_path="accounts.tasks.send_new_password", status="READY"
    )
    assert retries.count() == 2
