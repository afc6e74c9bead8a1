"""One client user's pages under Settings → Client User Accounts: history,
details, activation and sessions."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.account_changes import (
    deactivate_account,
    end_account_sessions,
    reactivate_account,
    update_details,
)
from accounts.client_ip import client_ip
from accounts.models import AccountEvent
from accounts.sessions import active_sessions
from clientportal.forms import AccountDetailsForm
from clientportal.user_agents import describe_browser
from clientportal.views.client_users import get_client_user
from clientportal.views.permissions import client_user_admin_required

HISTORY_PAGE_SIZE = 50


@client_user_admin_required
def account_history(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_client_user(pk)
    events = AccountEvent.objects.filter(user=account).select_related("actor")
    page = Paginator(events, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"account": account, "page": page, "section": "history"}
    return render(request, "clientportal/client_users/history.html", context)


@client_user_admin_required
def edit_account(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_client_user(pk)
    form = AccountDetailsForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        update_details(
            account, changes, actor=request.user, ip_address=client_ip(request)
        )
        messages.success(
            request,
            _("The details of %(username)s are saved.")
            % {"username": account.username},
        )
        return redirect("clientportal:account-history", pk=account.pk)
    context = {"account": account, "form": form, "section": "edit"}
    return render(request, "clientportal/client_users/edit.html", context)


@require_POST
@client_user_admin_required
def deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_client_user(pk)
    deactivate_account(account, actor=request.user, ip_address=client_ip(request))
    messages.success(
        request,
        _("%(username)s is deactivated and signed out everywhere.")
        % {"username": account.username},
    )
    return redirect("clientportal:client-users")


@require_POST
@client_user_admin_required
def reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_client_user(pk)
    reactivate_account(account, actor=request.user, ip_address=client_ip(request))
    messages.success(
        request, _("%(username)s is active again.") % {"username": account.username}
    )
    return redirect("clientportal:client-users")


@client_user_admin_required
def account_sessions(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_client_user(pk)
    sessions = active_sessions(account).order_by("-last_seen_at")
    rows = [(session, describe_browser(session.user_agent)) for session in sessions]
    context = {"account": account, "sessions": rows, "section": "sessions"}
    return render(request, "clientportal/client_users/sessions.html", context)


@require_POST
@client_user_admin_required
def end_sessions(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_client_user(pk)
    ended = end_account_sessions(
        account, actor=request.user, ip_address=client_ip(request)
    )
    messages.success(
        request,
        _("%(count)d session(s) of %(username)s ended.")
        % {"count": ended, "username": account.username},
    )
    return redirect("clientportal:account-sessions", pk=account.pk)
