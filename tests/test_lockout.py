"""Locks that hold, and the ways out of them: unlock, emailed password."""

import io
from datetime import UTC, datetime, timedelta
from http import HTTPStatus

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.generator import generate_password
from accounts.models import LockReason
from tests.smtp import text_body

WRONG = ["wrong-1", "wrong-2", "wrong-3", "wrong-4", "wrong-5", "wrong-6"]
LOCKED_AT = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def lock(sign_in, username: str, url_name: str = "clientportal:sign-in"):
    attacker = Client()
    for password in WRONG[:3]:
        response = sign_in(attacker, username, password, url_name=url_name)
    return response


def admin_lists(sign_in) -> tuple[str, str]:
    """Return the admin's locked list and standard list, freshly signed in."""
    admin = Client()
    sign_in(admin, "wendy", url_name="clientportal:warehouse-sign-in")
    url = reverse("clientportal:client-users")
    locked = admin.get(url, {"locked": "1"}).content.decode()
    standard = admin.get(url).content.decode()
    return locked, standard


@pytest.mark.parametrize(
    "later", [timedelta(hours=1), timedelta(hours=25), timedelta(days=31)]
)
def test_lock_does_not_expire(client, dana, admin_user, sign_in, time_machine, later):
    """The sign-in page and the admin list agree the lock still holds."""
    time_machine.move_to(LOCKED_AT, tick=False)
    lock(sign_in, "dana")

    time_machine.move_to(LOCKED_AT + later, tick=False)
    response = sign_in(client, "dana")
    locked_list, standard_list = admin_lists(sign_in)

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "This account is locked" in response.content.decode()
    assert 'data-username="dana"' in locked_list
    assert 'data-username="dana"' not in standard_list
    assert "1 locked account is hidden" in standard_list


def test_admin_login_form_post_checks_no_password(client, admin_user):
    """Django's own admin login only redirects; it never signs anyone in."""
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "wendy", "password": "P-valid"}
    )

    admin_user.refresh_from_db()
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/warehouse/sign-in/?next=/admin/"
    assert admin_user.last_login is None


def test_warehouse_staff_lock_after_three_failures(client, admin_user, sign_in):
    response = lock(sign_in, "wendy", url_name="clientportal:warehouse-sign-in")
    right = sign_in(client, "wendy", url_name="clientportal:warehouse-sign-in")

    admin_user.refresh_from_db()
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert right.status_code == HTTPStatus.FORBIDDEN
    assert admin_user.lock_reason == LockReason.FAILED_ATTEMPTS


def test_unlock_command_frees_warehouse_staff(client, admin_user, sign_in):
    lock(sign_in, "wendy", url_name="clientportal:warehouse-sign-in")

    call_command("unlock", "WENDY", stdout=io.StringIO())
    response = client.post(
        reverse("clientportal:warehouse-sign-in"),
        {"username": "wendy", "password": "P-valid", "next": "/admin/"},
    )

    admin_user.refresh_from_db()
    assert admin_user.locked_at is None
    assert not AccessAttempt.objects.filter(username="wendy").exists()
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == HTTPStatus.OK


def request_emailed_password(run_worker, smtp_server) -> str:
    Client().post(reverse("clientportal:forgot-password"), {"identifier": "dana"})
    run_worker()
    message = [m for m in smtp_server.messages if "new password" in text_body(m)][-1]
    lines = [line.strip() for line in text_body(message).splitlines()]
    index = lines.index("Your new password is:")
    return next(line for line in lines[index + 1 :] if line)


def test_emailed_password_lifts_failed_attempt_lock(
    client, dana, sign_in, smtp_server, run_worker
):
    """The owner proved they read the mailbox."""
    lock(sign_in, "dana")
    emailed = request_emailed_password(run_worker, smtp_server)

    response = sign_in(client, "dana", emailed)

    dana.refresh_from_db()
    assert response.status_code == HTTPStatus.FOUND
    assert dana.locked_at is None
    assert dana.check_password(emailed)


def test_locked_discards_pending_after_three_tries(
    client, dana, sign_in, smtp_server, run_worker
):
    lock(sign_in, "dana")
    emailed = request_emailed_password(run_worker, smtp_server)

    for _ in range(3):
        sign_in(Client(), "dana", generate_password())
    response = sign_in(client, "dana", emailed)

    dana.refresh_from_db()
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert dana.pending_password == ""
    assert dana.locked_at is not None


def test_password_unlike_a_generated_one_spends_no_try(
    client, dana, sign_in, smtp_server, run_worker
):
    lock(sign_in, "dana")
    emailed = request_emailed_password(run_worker, smtp_server)

    for password in WRONG:
        sign_in(Client(), "dana", password)
    response = sign_in(client, "dana", emailed)

    assert response.status_code == HTTPStatus.FOUND


def test_refilled_password_keeps_pending_tries(
    client, dana, sign_in, smtp_server, run_worker
):
    """A browser that keeps filling in the old password spends one try."""
    lock(sign_in, "dana")
    emailed = request_emailed_password(run_worker, smtp_server)

    old_password = generate_password()
    for _ in range(5):
        sign_in(client, "dana", old_password)
    response = sign_in(client, "dana", emailed)

    assert response.status_code == HTTPStatus.FOUND


def test_new_emailed_password_gets_fresh_tries(
    client, dana, sign_in, smtp_server, run_worker
):
    lock(sign_in, "dana")
    request_emailed_password(run_worker, smtp_server)
    for _ in range(2):
        sign_in(Client(), "dana", generate_password())

    emailed = request_emailed_password(run_worker, smtp_server)
    for _ in range(2):
        sign_in(Client(), "dana", generate_password())
    response = sign_in(client, "dana", emailed)

    assert response.status_code == HTTPStatus.FOUND


def test_concurrent_sign_in_lock_ignores_emailed_password(
    client, dana, sign_in, smtp_server, run_worker
):
    """Only the warehouse lifts a concurrent sign-in lock."""
    emailed = request_emailed_password(run_worker, smtp_server)
    sign_in(Client(), "dana")
    sign_in(Client(), "dana")

    response = sign_in(client, "dana", emailed)

    dana.refresh_from_db()
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert dana.lock_reason == LockReason.CONCURRENT_SIGN_IN


def test_pending_password_clears_earlier_failures(
    client, dana, sign_in, smtp_server, run_worker
):
    for password in WRONG[:2]:
        sign_in(client, "dana", password)
    emailed = request_emailed_password(run_worker, smtp_server)

    response = sign_in(client, "dana", emailed)

    dana.refresh_from_db()
    assert response.status_code == HTTPStatus.FOUND
    assert dana.failed_attempts == 0
    assert dana.locked_at is None
    assert not AccessAttempt.objects.filter(username="dana").exists()


def test_warehouse_locked_page_offers_no_forgot_password(admin_user, sign_in):
    """Forgot password? never emails staff, so their locked page does not offer it.

    The page depends only on the sign-in page used, never on the account, so
    it reveals to no one whether a username belongs to staff.
    """
    response = lock(sign_in, "wendy", url_name="clientportal:warehouse-sign-in")

    body = response.content.decode()
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "This account is locked" in body
    assert reverse("clientportal:forgot-password") not in body


def test_client_locked_page_offers_forgot_password(dana, sign_in):
    response = lock(sign_in, "dana")

    body = response.content.decode()
    assert reverse("clientportal:forgot-password") in body
    assert f'href="{reverse("clientportal:sign-in")}"' in body
