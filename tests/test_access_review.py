"""The access review CSV export."""

import csv
import io
import logging
from datetime import UTC, datetime
from http import HTTPStatus

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from accounts.access_review import HEADER, neutralize_formula
from accounts.models import LockReason
from tests.factories import ClientFactory, ClientUserFactory

EXPORT_URL = reverse("clientportal:access-review-csv")


def export_rows(client) -> list[list[str]]:
    response = client.get(EXPORT_URL)
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def test_export_is_streamed_csv(admin_client, dana):
    response = admin_client.get(EXPORT_URL)

    assert response.status_code == HTTPStatus.OK
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")


def test_export_has_a_row_per_client_user(admin_client, dana, omar, admin_user):
    rows = export_rows(admin_client)

    assert rows[0] == HEADER
    assert [row[0] for row in rows[1:]] == ["dana", "omar"]


def test_export_row_holds_review_columns(admin_client, dana):
    dana.locked_at = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
    dana.lock_reason = LockReason.CONCURRENT_SIGN_IN
    dana.last_login = datetime(2024, 2, 28, 8, 0, tzinfo=UTC)
    dana.password_changed_at = datetime(2023, 6, 1, 12, 0, tzinfo=UTC)
    dana.save()

    row = dict(zip(HEADER, export_rows(admin_client)[1], strict=True))

    assert row == {
        "username": "dana",
        "client": "Harbor Crate Co.",
        "email": "dana.reyes@harborcrate.test",
        "active": "yes",
        "locked": "yes",
        "lock cause": "Concurrent sign-in",
        "last sign-in": "2024-02-28T08:00:00+00:00",
        "password set": "2023-06-01T12:00:00+00:00",
        "password expires": "2024-05-31T12:00:00+00:00",
    }


def test_export_marks_unknown_password_date_expired(admin_client, dana):
    dana.password_changed_at = None
    dana.save()

    row = export_rows(admin_client)[1]

    assert row[HEADER.index("password expires")] == "expired (date unknown)"


def test_export_neutralizes_formulas_in_user_cells(admin_client):
    evil_client = ClientFactory(code="EVL", name='=HYPERLINK("http://x.test")')
    ClientUserFactory(
        username="+eve", full_name="@SUM(1)", email="-1@x.test", client=evil_client
    )

    row = export_rows(admin_client)[1]

    assert row[0] == "'+eve"
    assert row[1] == '\'=HYPERLINK("http://x.test")'
    assert row[2] == "'-1@x.test"


@pytest.mark.parametrize("cell", ["=1+2", "+1", "-1", "@A1", "\tx", "\rx"])
def test_neutralize_formula_prefixes_dangerous_cells(cell):
    assert neutralize_formula(cell) == "'" + cell


def test_neutralize_formula_keeps_plain_cells():
    assert neutralize_formula("dana.reyes@harborcrate.test") == (
        "dana.reyes@harborcrate.test"
    )


def test_export_is_logged_with_actor_id(admin_client, admin_user, caplog):
    with caplog.at_level(logging.INFO, logger="accounts.security"):
        admin_client.get(EXPORT_URL)

    assert f"access_review_exported actor_id={admin_user.pk}" in caplog.text
