"""The product's URLs plus a bare Django form view to compare against."""

from django import forms
from django.db import connection
from django.shortcuts import redirect, render
from django.urls import include, path
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect


class BareForm(forms.Form):
    identifier = forms.CharField(max_length=254)


@csrf_protect
@never_cache
def bare_form_view(request):
    """Validate a one-field form and redirect: no database, no task."""
    form = BareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return redirect("clientportal:forgot-password-sent")
    return render(request, "clientportal/forgot_password.html", {"form": form})


@csrf_protect
@never_cache
def bare_form_query_view(request):
    """Validate a one-field form, run one query and redirect.

    The least that any view touching the database costs, for comparison.
    """
    form = BareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return redirect("clientportal:forgot-password-sent")
    return render(request, "clientportal/forgot_password.html", {"form": form})


urlpatterns = [
    path("bench/bare/", bare_form_view),
    path("bench/bare-query/", bare_form_query_view),
    path("", include("config.urls")),
]
