"""Account history and the security log.

Every state change writes an AccountEvent; lock, unlock, reset and
concurrent sign-in also go to the security logger with the user id, the
acting user's id, the client IP and a fixed cause. The log never gets the
event's free-text detail (an admin may type anything there), a password or
an email address.
"""

import logging

from django.conf import settings

from accounts.models import AccountEvent, EventKind

security_log = logging.getLogger(settings.SECURITY_LOGGER)

SECURITY_KINDS = {
    EventKind.LOCKED,
    EventKind.UNLOCKED,
    EventKind.PASSWORD_RESET_BY_ADMIN,
    EventKind.PASSWORD_RESET_REQUESTED,
    EventKind.PASSWORD_RENEWED,
    EventKind.NEW_PASSWORD_USED,
    EventKind.CONCURRENT_SIGN_IN,
    EventKind.SESSION_ENDED,
}


def record_event(
    user,
    kind: EventKind,
    *,
    actor=None,
    ip_address: str | None = None,
    detail: str = "",
    cause: str = "",
) -> AccountEvent:
    """Append an event to `user`'s history and log it if it is a security event.

    `cause` is a short fixed code for the log (such as "failed_attempts");
    `detail` is kept in the history only.
    """
    event = AccountEvent.objects.create(
        user=user,
        kind=kind,
        actor=actor,
        ip_address=ip_address,
        detail=detail[:500],
    )
    if kind in SECURITY_KINDS:
        log_security_event(
            kind.value,
            user_id=user.pk,
            actor_id=getattr(actor, "pk", None),
            ip_address=ip_address,
            cause=cause or kind.value,
        )
    return event


def log_security_event(
    name: str, *, user_id=None, actor_id=None, ip_address=None, cause: str = ""
) -> None:
    """Write one line to the security log; every argument is an id or a code."""
    security_log.warning(
        "%s user_id=%s actor_id=%s ip=%s cause=%s",
        name,
        user_id,
        actor_id,
        ip_address,
        cause,
    )
