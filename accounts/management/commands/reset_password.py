from django.core.management.base import BaseCommand

from accounts.passwords import reset_password

from ._lookup import get_user


class Command(BaseCommand):
    help = "Generate a new password for a user, end its sessions, print the password."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--unlock", action="store_true", help="Also lift a lock on the account."
        )

    def handle(self, *args, username: str, unlock: bool, **options) -> None:
        user = get_user(username)
        password = reset_password(user, unlock=unlock)
        self.stdout.write(f"New password for {user.username} (shown once): {password}")
