from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse

MANAGE_PERMISSION = "accounts.manage_client_users"


def can_manage_client_users(user) -> bool:
    return user.is_active and user.is_staff and user.has_perm(MANAGE_PERMISSION)


def client_user_admin_required(view):
    """Send anonymous users to the warehouse sign-in; refuse everyone else
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
