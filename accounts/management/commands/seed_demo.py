"""Demo data for a local trial: three clients, about thirty users.

Demo accounts share fixed, published passwords so a newcomer can sign in by
hand. That is why the command refuses to run unless DEBUG is on or
--allow-without-debug is given.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import Client, LockReason, User

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "Demo#Admin2345"  # noqa: S105 - published demo sign-in
CLIENT_PASSWORD = "Demo#Client2345"  # noqa: S105 - published demo sign-in

CLIENTS = [
    ("HCC", "Harbor Crate Co."),
    ("NPS", "Northpeak Supplies"),
    ("BLT", "Bluetide Outfitters"),
]
FIRST_NAMES = ["Ava", "Ben", "Cara", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivan"]
LAST_NAMES = ["Brook", "Chen", "Diaz", "Evans", "Frost", "Grant", "Hale", "Ito"]


class Command(BaseCommand):
    help = "Create demo clients and users (idempotent) and print the demo sign-ins."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="Seed even though DEBUG is off (never on a real deployment).",
        )

    def handle(self, *args, allow_without_debug: bool, **options) -> None:
        if not settings.DEBUG and not allow_without_debug:
            raise CommandError(
                "seed_demo creates accounts with published passwords, so it runs "
                "only with DEBUG=true (or --allow-without-debug)."
            )
        with transaction.atomic():
            created = self._seed()
        self.stdout.write(f"Demo data ready ({created} users created).")
        self._print_sign_ins()

    def _seed(self) -> int:
        now = timezone.now()
        client_hash = make_password(CLIENT_PASSWORD)
        clients = {
            code: Client.objects.get_or_create(code=code, defaults={"name": name})[0]
            for code, name in CLIENTS
        }
        created = int(self._ensure_admin(now))

        specials = [
            ("dana", "Dana Reyes", "dana.reyes@harborcrate.test", "HCC", {}),
            ("omar", "Omar Haddad", "omar.haddad@harborcrate.test", "HCC", {}),
            (
                "lee.locked",
                "Lee Park",
                "lee.park@northpeak.test",
                "NPS",
                {
                    "locked_at": now - timedelta(hours=2),
                    "lock_reason": LockReason.FAILED_ATTEMPTS,
                    "failed_attempts": 3,
                },
            ),
            (
                "kim.concurrent",
                "Kim Novak",
                "kim.novak@bluetide.test",
                "BLT",
                {
                    "locked_at": now - timedelta(minutes=30),
                    "lock_reason": LockReason.CONCURRENT_SIGN_IN,
                },
            ),
            (
                "erin.expired",
                "Erin Walsh",
                "erin.walsh@northpeak.test",
                "NPS",
                {
                    "password_changed_at": now - timedelta(days=400),
                },
            ),
            ("noah.noemail", "Noah Quinn", "", "BLT", {}),
        ]
        for username, name, email, code, extra in specials:
            created += self._ensure_user(
                username, name, email, clients[code], client_hash, now, extra
            )

        codes = list(clients)
        for index in range(24):
            first = FIRST_NAMES[index % len(FIRST_NAMES)]
            last = LAST_NAMES[index % len(LAST_NAMES)]
            code = codes[index % len(codes)]
            username = f"{first}.{last}{index}".lower()
            email = f"{username}@{code.lower()}.test"
            created += self._ensure_user(
                username, f"{first} {last}", email, clients[code], client_hash, now, {}
            )
        return created

    def _ensure_admin(self, now) -> bool:
        admin, created = User.objects.get_or_create(
            username=ADMIN_USERNAME,
            defaults={
                "full_name": "Wendy Admin",
                "is_staff": True,
                "password": make_password(ADMIN_PASSWORD),
                "password_changed_at": now,
            },
        )
        permission = Permission.objects.get(codename="manage_client_users")
        admin.user_permissions.add(permission)
        return created

    def _ensure_user(self, username, name, email, client, password_hash, now, extra):
        fields = {
            "full_name": name,
            "email": email,
            "client": client,
            "password": password_hash,
            "password_changed_at": now - timedelta(days=30),
        }
        fields.update(extra)
        _, created = User.objects.get_or_create(username=username, defaults=fields)
        return int(created)

    def _print_sign_ins(self) -> None:
        rows = [
            ("Warehouse admin (/warehouse/sign-in/)", ADMIN_USERNAME, ADMIN_PASSWORD),
            ("Client user (/sign-in/)", "dana", CLIENT_PASSWORD),
            ("Second client user", "omar", CLIENT_PASSWORD),
            ("Password over 12 months old", "erin.expired", CLIENT_PASSWORD),
            ("Locked by failed attempts", "lee.locked", CLIENT_PASSWORD),
            ("Locked by concurrent sign-in", "kim.concurrent", CLIENT_PASSWORD),
            ("No email address", "noah.noemail", CLIENT_PASSWORD),
        ]
        self.stdout.write("Demo sign-ins (demo data only):")
        for label, username, password in rows:
            self.stdout.write(f"  {label:<40} {username:<16} {password}")
