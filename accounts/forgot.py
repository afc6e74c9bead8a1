"""Forgot password, request side: record the request and queue its delivery.

The web request does the same work whatever was typed: it checks the per-IP
limit, stores the identifier encrypted and makes sure a delivery run is queued.
It looks up no account, hashes nothing and sends no mail, so its response time
does not tell whether an account matched. The delivery task does the rest
(accounts.tasks, accounts.forgot_delivery).

The request is recorded in plain SQL, because the ORM's overhead would be most
of the request's cost: on PostgreSQL one call of a function (migration
0006_delivery_queue), so one round trip, and elsewhere one short transaction.
A burst of requests queues one delivery run, not a task each
(accounts.delivery_queue).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.delivery_queue import RUN_START_EXPECTED_WITHIN, queue_delivery_run
from accounts.models import PasswordRequest, User
from accounts.sealing import seal
from accounts.usernames import normalize_username

log = logging.getLogger(__name__)

LIMIT_WINDOW = timedelta(hours=1)

# Plain SQL on the tables of PasswordRequest and DeliveryQueue, as in the
# PostgreSQL function of migration 0006_delivery_queue.
COUNT_FROM_IP = (
    "SELECT COUNT(*) FROM accounts_passwordrequest "
    "WHERE ip_address = %s AND created_at >= %s"
)
COUNT_FROM_NO_IP = (
    "SELECT COUNT(*) FROM accounts_passwordrequest "
    "WHERE ip_address IS NULL AND created_at >= %s"
)
INSERT_REQUEST = (
    "INSERT INTO accounts_passwordrequest (created_at, updated_at, ip_address, "
    "sealed_identifier, status, attempts, pending_digest) "
    "VALUES (%s, %s, %s, %s, 'queued', 0, '')"
)
READ_RUN_WAITING = (
    "SELECT 1 FROM accounts_deliveryqueue WHERE id = 1 AND run_queued_at >= %s"
)


def request_new_password(identifier: str, ip_address: str | None) -> int | None:
    """Record a forgot-password request, make sure it will be delivered, and
    return its id.

    Returns None, and stores and queues nothing, when the client IP is over
    FORGOT_PASSWORD_REQUESTS_PER_IP_HOUR.
    """
    sealed = seal(identifier.strip())
    if connection.vendor == "postgresql":
        request_id, run_waiting = _record_on_postgresql(ip_address, sealed)
    else:
        request_id, run_waiting = _record(ip_address, sealed)

    if request_id is None:
        log.warning("Forgot-password request over the per-IP limit, ip=%s", ip_address)
        return None
    # Left to its own transaction so the common case, a run already waiting,
    # commits in one step. Should the process die before it, the request waits
    # for the next request's run, or for `manage.py recover_tasks`.
    if not run_waiting:
        queue_delivery_run()
    log.info("Forgot-password request %s queued, ip=%s", request_id, ip_address)
    return request_id


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


def _record_on_postgresql(ip_address: str | None, sealed: str):
    """Run accounts_record_password_request (migration 0006_delivery_queue)."""
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT * FROM accounts_record_password_request"
            "(%s, %s, %s, %s, %s, %s, %s)",
            [
                "forgot-password-ip:" + (ip_address or ""),
                _db_ip(ip_address),
                sealed,
                now,
                now - LIMIT_WINDOW,
                settings.FORGOT_PASSWORD_REQUESTS_PER_IP_HOUR,
                now - RUN_START_EXPECTED_WITHIN,
            ],
        )
        row = cursor.fetchone()
    return (None, True) if row is None else row


def _record(ip_address: str | None, sealed: str):
    """Record the request in one transaction of plain SQL.

    SQLite opens transactions IMMEDIATE (see settings), which serialises
    writers, so concurrent requests from one IP cannot overshoot the limit.
    """
    ops = connection.ops
    now = timezone.now()
    since = ops.adapt_datetimefield_value(now - LIMIT_WINDOW)
    ip_value = _db_ip(ip_address)

    with transaction.atomic(), connection.cursor() as cursor:
        if ip_value is None:
            cursor.execute(COUNT_FROM_NO_IP, [since])
        else:
            cursor.execute(COUNT_FROM_IP, [ip_value, since])
        if cursor.fetchone()[0] >= settings.FORGOT_PASSWORD_REQUESTS_PER_IP_HOUR:
            return None, True

        at = ops.adapt_datetimefield_value(now)
        cursor.execute(INSERT_REQUEST, [at, at, ip_value, sealed])
        request_id = cursor.lastrowid
        cursor.execute(
            READ_RUN_WAITING,
            [ops.adapt_datetimefield_value(now - RUN_START_EXPECTED_WITHIN)],
        )
        run_waiting = cursor.fetchone() is not None
    return request_id, run_waiting


def _db_ip(ip_address: str | None):
    # The field's own preparation, so IPv6 addresses are stored in the same
    # normal form as when the ORM writes them.
    field = PasswordRequest._meta.get_field("ip_address")
    return field.get_db_prep_value(ip_address, connection)
