"""Forgot password, request side: record the request and queue it.

The web request does the same work whatever was typed: it checks the per-IP
limit, stores the identifier encrypted and enqueues the task with the
request's id. It looks up no account, hashes nothing and sends no mail, so its
response time does not tell whether an account matched. The task does the
rest (accounts.forgot_delivery).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import PasswordRequest, User
from accounts.sealing import seal
from accounts.usernames import normalize_username

log = logging.getLogger(__name__)

LIMIT_WINDOW = timedelta(hours=1)


def request_new_password(
    identifier: str, ip_address: str | None
) -> PasswordRequest | None:
    """Record a forgot-password request and queue its task.

    Returns None, and stores and queues nothing, when the client IP is over
    FORGOT_PASSWORD_REQUESTS_PER_IP_HOUR.
    """
    from accounts.tasks import send_new_password

    with transaction.atomic():
        _serialise_requests_from(ip_address)
        if _is_ip_over_limit(ip_address):
            log.warning(
                "Forgot-password request over the per-IP limit, ip=%s", ip_address
            )
            return None
        request = PasswordRequest.objects.create(
            ip_address=ip_address, sealed_identifier=seal(identifier.strip())
        )
        # The task row is written in this transaction, so a request is never
        # stored without its task, nor a task without its request.
        send_new_password.enqueue(request.pk)
    log.info("Forgot-password request %s queued, ip=%s", request.pk, ip_address)
    return request


def matching_accounts(identifier: str) -> QuerySet[User]:
    """Return the active client users with an email address that `identifier`
    names.

    The identifier may be a username or an email address, in any case.
    Warehouse staff are left out: an emailed password would make a staff
    account only as safe as its mailbox, so operators reset those.
    """
    identifier = identifier.strip()
    names = Q(username=normalize_username(identifier))
    if "@" in identifier:
        names |= Q(email__iexact=identifier)
    accounts = User.objects.filter(names, is_active=True, client__isnull=False)
    return accounts.exclude(email="").order_by("pk")


def _serialise_requests_from(ip_address: str | None) -> None:
    """Make concurrent requests from one IP take turns, so none overshoots.

    PostgreSQL gets a transaction-level advisory lock per IP. SQLite opens
    transactions IMMEDIATE (see settings), which already serialises writers.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                ["forgot-password-ip:" + (ip_address or "")],
            )


def _is_ip_over_limit(ip_address: str | None) -> bool:
    since = timezone.now() - LIMIT_WINDOW
    recent = PasswordRequest.objects.filter(
        ip_address=ip_address, created_at__gte=since
    )
    return recent.count() >= settings.FORGOT_PASSWORD_REQUESTS_PER_IP_HOUR
