"""Background tasks, run by `manage.py db_worker`.

Task arguments are stored in the task table, so they never carry a password.
"""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from accounts.emails import send_templated_email
from accounts.forgot import deliver_new_password, matching_accounts
from accounts.models import User

log = logging.getLogger(__name__)

MAIL_ERRORS = (smtplib.SMTPException, OSError)


def retry_later(task_function, attempt: int, *args) -> None:
    """Enqueue `task_function` again after an exponential back-off, or give up."""
    if attempt >= settings.EMAIL_RETRY_ATTEMPTS:
        log.error("Giving up on %s after %s attempts", task_function.name, attempt)
        return
    delay = settings.EMAIL_RETRY_BASE_SECONDS * 2 ** (attempt - 1)
    run_after = timezone.now() + timedelta(seconds=delay)
    task_function.using(run_after=run_after).enqueue(*args, attempt=attempt + 1)
    log.info("Retrying %s in %s s (attempt %s)", task_function.name, delay, attempt + 1)


@task()
def send_new_password(identifier: str, attempt: int = 1) -> int:
    """Email a new pending password to each account `identifier` names."""
    sent = 0
    for user in matching_accounts(identifier):
        try:
            deliver_new_password(user)
        except MAIL_ERRORS as error:
            log.warning("Mail to user_id=%s failed: %s", user.pk, error)
            retry_later(send_new_password, attempt, identifier)
            return sent
        sent += 1
    return sent


@task()
def send_lock_notice(user_id: int, attempt: int = 1) -> bool:
    """Tell an account's owner that it was locked, why, and what to do."""
    user = User.objects.filter(pk=user_id, locked_at__isnull=False).first()
    if user is None or not user.email:
        return False
    try:
        send_templated_email("locked", user.email, {"user": user})
    except MAIL_ERRORS as error:
        # The error's text can name the recipient, so only its type is logged.
        log.warning(
            "Lock notice to user_id=%s failed: %s", user_id, type(error).__name__
        )
        retry_later(send_lock_notice, attempt, user_id)
        return False
    return True
