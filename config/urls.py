from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from clientportal.views.errors import not_served
from clientportal.views.signin import sign_out

urlpatterns = [
    # Django's admin signs in through the warehouse page, so the same lockout
    # rules guard it; query strings (?next=) are carried over.
    path(
        "admin/login/",
        RedirectView.as_view(
            pattern_name="clientportal:warehouse-sign-in", query_string=True
        ),
    ),
    # The portal's sign-out also deletes the session's UserSession row, which
    # would otherwise count as an active browser for the concurrent sign-in
    # policy until it went idle.
    path("admin/logout/", sign_out),
    # Passwords are generated, never chosen: the admin's own form is not served.
    path("admin/password_change/", not_served),
    path("admin/password_change/done/", not_served),
    path("admin/", admin.site.urls),
    path("", include("clientportal.urls")),
]
