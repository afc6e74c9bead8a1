"""Forgot password: email a generated password that works alongside the old one.

The web request only records and enqueues; the task does the lookups, the
hashing and the sending, so the request's response time is the same whether
or not an account matches.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.emails import send_templated_email
from accounts.events import record_event
from accounts.generator import generate_password
from accounts.models import EventKind, LockReason, User
from accounts.usernames import normalize_username

log = logging.getLogger(__name__)


def matching_accounts(identifier: str):
    """Return the active accounts with an email address that `identifier` names."""
    normalised = normalize_username(identifier)
    accounts = User.objects.filter(is_active=True).exclude(email="")
    if "@" in identifier:
        return accounts.filter(email__iexact=identifier.strip())
    return accounts.filter(username=normalised)


def store_pending_password(user) -> str:
    """Generate a password, keep only its hash as pending, and return it."""
    password = generate_password(user)
    with transaction.atomic():
        user.pending_password = make_password(password)
        user.pending_password_expires_at = (
            timezone.now() + settings.PENDING_PASSWORD_LIFETIME
        )
        # A new emailed password gets its full number of tries while locked.
        user.pending_password_tries = 0
        user.save(
            update_fields=[
                "pending_password",
                "pending_password_expires_at",
                "pending_password_tries",
            ]
        )
        record_event(user, EventKind.PASSWORD_RESET_REQUESTED)
    return password


def deliver_new_password(user) -> None:
    """Email `user` a new pending password, or a lock notice when that is all
    the account may get."""
    if user.lock_reason == LockReason.CONCURRENT_SIGN_IN:
        send_templated_email("locked_concurrent", user.email, {"user": user})
        log.info(
            "Sent concurrent-lock notice instead of a password to user_id=%s", user.pk
        )
        return

    password = store_pending_password(user)
    hours = int(settings.PENDING_PASSWORD_LIFETIME / timedelta(hours=1))
    send_templated_email(
        "new_password",
        user.email,
        {"user": user, "password": password, "valid_hours": hours},
    )
    log.info("Sent a new password to user_id=%s", user.pk)


def request_new_password(identifier: str, ip_address: str | None) -> None:
    """Queue a forgot-password request; the same work whatever `identifier` is."""
    from accounts.tasks import send_new_password

    log.info("Forgot-password request queued from ip=%s", ip_address)
    send_new_password.enqueue(identifier.strip())
