from django.core.management.base import CommandError

from accounts.models import Client, User
from accounts.usernames import normalize_username


def get_user(username: str) -> User:
    try:
        return User.objects.select_related("client").get(
            username=normalize_username(username)
        )
    except User.DoesNotExist:
        raise CommandError(f"No user with username {username!r}.") from None


def get_client(code: str) -> Client:
    try:
        return Client.objects.get(code=code)
    except Client.DoesNotExist:
        known = ", ".join(Client.objects.values_list("code", flat=True)[:20]) or "none"
        raise CommandError(
            f"No client with code {code!r}. Known codes: {known}. "
            "Create one with: manage.py create_client --code CODE --name NAME"
        ) from None
