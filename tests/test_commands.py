from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Client, LockReason, User


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def last_word(output: str) -> str:
    return output.strip().splitlines()[-1].split()[-1]


@pytest.mark.django_db
def test_create_client():
    output = run("create_client", "--code", "HCC", "--name", "Harbor Crate Co.")

    assert "HCC" in output
    assert Client.objects.get(code="HCC").name == "Harbor Crate Co."


@pytest.mark.django_db
def test_create_client_rejects_duplicate_code(harbor):
    with pytest.raises(CommandError, match="already exists"):
        run("create_client", "--code", "HCC", "--name", "Again")


def test_create_client_user_prints_password_last(harbor):
    output = run(
        "create_client_user",
        "Priya",
        "--client",
        "HCC",
        "--email",
        "priya@harborcrate.test",
        "--name",
        "Priya Shah",
    )

    user = User.objects.get(username="priya")
    assert user.client == harbor
    assert user.check_password(last_word(output))


def test_create_client_user_unknown_client(db):
    with pytest.raises(CommandError, match="No client with code 'NOPE'"):
        run("create_client_user", "priya", "--client", "NOPE")


def test_reset_password_prints_password_last(dana):
    output = run("reset_password", "DANA")

    dana.refresh_from_db()
    assert dana.check_password(last_word(output))


def test_reset_password_unknown_user(db):
    with pytest.raises(CommandError, match="No user with username 'ghost'"):
        run("reset_password", "ghost")


def test_unlock_command(dana):
    dana.locked_at = dana.date_joined
    dana.lock_reason = LockReason.FAILED_ATTEMPTS
    dana.save()

    output = run("unlock", "dana")

    dana.refresh_from_db()
    assert "unlocked" in output
    assert dana.locked_at is None


def test_unknown_username_exits_1(db):
    from django.core.management import execute_from_command_line

    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["manage.py", "unlock", "ghost"])

    assert exit_info.value.code == 1


def test_seed_demo_is_idempotent(db, settings):
    settings.DEBUG = True
    run("seed_demo")
    first = User.objects.count()
    output = run("seed_demo")

    assert User.objects.count() == first
    assert 25 <= first <= 40
    assert User.objects.filter(locked_at__isnull=False).count() >= 2
    assert User.objects.filter(client__isnull=False, email="").count() >= 1
    assert "Demo sign-ins" in output


def test_seed_demo_refuses_without_debug(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        run("seed_demo")
