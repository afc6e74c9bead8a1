from django.urls import path

from clientportal import health
from clientportal.views import (
    access_review,
    client_user_account,
    client_users,
    forgot,
    portal,
    signin,
)

app_name = "clientportal"

urlpatterns = [
    path("", signin.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("sign-in/", signin.sign_in, name="sign-in"),
    path(
        "warehouse/sign-in/",
        signin.sign_in,
        {"audience": "warehouse"},
        name="warehouse-sign-in",
    ),
    path("sign-out/", signin.sign_out, name="sign-out"),
    path("sign-in/expired/", signin.password_expired, name="password-expired"),
    path("sign-in/expired/renew/", signin.renew_password, name="renew-password"),
    path("sign-in/forgot/", forgot.forgot_password, name="forgot-password"),
    path(
        "sign-in/forgot/sent/", forgot.forgot_password_sent, name="forgot-password-sent"
    ),
    path("portal/", portal.portal, name="portal"),
    path("portal/password/", portal.renew_password, name="portal-renew-password"),
    path("settings/client-users/", client_users.client_user_list, name="client-users"),
    path(
        "settings/client-users/add/",
        client_users.add_client_user,
        name="add-client-user",
    ),
    path(
        "settings/client-users/<int:pk>/unlock/",
        client_users.unlock_user,
        name="unlock-user",
    ),
    path(
        "settings/client-users/<int:pk>/reset-password/",
        client_users.reset_user_password,
        name="reset-password",
    ),
    path(
        "settings/client-users/<int:pk>/unlock-and-reset-password/",
        client_users.unlock_and_reset_password,
        name="unlock-and-reset-password",
    ),
    path(
        "settings/client-users/access-review.csv",
        access_review.access_review_csv,
        name="access-review-csv",
    ),
    path(
        "settings/client-users/<int:pk>/history/",
        client_user_account.account_history,
        name="account-history",
    ),
    path(
        "settings/client-users/<int:pk>/edit/",
        client_user_account.edit_account,
        name="edit-account",
    ),
    path(
        "settings/client-users/<int:pk>/deactivate/",
        client_user_account.deactivate,
        name="deactivate-account",
    ),
    path(
        "settings/client-users/<int:pk>/reactivate/",
        client_user_account.reactivate,
        name="reactivate-account",
    ),
    path(
        "settings/client-users/<int:pk>/sessions/",
        client_user_account.account_sessions,
        name="account-sessions",
    ),
    path(
        "settings/client-users/<int:pk>/sessions/end/",
        client_user_account.end_sessions,
        name="end-sessions",
    ),
]
