"""Password age: passwords expire PASSWORD_MAX_AGE after they were set.

All arithmetic is on aware UTC datetimes, so daylight-saving changes and leap
days in the server's TIME_ZONE do not move an expiry.
"""

from datetime import datetime

from django.conf import settings
from django.utils import timezone


def password_expires_at(user) -> datetime | None:
    """Return when the password expires, or None when no set date is known."""
    if user.password_changed_at is None:
        return None
    return user.password_changed_at + settings.PASSWORD_MAX_AGE


def is_password_expired(user, now: datetime | None = None) -> bool:
    """Return True once the password is too old.

    An unknown set date (an imported account) counts as expired.
    """
    expires_at = password_expires_at(user)
    if expires_at is None:
        return True
    return (now or timezone.now()) >= expires_at


def is_expiry_near(user, now: datetime | None = None) -> bool:
    """Return True inside the warning window before expiry."""
    expires_at = password_expires_at(user)
    if expires_at is None:
        return False
    now = now or timezone.now()
    return expires_at - settings.PASSWORD_EXPIRY_WARNING <= now < expires_at
