from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.usernames import MAX_USERNAME_LENGTH
from clientportal.forms import SignInForm, without_unprintable

STALE_FORM_NOTE = _(
    "The sign-in form had expired, for example because it was open in another "
    "tab. Please sign in again."
)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Show a stale sign-in form again instead of a bare 403; count no attempt."""
    from clientportal.views.signin import AUDIENCES, render_sign_in

    audiences = {reverse(page["url_name"]): name for name, page in AUDIENCES.items()}
    audience = audiences.get(request.path)
    if audience is not None:
        username = without_unprintable(request.POST.get("username", ""))
        form = SignInForm(initial={"username": username[:MAX_USERNAME_LENGTH]})
        return render_sign_in(request, form, audience, status=403, note=STALE_FORM_NOTE)
    return render(request, "403_csrf.html", status=403)


def not_served(request: HttpRequest) -> HttpResponse:
    """Return 404 for a page of Django's that the portal switches off."""
    raise Http404
