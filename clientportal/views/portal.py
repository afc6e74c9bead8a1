from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.client_ip import client_ip
from accounts.expiry import password_expires_at
from accounts.passwords import renew_own_password
from accounts.sessions import keep_session_after_password_change


@login_required
def portal(request: HttpRequest) -> HttpResponse:
    if not request.user.is_client_user:
        raise PermissionDenied
    context = {"password_expires_at": password_expires_at(request.user)}
    return render(request, "clientportal/portal.html", context)


@require_POST
@login_required
@never_cache
def renew_password(request: HttpRequest) -> HttpResponse:
    """Give a signed-in user a new password before the old one expires."""
    user = request.user
    password = renew_own_password(
        user, session_key=request.session.session_key, ip_address=client_ip(request)
    )
    keep_session_after_password_change(request, user)
    context = {"new_password": password, "renewed_user": user}
    return render(request, "clientportal/password_renewed.html", context)
