"""The queue of forgot-password requests waiting for their first email.

Queued requests are rows of PasswordRequest with status QUEUED. One task,
accounts.tasks.deliver_password_requests, works through them; the flag row
DeliveryQueue.run_waiting records whether a run of it is queued and has not
started yet.

No request is left waiting without a run to come:

- A request reads the flag in the transaction that inserts it. On PostgreSQL
  it reads with FOR SHARE, so a run that is starting waits for that
  transaction to commit; SQLite serialises the two anyway.
- A run clears the flag before it looks for requests. A request that saw the
  flag set is therefore found by that run; a request that saw it clear queues
  a new run (queue_delivery_run).
"""

from django.db import transaction

from accounts.models import DeliveryQueue, PasswordRequest, PasswordRequestStatus


def queue_delivery_run(even_if_waiting: bool = False) -> bool:
    """Queue a delivery run unless one is waiting; return True if this queued it.

    Recovery passes `even_if_waiting` when it found queued requests and no live
    run, in case the flag outlived its run (a task row deleted by hand).
    """
    from accounts.tasks import deliver_password_requests

    with transaction.atomic():
        flag = DeliveryQueue.objects.filter(pk=DeliveryQueue.SINGLETON_ID)
        if not even_if_waiting:
            flag = flag.filter(run_waiting=False)
        if not flag.update(run_waiting=True):
            # The row is missing only where tables were emptied, as between tests.
            _, created = DeliveryQueue.objects.get_or_create(
                pk=DeliveryQueue.SINGLETON_ID, defaults={"run_waiting": True}
            )
            if not created:
                return False
        deliver_password_requests.enqueue()
    return True


def start_delivery_run() -> None:
    """Clear the flag, so that requests from now on queue the next run."""
    DeliveryQueue.objects.filter(pk=DeliveryQueue.SINGLETON_ID).update(
        run_waiting=False
    )


def next_queued_request_id() -> int | None:
    """Return the oldest queued request's id, or None when the queue is empty."""
    queued = PasswordRequest.objects.filter(status=PasswordRequestStatus.QUEUED)
    return queued.order_by("pk").values_list("pk", flat=True).first()
