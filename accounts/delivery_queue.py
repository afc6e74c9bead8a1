"""The queue of forgot-password requests waiting for their first email.

Queued requests are rows of PasswordRequest with status QUEUED. Runs of the
task accounts.tasks.deliver_password_requests work through them. The flag row
DeliveryQueue.run_queued_at records when the waiting run was queued: one that
is queued and has not started yet.

No request is left waiting without a run to come:

- A request reads the flag in the transaction that inserts it. On PostgreSQL
  it reads with FOR SHARE, so a run that is starting waits for that
  transaction to commit. SQLite serialises the two anyway.
- A run clears the flag before it looks for requests. A request that saw the
  flag set is therefore found by that run, and a request that saw it clear
  queues a new run (queue_delivery_run).
- A flag older than RUN_START_EXPECTED_WITHIN counts as clear. A waiting run
  starts within seconds while a worker is free, so such a flag is most likely
  left by a run whose worker died before it could clear it.

A run that finds more than one request waiting queues the next run at once, so
every free worker joins in, and a worker that dies mid-run holds up only the
request it was sending.
"""

from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import DeliveryQueue, PasswordRequest, PasswordRequestStatus

RUN_START_EXPECTED_WITHIN = timedelta(minutes=2)


def queue_delivery_run() -> bool:
    """Queue a delivery run unless one is waiting; return True if this queued it."""
    from accounts.tasks import deliver_password_requests

    now = timezone.now()
    stale = now - RUN_START_EXPECTED_WITHIN
    with transaction.atomic():
        flag = DeliveryQueue.objects.filter(pk=DeliveryQueue.SINGLETON_ID)
        flag = flag.filter(Q(run_queued_at__isnull=True) | Q(run_queued_at__lt=stale))
        if not flag.update(run_queued_at=now):
            # The row is missing only where tables were emptied, as between tests.
            _, created = DeliveryQueue.objects.get_or_create(
                pk=DeliveryQueue.SINGLETON_ID, defaults={"run_queued_at": now}
            )
            if not created:
                return False
        deliver_password_requests.enqueue()
    return True


def start_delivery_run() -> None:
    """Clear the flag, so that requests from now on queue the next run."""
    DeliveryQueue.objects.filter(pk=DeliveryQueue.SINGLETON_ID).update(
        run_queued_at=None
    )


def next_queued_request_id() -> int | None:
    """Return the oldest queued request's id, or None when the queue is empty.

    Where the database can, a request that another run is claiming right now
    is skipped, so that overlapping runs take different requests instead of
    waiting for each other's claim.
    """
    ids = _queued().values_list("pk", flat=True)
    if not connection.features.has_select_for_update_skip_locked:
        return ids.first()
    with transaction.atomic():
        return ids.select_for_update(skip_locked=True).first()


def has_backlog() -> bool:
    """Return whether more than one request is queued."""
    return _queued()[:2].count() > 1


def _queued():
    queued = PasswordRequest.objects.filter(status=PasswordRequestStatus.QUEUED)
    return queued.order_by("pk")
