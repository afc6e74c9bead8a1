"""Settings → Client User Accounts: the warehouse admin's list and actions."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F, OuterRef, Q, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.client_ip import client_ip
from accounts.locking import unlock_account
from accounts.models import AccountEvent, Client, EventKind, User
from accounts.passwords import create_client_user, reset_password
from clientportal.forms import ClientUserForm, UnlockForm, without_unprintable
from clientportal.views.permissions import client_user_admin_required

PAGE_SIZE = 50
SORT_CHOICES = [
    ("username", gettext_lazy("Username")),
    ("name", gettext_lazy("Name")),
    ("client", gettext_lazy("Client")),
    ("-last_sign_in", gettext_lazy("Most recent sign-in")),
    ("password_set", gettext_lazy("Oldest password")),
    ("-locked_at", gettext_lazy("Most recently locked")),
]
SORT_FIELDS = {
    "username": "username",
    "name": "full_name",
    "client": "client__name",
    "last_sign_in": "last_login",
    "password_set": "password_changed_at",
    "locked_at": "locked_at",
}
NULLABLE_SORT_FIELDS = {"last_login", "password_changed_at", "locked_at"}


def client_users_queryset(params) -> tuple:
    """Return the filtered, sorted client users for the list's query `params`."""
    show_locked = params.get("locked") == "1"
    users = User.objects.filter(client__isnull=False).select_related("client")
    users = users.filter(locked_at__isnull=not show_locked)

    query = without_unprintable(params.get("q", "")).strip()[:100]
    if query:
        users = users.filter(
            Q(username__icontains=query)
            | Q(full_name__icontains=query)
            | Q(email__icontains=query)
        )
    client_code = without_unprintable(params.get("client", ""))[:20]
    if client_code:
        users = users.filter(client__code=client_code)

    if show_locked:
        users = users.annotate(locked_from=_lock_source_address())

    sort = params.get("sort", "username")
    users = users.order_by(_ordering(sort), "pk")
    return users, show_locked, query, client_code, sort


def _ordering(sort: str):
    field = SORT_FIELDS.get(sort.lstrip("-"), "username")
    descending = sort.startswith("-")
    if field not in NULLABLE_SORT_FIELDS:
        # A plain order, so an index on the field can still serve it.
        return f"-{field}" if descending else field
    # Databases disagree on where NULL sorts. Never signed in comes last on
    # "most recent sign-in", and an unknown password date (which counts as
    # expired) comes first on "oldest password".
    if descending:
        return F(field).desc(nulls_last=True)
    return F(field).asc(nulls_first=True)


def _lock_source_address() -> Subquery:
    """Return the client IP of each account's latest lock, from its history."""
    locks = AccountEvent.objects.filter(user=OuterRef("pk"), kind=EventKind.LOCKED)
    return Subquery(locks.order_by("-at", "-id").values("ip_address")[:1])


@client_user_admin_required
def client_user_list(request: HttpRequest) -> HttpResponse:
    users, show_locked, query, client_code, sort = client_users_queryset(request.GET)
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    hidden_locked = 0
    if not show_locked:
        hidden_locked = User.objects.filter(
            client__isnull=False, locked_at__isnull=False
        ).count()
    context = {
        "page": page,
        "show_locked": show_locked,
        "query": query,
        "client_code": client_code,
        "sort": sort,
        "clients": Client.objects.order_by("name").only("code", "name"),
        "hidden_locked": hidden_locked,
        "sort_choices": SORT_CHOICES,
    }
    return render(request, "clientportal/client_users/list.html", context)


def _client_user(pk: int) -> User:
    return get_object_or_404(
        User.objects.select_related("client"), pk=pk, client__isnull=False
    )


@require_POST
@client_user_admin_required
def unlock_user(request: HttpRequest, pk: int) -> HttpResponse:
    user = _client_user(pk)
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
    return _show_reset(request, _client_user(pk), unlock=False)


@require_POST
@client_user_admin_required
@never_cache
def unlock_and_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    return _show_reset(request, _client_user(pk), unlock=True)


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
