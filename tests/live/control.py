"""Prepare and inspect the database of a live run, from a separate process.

    python -m tests.live.control prepare      migrate, then add the demo accounts
    python -m tests.live.control state NAME   print one account's lock state as JSON
    python -m tests.live.control add_users PREFIX COUNT [pending]
                                              add PREFIX000... with P-valid (and an
                                              emailed password pending)

The test process keeps its own database connection to pytest's database, so
it reads the live run's database through this command instead.
"""

import json
import os
import sys
from datetime import timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.live.settings")
django.setup()

from axes.models import AccessAttempt  # noqa: E402
from django.contrib.auth.hashers import Argon2PasswordHasher  # noqa: E402
from django.contrib.auth.models import Permission  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import AccountEvent, Client, User  # noqa: E402

PASSWORD = "P-valid"


def prepare() -> None:
    call_command("migrate", verbosity=0)
    harbor = Client.objects.create(code="HCC", name="Harbor Crate Co.")
    # The hash is set directly, so preparing counts no hasher call.
    hasher = Argon2PasswordHasher()
    password_hash = hasher.encode(PASSWORD, hasher.salt())
    for username, email in [("dana", "dana.reyes@harborcrate.test"), ("omar", "")]:
        User.objects.create(
            username=username,
            email=email,
            client=harbor,
            password=password_hash,
            password_changed_at=timezone.now(),
        )
    wendy = User.objects.create(
        username="wendy",
        full_name="Wendy Admin",
        is_staff=True,
        password=password_hash,
        password_changed_at=timezone.now(),
    )
    wendy.user_permissions.add(Permission.objects.get(codename="manage_client_users"))


def add_users(prefix: str, count: int, pending: bool) -> None:
    hasher = Argon2PasswordHasher()
    password_hash = hasher.encode(PASSWORD, hasher.salt())
    pending_hash = hasher.encode("Pending-Pw-23456", hasher.salt()) if pending else ""
    client = Client.objects.get(code="HCC")
    User.objects.bulk_create(
        User(
            username=f"{prefix}{number:03d}",
            client=client,
            password=password_hash,
            password_changed_at=timezone.now(),
            pending_password=pending_hash,
            pending_password_expires_at=timezone.now() + timedelta(days=1)
            if pending
            else None,
        )
        for number in range(count)
    )


def state(username: str) -> dict:
    user = User.objects.get(username=username)
    attempt = AccessAttempt.objects.filter(username=username).first()
    return {
        "failed_attempts": user.failed_attempts,
        "locked": user.locked_at is not None,
        "lock_reason": user.lock_reason,
        "axes_failures": attempt.failures_since_start if attempt else None,
        "last_login": user.last_login.isoformat() if user.last_login else None,
        "events": list(
            AccountEvent.objects.filter(user=user)
            .order_by("at", "id")
            .values_list("kind", flat=True)
        ),
    }


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "prepare":
        prepare()
    elif command == "state":
        print(json.dumps(state(sys.argv[2])))
    elif command == "add_users":
        add_users(sys.argv[2], int(sys.argv[3]), "pending" in sys.argv[4:])
    else:
        sys.exit(f"unknown command {command!r}")
