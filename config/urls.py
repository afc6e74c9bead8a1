from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    # Django's admin signs in through the warehouse page, so the same lockout
    # rules guard it; query strings (?next=) are carried over.
    path(
        "admin/login/",
        RedirectView.as_view(
            pattern_name="clientportal:warehouse-sign-in", query_string=True
        ),
    ),
    path("admin/", admin.site.urls),
    path("", include("clientportal.urls")),
]
