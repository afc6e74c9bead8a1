"""Give accounts new generated passwords.

Each function returns the plaintext once, for the one response or email that
delivers it; nothing here stores or logs it.
"""

from django.db import transaction
from django.utils import timezone

from accounts.events import record_event
from accounts.generator import generate_password
from accounts.locking import clear_failures, unlock_account
from accounts.models import EventKind, User
from accounts.pending import PENDING_FIELDS, discard_pending_password
from accounts.sessions import end_sessions
from accounts.usernames import normalize_username

PASSWORD_FIELDS = [
    "password",
    "password_changed_at",
    *PENDING_FIELDS,
    "failed_attempts",
    "failed_password_digests",
]


def set_new_password(user) -> str:
    """Give `user` a generated password, retire any pending one, and return it."""
    password = generate_password(user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    discard_pending_password(user)
    clear_failures(user)
    return password


@transaction.atomic
def reset_password(user, *, actor=None, ip_address=None, unlock: bool = False) -> str:
    """Reset `user`'s password (and lift any lock if `unlock`); end its sessions."""
    if unlock and user.locked_at is not None:
        unlock_account(user, actor=actor, ip_address=ip_address)

    password = set_new_password(user)
    user.save(update_fields=PASSWORD_FIELDS)
    record_event(
        user, EventKind.PASSWORD_RESET_BY_ADMIN, actor=actor, ip_address=ip_address
    )
    end_sessions(user)
    return password


@transaction.atomic
def renew_expired_password(user, *, ip_address=None) -> str:
    """Replace an expired password after the owner proved they know it."""
    password = set_new_password(user)
    user.save(update_fields=PASSWORD_FIELDS)
    record_event(user, EventKind.PASSWORD_RENEWED, actor=user, ip_address=ip_address)
    return password


@transaction.atomic
def create_client_user(fields: dict, *, actor=None, ip_address=None):
    """Create a client user with a generated password; return (user, password)."""
    user = User(
        client=fields["client"],
        username=normalize_username(fields["username"]),
        full_name=fields.get("full_name", ""),
        email=fields.get("email", ""),
    )
    password = set_new_password(user)
    user.save()
    record_event(user, EventKind.CREATED, actor=actor, ip_address=ip_address)
    return user, password


@transaction.atomic
def renew_own_password(user, *, session_key: str, ip_address=None) -> str:
    """Give a signed-in user a new password; end their other sessions."""
    password = set_new_password(user)
    user.save(update_fields=PASSWORD_FIELDS)
    record_event(user, EventKind.PASSWORD_RENEWED, actor=user, ip_address=ip_address)
    end_sessions(user, keep_session_key=session_key)
    return password
