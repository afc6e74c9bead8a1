"""Settings → Client User Accounts: the warehouse admin's list and actions."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.client_ip import client_ip
from accounts.locking import unlock_account
from accounts.models import User
from accounts.passwords import create_client_user, reset_password
from clientportal.client_user_list import (
    COUNT_CAP,
    MIN_SUBSTRING_SEARCH,
    SORTS,
    ListFilters,
    load_list_page,
)
from clientportal.forms import ClientUserForm, UnlockForm
from clientportal.views.permissions import client_user_admin_required


@client_user_admin_required
def client_user_list(request: HttpRequest) -> HttpResponse:
    listing = load_list_page(ListFilters.from_params(request.GET))
    context = {
        "listing": listing,
        "filters": listing.filters,
        "sort_choices": [(value, label) for value, (label, _order) in SORTS.items()],
        "count_cap": COUNT_CAP,
        "min_substring_search": MIN_SUBSTRING_SEARCH,
    }
    return render(request, "clientportal/client_users/list.html", context)


def get_client_user(pk: int) -> User:
    """Return the client user `pk`, or 404 for warehouse staff and unknown ids."""
    return get_object_or_404(
        User.objects.select_related("client"), pk=pk, client__isnull=False
    )


@require_POST
@client_user_admin_required
def unlock_user(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_client_user(pk)
    form = UnlockForm(request.POST)
    if not form.is_valid():
        problems = " ".join(form.errors["reason"])
        messages.error(
            request,
            _("%(username)s was not unlocked. %(problems)s")
            % {"username": user.username, "problems": problems},
        )
        return redirect(reverse("clientportal:client-users") + "?locked=1")

    unlock_account(
        user,
        actor=request.user,
        reason=form.cleaned_data["reason"],
        ip_address=client_ip(request),
    )
    messages.success(
        request, _("%(username)s is unlocked.") % {"username": user.username}
    )
    return redirect("clientportal:client-users")


@require_POST
@client_user_admin_required
@never_cache
def reset_user_password(request: HttpRequest, pk: int) -> HttpResponse:
    return _show_reset(request, get_client_user(pk), unlock=False)


@require_POST
@client_user_admin_required
@never_cache
def unlock_and_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    return _show_reset(request, get_client_user(pk), unlock=True)


def _show_reset(request: HttpRequest, user: User, *, unlock: bool) -> HttpResponse:
    password = reset_password(
        user, actor=request.user, ip_address=client_ip(request), unlock=unlock
    )
    context = {"account": user, "new_password": password, "created": False}
    return render(request, "clientportal/client_users/password_shown.html", context)


@client_user_admin_required
@never_cache
def add_client_user(request: HttpRequest) -> HttpResponse:
    form = ClientUserForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user, password = create_client_user(
            form.cleaned_data, actor=request.user, ip_address=client_ip(request)
        )
        context = {"account": user, "new_password": password, "created": True}
        return render(request, "clientportal/client_users/password_shown.html", context)
    return render(request, "clientportal/client_users/add.html", {"form": form})
