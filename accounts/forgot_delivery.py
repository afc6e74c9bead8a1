"""Forgot password, task side: match the account, apply the limits, email it.

Each attempt runs in three steps so that nothing is lost and no request leaves
two working passwords behind:

1. claim_delivery (one transaction, account row locked): match the account,
   check the per-account limit, generate a password and store only its hash
   as the pending password.
2. The task sends the email, outside any transaction.
3. mark_delivered or record_mail_failure (one transaction) writes the outcome.

The pending hash is stored before the email is sent, so a crash after step 1
leaves a pending password that nobody received, and the retry replaces it. A
retry generates a new password because the plaintext of the last one is gone.
It first checks that the pending password it stored is still the account's,
and stops if that password was used or replaced meanwhile.

NOTE: if the mail server accepted a message but the connection failed before
its reply, the retry sends a second email and the first one's password stops
working. The email text asks readers to use the newest one.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.events import record_event
from accounts.forgot import LIMIT_WINDOW, matching_accounts
from accounts.generator import generate_password
from accounts.hashing import hash_generated_password
from accounts.models import (
    EventKind,
    LockReason,
    PasswordRequest,
    PasswordRequestStatus,
    User,
)
from accounts.sealing import keyed_digest, unseal

log = logging.getLogger(__name__)

Status = PasswordRequestStatus


@dataclass(frozen=True)
class Delivery:
    """One claimed email: a new password, or a lock notice when password is None."""

    request_id: int
    user: User
    attempt: int
    password: str | None

    @property
    def template(self) -> str:
        return "new_password" if self.password else "locked_concurrent"


def claim_delivery(request_id: int) -> Delivery | None:
    """Prepare the next email of a request, or finish the request and return None."""
    with transaction.atomic():
        request = PasswordRequest.objects.select_for_update().filter(pk=request_id)
        request = request.first()
        if request is None or request.is_finished:
            return None
        if request.user_id is None and not _resolve_account(request):
            return None

        user = (
            User.objects.select_for_update(of=("self",))
            .select_related("client")
            .filter(pk=request.user_id)
            .first()
        )
        closing_status = _closing_status(request, user)
        if closing_status is not None:
            _withdraw_pending_password(request, user)
            _finish(request, closing_status)
            return None

        request.accepted_at = request.accepted_at or timezone.now()
        request.attempts += 1
        request.status = Status.SENDING
        password = None
        if user.lock_reason != LockReason.CONCURRENT_SIGN_IN:
            password = _store_pending_password(request, user)
        request.save()
    return Delivery(request.pk, user, request.attempts, password)


def mark_delivered(delivery: Delivery) -> None:
    """Record that the email of `delivery` was accepted by the mail server."""
    with transaction.atomic():
        request = PasswordRequest.objects.select_for_update().get(
            pk=delivery.request_id
        )
        if delivery.password is None:
            _finish(request, Status.LOCK_NOTICE_SENT)
            return
        _finish(request, Status.SENT)
        record_event(
            delivery.user,
            EventKind.PASSWORD_RESET_REQUESTED,
            ip_address=request.ip_address,
            detail=f"Forgot-password request {request.pk}",
        )


def record_mail_failure(delivery: Delivery) -> bool:
    """Record a failed send; return True if the request may be retried.

    Call inside the transaction that enqueues the retry, so the request's
    status and its next task are committed together.
    """
    request = PasswordRequest.objects.select_for_update().get(pk=delivery.request_id)
    if request.attempts < settings.EMAIL_RETRY_ATTEMPTS:
        request.status = Status.RETRY_WAIT
        request.save(update_fields=["status", "updated_at"])
        return True

    user = User.objects.select_for_update().filter(pk=request.user_id).first()
    _withdraw_pending_password(request, user)
    _finish(request, Status.FAILED)
    return False


def _resolve_account(request: PasswordRequest) -> bool:
    """Attach the matching account to `request`, splitting it when several match.

    Accounts may share an email address; each gets its own request row, email
    and limit. Returns False, having finished the request, when none matches.
    """
    from accounts.tasks import send_new_password

    identifier = unseal(request.sealed_identifier)
    if identifier is None:
        log.warning(
            "Forgot-password request %s: the stored identifier cannot be decrypted "
            "(SECRET_KEY changed without SECRET_KEY_FALLBACKS?)",
            request.pk,
        )
    users = list(matching_accounts(identifier)) if identifier else []
    request.sealed_identifier = ""
    if not users:
        _finish(request, Status.NO_ACCOUNT)
        return False

    request.user = users[0]
    request.save(update_fields=["user", "sealed_identifier", "updated_at"])
    for other in users[1:]:
        sibling = PasswordRequest.objects.create(
            user=other, ip_address=request.ip_address, created_at=request.created_at
        )
        send_new_password.enqueue(sibling.pk)
    return True


def _closing_status(request: PasswordRequest, user: User | None) -> str | None:
    """Return the status that ends `request` without an email, or None to send."""
    if user is None or not user.is_active or not user.email:
        return Status.NO_ACCOUNT
    if request.attempts >= settings.EMAIL_RETRY_ATTEMPTS:
        return Status.FAILED

    newer = PasswordRequest.objects.filter(
        user=user, pk__gt=request.pk, accepted_at__isnull=False
    )
    if newer.exists():
        return Status.SUPERSEDED
    if request.pending_digest and request.pending_digest != _digest_of(user):
        return Status.SUPERSEDED

    if request.accepted_at is None and _is_account_over_limit(user):
        return Status.ACCOUNT_LIMITED
    return None


def _is_account_over_limit(user: User) -> bool:
    since = timezone.now() - LIMIT_WINDOW
    accepted = PasswordRequest.objects.filter(user=user, accepted_at__gte=since)
    return accepted.count() >= settings.FORGOT_PASSWORD_EMAILS_PER_ACCOUNT_HOUR


def _store_pending_password(request: PasswordRequest, user: User) -> str:
    """Generate a password, store its hash as `user`'s pending one, return it."""
    password = generate_password(user)
    user.pending_password = hash_generated_password(password)
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
    request.pending_digest = _digest_of(user)
    return password


def _withdraw_pending_password(request: PasswordRequest, user: User | None) -> None:
    """Clear the pending password this request stored, if it is still there.

    Its email never went out, so it would be a working password that nobody received.
    """
    if user is None or not request.pending_digest:
        return
    if _digest_of(user) == request.pending_digest:
        user.pending_password = ""
        user.pending_password_expires_at = None
        user.save(update_fields=["pending_password", "pending_password_expires_at"])


def _digest_of(user: User) -> str:
    if not user.pending_password:
        return ""
    return keyed_digest("accounts.forgot.pending", user.pending_password)


def _finish(request: PasswordRequest, status: str) -> None:
    request.status = status
    request.save()
    log.info("Forgot-password request %s finished: %s", request.pk, status)
