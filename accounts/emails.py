"""Account emails, each rendered from a subject, text and HTML template."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.mail_connection import send_message


def site_link(url_name: str) -> str:
    """Return the absolute URL of a page, built on SITE_URL for use outside requests."""
    return settings.SITE_URL + reverse(url_name)


def send_templated_email(template: str, to_address: str, context: dict) -> None:
    """Render emails/<template>_{subject.txt,body.txt,body.html} and send them."""
    context = {
        **context,
        "sign_in_url": site_link("clientportal:sign-in"),
        "forgot_url": site_link("clientportal:forgot-password"),
    }
    subject = render_to_string(f"emails/{template}_subject.txt", context)
    text = render_to_string(f"emails/{template}_body.txt", context)
    html = render_to_string(f"emails/{template}_body.html", context)

    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to_address],
        # RFC 3834: mail servers send no auto-replies to this message.
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    send_message(message)
