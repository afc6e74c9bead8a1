"""Changes a warehouse admin makes to a client user's account.

Each function changes the row and records the account event in one
transaction. Deactivating an account or ending its sessions signs the
owner out everywhere at once.
"""

from django.db import transaction

from accounts.events import record_event
from accounts.models import EventKind, User
from accounts.sessions import end_sessions

DETAIL_FIELDS = ["full_name", "email", "client"]


@transaction.atomic
def update_details(user: User, changes: dict, *, actor, ip_address=None) -> list[str]:
    """Set the name, email and client from `changes`; return the changed fields.

    Values are compared with the stored row (locked for the update), not with
    `user`, which a bound ModelForm has already changed in memory. The event
    lists which fields changed, not their values, so the history never contains
    a former email address.
    """
    stored = User.objects.select_for_update().get(pk=user.pk)
    changed = [
        name
        for name in DETAIL_FIELDS
        if name in changes and getattr(stored, name) != changes[name]
    ]
    if not changed:
        return []
    for name in changed:
        setattr(user, name, changes[name])
    user.save(update_fields=changed)
    labels = ", ".join(str(User._meta.get_field(name).verbose_name) for name in changed)
    record_event(
        user,
        EventKind.UPDATED,
        actor=actor,
        ip_address=ip_address,
        detail=f"Changed: {labels}",
    )
    return changed


@transaction.atomic
def deactivate_account(user: User, *, actor, ip_address=None) -> None:
    """Turn the account off and end its sessions; it can no longer sign in."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = end_sessions(user)
    record_event(
        user,
        EventKind.DEACTIVATED,
        actor=actor,
        ip_address=ip_address,
        detail=f"{ended} session(s) ended",
    )


@transaction.atomic
def reactivate_account(user: User, *, actor, ip_address=None) -> None:
    user.is_active = True
    user.save(update_fields=["is_active"])
    record_event(user, EventKind.REACTIVATED, actor=actor, ip_address=ip_address)


@transaction.atomic
def end_account_sessions(user: User, *, actor, ip_address=None) -> int:
    """End every session of the account and return how many there were."""
    ended = end_sessions(user)
    record_event(
        user,
        EventKind.SESSION_ENDED,
        actor=actor,
        ip_address=ip_address,
        detail=f"{ended} session(s) ended by an admin",
    )
    return ended
