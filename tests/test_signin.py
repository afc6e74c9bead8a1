import re
from http import HTTPStatus

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.urls import reverse

from accounts.models import EventKind, LockReason, User

WRONG = ["wrong-1", "wrong-2", "wrong-3", "wrong-4"]


def test_right_password_opens_portal(client, dana, sign_in):
    response = sign_in(client, "dana")

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("clientportal:portal")
    assert client.get(reverse("clientportal:portal")).status_code == HTTPStatus.OK


def test_wrong_password_shows_attempts_left(client, dana, sign_in):
    response = sign_in(client, "dana", WRONG[0])

    assert response.status_code == HTTPStatus.OK
    assert "2 attempts are left" in response.content.decode()


def test_third_failure_locks_account(client, dana, sign_in):
    sign_in(client, "dana", WRONG[0])
    sign_in(client, "dana", WRONG[1])
    response = sign_in(client, "dana", WRONG[2])

    dana.refresh_from_db()
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "This account is locked" in response.content.decode()
    assert dana.locked_at is not None
    assert dana.lock_reason == LockReason.FAILED_ATTEMPTS
    assert dana.failed_attempts == 3


def test_failure_counts_once_everywhere(client, dana, sign_in):
    """Whichever sign-in page the failure came through."""
    pages = [
        "clientportal:sign-in",
        "clientportal:warehouse-sign-in",
    ]
    for count, page in enumerate(pages, start=1):
        sign_in(client, "dana", WRONG[count], url_name=page)
        dana.refresh_from_db()
        attempt = AccessAttempt.objects.get(username="dana")
        assert dana.failed_attempts == count
        assert attempt.failures_since_start == count

    assert sign_in(client, "dana").status_code == HTTPStatus.FOUND


def test_admin_login_goes_through_warehouse_sign_in(client):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/warehouse/sign-in/?next=/admin/"


def test_locked_account_refuses_right_password(client, dana, sign_in):
    """No password check, no session cookie, last_login unchanged."""
    for password in WRONG[:3]:
        sign_in(client, "dana", password)
    client.cookies.clear()
    dana.refresh_from_db()
    last_login = dana.last_login

    for page in ["clientportal:sign-in", "clientportal:warehouse-sign-in"]:
        response = sign_in(client, "dana", url_name=page)
        assert response.status_code == HTTPStatus.FORBIDDEN
        assert "sessionid" not in response.cookies

    dana.refresh_from_db()
    assert dana.last_login == last_login
    assert AccessAttempt.objects.get(username="dana").failures_since_start == 3


def test_axes_record_uses_normalised_username(client, dana, sign_in):
    """The axes record must see the form's username field."""
    for password in WRONG[:3]:
        sign_in(client, "  DANA ", password)

    assert AccessAttempt.objects.filter(username="dana").exists()
    assert AccessFailureLog.objects.filter(username="dana").count() == 3


def test_axes_field_setting_matches_form():
    from django.conf import settings

    from clientportal.forms import SignInForm

    assert settings.AXES_USERNAME_FORM_FIELD in SignInForm.base_fields
    assert settings.AXES_PASSWORD_FORM_FIELD in SignInForm.base_fields


def test_success_resets_count(client, dana, sign_in):
    """Wrong, wrong, right, sign out, wrong, wrong: not locked."""
    sign_in(client, "dana", WRONG[0])
    sign_in(client, "dana", WRONG[1])
    assert sign_in(client, "dana").status_code == HTTPStatus.FOUND

    dana.refresh_from_db()
    assert dana.failed_attempts == 0
    assert not AccessAttempt.objects.filter(username="dana").exists()
    assert AccessLog.objects.filter(username="dana").exists()

    client.post(reverse("clientportal:sign-out"))
    sign_in(client, "dana", WRONG[2])
    response = sign_in(client, "dana", WRONG[3])

    dana.refresh_from_db()
    assert response.status_code == HTTPStatus.OK
    assert dana.locked_at is None
    assert dana.failed_attempts == 2


def test_repeated_wrong_password_counts_once(client, dana, sign_in):
    for _ in range(5):
        response = sign_in(client, "dana", WRONG[0])

    dana.refresh_from_db()
    assert response.status_code == HTTPStatus.OK
    assert dana.failed_attempts == 1
    assert "2 attempts are left" in response.content.decode()


def test_username_spellings_share_one_counter(client, dana, sign_in):
    sign_in(client, "Dana", WRONG[0])
    sign_in(client, " dana", WRONG[1])
    response = sign_in(client, "ＤＡＮＡ", WRONG[2])

    dana.refresh_from_db()
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert dana.locked_at is not None


def test_unknown_username_answers_like_real_one(client, dana, sign_in):
    real = [sign_in(client, "dana", p) for p in WRONG[:3]]
    client.cookies.clear()
    fake = [sign_in(client, "nobody", p) for p in WRONG[:3]]

    for real_response, fake_response in zip(real, fake, strict=True):
        assert real_response.status_code == fake_response.status_code
        real_body = _without_csrf(real_response.content.decode())
        fake_body = _without_csrf(fake_response.content.decode())
        assert real_body.replace("dana", "nobody") == fake_body
    assert User.objects.filter(username="nobody").count() == 0


def _without_csrf(body: str) -> str:
    import re

    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)


def test_lock_ends_sessions(client, dana, sign_in):
    from django.test import Client

    assert sign_in(client, "dana").status_code == HTTPStatus.FOUND
    attacker = Client()
    for password in WRONG[:3]:
        sign_in(attacker, "dana", password)

    response = client.get(reverse("clientportal:portal"))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("clientportal:sign-in"))


def test_lock_writes_events(client, dana, sign_in):
    for password in WRONG[:3]:
        sign_in(client, "dana", password)

    kinds = list(dana.events.values_list("kind", flat=True))
    assert kinds.count(EventKind.SIGN_IN_FAILED) == 3
    assert EventKind.LOCKED in kinds


@pytest.mark.parametrize(
    "field, value",
    [
        ("username", "x" * 10_000),
        ("password", "x" * 10_000),
        ("username", "da\x00na"),
        ("password", "pass\x00word"),
        ("username", "\u202edana"),
        ("username", "   "),
    ],
)
def test_bad_input_is_a_form_error(client, dana, field, value):
    data = {"username": "dana", "password": "whatever"}
    data[field] = value
    response = client.post(reverse("clientportal:sign-in"), data)

    dana.refresh_from_db()
    assert response.status_code == HTTPStatus.OK
    assert 'class="field-error"' in response.content.decode()
    assert dana.failed_attempts == 0


def test_stale_csrf_token_shows_form_again(dana):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.get(reverse("clientportal:sign-in"))
    response = csrf_client.post(
        reverse("clientportal:sign-in"),
        {"username": "dana", "password": "wrong", "csrfmiddlewaretoken": "stale"},
    )

    dana.refresh_from_db()
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "The sign-in form had expired" in response.content.decode()
    assert 'name="password"' in response.content.decode()
    assert dana.failed_attempts == 0


def focused_fields(response) -> list[str]:
    """Return the names of the inputs that carry autofocus."""
    inputs = re.findall(r"<input[^>]*>", response.content.decode())
    return [
        re.search(r'name="(\w+)"', tag).group(1)
        for tag in inputs
        if re.search(r"\bautofocus\b", tag)
    ]


def test_wrong_password_focuses_password_field(client, dana, sign_in):
    """Retyping at once must not put the password into the visible username box."""
    response = sign_in(client, "dana", "wrong-1")

    assert focused_fields(response) == ["password"]


def test_empty_form_focuses_username_field(client, db):
    response = client.get(reverse("clientportal:sign-in"))

    assert focused_fields(response) == ["username"]
