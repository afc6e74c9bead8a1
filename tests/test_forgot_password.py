from http import HTTPStatus

from django.urls import reverse

from tests.smtp import html_body, text_body


def test_forgot_password_emails_stored_address(client, dana, smtp_server, run_worker):
    response = client.post(
        reverse("clientportal:forgot-password"),
        {"identifier": "DANA.REYES@harborcrate.test"},
    )
    run_worker()

    assert response.status_code == HTTPStatus.FOUND
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["X-Envelope-To"] == "dana.reyes@harborcrate.test"
    assert "dana" in text_body(message)
    assert "<pre" in html_body(message)


def test_emailed_password_signs_in(client, dana, smtp_server, run_worker, sign_in):
    client.post(reverse("clientportal:forgot-password"), {"identifier": "dana"})
    run_worker()
    password = _password_from(smtp_server.messages[0])

    response = sign_in(client, "dana", password)

    assert response.status_code == HTTPStatus.FOUND
    dana.refresh_from_db()
    assert dana.check_password(password)


def test_unknown_address_same_page_no_email(client, dana, smtp_server, run_worker):
    known = client.post(
        reverse("clientportal:forgot-password"),
        {"identifier": "dana.reyes@harborcrate.test"},
    )
    unknown = client.post(
        reverse("clientportal:forgot-password"),
        {"identifier": "stranger@elsewhere.test"},
    )
    run_worker()

    assert known.status_code == unknown.status_code
    assert known["Location"] == unknown["Location"]
    assert smtp_server.messages_to("stranger@elsewhere.test") == []
    assert len(smtp_server.messages) == 1


def _password_from(message) -> str:
    lines = [line.strip() for line in text_body(message).splitlines()]
    index = lines.index("Your new password is:")
    return next(line for line in lines[index + 1 :] if line)
