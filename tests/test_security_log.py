"""The security log: what is logged, from which address, and what never is."""

import logging
import re

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.client_ip import client_ip
from tests.smtp import text_body

SECURITY = "accounts.security"
EMAIL_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


@pytest.fixture
def security_lines(caplog):
    caplog.set_level(logging.INFO, logger=SECURITY)

    def lines() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.name == SECURITY]

    return lines


def lock_by_failures(sign_in, **headers) -> None:
    attacker = Client(headers=headers)
    for password in ["wrong-1", "wrong-2", "wrong-3"]:
        sign_in(attacker, "dana", password)


def test_lock_is_logged_with_user_ip_and_cause(dana, sign_in, security_lines):
    lock_by_failures(sign_in)

    assert (
        f"locked user_id={dana.pk} actor_id=None ip=127.0.0.1 "
        "cause=failed_attempts" in security_lines()
    )


def test_concurrent_sign_in_is_logged(dana, sign_in, security_lines):
    sign_in(Client(), "dana")
    sign_in(Client(), "dana")

    lines = security_lines()
    assert any(
        line.startswith(f"concurrent_sign_in user_id={dana.pk} ")
        and line.endswith("cause=policy_lock")
        for line in lines
    )
    assert any(
        line.startswith(f"locked user_id={dana.pk} ")
        and line.endswith("cause=concurrent_sign_in")
        for line in lines
    )


def test_admin_unlock_is_logged_without_the_typed_reason(
    dana, admin_user, admin_client, sign_in, security_lines
):
    lock_by_failures(sign_in)
    admin_client.post(
        reverse("clientportal:unlock-user", args=[dana.pk]),
        {"reason": "Dana (dana.reyes@harborcrate.test) phoned"},
    )

    unlocks = [line for line in security_lines() if line.startswith("unlocked ")]
    assert unlocks == [
        f"unlocked user_id={dana.pk} actor_id={admin_user.pk} ip=127.0.0.1 cause=admin"
    ]


def test_admin_reset_is_logged(dana, admin_user, admin_client, security_lines):
    admin_client.post(reverse("clientportal:reset-password", args=[dana.pk]))

    assert any(
        line.startswith(f"password_reset_admin user_id={dana.pk} ")
        and f"actor_id={admin_user.pk}" in line
        for line in security_lines()
    )


def test_locked_unknown_username_is_logged_without_it(
    db, client, sign_in, security_lines
):
    for password in ["wrong-1", "wrong-2", "wrong-3"]:
        sign_in(client, "nobody-here", password)

    lines = security_lines()
    assert any(line.startswith("locked_unknown_username ") for line in lines)
    assert not any("nobody-here" in line for line in lines)


def test_log_has_no_secrets(
    dana, admin_client, sign_in, smtp_server, run_worker, caplog
):
    caplog.set_level(logging.DEBUG)
    wrong = ["wrong-guess-one", "wrong-guess-two", "wrong-guess-three"]
    for password in wrong:
        sign_in(Client(), "dana", password)
    Client().post(reverse("clientportal:forgot-password"), {"identifier": "dana"})
    run_worker()
    emailed = _emailed_password(smtp_server)
    sign_in(Client(), "dana", emailed)
    reset = admin_client.post(reverse("clientportal:reset-password", args=[dana.pk]))

    # aiosmtpd, the test's mail server, logs what it receives under "mail.log".
    records = [r for r in caplog.records if not r.name.startswith("mail.")]
    logged = "\n".join(record.getMessage() for record in records)
    assert records
    assert reset.context["new_password"] not in logged
    for secret in [*wrong, emailed, "P-valid"]:
        assert secret not in logged
    assert not EMAIL_ADDRESS.search(logged)


def _emailed_password(smtp_server) -> str:
    lines = [line.strip() for line in text_body(smtp_server.messages[-1]).splitlines()]
    index = lines.index("Your new password is:")
    return next(line for line in lines[index + 1 :] if line)


@pytest.mark.parametrize(
    "proxies, forwarded, expected",
    [
        (0, "203.0.113.9", "10.0.0.5"),
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "192.0.2.66, 203.0.113.9", "203.0.113.9"),
        (2, "192.0.2.66, 203.0.113.9, 10.0.0.4", "203.0.113.9"),
        (2, "203.0.113.9", "10.0.0.5"),
        (1, "not-an-address", "10.0.0.5"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip_trusts_only_configured_proxies(
    settings, proxies, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=forwarded
    )

    assert client_ip(request) == expected


def test_lock_log_names_the_forwarded_client(dana, sign_in, settings, security_lines):
    settings.TRUSTED_PROXY_COUNT = 1
    lock_by_failures(sign_in, x_forwarded_for="192.0.2.66, 203.0.113.9")

    assert any(
        line.startswith(f"locked user_id={dana.pk} ") and "ip=203.0.113.9 " in line
        for line in security_lines()
    )
    assert dana.events.filter(ip_address="192.0.2.66").count() == 0
    assert dana.events.filter(ip_address="203.0.113.9").count() == 4
