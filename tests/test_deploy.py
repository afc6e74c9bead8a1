"""Production settings: `check --deploy` is clean and every response is hardened."""

import json
import os
import re
import secrets
import subprocess
import sys
from http import HTTPStatus
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
# Set by the test settings or the browser tests; a deployment has none of them.
TEST_ONLY_VARIABLES = {
    "DEBUG",
    "SECURE_HTTPS",
    "SECURE_SSL_REDIRECT",
    "HSTS_SECONDS",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}
PRINT_SETTINGS = """
import django, json
django.setup()
from django.conf import settings as s
print(json.dumps({name: getattr(s, name) for name in [
    "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS", "SECURE_CONTENT_TYPE_NOSNIFF", "X_FRAME_OPTIONS",
    "SECURE_REFERRER_POLICY", "SESSION_COOKIE_HTTPONLY",
]} | {"STATICFILES": s.STORAGES["staticfiles"]["BACKEND"],
      "MIDDLEWARE": s.MIDDLEWARE}))
"""


def production_env(tmp_path) -> dict:
    """The environment of a production deployment, with nothing set for HTTPS."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in TEST_ONLY_VARIABLES
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="False",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="portal.example.test",
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    )
    return env


def run_python(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_reports_nothing(tmp_path):
    result = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        production_env(tmp_path),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_are_hardened(tmp_path):
    result = run_python(["-c", PRINT_SETTINGS], production_env(tmp_path))
    values = json.loads(result.stdout)

    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"
    assert values["STATICFILES"].startswith("whitenoise.storage.")
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in values["MIDDLEWARE"]


def test_settings_refuse_to_start_without_secret_key(tmp_path):
    env = production_env(tmp_path)
    env["SECRET_KEY"] = ""

    result = run_python(["manage.py", "check"], env)

    assert result.returncode != 0
    assert "SECRET_KEY is missing" in result.stderr


@pytest.mark.parametrize(
    "url_name",
    ["clientportal:home", "clientportal:sign-in", "clientportal:client-users"],
)
def test_responses_carry_security_headers(client, db, settings, url_name):
    settings.SECURE_HSTS_SECONDS = 31536000

    response = client.get(reverse(url_name), secure=True)
    policy = response["Content-Security-Policy"]

    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_templates_have_no_inline_script_or_style():
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
    inline_handler = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
    style_attribute = re.compile(r"\sstyle\s*=", re.IGNORECASE)
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        if template.parent.name == "emails":
            continue  # Email clients, not browsers under the CSP, render these.
        text = template.read_text()
        for pattern in (inline_script, inline_handler, style_attribute):
            if pattern.search(text):
                offenders.append(f"{template.relative_to(ROOT)}: {pattern.pattern}")

    assert offenders == []


def test_whitenoise_serves_static_files(client, db):
    response = client.get("/static/css/site.css")

    assert response.status_code == HTTPStatus.OK
    assert b"".join(response.streaming_content).startswith(b":root")
