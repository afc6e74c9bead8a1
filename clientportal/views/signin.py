"""Sign-in pages for client users and warehouse staff, sign-out, expired passwords."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.client_ip import client_ip
from accounts.events import record_event
from accounts.models import EventKind, User, UserSession
from accounts.passwords import renew_expired_password
from accounts.sessions import BROWSER_COOKIE, BROWSER_COOKIE_AGE, new_browser_token
from accounts.signin import Outcome, attempt_sign_in, sign_in_after_renewal
from clientportal.forms import SignInForm
from clientportal.views.permissions import can_manage_client_users

EXPIRED_USER_KEY = "expired_password_user"
EXPIRED_MARK_LIFETIME = timedelta(minutes=10)

AUDIENCES = {
    "client": {
        "template": "clientportal/sign_in.html",
        "heading": gettext_lazy("Customer/client sign in"),
        "url_name": "clientportal:sign-in",
    },
    "warehouse": {
        "template": "clientportal/warehouse_sign_in.html",
        "heading": gettext_lazy("Warehouse sign in"),
        "url_name": "clientportal:warehouse-sign-in",
    },
}


def keep_locked_page(request, original_response, credentials) -> HttpResponse:
    """Keep the sign-in view's own locked page when django-axes reports a lockout."""
    return original_response


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "clientportal/home.html")


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def sign_in(request: HttpRequest, audience: str = "client") -> HttpResponse:
    # The browser cookie is set with the form, so tabs opened from it share
    # one browser token before any of them signs in.
    token = request.COOKIES.get(BROWSER_COOKIE) or new_browser_token()
    form = SignInForm(request.POST if request.method == "POST" else None)
    if request.method != "POST" or not form.is_valid():
        return remember_browser(request, render_sign_in(request, form, audience), token)

    result = attempt_sign_in(
        request, form.cleaned_data["username"], form.cleaned_data["password"], token
    )
    response = _respond_to_attempt(request, result, form, audience)
    return remember_browser(request, response, token)


def remember_browser(request, response: HttpResponse, token: str) -> HttpResponse:
    """Set the long-lived browser cookie that distinguishes tabs from other browsers."""
    if request.COOKIES.get(BROWSER_COOKIE) != token:
        response.set_cookie(
            BROWSER_COOKIE,
            token,
            max_age=BROWSER_COOKIE_AGE,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response


def render_sign_in(request, form, audience: str, status: int = 200, note: str = ""):
    context = {
        "form": form,
        "audience": audience,
        "heading": AUDIENCES[audience]["heading"],
        "next": request.POST.get("next") or request.GET.get("next", ""),
        "note": note,
    }
    return render(request, AUDIENCES[audience]["template"], context, status=status)


def _respond_to_attempt(request, result, form, audience: str) -> HttpResponse:
    if result.outcome is Outcome.SIGNED_IN:
        return redirect(_next_url(request, result.user))

    if result.outcome is Outcome.PASSWORD_EXPIRED:
        request.session.cycle_key()
        request.session[EXPIRED_USER_KEY] = [result.user.pk, timezone.now().timestamp()]
        return redirect("clientportal:password-expired")

    if result.outcome is Outcome.LOCKED:
        return render_locked(request, audience)

    form.add_error(None, _wrong_password_message(result.attempts_left))
    return render_sign_in(request, form, audience)


def render_locked(request, audience: str) -> HttpResponse:
    """Render the locked page of a sign-in page.

    It depends on the sign-in page, never on the account, so it looks the same
    for unknown usernames. Forgot password? emails client users only, so the
    warehouse page does not offer it.
    """
    context = {"audience": audience, "sign_in_url": AUDIENCES[audience]["url_name"]}
    return render(request, "clientportal/locked.html", context, status=403)


def _wrong_password_message(attempts_left: int) -> str:
    return ngettext(
        "The username or password is incorrect. %(count)d attempt is left before "
        "the account is locked.",
        "The username or password is incorrect. %(count)d attempts are left before "
        "the account is locked.",
        attempts_left,
    ) % {"count": attempts_left}


def _next_url(request: HttpRequest, user) -> str:
    candidate = request.POST.get("next", "")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    if user.is_client_user:
        return reverse("clientportal:portal")
    if can_manage_client_users(user):
        return reverse("clientportal:client-users")
    # Other staff get Django's admin index, which lists what they may manage.
    return reverse("admin:index")


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    was_staff = request.user.is_authenticated and request.user.is_staff
    if request.user.is_authenticated:
        UserSession.objects.filter(session_key=request.session.session_key).delete()
        record_event(request.user, EventKind.SIGNED_OUT, ip_address=client_ip(request))
    logout(request)
    if was_staff:
        return redirect("clientportal:warehouse-sign-in")
    return redirect("clientportal:sign-in")


def _expired_user(request: HttpRequest) -> User | None:
    mark = request.session.get(EXPIRED_USER_KEY)
    if not mark:
        return None
    user_id, marked_at = mark
    if timezone.now().timestamp() - marked_at > EXPIRED_MARK_LIFETIME.total_seconds():
        return None
    return User.objects.filter(pk=user_id, is_active=True, locked_at=None).first()


@never_cache
def password_expired(request: HttpRequest) -> HttpResponse:
    user = _expired_user(request)
    if user is None:
        return redirect("clientportal:sign-in")
    return render(request, "clientportal/password_expired.html", {"expired_user": user})


@require_POST
@csrf_protect
@never_cache
def renew_password(request: HttpRequest) -> HttpResponse:
    user = _expired_user(request)
    if user is None:
        return redirect("clientportal:sign-in")

    password = renew_expired_password(user, ip_address=client_ip(request))
    del request.session[EXPIRED_USER_KEY]
    token = request.COOKIES.get(BROWSER_COOKIE) or new_browser_token()
    result = sign_in_after_renewal(request, user, token)
    if result.outcome is Outcome.LOCKED:
        return render_locked(request, "client")

    response = render(
        request,
        "clientportal/password_renewed.html",
        {"new_password": password, "renewed_user": user},
    )
    return remember_browser(request, response, token)
