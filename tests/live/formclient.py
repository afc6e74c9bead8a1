"""A minimal browser for live servers: a cookie jar, CSRF tokens, no redirects."""

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LOCKED_MARK = "This account is locked"
COUNTDOWN_MARK = "before the account is locked"


@dataclass(frozen=True)
class Response:
    status: int
    body: str
    location: str
    cookies_set: tuple[str, ...]

    @property
    def is_locked_page(self) -> bool:
        return LOCKED_MARK in self.body

    @property
    def is_countdown(self) -> bool:
        return COUNTDOWN_MARK in self.body


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class FormClient:
    """One browser: its own cookies, GETs a form before posting it."""

    def __init__(self, base_url: str, timeout: float = 60) -> None:
        self.base_url = base_url
        self.timeout = timeout
        self.cookies = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()
        )
        self._form_token = ""

    def get(self, path: str) -> Response:
        response = self._open(urllib.request.Request(self.base_url + path))
        match = CSRF_INPUT.search(response.body)
        if match:
            self._form_token = match.group(1)
        return response

    def post(self, path: str, data: dict[str, str]) -> Response:
        """POST `data` with the CSRF token of the last form this client loaded."""
        body = urllib.parse.urlencode(
            {**data, "csrfmiddlewaretoken": self._form_token}
        ).encode()
        return self._open(
            urllib.request.Request(self.base_url + path, data=body, method="POST")
        )

    def sign_in(self, username: str, password: str, path: str = "/sign-in/"):
        self.get(path)
        return self.post(path, {"username": username, "password": password})

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.cookies if c.name == name), None)

    def _open(self, request: urllib.request.Request) -> Response:
        try:
            raw = self._opener.open(request, timeout=self.timeout)
        except urllib.error.HTTPError as error:
            raw = error
        with raw:
            headers = raw.headers
            cookies = tuple(
                value.split("=", 1)[0] for value in headers.get_all("Set-Cookie") or []
            )
            return Response(
                status=raw.status if hasattr(raw, "status") else raw.code,
                body=raw.read().decode(errors="replace"),
                location=headers.get("Location", ""),
                cookies_set=cookies,
            )
