"""Idle and absolute session limits, and ending sessions that were ended elsewhere."""

from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils import timezone

from accounts.models import UserSession
from accounts.sessions import is_session_expired

# Writing last_seen_at on every request would turn every page view into a
# write; once a minute keeps the idle timeout accurate to about a minute.
TOUCH_INTERVAL_SECONDS = 60


def session_limits(get_response):
    def middleware(request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            ended = _check_session(request)
            if ended is not None:
                return ended
        return get_response(request)

    return middleware


def _check_session(request):
    now = timezone.now()
    session_key = request.session.session_key
    session = UserSession.objects.filter(session_key=session_key).first()
    if session is not None and not is_session_expired(session, now):
        if (now - session.last_seen_at).total_seconds() >= TOUCH_INTERVAL_SECONDS:
            UserSession.objects.filter(pk=session.pk).update(last_seen_at=now)
        return None

    is_staff = request.user.is_staff
    if session is not None:
        session.delete()
    logout(request)
    sign_in = "clientportal:warehouse-sign-in" if is_staff else "clientportal:sign-in"
    return redirect_to_login(request.get_full_path(), reverse(sign_in))
