"""Account history and the security log.

Every state change writes an AccountEvent; lock, unlock, reset and
concurrent sign-in also go to the security logger with the ids involved.
Neither ever receives a password or an email address.
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
) -> AccountEvent:
    """Append an event to `user`'s history and log it if it is a security event."""
    event = AccountEvent.objects.create(
        user=user,
        kind=kind,
        actor=actor,
        ip_address=ip_address,
        detail=detail[:500],
    )
    if kind in SECURITY_KINDS:
        security_log.warning(
            "%s user_id=%s actor_id=%s ip=%s detail=%s",
            kind.value,
            user.pk,
            getattr(actor, "pk", None),
            ip_address,
            detail,
        )
    return event
