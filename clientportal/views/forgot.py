from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from accounts.client_ip import client_ip
from accounts.forgot import request_new_password
from clientportal.forms import ForgotPasswordForm


# The identifier may be an email address, which error reports must not show.
@sensitive_post_parameters("identifier")
@csrf_protect
@never_cache
def forgot_password(request: HttpRequest) -> HttpResponse:
    form = ForgotPasswordForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        # The response is the same whether an account matched and whether the
        # request was over a limit, so the page reveals neither.
        request_new_password(form.cleaned_data["identifier"], client_ip(request))
        return redirect("clientportal:forgot-password-sent")
    return render(request, "clientportal/forgot_password.html", {"form": form})


def forgot_password_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "clientportal/forgot_password_sent.html")
