"""Emailed (pending) passwords at sign-in.

A forgot-password request stores the hash of an emailed password beside the
current one. Signing in with it makes it the account's password and, on an
account locked by failed attempts, lifts the lock: the owner proved they read
the mailbox. A concurrent sign-in lock is for the warehouse to lift.

Only a password that could have come from the generator is checked against
the emailed one. On an unlocked account that check runs after the current
password failed. It costs one extra hash whether or not there is a pending
password or an account at all, because otherwise a forgot-password request
followed by one slow wrong sign-in would show that the account exists.

A locked account otherwise responds without hashing anything. So that the
emailed password does not reopen that door, a locked account checks at most
PENDING_PASSWORD_TRIES_WHILE_LOCKED different wrong passwords against it and
then discards it; repeating a wrong password costs no try, or a browser that
keeps filling in the old password would use up the owner's emailed one.
"""

from django.conf import settings
from django.utils import timezone

from accounts.events import log_security_event, record_event
from accounts.generator import ALPHABET, CHARACTER_CLASSES
from accounts.hashing import check_generated_password
from accounts.models import EventKind, LockReason
from accounts.wrong_passwords import is_repeat, remember_wrong_password

# Generated passwords are PASSWORD_LENGTH long. Older settings may have made
# shorter ones, but never below the validators' minimum of 12.
MIN_GENERATED_LENGTH = 12
GENERATED_CHARACTERS = frozenset(ALPHABET)

PENDING_FIELDS = [
    "pending_password",
    "pending_password_expires_at",
    "pending_password_tries",
]


def has_live_pending_password(user) -> bool:
    """Return True if `user` has an emailed password that may still be used.

    A deactivated account's emailed password is not used: deactivation may
    come after the email went out, and signing in with it would change the
    password and lift a lock of an account that no one may use.
    """
    expires_at = user.pending_password_expires_at
    return (
        user.is_active
        and bool(user.pending_password)
        and expires_at is not None
        and timezone.now() < expires_at
    )


def could_be_generated(password: str) -> bool:
    """Return True if `password` has the shape of a generated password."""
    return (
        len(password) >= MIN_GENERATED_LENGTH
        and set(password) <= GENERATED_CHARACTERS
        and all(set(password) & set(chars) for chars in CHARACTER_CLASSES)
    )


def matches_pending_password(user, password: str) -> bool:
    """Return True if `password` is the live emailed password of `user`.

    `user` may be None (an unknown username). Every generated-looking
    password costs one hash here, pending password or not.
    """
    if not could_be_generated(password):
        return False
    if user is None or not has_live_pending_password(user):
        return check_generated_password(password, None)
    return check_generated_password(password, user.pending_password)


def unlocks_with_pending_password(
    user, password: str, digest: str, ip_address: str | None
) -> bool:
    """Check `password` against the emailed password of the locked `user`.

    Return True if it matches and may lift the lock. A wrong try is counted,
    and the emailed password is discarded when the tries run out.
    """
    if user.lock_reason != LockReason.FAILED_ATTEMPTS:
        return False
    if not has_live_pending_password(user) or not could_be_generated(password):
        return False
    if is_repeat(user, digest):
        return False
    # TODO: a locked unknown username never hashes, so these (at most
    # PENDING_PASSWORD_TRIES_WHILE_LOCKED) slower responses can show that a
    # locked account exists to the person who requested its emailed password.
    if check_generated_password(password, user.pending_password):
        return True

    user.pending_password_tries += 1
    remember_wrong_password(user, digest)
    if user.pending_password_tries >= settings.PENDING_PASSWORD_TRIES_WHILE_LOCKED:
        discard_pending_password(user)
        log_security_event(
            "pending_password_discarded",
            user_id=user.pk,
            ip_address=ip_address,
            cause="wrong_tries_while_locked",
        )
    user.save(update_fields=[*PENDING_FIELDS, "failed_password_digests"])
    return False


def discard_pending_password(user) -> None:
    user.pending_password = ""
    user.pending_password_expires_at = None
    user.pending_password_tries = 0


def accept_pending_password(user, password: str, ip_address: str | None) -> None:
    """Make the emailed password the account's password and lift a lock.

    The pending hash is cheap on purpose, so the password is hashed again here
    with the configured (full-cost) hasher.
    """
    was_locked = user.is_locked
    user.set_password(password)
    user.password_changed_at = timezone.now()
    discard_pending_password(user)
    user.locked_at = None
    user.lock_reason = ""
    user.save(
        update_fields=[*PENDING_FIELDS, "password", "password_changed_at"]
        + ["locked_at", "lock_reason"]
    )
    record_event(user, EventKind.NEW_PASSWORD_USED, ip_address=ip_address)
    if was_locked:
        record_event(
            user,
            EventKind.UNLOCKED,
            ip_address=ip_address,
            detail="Unlocked by signing in with the emailed password",
            cause="emailed_password",
        )
