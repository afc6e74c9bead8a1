"""The concurrent sign-in policy: what happens when an account that is active
in one browser signs in from another.

Policies (setting CONCURRENT_SIGN_IN_POLICY): "lock" locks the account and
ends every session; "end_other_sessions" ends the other browsers' sessions
and lets this one in; "allow" does nothing. Tabs of one browser share the
browser cookie and sessions idle past the timeout are not active, so neither
counts.
"""

from django.conf import settings

from accounts.events import record_event
from accounts.locking import lock_account
from accounts.models import EventKind, LockReason
from accounts.sessions import end_sessions, other_browser_sessions


def apply_concurrent_sign_in_policy(user, browser_token: str, ip_address) -> bool:
    """Apply the policy if `user` is active in another browser; return True
    when the account is now locked."""
    policy = settings.CONCURRENT_SIGN_IN_POLICY
    if policy == "allow" or not other_browser_sessions(user, browser_token).exists():
        return False

    cause = f"policy_{policy}"
    record_event(
        user,
        EventKind.CONCURRENT_SIGN_IN,
        ip_address=ip_address,
        detail=f"policy={policy}",
        cause=cause,
    )
    if policy == "lock":
        lock_account(user, LockReason.CONCURRENT_SIGN_IN, ip_address=ip_address)
        return True
    ended = end_sessions(user)
    record_event(
        user,
        EventKind.SESSION_ENDED,
        ip_address=ip_address,
        detail=f"{ended} session(s) ended by a sign-in from another browser",
        cause="concurrent_sign_in",
    )
    return False
