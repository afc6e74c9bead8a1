from django.core.management.base import BaseCommand, CommandError

from accounts.models import Client


class Command(BaseCommand):
    help = "Create a client company."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--code", required=True, help="Short unique code, e.g. HCC."
        )
        parser.add_argument("--name", required=True, help="Company name.")

    def handle(self, *args, code: str, name: str, **options) -> None:
        code = code.strip()
        if not code or len(code) > 20:
            raise CommandError("The client code must be 1 to 20 characters.")
        if Client.objects.filter(code=code).exists():
            raise CommandError(f"A client with code {code!r} already exists.")
        client = Client.objects.create(code=code, name=name.strip())
        self.stdout.write(f"Created client {client.code}: {client.name}")
