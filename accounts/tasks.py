"""Background tasks, run by `manage.py db_worker`.

Task arguments and return values are stored in the task table, so they carry
ids and statuses only: never a password, never an email address. A failed
send is retried by enqueuing the task again with run_after, after a capped
exponential back-off (EMAIL_RETRY_* settings).
"""

import logging
import smtplib
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResult, task

from accounts.delivery_queue import (
    has_backlog,
    next_queued_request_id,
    queue_delivery_run,
    start_delivery_run,
)
from accounts.emails import send_templated_email
from accounts.forgot_delivery import (
    Delivery,
    claim_delivery,
    mark_delivered,
    record_mail_failure,
)
from accounts.models import (
    UNFINISHED_REQUEST_STATUSES,
    PasswordRequest,
    PasswordRequestStatus,
    User,
)

log = logging.getLogger(__name__)

MAIL_ERRORS = (smtplib.SMTPException, OSError)

# Bounds of one delivery run: a few seconds of work at the usual rate. The
# time bound is checked between emails, so a run lasts at most this plus one
# email's SMTP timeouts. That keeps it well below recovery's STALLED_AFTER (10
# minutes) and within the stop timeout of the deploy guide's worker unit.
DELIVERY_RUN_REQUESTS = 200
DELIVERY_RUN_SECONDS = 10


def retry_delay_seconds(attempt: int) -> int:
    """Return the wait after failed attempt number `attempt` (1-based)."""
    delay = settings.EMAIL_RETRY_BASE_SECONDS * 2 ** (attempt - 1)
    return min(delay, settings.EMAIL_RETRY_MAX_SECONDS)


def describe_mail_error(error: Exception) -> str:
    """Return the error's class and SMTP code, never its text.

    SMTP errors such as SMTPRecipientsRefused carry the recipient address in
    their text, and the logs must not hold addresses.
    """
    code = getattr(error, "smtp_code", None) or getattr(error, "errno", None)
    return f"{type(error).__name__} (code {code})"


def new_password_email(delivery: Delivery) -> None:
    context = {"user": delivery.user}
    if delivery.password is not None:
        hours = settings.PENDING_PASSWORD_LIFETIME / timedelta(hours=1)
        context.update(password=delivery.password, valid_hours=int(hours))
    send_templated_email(delivery.template, delivery.user.email, context)


@task()
def deliver_password_requests() -> int:
    """Email every queued forgot-password request; return how many were handled.

    One run handles at most DELIVERY_RUN_REQUESTS requests or
    DELIVERY_RUN_SECONDS, so each run ends well within the time after which
    recovery takes a task for lost. Runs overlap when requests wait, so that
    several workers share the work (see accounts.delivery_queue).
    """
    from accounts.task_recovery import schedule_recovery

    # First, so that a worker lost from here on leaves no stale flag behind.
    start_delivery_run()
    schedule_recovery()
    if has_backlog():
        queue_delivery_run()

    deadline = time.monotonic() + DELIVERY_RUN_SECONDS
    handled = 0
    while handled < DELIVERY_RUN_REQUESTS and time.monotonic() < deadline:
        request_id = next_queued_request_id()
        if request_id is None:
            return handled
        _deliver_queued(request_id)
        handled += 1

    if next_queued_request_id() is not None:
        queue_delivery_run()
    return handled


def _deliver_queued(request_id: int) -> None:
    try:
        deliver(request_id, queued_only=True)
    except Exception:
        # One request that fails in an unforeseen way must not stop the queue
        # behind it, so it goes on alone, as a retry.
        log.exception(
            "Forgot-password request %s: delivery failed; retrying it alone",
            request_id,
        )
        queue_retry(request_id, retry_delay_seconds(1))


def queue_retry(request_id: int, delay_seconds: int = 0) -> TaskResult:
    """Mark an unfinished request RETRY_WAIT and queue its send_new_password task.

    Both are committed together, so the request is not left in RETRY_WAIT
    without its task. Delivery runs leave RETRY_WAIT requests to that task.
    """
    run_after = timezone.now() + timedelta(seconds=delay_seconds)
    unfinished = PasswordRequest.objects.filter(
        pk=request_id, status__in=UNFINISHED_REQUEST_STATUSES
    )
    with transaction.atomic():
        unfinished.update(
            status=PasswordRequestStatus.RETRY_WAIT, updated_at=timezone.now()
        )
        return send_new_password.using(run_after=run_after).enqueue(request_id)


@task()
def send_new_password(request_id: int) -> str:
    """Email the new password (or lock notice) of one forgot-password request.

    Queued for a retry after a mail error, and by recovery; first emails go
    out through deliver_password_requests.
    """
    from accounts.task_recovery import schedule_recovery

    schedule_recovery()
    return deliver(request_id)


def deliver(request_id: int, queued_only: bool = False) -> str:
    """Make one attempt at the email of a request and record its outcome."""
    delivery = claim_delivery(request_id, queued_only=queued_only)
    if delivery is None:
        return "finished"

    log.info(
        "Forgot-password request %s: attempt %s, %s email to user_id=%s",
        request_id,
        delivery.attempt,
        delivery.template,
        delivery.user.pk,
    )
    try:
        new_password_email(delivery)
    except MAIL_ERRORS as error:
        return _retry_or_give_up(delivery, error)

    mark_delivered(delivery)
    log.info(
        "Forgot-password request %s: attempt %s sent", request_id, delivery.attempt
    )
    return "sent"


def _retry_or_give_up(delivery: Delivery, error: Exception) -> str:
    with transaction.atomic():
        may_retry = record_mail_failure(delivery)
        if may_retry:
            delay = retry_delay_seconds(delivery.attempt)
            queue_retry(delivery.request_id, delay)

    if not may_retry:
        log.error(
            "Forgot-password request %s: attempt %s failed with %s; giving up",
            delivery.request_id,
            delivery.attempt,
            describe_mail_error(error),
        )
        return "failed"
    log.warning(
        "Forgot-password request %s: attempt %s failed with %s; retrying in %s s",
        delivery.request_id,
        delivery.attempt,
        describe_mail_error(error),
        delay,
    )
    return "retrying"


@task()
def send_lock_notice(user_id: int, attempt: int = 1) -> bool:
    """Tell an account's owner that it was locked, why, and what to do."""
    from accounts.task_recovery import schedule_recovery

    schedule_recovery()
    user = User.objects.filter(pk=user_id, locked_at__isnull=False).first()
    if user is None or not user.email:
        return False
    try:
        send_templated_email("locked", user.email, {"user": user})
    except MAIL_ERRORS as error:
        _retry_lock_notice(user_id, attempt, error)
        return False
    log.info("Lock notice to user_id=%s sent on attempt %s", user_id, attempt)
    return True


def _retry_lock_notice(user_id: int, attempt: int, error: Exception) -> None:
    if attempt >= settings.EMAIL_RETRY_ATTEMPTS:
        log.error(
            "Lock notice to user_id=%s: attempt %s failed with %s; giving up",
            user_id,
            attempt,
            describe_mail_error(error),
        )
        return
    delay = retry_delay_seconds(attempt)
    run_after = timezone.now() + timedelta(seconds=delay)
    send_lock_notice.using(run_after=run_after).enqueue(user_id, attempt=attempt + 1)
    log.warning(
        "Lock notice to user_id=%s: attempt %s failed with %s; retrying in %s s",
        user_id,
        attempt,
        describe_mail_error(error),
        delay,
    )
