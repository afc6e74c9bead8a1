"""Re-run email tasks whose worker died while running them.

django-tasks-db marks a task RUNNING when a worker claims it. If that worker is
killed (out of memory, SIGKILL, a lost machine), the row stays RUNNING and no
worker runs it again. Recovery marks such rows FAILED and enqueues the same
task again. It also queues work for any unfinished forgot-password request
that nothing will reach, whatever happened to its task: a delivery run for
queued requests, a send_new_password task for the others.

Recovery runs as a task that each email task schedules, and again every
RECOVERY_INTERVAL while email work is unfinished; operators can also run
`manage.py recover_tasks`. A re-run task is safe because each email task checks
its request's state first (see accounts.forgot_delivery).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from accounts.delivery_queue import queue_delivery_run
from accounts.forgot_delivery import ATTEMPT_STALLED_AFTER
from accounts.models import (
    UNFINISHED_REQUEST_STATUSES,
    PasswordRequest,
    PasswordRequestStatus,
)
from accounts.tasks import (
    deliver_password_requests,
    queue_retry,
    send_lock_notice,
    send_new_password,
)

log = logging.getLogger(__name__)

# A live task older than this is almost certainly orphaned (see
# ATTEMPT_STALLED_AFTER). A task recovered while still running sends at most
# one more email, whose password replaces the first.
STALLED_AFTER = ATTEMPT_STALLED_AFTER
RECOVERY_INTERVAL = timedelta(minutes=5)

EMAIL_TASKS = (deliver_password_requests, send_new_password, send_lock_notice)
RECOVERABLE_TASKS = {t.module_path: t for t in EMAIL_TASKS}
LIVE_STATUSES = ("READY", "RUNNING")


class WorkerLostError(Exception):
    """Stored as the error of a task whose worker stopped while running it."""


def recover_stalled_tasks(stalled_after: timedelta = STALLED_AFTER) -> int:
    """Re-enqueue stalled email tasks and orphaned requests; return how many."""
    cutoff = timezone.now() - stalled_after
    stalled = DBTaskResult.objects.running().filter(
        task_path__in=RECOVERABLE_TASKS, started_at__lt=cutoff
    )
    recovered = sum(
        _requeue_task(row_id) for row_id in stalled.values_list("pk", flat=True)
    )
    recovered += _requeue_orphaned_requests(cutoff)
    return recovered


def schedule_recovery() -> None:
    """Make sure one recovery run is queued, RECOVERY_INTERVAL from now."""
    queued = DBTaskResult.objects.filter(
        task_path=recover_tasks.module_path, status="READY"
    )
    if not queued.exists():
        run_after = timezone.now() + RECOVERY_INTERVAL
        recover_tasks.using(run_after=run_after).enqueue()


def has_unfinished_email_work() -> bool:
    live_tasks = DBTaskResult.objects.filter(
        task_path__in=RECOVERABLE_TASKS, status__in=LIVE_STATUSES
    )
    unfinished = PasswordRequest.objects.filter(status__in=UNFINISHED_REQUEST_STATUSES)
    return live_tasks.exists() or unfinished.exists()


@task()
def recover_tasks() -> int:
    """Recover stalled email tasks, then come back while email work is unfinished."""
    recovered = recover_stalled_tasks()
    if has_unfinished_email_work():
        schedule_recovery()
    return recovered


def _requeue_task(row_id) -> int:
    with transaction.atomic():
        row = (
            DBTaskResult.objects.select_for_update(skip_locked=True)
            .filter(pk=row_id, status="RUNNING")
            .first()
        )
        if row is None:
            return 0
        row.set_failed(WorkerLostError("The worker stopped while running this task."))
        arguments = row.args_kwargs
        if row.task_path == send_new_password.module_path:
            # The attempt died with the task, so the new task may claim it.
            new = queue_retry(arguments["args"][0])
        else:
            new = RECOVERABLE_TASKS[row.task_path].enqueue(
                *arguments["args"], **arguments["kwargs"]
            )
    log.warning(
        "Task %s (%s) stalled since %s; marked failed and enqueued again as %s",
        row.pk,
        row.task_path,
        row.started_at,
        new.id,
    )
    return 1


def _requeue_orphaned_requests(cutoff) -> int:
    """Queue work again for each unfinished request that nothing will reach.

    A queued request waits for a delivery run. Any other unfinished request
    needs a send_new_password task of its own.
    """
    live = DBTaskResult.objects.filter(
        task_path__in=RECOVERABLE_TASKS, status__in=LIVE_STATUSES
    ).values_list("task_path", "args_kwargs")
    run_is_live = any(path == deliver_password_requests.module_path for path, _ in live)
    in_flight = {
        arguments["args"][0]
        for path, arguments in live
        if path == send_new_password.module_path
    }
    orphans = PasswordRequest.objects.filter(
        status__in=UNFINISHED_REQUEST_STATUSES, updated_at__lt=cutoff
    ).exclude(pk__in=in_flight)
    if run_is_live:
        orphans = orphans.exclude(status=PasswordRequestStatus.QUEUED)

    # A request that still has no task after a pending password's lifetime
    # keeps failing before it can send; stop re-enqueueing it.
    give_up_before = timezone.now() - settings.PENDING_PASSWORD_LIFETIME
    count = 0
    queued_waiting = False
    for request in orphans:
        if request.created_at < give_up_before:
            _give_up(request)
        elif request.status == PasswordRequestStatus.QUEUED:
            queued_waiting = True
        else:
            _requeue_request(request)
            count += 1
    if queued_waiting and queue_delivery_run():
        log.warning("Queued forgot-password requests had no delivery run; queued one")
        count += 1
    return count


def _give_up(request: PasswordRequest) -> None:
    request.status = PasswordRequestStatus.FAILED
    request.save(update_fields=["status", "updated_at"])
    log.error("Forgot-password request %s: no task left; gave up", request.pk)


def _requeue_request(request: PasswordRequest) -> None:
    queue_retry(request.pk)
    log.warning("Forgot-password request %s had no task; enqueued again", request.pk)
