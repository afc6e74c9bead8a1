from django.contrib.auth.views import LoginView
from django.urls import path

from config.urls import urlpatterns as product_urlpatterns

urlpatterns = [
    path(
        "bare-login/",
        LoginView.as_view(template_name="clientportal/sign_in.html"),
        name="bare-login",
    ),
    *product_urlpatterns,
]
