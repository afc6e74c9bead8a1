from functools import wraps

from django.contrib.auth.models import Permission
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.urls import reverse

PERMISSION_APP_LABEL = "accounts"
PERMISSION_CODENAME = "manage_client_users"
MANAGE_PERMISSION = f"{PERMISSION_APP_LABEL}.{PERMISSION_CODENAME}"


def can_manage_client_users(user) -> bool:
    """Return True for active staff who hold the permission, directly or by group.

    The result matches user.has_perm(MANAGE_PERMISSION) under ModelBackend,
    in one query instead of two (user and group permissions), because the
    admin pages have a budget of six queries per request.
    """
    if not (user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    # Cached on the user object, which lives for one request, so the page
    # header's menu does not query the database again.
    cached = getattr(user, "_can_manage_client_users", None)
    if cached is None:
        granted = Permission.objects.filter(
            content_type__app_label=PERMISSION_APP_LABEL, codename=PERMISSION_CODENAME
        ).filter(Q(user=user) | Q(group__user=user))
        cached = user._can_manage_client_users = granted.exists()
    return cached


def client_user_admin_required(view):
    """Send anonymous users to the warehouse sign-in; reject everyone else
    without the permission with 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(
                request.get_full_path(), reverse("clientportal:warehouse-sign-in")
            )
        if not can_manage_client_users(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
