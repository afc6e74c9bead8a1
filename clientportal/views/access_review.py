import logging

from django.conf import settings
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone

from accounts.access_review import access_review_rows, csv_lines
from accounts.client_ip import client_ip
from clientportal.views.permissions import client_user_admin_required

security_log = logging.getLogger(settings.SECURITY_LOGGER)


@client_user_admin_required
def access_review_csv(request: HttpRequest) -> StreamingHttpResponse:
    """Stream every client user as CSV for a periodic access review."""
    security_log.info(
        "access_review_exported actor_id=%s ip=%s", request.user.pk, client_ip(request)
    )
    filename = f"access-review-{timezone.now():%Y-%m-%d}.csv"
    response = StreamingHttpResponse(
        csv_lines(access_review_rows()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
