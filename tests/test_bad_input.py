"""Hostile and malformed input on every form and query parameter.

Each case must end in a form error or an ordinary page: never a 5xx, never a
failed attempt counted for input that could not be a password, and never a
hash computed over an oversized value.
"""

from http import HTTPStatus
from urllib.parse import quote_from_bytes

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client
from django.urls import reverse

from accounts.models import AccountEvent, EventKind, UnknownUsername, User
from tests.factories import ClientUserFactory

LONG = "x" * 10_000
# U+FDFA is one character whose NFKC form is 18 characters long.
EXPANDING = "\ufdfa" * 150
RTL_OVERRIDE = "\u202e"
FORM = "application/x-www-form-urlencoded"

# Byte strings a browser or script can send that are not valid UTF-8: a lone
# UTF-16 surrogate encoded as if it were a code point, a stray continuation
# byte and a truncated sequence.
INVALID_UTF8 = [b"\xed\xa0\x80", b"\x80", b"\xe2\x82"]


@pytest.fixture
def hasher_calls(monkeypatch):
    """Count every password hash the fast test hasher computes or verifies."""
    calls = []
    encode = MD5PasswordHasher.encode

    def counting_encode(self, password, salt):
        calls.append(len(password))
        return encode(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counting_encode)
    return calls


def post_raw(client, url: str, body: bytes):
    return client.generic("POST", url, data=body, content_type=FORM)


def form_body(**fields: bytes) -> bytes:
    return b"&".join(name.encode() + b"=" + value for name, value in fields.items())


# Sign-in, client and warehouse.

SIGN_IN_PAGES = ["clientportal:sign-in", "clientportal:warehouse-sign-in"]
BAD_SIGN_IN_VALUES = [
    ("username", LONG),
    ("password", LONG),
    ("username", "da\x00na"),
    ("password", "P-valid\x00"),
    ("username", RTL_OVERRIDE + "anad"),
    ("password", "P-" + RTL_OVERRIDE + "valid"),
    ("username", EXPANDING),
    ("username", "\u200b"),
]


@pytest.mark.parametrize("page", SIGN_IN_PAGES)
@pytest.mark.parametrize("field, value", BAD_SIGN_IN_VALUES)
def test_sign_in_bad_value_is_form_error(
    client, dana, hasher_calls, page, field, value
):
    data = {"username": "dana", "password": "P-valid", field: value}
    response = client.post(reverse(page), data)

    dana.refresh_from_db()
    assert response.status_code == HTTPStatus.OK
    assert 'class="field-error"' in response.content.decode()
    assert hasher_calls == []
    assert dana.failed_attempts == 0
    assert not UnknownUsername.objects.exists()


@pytest.mark.parametrize("page", SIGN_IN_PAGES)
@pytest.mark.parametrize("raw", INVALID_UTF8)
@pytest.mark.parametrize("field", ["username", "password"])
def test_sign_in_invalid_utf8_is_form_error(
    client, dana, hasher_calls, page, raw, field
):
    fields = {"username": b"dana", "password": b"P-valid"}
    fields[field] += raw
    for body in [form_body(**fields), form_body(**_percent_encoded(fields))]:
        response = post_raw(client, reverse(page), body)

        assert response.status_code == HTTPStatus.OK
        assert 'class="field-error"' in response.content.decode()
    dana.refresh_from_db()
    assert hasher_calls == []
    assert dana.failed_attempts == 0


def _percent_encoded(fields: dict[str, bytes]) -> dict[str, bytes]:
    return {name: quote_from_bytes(value).encode() for name, value in fields.items()}


def test_nfkc_expanding_username_is_rejected(client, dana):
    """A username that grows past the column's length under NFKC is a form
    error, before anything is stored for it."""
    response = client.post(
        reverse("clientportal:sign-in"), {"username": EXPANDING, "password": "x"}
    )

    assert response.status_code == HTTPStatus.OK
    assert "at most 150 characters" in response.content.decode()
    assert not UnknownUsername.objects.exists()


def test_sign_in_missing_fields_is_form_error(client, dana):
    response = post_raw(client, reverse("clientportal:sign-in"), b"")

    assert response.status_code == HTTPStatus.OK
    assert 'class="field-error"' in response.content.decode()


def test_sign_in_repeated_fields_use_last_value(client, dana, hasher_calls):
    body = form_body(username=b"dana", password=b"x" * 300) + b"&password=P-valid"

    response = post_raw(client, reverse("clientportal:sign-in"), body)

    assert response.status_code == HTTPStatus.FOUND
    assert max(hasher_calls) <= len("P-valid")


def test_long_password_never_hashed(client, dana, hasher_calls):
    response = client.post(
        reverse("clientportal:sign-in"), {"username": "nobody", "password": LONG}
    )

    assert response.status_code == HTTPStatus.OK
    assert hasher_calls == []


def test_longest_accepted_password_is_hashed_once(client, dana, hasher_calls):
    response = client.post(
        reverse("clientportal:sign-in"), {"username": "dana", "password": "y" * 256}
    )

    assert response.status_code == HTTPStatus.OK
    assert hasher_calls == [256]


def test_oversized_body_is_rejected_without_error(client, dana):
    body = form_body(username=b"dana", password=b"x" * 3_000_000)

    response = post_raw(client, reverse("clientportal:sign-in"), body)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "The request could not be read" in response.content.decode()
    dana.refresh_from_db()
    assert dana.failed_attempts == 0


@pytest.mark.parametrize(
    "next_url, expected",
    [
        ("/portal/\x00", "/portal/%00"),
        ("\x00//evil.test/", "/portal/"),
        ("//evil.test/", "/portal/"),
        ("/\\evil.test", "/portal/"),
        ("https://evil.test/", "/portal/"),
        (LONG, "/portal/"),
    ],
)
def test_sign_in_bad_next_stays_on_site(client, dana, next_url, expected):
    response = client.post(
        reverse("clientportal:sign-in"),
        {"username": "dana", "password": "P-valid", "next": next_url},
    )

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == expected


# Forgot password.

BAD_IDENTIFIERS = [LONG, "dana\x00", RTL_OVERRIDE + "dana", "dana\u200b"]


@pytest.mark.parametrize("identifier", BAD_IDENTIFIERS)
def test_forgot_password_bad_value_is_form_error(client, dana, identifier):
    response = client.post(
        reverse("clientportal:forgot-password"), {"identifier": identifier}
    )

    assert response.status_code == HTTPStatus.OK
    assert 'class="field-error"' in response.content.decode()


@pytest.mark.parametrize("raw", INVALID_UTF8)
def test_forgot_password_invalid_utf8_is_form_error(client, dana, raw):
    body = form_body(identifier=b"dana" + raw)

    response = post_raw(client, reverse("clientportal:forgot-password"), body)

    assert response.status_code == HTTPStatus.OK
    assert 'class="field-error"' in response.content.decode()


def test_forgot_password_queues_no_task_for_bad_value(
    client, dana, smtp_server, run_worker
):
    for identifier in BAD_IDENTIFIERS:
        client.post(reverse("clientportal:forgot-password"), {"identifier": identifier})
    run_worker()

    assert smtp_server.messages == []


# Expired-password pages without the session that marks an expired password.


def test_renew_without_session_goes_to_sign_in(client, dana, hasher_calls):
    response = client.post(reverse("clientportal:renew-password"))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("clientportal:sign-in")
    assert hasher_calls == []


@pytest.mark.parametrize("body", [b"x=" + b"y" * 10_000, b"a=\x00", b"\xed\xa0\x80"])
def test_renew_with_junk_body_goes_to_sign_in(client, dana, body):
    response = post_raw(client, reverse("clientportal:renew-password"), body)

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("clientportal:sign-in")


def test_renew_without_csrf_token_is_sane_page(dana):
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(reverse("clientportal:renew-password"))

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "This form has expired" in response.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_expired_page_without_session_goes_to_sign_in(client, method):
    response = getattr(client, method)(reverse("clientportal:password-expired"))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("clientportal:sign-in")


@pytest.mark.parametrize("username", [LONG, "da\x00na", "\ufdfa" * 150])
def test_stale_form_with_bad_username_shows_form(dana, username):
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(
        reverse("clientportal:sign-in"), {"username": username, "password": "x"}
    )

    body = response.content.decode()
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "The sign-in form had expired" in body
    assert "\x00" not in body
    assert len(body) < 10_000


# Settings → Client User Accounts: add client user and unlock.


@pytest.fixture
def add_form(harbor):
    return {
        "client": str(harbor.pk),
        "username": "newuser",
        "full_name": "New User",
        "email": "new.user@harborcrate.test",
    }


BAD_ADD_VALUES = [
    ("username", LONG),
    ("username", "new\x00user"),
    ("username", RTL_OVERRIDE + "resuwen"),
    ("username", "\u337f" * 150),
    ("username", "new user"),
    ("full_name", LONG),
    ("full_name", "New\x00User"),
    ("full_name", "New " + RTL_OVERRIDE + "User"),
    ("email", LONG + "@harborcrate.test"),
    ("email", "new\x00user@harborcrate.test"),
    ("email", "new.user@harbor" + RTL_OVERRIDE + "crate.test"),
    ("email", "new.user@harborcrate.test\u200b"),
    ("client", LONG),
    ("client", "9" * 30),
    ("client", "1\x00"),
    ("client", "-1"),
]


@pytest.mark.parametrize("field, value", BAD_ADD_VALUES)
def test_add_client_user_bad_value_is_form_error(admin_client, add_form, field, value):
    add_form[field] = value

    response = admin_client.post(reverse("clientportal:add-client-user"), add_form)

    assert response.status_code == HTTPStatus.OK
    assert 'class="field-error"' in response.content.decode()
    assert not User.objects.filter(full_name__startswith="New").exists()


@pytest.mark.parametrize("raw", INVALID_UTF8)
@pytest.mark.parametrize("field", ["username", "full_name", "email"])
def test_add_client_user_invalid_utf8_is_form_error(admin_client, harbor, field, raw):
    fields = {
        "client": str(harbor.pk).encode(),
        "username": b"newuser",
        "full_name": b"New User",
        "email": b"new.user@harborcrate.test",
    }
    fields[field] += raw

    response = post_raw(
        admin_client, reverse("clientportal:add-client-user"), form_body(**fields)
    )

    assert response.status_code == HTTPStatus.OK
    assert 'class="field-error"' in response.content.decode()
    assert not User.objects.filter(full_name__startswith="New").exists()


@pytest.fixture
def locked_omar(omar):
    omar.locked_at = omar.date_joined
    omar.lock_reason = "failed_attempts"
    omar.save()
    return omar


@pytest.mark.parametrize(
    "reason", [LONG, "no\x00pe", "line one\nforged log line", RTL_OVERRIDE + "kO"]
)
def test_unlock_bad_reason_keeps_lock_and_says_why(admin_client, locked_omar, reason):
    url = reverse("clientportal:unlock-user", args=[locked_omar.pk])

    response = admin_client.post(url, {"reason": reason}, follow=True)

    locked_omar.refresh_from_db()
    assert response.status_code == HTTPStatus.OK
    assert locked_omar.locked_at is not None
    assert "was not unlocked" in response.content.decode()
    assert not AccountEvent.objects.filter(kind=EventKind.UNLOCKED).exists()


def test_unlock_invalid_utf8_reason_keeps_lock(admin_client, locked_omar):
    url = reverse("clientportal:unlock-user", args=[locked_omar.pk])

    response = post_raw(admin_client, url, form_body(reason=b"ok\xed\xa0\x80"))

    locked_omar.refresh_from_db()
    assert response.status_code == HTTPStatus.FOUND
    assert locked_omar.locked_at is not None


def test_unlock_with_plain_reason_keeps_it(admin_client, locked_omar):
    url = reverse("clientportal:unlock-user", args=[locked_omar.pk])

    admin_client.post(url, {"reason": "Called the client: it was them"})

    locked_omar.refresh_from_db()
    event = AccountEvent.objects.get(kind=EventKind.UNLOCKED)
    assert locked_omar.locked_at is None
    assert event.detail == "Called the client: it was them"


@pytest.mark.parametrize("action", ["unlock-user", "reset-password"])
@pytest.mark.parametrize("pk", ["9" * 30, "0"])
def test_action_on_unknown_account_is_not_found(admin_client, action, pk):
    url = reverse(f"clientportal:{action}", args=[1]).replace("/1/", f"/{pk}/")

    response = admin_client.post(url)

    assert response.status_code == HTTPStatus.NOT_FOUND


# The list's query parameters.

BAD_LIST_PARAMETERS = [
    ("q", LONG),
    ("q", "dana\x00"),
    ("q", RTL_OVERRIDE + "anad"),
    ("q", "%_\\"),
    ("client", LONG),
    ("client", "HCC\x00"),
    ("client", RTL_OVERRIDE),
    ("sort", LONG),
    ("sort", "-"),
    ("sort", "password\x00"),
    ("sort", "__class__"),
    ("page", LONG),
    ("page", "9" * 10_000),
    ("page", "-1"),
    ("page", "1e9"),
    ("page", "NaN"),
    ("page", "\x00"),
    ("locked", "\x00"),
    ("locked", LONG),
]


@pytest.mark.parametrize("name, value", BAD_LIST_PARAMETERS)
def test_list_bad_parameter_is_sane_page(admin_client, dana, name, value):
    response = admin_client.get(reverse("clientportal:client-users"), {name: value})

    assert response.status_code == HTTPStatus.OK
    assert "Client User Accounts" in response.content.decode()


@pytest.mark.parametrize("raw", INVALID_UTF8)
@pytest.mark.parametrize("name", ["q", "client", "sort", "page"])
def test_list_invalid_utf8_parameter_is_sane_page(admin_client, dana, name, raw):
    url = (
        reverse("clientportal:client-users") + "?" + name + "=" + quote_from_bytes(raw)
    )

    response = admin_client.get(url)

    assert response.status_code == HTTPStatus.OK


def test_list_search_ignores_control_characters(admin_client, dana):
    response = admin_client.get(reverse("clientportal:client-users"), {"q": "da\x00na"})

    assert 'data-username="dana"' in response.content.decode()


def test_list_search_treats_wildcards_literally(admin_client, dana, harbor):
    ClientUserFactory(username="percent%user", client=harbor)
    url = reverse("clientportal:client-users")

    # Searches of three characters or more match anywhere in the text; as
    # LIKE patterns, "d%a" would match dana and "t%u" would too.
    literal = admin_client.get(url, {"q": "t%u"}).content.decode()
    wildcard = admin_client.get(url, {"q": "d%a"}).content.decode()

    assert 'data-username="percent%user"' in literal
    assert 'data-username="dana"' not in literal
    assert 'data-username="dana"' not in wildcard
