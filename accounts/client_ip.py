import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """Return the client's address, trusting X-Forwarded-For only as far as
    TRUSTED_PROXY_COUNT proxies added to it.

    Each trusted proxy appends the address it received the request from, so
    the client is the entry that many places from the right. Anything further
    left was written by the client and could be forged. An entry that is not
    an IP address (a misconfigured proxy) falls back to the connection's
    address rather than reaching the IP columns of the database.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.TRUSTED_PROXY_COUNT
    if not proxies:
        return remote

    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if len(hops) < proxies:
        return remote
    return _valid_ip(hops[-proxies]) or remote


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None
