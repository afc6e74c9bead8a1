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
