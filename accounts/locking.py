"""Lock and unlock accounts. A lock always ends every session of the account."""

from axes.models import AccessAttempt
from django.db import transaction
from django.utils import timezone

from accounts.events import record_event
from accounts.models import EventKind, LockReason, UnknownUsername
from accounts.sessions import end_sessions

# The user-row fields that a lock or an unlock changes.
LOCK_FIELDS = [
    "locked_at",
    "lock_reason",
    "failed_attempts",
    "failed_password_digests",
    "pending_password_tries",
]


def lock_account(user, reason: LockReason, *, ip_address: str | None = None) -> None:
    """Lock `user` for `reason`, end its sessions and tell the owner by email."""
    from accounts.tasks import send_lock_notice

    user.locked_at = timezone.now()
    user.lock_reason = reason
    user.pending_password_tries = 0
    user.save(update_fields=LOCK_FIELDS)
    record_event(
        user,
        EventKind.LOCKED,
        ip_address=ip_address,
        detail=reason.label,
        cause=reason.value,
    )
    ended = end_sessions(user)
    if ended:
        record_event(
            user,
            EventKind.SESSION_ENDED,
            ip_address=ip_address,
            detail=f"{ended} session(s) ended by the lock",
            cause="lock",
        )
    send_lock_notice.enqueue(user.pk)


def clear_failures(user) -> None:
    """Forget failed attempts in the user row and in django-axes together."""
    user.failed_attempts = 0
    user.failed_password_digests = []
    AccessAttempt.objects.filter(username=user.username).delete()
    UnknownUsername.objects.filter(username=user.username).delete()


@transaction.atomic
def unlock_account(user, *, actor=None, reason: str = "", ip_address=None) -> None:
    """Lift the lock and the attempt count; `reason` goes into the history.

    Without an `actor` the unlock came from the command line.
    """
    user.locked_at = None
    user.lock_reason = ""
    user.pending_password_tries = 0
    clear_failures(user)
    user.save(update_fields=LOCK_FIELDS)
    record_event(
        user,
        EventKind.UNLOCKED,
        actor=actor,
        ip_address=ip_address,
        detail=reason,
        cause="admin" if actor is not None else "command",
    )
