"""Production smoke test: the portal as deployed, end to end, on this machine.

Creates a PostgreSQL database of its own, migrates it, collects static files,
then starts gunicorn (config/gunicorn.conf.py) with production settings
(DEBUG off, HTTPS-only cookies, HSTS) behind a pretend TLS proxy, one task
worker and a loopback SMTP server (aiosmtpd). Over HTTP it checks /healthz,
the security headers and the HTTPS redirect, signs in as a warehouse admin,
resets a client user's password from the admin list, and requests a
forgot-password email, which must reach the SMTP server. Everything stops
and the database is dropped at the end, pass or fail.

    make prod-smoke          # or: .venv/bin/python deploy/prod_smoke.py
"""

import http.client
import os
import re
import secrets
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.smtp import LoopbackSMTPServer, free_port  # noqa: E402

SERVER_URL = os.environ.get("SMOKE_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
DATABASE = "portal_prod_smoke"
HOST = "127.0.0.1"
ADMIN = "smoke-admin"
CLIENT_USER = "smoke-client"
CLIENT_EMAIL = "smoke-client@smoke.test"
STARTUP_SECONDS = 30
EMAIL_SECONDS = 60
# Variables a developer's or CI's shell may carry that no deployment has.
TEST_ONLY_VARIABLES = {
    "DEBUG",
    "SECURE_HTTPS",
    "SECURE_SSL_REDIRECT",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RESET_ACTION = re.compile(r'action="(/settings/client-users/\d+/reset-password/)"')


class SmokeFailure(Exception):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)
    print(f"ok  {message}")


class Browser:
    """A minimal HTTP client that keeps cookies and sends the headers a TLS
    proxy in front of gunicorn would add (X-Forwarded-Proto: https).

    Cookies are kept by hand because the portal's are Secure, which Python's
    cookie jar would not send over this loopback plain-HTTP connection.
    """

    def __init__(self, port: int, behind_proxy: bool = True) -> None:
        self.port = port
        self.behind_proxy = behind_proxy
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None):
        headers = {"Host": f"{HOST}:{self.port}", "User-Agent": "prod-smoke"}
        if self.behind_proxy:
            origin = f"https://{HOST}:{self.port}"
            headers |= {
                "X-Forwarded-Proto": "https",
                "X-Forwarded-For": "192.0.2.10",
                "Origin": origin,
                "Referer": f"{origin}{path}",
            }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response, text

    def get(self, path: str):
        return self.request("GET", path)

    def post_form(self, path: str, fields: dict, form_page: str | None = None):
        """GET the form page for a CSRF token, then POST `fields` to `path`."""
        _response, page = self.get(form_page or path)
        token = CSRF_FIELD.search(page)
        if token is None:
            raise SmokeFailure(f"No CSRF token on {form_page or path}")
        return self.request("POST", path, {**fields, "csrfmiddlewaretoken": token[1]})


def production_env(smtp_port: int) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in TEST_ONLY_VARIABLES
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="False",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        DATABASE_URL=f"{SERVER_URL}/{DATABASE}",
        EMAIL_URL=f"smtp://{HOST}:{smtp_port}",
        DEFAULT_FROM_EMAIL="portal@smoke.test",
        SITE_URL=f"https://{HOST}",
        TRUSTED_PROXY_COUNT="1",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(env: dict, *args: str, secret_env: dict | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**env, **(secret_env or {})},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise SmokeFailure(f"manage.py {args[0]} failed:\n{result.stderr}")
    return result.stdout


def prepare_database(env: dict, admin_password: str) -> None:
    drop_database()
    with psycopg.connect(f"{SERVER_URL}/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {DATABASE}")
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    manage(
        env,
        "createsuperuser",
        "--noinput",
        "--username",
        ADMIN,
        "--email",
        "admin@smoke.test",
        secret_env={"DJANGO_SUPERUSER_PASSWORD": admin_password},
    )
    manage(env, "create_client", "--code", "SMK", "--name", "Smoke Test Co.")
    manage(
        env,
        "create_client_user",
        CLIENT_USER,
        "--client",
        "SMK",
        "--email",
        CLIENT_EMAIL,
    )


def drop_database() -> None:
    with psycopg.connect(f"{SERVER_URL}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def start_processes(env: dict, port: int) -> list[subprocess.Popen]:
    gunicorn = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        "config/gunicorn.conf.py",
    ]
    worker = [
        sys.executable,
        "manage.py",
        "db_worker",
        "--interval",
        "0.5",
        "--no-reload",
    ]
    web_env = {**env, "GUNICORN_BIND": f"{HOST}:{port}", "GUNICORN_WORKERS": "2"}
    return [
        subprocess.Popen(gunicorn, cwd=ROOT, env=web_env),  # noqa: S603
        subprocess.Popen(worker, cwd=ROOT, env=env),  # noqa: S603
    ]


def stop_processes(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_healthy(port: int) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        try:
            response, _text = Browser(port, behind_proxy=False).get("/healthz")
            if response.status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SmokeFailure(f"/healthz did not return 200 within {STARTUP_SECONDS} s")


def check_headers(port: int) -> None:
    response, _text = Browser(port, behind_proxy=False).get("/")
    check(response.status == 301, "plain HTTP is redirected to HTTPS")
    response, _text = Browser(port).get("/")
    check(response.status == 200, "home page answers over HTTPS")
    check("max-age=" in response.headers["Strict-Transport-Security"], "HSTS is set")
    check("script-src 'self'" in response.headers["Content-Security-Policy"], "CSP")
    check(response.headers["X-Frame-Options"] == "DENY", "X-Frame-Options: DENY")
    check(response.headers["X-Content-Type-Options"] == "nosniff", "nosniff")
    check(response.headers["Referrer-Policy"] == "same-origin", "Referrer-Policy")
    response, _text = Browser(port).get("/static/css/site.css")
    check(response.status == 200, "whitenoise serves the collected static files")


def check_admin_action(port: int, admin_password: str) -> None:
    admin = Browser(port)
    response, _text = admin.post_form(
        "/warehouse/sign-in/", {"username": ADMIN, "password": admin_password}
    )
    check(response.status == 302, "warehouse admin signs in")
    check(
        all(name in admin.cookies for name in ("sessionid", "csrftoken")),
        "session and CSRF cookies are set",
    )
    _response, page = admin.get("/settings/client-users/")
    reset = RESET_ACTION.search(page)
    check(reset is not None, "the client user is in Client User Accounts")
    response, page = admin.post_form(reset[1], {}, form_page="/settings/client-users/")
    check(
        response.status == 200 and 'data-testid="new-password"' in page,
        "Reset Password shows the new password",
    )


def check_forgot_password(port: int, smtp: LoopbackSMTPServer) -> None:
    visitor = Browser(port)
    response, _text = visitor.post_form("/sign-in/forgot/", {"identifier": CLIENT_USER})
    check(response.status == 302, "forgot-password request is accepted")
    deadline = time.monotonic() + EMAIL_SECONDS
    while time.monotonic() < deadline and not smtp.messages_to(CLIENT_EMAIL):
        time.sleep(0.5)
    check(
        bool(smtp.messages_to(CLIENT_EMAIL)),
        "the worker delivered the new-password email to the SMTP server",
    )


def main() -> int:
    smtp = LoopbackSMTPServer()
    smtp.start()
    port = free_port()
    admin_password = secrets.token_urlsafe(18)
    env = production_env(smtp.port)
    processes: list[subprocess.Popen] = []
    try:
        prepare_database(env, admin_password)
        processes = start_processes(env, port)
        wait_until_healthy(port)
        check(True, f"gunicorn answers /healthz on {HOST}:{port}")
        check_headers(port)
        check_admin_action(port, admin_password)
        check_forgot_password(port, smtp)
    except SmokeFailure as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        return 1
    finally:
        stop_processes(processes)
        smtp.stop()
        drop_database()
    print("prod-smoke passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
