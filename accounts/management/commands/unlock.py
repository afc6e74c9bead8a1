from django.core.management.base import BaseCommand

from accounts.locking import unlock_account

from ._lookup import get_user


class Command(BaseCommand):
    help = "Unlock an account (client user or warehouse staff) and clear its attempts."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--reason", default="Unlocked with manage.py unlock")

    def handle(self, *args, username: str, reason: str, **options) -> None:
        user = get_user(username)
        was_locked = user.locked_at is not None
        unlock_account(user, reason=reason)
        state = "unlocked" if was_locked else "was not locked; attempt count cleared"
        self.stdout.write(f"{user.username} {state}.")
