import pytest
from django.contrib.auth.hashers import make_password

from accounts.passwords import create_client_user


@pytest.mark.real_hasher
def test_new_passwords_are_argon2id(harbor):
    user, _ = create_client_user(
        {"client": harbor, "username": "priya", "full_name": "", "email": ""}
    )

    assert user.password.startswith("argon2$argon2id$")


@pytest.mark.real_hasher
def test_older_hash_upgraded_at_sign_in(client, dana, sign_in):
    dana.password = make_password("P-valid", hasher="pbkdf2_sha256")
    dana.save()

    sign_in(client, "dana")

    dana.refresh_from_db()
    assert dana.password.startswith("argon2$argon2id$")


@pytest.mark.real_hasher
def test_emailed_password_rehashed_at_full_cost(
    client, dana, smtp_server, run_worker, sign_in
):
    from django.contrib.auth.hashers import Argon2PasswordHasher, identify_hasher
    from django.urls import reverse

    from tests.smtp import emailed_password

    client.post(reverse("clientportal:forgot-password"), {"identifier": "dana"})
    run_worker()
    dana.refresh_from_db()
    pending_params = identify_hasher(dana.pending_password).decode(
        dana.pending_password
    )
    sign_in(client, "dana", emailed_password(smtp_server.messages[0]))

    dana.refresh_from_db()
    params = identify_hasher(dana.password).decode(dana.password)
    assert pending_params["memory_cost"] < Argon2PasswordHasher.memory_cost
    assert params["memory_cost"] == Argon2PasswordHasher.memory_cost
    assert params["time_cost"] == Argon2PasswordHasher.time_cost
