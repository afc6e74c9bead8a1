from accounts.expiry import is_expiry_near, password_expires_at
from clientportal.views.permissions import can_manage_client_users


def password_expiry(request) -> dict:
    """Offer the expiry banner to signed-in client users near their expiry date."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_client_user:
        return {}
    if not is_expiry_near(user):
        return {}
    return {"password_expiry_banner": password_expires_at(user)}


def staff_menu(request) -> dict:
    """Tell the page header whether to link to Client User Accounts.

    The value is a callable, which templates call only when they use it, so
    pages without the header (Django's admin) pay no permission query.
    """
    user = getattr(request, "user", None)

    def allowed() -> bool:
        return (
            user is not None and user.is_authenticated and can_manage_client_users(user)
        )

    return {"can_manage_client_users": allowed}
