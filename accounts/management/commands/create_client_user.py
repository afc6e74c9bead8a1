from django.core.management.base import BaseCommand, CommandError

from accounts.passwords import create_client_user
from clientportal.forms import ClientUserForm

from ._lookup import get_client


class Command(BaseCommand):
    help = "Create a client user and print the generated password (last word)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--client", required=True, help="Client code.")
        parser.add_argument("--email", default="", help="Email address (optional).")
        parser.add_argument("--name", default="", help="Full name (optional).")

    def handle(self, *args, username: str, client: str, email: str, name: str, **opts):
        client_obj = get_client(client)
        form = ClientUserForm(
            {
                "client": client_obj.pk,
                "username": username,
                "full_name": name,
                "email": email,
            }
        )
        if not form.is_valid():
            problems = "; ".join(
                f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()
            )
            raise CommandError(f"Cannot create {username!r}: {problems}")
        user, password = create_client_user(form.cleaned_data)
        self.stdout.write(f"Created {user.username} for {client_obj.code}.")
        self.stdout.write(f"Password (shown once): {password}")
