"""The sign-in attempt: lock check, password check, counting, and the session.

Attempts for one username run one at a time: a database lock is taken at the
start of the transaction in which django-axes and the user row record the
outcome. So however many requests arrive at once, across processes, at most
LOCKOUT_FAILURE_LIMIT passwords are checked before the lock, and every later
request is rejected from the stored lock without a password check.

Unknown usernames take the same path with an UnknownUsername row as their
counter, and pay the same hashing (Django's ModelBackend hashes the password
once for a username it cannot find; see accounts.pending for the emailed
password's check), so neither the responses nor their timing reveal which
usernames exist.
"""

import enum
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.client_ip import client_ip
from accounts.concurrent import apply_concurrent_sign_in_policy
from accounts.events import log_security_event, record_event
from accounts.expiry import is_password_expired
from accounts.locking import clear_failures, lock_account
from accounts.models import EventKind, LockReason, UnknownUsername, User
from accounts.pending import (
    accept_pending_password,
    matches_pending_password,
    unlocks_with_pending_password,
)
from accounts.sessions import start_session
from accounts.usernames import normalize_username
from accounts.wrong_passwords import (
    is_repeat,
    remember_wrong_password,
    wrong_password_digest,
)


class Outcome(enum.Enum):
    SIGNED_IN = "signed_in"
    PASSWORD_EXPIRED = "password_expired"  # noqa: S105 - an outcome name
    WRONG_PASSWORD = "wrong_password"  # noqa: S105 - an outcome name
    LOCKED = "locked"


@dataclass(frozen=True)
class SignInResult:
    outcome: Outcome
    attempts_left: int = 0
    user: User | None = None


def attempt_sign_in(
    request: HttpRequest, raw_username: str, password: str, browser_token: str
) -> SignInResult:
    """Check one sign-in attempt and, when it succeeds, sign the user in."""
    username = normalize_username(raw_username)
    ip_address = client_ip(request)
    digest = wrong_password_digest(username, password)

    with transaction.atomic():
        serialise_attempts(username)
        user = User.objects.select_for_update().filter(username=username).first()
        counter = user or _unknown_username(username)

        if counter.is_locked:
            if user is not None and unlocks_with_pending_password(
                user, password, digest, ip_address
            ):
                return _sign_in_with_pending_password(
                    request, user, password, browser_token
                )
            return SignInResult(Outcome.LOCKED)

        if is_repeat(counter, digest):
            return _wrong_password(counter)

        # The current password first, so a normal sign-in costs one hash.
        authenticated = authenticate(request, username=username, password=password)
        if authenticated is not None:
            return _complete_sign_in(request, authenticated, browser_token)
        if matches_pending_password(user, password):
            return _sign_in_with_pending_password(
                request, user, password, browser_token
            )
        return _record_failure(counter, user, digest, ip_address)


def serialise_attempts(username: str) -> None:
    """Hold a per-username lock until the current transaction ends.

    PostgreSQL gets a transaction-level advisory lock, which also covers
    usernames without a row to lock. SQLite needs nothing more: its
    connections open transactions IMMEDIATE (see settings), which takes the
    database's single write lock.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                ["sign-in:" + username],
            )


def sign_in_after_renewal(request: HttpRequest, user, browser_token: str):
    """Sign in a user who has just replaced an expired password."""
    with transaction.atomic():
        serialise_attempts(user.username)
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_locked:
            return SignInResult(Outcome.LOCKED)
        return _complete_sign_in(request, user, browser_token)


def _unknown_username(username: str) -> UnknownUsername:
    found = UnknownUsername.objects.filter(username=username).first()
    return found or UnknownUsername(username=username)


def _wrong_password(counter) -> SignInResult:
    left = max(settings.LOCKOUT_FAILURE_LIMIT - counter.failed_attempts, 0)
    return SignInResult(Outcome.WRONG_PASSWORD, attempts_left=left)


def _record_failure(counter, user, digest: str, ip_address) -> SignInResult:
    counter.failed_attempts += 1
    remember_wrong_password(counter, digest)
    reached_limit = counter.failed_attempts >= settings.LOCKOUT_FAILURE_LIMIT

    if user is None:
        if reached_limit:
            counter.locked_at = timezone.now()
            # The log gets no username: an unknown one may be a mistyped password.
            log_security_event(
                "locked_unknown_username",
                ip_address=ip_address,
                cause=LockReason.FAILED_ATTEMPTS.value,
            )
        counter.save()
    else:
        record_event(user, EventKind.SIGN_IN_FAILED, ip_address=ip_address)
        if reached_limit:
            lock_account(user, LockReason.FAILED_ATTEMPTS, ip_address=ip_address)
        else:
            user.save(update_fields=["failed_attempts", "failed_password_digests"])

    if reached_limit:
        return SignInResult(Outcome.LOCKED)
    return _wrong_password(counter)


def _sign_in_with_pending_password(request, user, password: str, browser_token: str):
    accept_pending_password(user, password, client_ip(request))
    return _complete_sign_in(request, user, browser_token)


def _complete_sign_in(request: HttpRequest, user, browser_token: str) -> SignInResult:
    ip_address = client_ip(request)
    clear_failures(user)
    user.save(update_fields=["failed_attempts", "failed_password_digests"])

    if is_password_expired(user):
        return SignInResult(Outcome.PASSWORD_EXPIRED, user=user)
    if apply_concurrent_sign_in_policy(user, browser_token, ip_address):
        return SignInResult(Outcome.LOCKED)

    start_session(request, user, browser_token)
    record_event(user, EventKind.SIGNED_IN, ip_address=ip_address)
    return SignInResult(Outcome.SIGNED_IN, user=user)
