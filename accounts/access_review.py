"""The access review export: one CSV row per client user, produced as a stream.

Rows are read with a server-side cursor (QuerySet.iterator) and written one
at a time, so memory stays flat at a million users.
"""

import csv
from collections.abc import Iterable, Iterator

from django.conf import settings

from accounts.models import LockReason, User

HEADER = [
    "username",
    "client",
    "email",
    "active",
    "locked",
    "lock cause",
    "last sign-in",
    "password set",
    "password expires",
]
CHUNK_SIZE = 2000
# A spreadsheet runs a cell that starts with one of these as a formula
# (CSV injection); OWASP's list, which includes tab and carriage return.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
LOCK_CAUSES = dict(LockReason.choices)


def neutralize_formula(value: str) -> str:
    """Prefix a cell that a spreadsheet would run as a formula with a quote."""
    if value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _timestamp(value) -> str:
    return value.isoformat(timespec="seconds") if value else ""


def access_review_rows() -> Iterator[list[str]]:
    """Yield the header, then one row per client user ordered by username."""
    yield HEADER
    users = (
        User.objects.filter(client__isnull=False)
        .order_by("username")
        .values_list(
            "username",
            "client__name",
            "email",
            "is_active",
            "locked_at",
            "lock_reason",
            "last_login",
            "password_changed_at",
        )
    )
    for row in users.iterator(chunk_size=CHUNK_SIZE):
        (username, client, email, active, locked_at, cause, last_login, set_at) = row
        expires_at = set_at + settings.PASSWORD_MAX_AGE if set_at else None
        yield [
            neutralize_formula(username),
            neutralize_formula(client),
            neutralize_formula(email or ""),
            "yes" if active else "no",
            "yes" if locked_at else "no",
            str(LOCK_CAUSES.get(cause, "")),
            _timestamp(last_login),
            _timestamp(set_at),
            # No recorded set date counts as expired (see accounts.expiry).
            _timestamp(expires_at) if set_at else "expired (date unknown)",
        ]


class _LineBuffer:
    """A file-like object whose write returns the line, for csv.writer."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[list[str]]) -> Iterator[str]:
    writer = csv.writer(_LineBuffer())
    for row in rows:
        yield writer.writerow(row)
