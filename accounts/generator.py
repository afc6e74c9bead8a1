"""Generated passwords: the only way any password is ever set.

Sixteen characters drawn with `secrets` from an alphabet without look-alike
characters (no 0/O/o, 1/l/I/|), with at least one upper-case letter,
lower-case letter, digit and symbol. Symbols are limited to ones that email
clients, HTML and copy-paste leave alone: nothing that autolinks (@ .), is
escaped in HTML (< > & " '), starts Markdown emphasis (* _) or is a
common dead key (^ ` ~).
"""

import re
import secrets

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

UPPER = "ABCDEFGHJKMNPQRSTUVWXYZ"
LOWER = "abcdefghijkmnpqrstuvwxyz"
DIGITS = "23456789"
SYMBOLS = "#$%+=?!"
ALPHABET = UPPER + LOWER + DIGITS + SYMBOLS
CHARACTER_CLASSES = (UPPER, LOWER, DIGITS, SYMBOLS)

# Random draws almost always pass on the first try; the bound only stops a
# pathological user record (say a one-letter name) from looping for ever.
MAX_DRAWS = 1000


class PasswordGenerationError(RuntimeError):
    pass


def generate_password(user=None) -> str:
    """Return a new password that passes every rule for `user`.

    `user` may be None (no personal words to avoid) or an unsaved User.
    """
    forbidden = forbidden_words(user) if user is not None else []
    for _ in range(MAX_DRAWS):
        candidate = _draw(settings.PASSWORD_LENGTH)
        if _is_acceptable(candidate, forbidden, user):
            return candidate
    raise PasswordGenerationError(
        f"No acceptable password after {MAX_DRAWS} draws for user id "
        f"{getattr(user, 'pk', None)}; check its name and email for odd values."
    )


def forbidden_words(user) -> list[str]:
    """Return the lower-cased words a password for `user` must not contain."""
    words = []
    if len(user.username) >= 2:
        words.append(user.username.casefold())

    sources = [user.full_name, user.email.partition("@")[0]]
    client = getattr(user, "client", None)
    if client is not None:
        sources.append(client.name)
    for source in sources:
        for part in re.split(r"[\W_]+", source.casefold()):
            if len(part) >= 3:
                words.append(part)
    return words


def _draw(length: int) -> str:
    required = [secrets.choice(chars) for chars in CHARACTER_CLASSES]
    rest = [secrets.choice(ALPHABET) for _ in range(length - len(required))]
    characters = required + rest
    secrets.SystemRandom().shuffle(characters)
    return "".join(characters)


def _is_acceptable(candidate: str, forbidden: list[str], user) -> bool:
    folded = candidate.casefold()
    if any(word in folded for word in forbidden):
        return False
    try:
        password_validation.validate_password(candidate, user)
    except ValidationError:
        return False
    return True
