"""Forgot password, task side: match the account, apply the limits, email it.

Each attempt runs in three steps so that nothing is lost and no request leaves
two working passwords behind:

1. claim_delivery (one transaction, account row locked): match the account,
   check the per-account limit, generate a password and store only its hash
   as the pending password.
2. The task sends the email, outside any transaction.
3. mark_delivered, or record_mail_failure and a queued retry (one
   transaction), writes the outcome.

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
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.delivery_queue import queue_delivery_run
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

# The fields of the request row that a claim writes.
CLAIM_FIELDS = [
    "user",
    "sealed_identifier",
    "accepted_at",
    "attempts",
    "status",
    "pending_digest",
    "updated_at",
]

# Not a status: _closing_status returns it for a request to send later.
DEFER = "defer"

# An attempt counts as abandoned after this long: far more than one email
# takes, since EMAIL_TIMEOUT bounds each network step.
ATTEMPT_STALLED_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class Delivery:
    """One claimed email: a new password, or a lock notice when password is None."""

    request_id: int
    user: User
    attempt: int
    password: str | None
    ip_address: str | None

    @property
    def template(self) -> str:
        return "new_password" if self.password else "locked_concurrent"


def claim_delivery(request_id: int, queued_only: bool = False) -> Delivery | None:
    """Prepare the next email of a request, or finish the request and return None.

    Also returns None when the request is not this caller's to claim. With
    `queued_only`, that is any request not waiting for its first attempt.
    Otherwise it is a finished request, or one whose attempt started less than
    ATTEMPT_STALLED_AFTER ago. A request of an account whose other email is on
    its way is deferred to a send_new_password task, and None is returned.
    """
    with transaction.atomic():
        request = PasswordRequest.objects.select_for_update().filter(pk=request_id)
        request = request.first()
        if request is None or not _is_claimable(request, queued_only):
            return None
        if request.user_id is None:
            user = _resolve_account(request)
            if user is None:
                return None
        else:
            user = _locked(User.objects.filter(pk=request.user_id)).first()

        closing_status = _closing_status(request, user)
        if closing_status == DEFER:
            _defer(request)
            return None
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
        request.save(update_fields=CLAIM_FIELDS)
    return Delivery(request.pk, user, request.attempts, password, request.ip_address)


def mark_delivered(delivery: Delivery) -> None:
    """Record that the email of `delivery` was accepted by the mail server."""
    status = Status.SENT if delivery.password else Status.LOCK_NOTICE_SENT
    with transaction.atomic():
        request = PasswordRequest.objects.filter(pk=delivery.request_id)
        request.update(status=status, updated_at=timezone.now())
        if delivery.password is not None:
            record_event(
                delivery.user,
                EventKind.PASSWORD_RESET_REQUESTED,
                ip_address=delivery.ip_address,
                detail=f"Forgot-password request {delivery.request_id}",
            )
    log.info("Forgot-password request %s finished: %s", delivery.request_id, status)


def record_mail_failure(delivery: Delivery) -> bool:
    """Return True if a request whose send failed may be retried; otherwise
    finish it as FAILED and return False.

    Call inside the transaction that queues the retry (accounts.tasks.queue_retry),
    so that the request's row stays locked until its next task is committed.
    """
    request = PasswordRequest.objects.select_for_update().get(pk=delivery.request_id)
    if request.attempts < settings.EMAIL_RETRY_ATTEMPTS:
        return True

    user = User.objects.select_for_update().filter(pk=request.user_id).first()
    _withdraw_pending_password(request, user)
    _finish(request, Status.FAILED)
    return False


def _is_claimable(request: PasswordRequest, queued_only: bool) -> bool:
    if request.status == Status.QUEUED:
        return True
    if queued_only:
        return False
    if request.status == Status.SENDING:
        # The attempt may still be live elsewhere. Recovery marks dead attempts
        # RETRY_WAIT, and this lets through only those left past the limit.
        return request.updated_at < timezone.now() - ATTEMPT_STALLED_AFTER
    return not request.is_finished


def _resolve_account(request: PasswordRequest) -> User | None:
    """Attach the matching account to `request`, locked, and return it.

    Accounts may share an email address; each gets its own request row, email
    and limit. Returns None, having finished the request, when none matches.
    """
    identifier = unseal(request.sealed_identifier)
    if identifier is None:
        log.warning(
            "Forgot-password request %s: the stored identifier cannot be decrypted "
            "(SECRET_KEY changed without SECRET_KEY_FALLBACKS?)",
            request.pk,
        )
    users = []
    if identifier:
        users = list(_locked(matching_accounts(identifier)))
    request.sealed_identifier = ""
    if not users:
        _finish(request, Status.NO_ACCOUNT)
        return None

    request.user = users[0]
    if users[1:]:
        # Queued like any new request, so a delivery run sends their emails.
        PasswordRequest.objects.bulk_create(
            PasswordRequest(
                user=other, ip_address=request.ip_address, created_at=request.created_at
            )
            for other in users[1:]
        )
        queue_delivery_run()
    return users[0]


def _defer(request: PasswordRequest) -> None:
    """Leave `request` for a send_new_password task after the first retry delay.

    No attempt is counted. A request that this claim matched to its account
    keeps that account, so the identifier is not matched again.
    """
    from accounts.tasks import queue_retry, retry_delay_seconds

    request.save(update_fields=["user", "sealed_identifier"])
    queue_retry(request.pk, retry_delay_seconds(1))
    log.info(
        "Forgot-password request %s: another email to user_id=%s is being sent; "
        "deferred",
        request.pk,
        request.user_id,
    )


def _locked(accounts: QuerySet[User]) -> QuerySet[User]:
    return accounts.select_for_update(of=("self",)).select_related("client")


def _closing_status(request: PasswordRequest, user: User | None) -> str | None:
    """Return the status that ends `request` without an email, DEFER to send it
    later, or None to send it now.

    Emails of one account go out one at a time. Two sent at once could arrive
    in either order, and the one that arrives last must hold the working
    password.

    NOTE: the attempt of a killed worker also counts as on its way until
    ATTEMPT_STALLED_AFTER has passed, so the account's next request waits as
    long as recovery does.
    """
    if user is None or not user.is_active or not user.email:
        return Status.NO_ACCOUNT
    if request.attempts >= settings.EMAIL_RETRY_ATTEMPTS:
        return Status.FAILED
    if request.pending_digest and request.pending_digest != _digest_of(user):
        return Status.SUPERSEDED

    others = _accepted_requests(user, request)
    if others["newer"]:
        return Status.SUPERSEDED
    limit = settings.FORGOT_PASSWORD_EMAILS_PER_ACCOUNT_HOUR
    if request.accepted_at is None and others["recent"] >= limit:
        return Status.ACCOUNT_LIMITED
    if others["sending"]:
        return DEFER
    return None


def _accepted_requests(user: User, request: PasswordRequest) -> dict[str, int]:
    """Count `user`'s other accepted requests: those newer than `request`, those
    of the last hour (the per-account limit's window), and those being sent."""
    now = timezone.now()
    sending = Q(status=Status.SENDING, updated_at__gte=now - ATTEMPT_STALLED_AFTER)
    accepted = PasswordRequest.objects.filter(user=user, accepted_at__isnull=False)
    return accepted.exclude(pk=request.pk).aggregate(
        newer=Count("pk", filter=Q(pk__gt=request.pk)),
        recent=Count("pk", filter=Q(accepted_at__gte=now - LIMIT_WINDOW)),
        sending=Count("pk", filter=sending),
    )


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
