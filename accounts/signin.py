"""The sign-in attempt: lock check, password check, counting, and the session.

Attempts for one username run one at a time: a database lock is taken at the
start of the transaction in which django-axes and the user row record the
outcome. So however many requests arrive at once, across processes, at most
LOCKOUT_FAILURE_LIMIT passwords are checked before the lock, and every later
request is answered from the stored lock without a password check.
"""

import enum
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import check_password
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.client_ip import client_ip
from accounts.events import record_event
from accounts.expiry import is_password_expired
from accounts.locking import clear_failures, lock_account
from accounts.models import EventKind, LockReason, UnknownUsername, User
from accounts.sessions import end_sessions, other_browser_sessions, start_session
from accounts.usernames import normalize_username

# How many distinct wrong passwords are remembered (as digests) per account.
REMEMBERED_WRONG_PASSWORDS = 5


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

    with transaction.atomic():
        serialise_attempts(username)
        user = User.objects.select_for_update().filter(username=username).first()
        counter = user or _unknown_username(username)

        if counter.is_locked:
            if user is not None and _unlocks_with_pending_password(user, password):
                return _accept_pending_password(request, user, browser_token)
            return SignInResult(Outcome.LOCKED)

        digest = wrong_password_digest(username, password)
        if _is_repeat(counter, digest):
            return _wrong_password(counter)

        if user is not None and _matches_pending_password(user, password):
            return _accept_pending_password(request, user, browser_token)

        authenticated = authenticate(request, username=username, password=password)
        if authenticated is None:
            return _record_failure(counter, user, digest, ip_address)
        return _complete_sign_in(request, authenticated, browser_token)


def serialise_attempts(username: str) -> None:
    """Hold a per-username lock until the current transaction ends.

    PostgreSQL gets a transaction-level advisory lock. SQLite needs nothing
    more: its connections open transactions IMMEDIATE (see settings), which
    takes the database's single write lock.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                ["sign-in:" + username],
            )


def wrong_password_digest(username: str, password: str) -> str:
    """Return a keyed digest of a wrong password, so repeats can be recognised."""
    value = username + "\0" + password
    return salted_hmac(
        "accounts.signin.wrong-password", value, algorithm="sha256"
    ).hexdigest()


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


def _is_repeat(counter, digest: str) -> bool:
    return any(
        constant_time_compare(digest, d) for d in counter.failed_password_digests
    )


def _wrong_password(counter) -> SignInResult:
    left = max(settings.LOCKOUT_FAILURE_LIMIT - counter.failed_attempts, 0)
    return SignInResult(Outcome.WRONG_PASSWORD, attempts_left=left)


def _record_failure(counter, user, digest: str, ip_address) -> SignInResult:
    counter.failed_attempts += 1
    digests = [*counter.failed_password_digests, digest]
    counter.failed_password_digests = digests[-REMEMBERED_WRONG_PASSWORDS:]
    reached_limit = counter.failed_attempts >= settings.LOCKOUT_FAILURE_LIMIT

    if user is None:
        if reached_limit:
            counter.locked_at = timezone.now()
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


def _complete_sign_in(request: HttpRequest, user, browser_token: str) -> SignInResult:
    ip_address = client_ip(request)
    clear_failures(user)
    user.save(update_fields=["failed_attempts", "failed_password_digests"])

    if is_password_expired(user):
        return SignInResult(Outcome.PASSWORD_EXPIRED, user=user)

    others = other_browser_sessions(user, browser_token)
    policy = settings.CONCURRENT_SIGN_IN_POLICY
    if policy != "allow" and others.exists():
        record_event(
            user,
            EventKind.CONCURRENT_SIGN_IN,
            ip_address=ip_address,
            detail=f"policy={policy}",
        )
        if policy == "lock":
            lock_account(user, LockReason.CONCURRENT_SIGN_IN, ip_address=ip_address)
            return SignInResult(Outcome.LOCKED)
        end_sessions(user)

    start_session(request, user, browser_token)
    record_event(user, EventKind.SIGNED_IN, ip_address=ip_address)
    return SignInResult(Outcome.SIGNED_IN, user=user)


def _has_live_pending_password(user) -> bool:
    expires_at = user.pending_password_expires_at
    return (
        bool(user.pending_password)
        and expires_at is not None
        and (timezone.now() < expires_at)
    )


def _matches_pending_password(user, password: str) -> bool:
    if not _has_live_pending_password(user):
        return False
    return check_password(password, user.pending_password)


def _unlocks_with_pending_password(user, password: str) -> bool:
    """Return True when an emailed password may lift this lock.

    Only a failed-attempt lock can be lifted this way: the owner proved they
    read the mailbox. A concurrent sign-in lock needs the warehouse.
    """
    if user.lock_reason != LockReason.FAILED_ATTEMPTS:
        return False
    return _matches_pending_password(user, password)


def _accept_pending_password(request, user, browser_token: str) -> SignInResult:
    """Make the emailed password the account's password, then sign in."""
    user.password = user.pending_password
    user.password_changed_at = timezone.now()
    user.pending_password = ""
    user.pending_password_expires_at = None
    was_locked = user.is_locked
    user.locked_at = None
    user.lock_reason = ""
    user.save(
        update_fields=[
            "password",
            "password_changed_at",
            "pending_password",
            "pending_password_expires_at",
            "locked_at",
            "lock_reason",
        ]
    )
    ip_address = client_ip(request)
    record_event(user, EventKind.NEW_PASSWORD_USED, ip_address=ip_address)
    if was_locked:
        record_event(
            user,
            EventKind.UNLOCKED,
            ip_address=ip_address,
            detail="Unlocked by signing in with the emailed password",
        )
    return _complete_sign_in(request, user, browser_token)
