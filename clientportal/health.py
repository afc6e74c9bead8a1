"""/healthz for load balancers: 200 when the database responds, 503 when not.

The middleware returns the response before any other middleware runs, so the check needs
no session, skips the HTTPS redirect and never validates the Host header: a
load balancer probing an app server by its IP address gets a response.
"""

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"


def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        logger.error("Health check failed: the database is unreachable: %s", error)
        return _plain("database unreachable\n", status=503)
    return _plain("ok\n", status=200)


def _plain(body: str, status: int) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type="text/plain")
    response["Cache-Control"] = "no-store"
    return response


def health_check(get_response):
    def middleware(request):
        if request.path_info == HEALTH_PATH:
            return healthz(request)
        return get_response(request)

    return middleware
