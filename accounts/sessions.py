"""Signed-in sessions: start, list, time out and end them.

Each session signed in through the product has a UserSession row; a session
without one is treated as ended. A long-lived browser cookie distinguishes tabs of
one browser (same cookie) from a second browser (different or no cookie).
"""

import secrets
from datetime import datetime
from importlib import import_module

from django.conf import settings
from django.contrib.auth import login, update_session_auth_hash
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from accounts.client_ip import client_ip
from accounts.models import UserSession
from accounts.sealing import keyed_digest

BROWSER_COOKIE = "portal_browser"
BROWSER_COOKIE_AGE = 400 * 24 * 3600
AUTH_BACKEND = "accounts.backends.AccountBackend"


def new_browser_token() -> str:
    return secrets.token_urlsafe(24)


def browser_key(token: str) -> str:
    """Return the keyed digest stored for a browser cookie value."""
    return keyed_digest("accounts.sessions.browser", token)


def active_sessions(user) -> QuerySet[UserSession]:
    """Return the sessions of `user` that is_session_expired would not end now."""
    now = timezone.now()
    return UserSession.objects.filter(
        user=user,
        last_seen_at__gt=now - settings.SESSION_IDLE_TIMEOUT,
        started_at__gt=now - settings.SESSION_ABSOLUTE_TIMEOUT,
    )


def other_browser_sessions(user, token: str) -> QuerySet[UserSession]:
    """Return the user's active sessions in browsers other than this one."""
    return active_sessions(user).exclude(browser_key=browser_key(token))


def start_session(request: HttpRequest, user, token: str) -> UserSession:
    """Sign `user` in on this request and record the session."""
    key = browser_key(token)
    UserSession.objects.filter(user=user, browser_key=key).delete()
    stale_key = request.session.session_key
    if stale_key:
        UserSession.objects.filter(session_key=stale_key).delete()

    login(request, user, backend=AUTH_BACKEND)
    request.session.save()
    return UserSession.objects.create(
        session_key=request.session.session_key,
        user=user,
        browser_key=key,
        ip_address=client_ip(request),
        user_agent=request.headers.get("User-Agent", "")[:300],
    )


def keep_session_after_password_change(request: HttpRequest, user) -> None:
    """Keep this session signed in after `user`'s own password changed.

    Django gives the session a new key when it stores the new password's hash,
    so the UserSession row must follow the key. A row left on the old key
    would sign the user out on the next request and count as another active
    browser for the concurrent sign-in policy until it went idle.
    """
    old_key = request.session.session_key
    update_session_auth_hash(request, user)
    UserSession.objects.filter(session_key=old_key).update(
        session_key=request.session.session_key
    )


def end_sessions(user, *, keep_session_key: str | None = None) -> int:
    """End every session of `user` (but `keep_session_key`) and return how many."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    sessions = UserSession.objects.filter(user=user)
    if keep_session_key:
        sessions = sessions.exclude(session_key=keep_session_key)

    keys = list(sessions.values_list("session_key", flat=True))
    for session_key in keys:
        store_class(session_key=session_key).delete()
    sessions.delete()
    return len(keys)


def is_session_expired(session: UserSession, now: datetime) -> bool:
    idle_limit = session.last_seen_at + settings.SESSION_IDLE_TIMEOUT
    absolute_limit = session.started_at + settings.SESSION_ABSOLUTE_TIMEOUT
    return now >= idle_limit or now >= absolute_limit
