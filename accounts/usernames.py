"""One spelling per username: every form of a name that signs in to an account
shares that account's row, attempt count and lock."""

import unicodedata

MAX_USERNAME_LENGTH = 150


def normalize_username(raw: str) -> str:
    """Return the canonical form: Unicode NFKC, case-folded, trimmed.

    NFKC runs again after case-folding because folding can produce characters
    that NFKC would have composed differently.
    """
    folded = unicodedata.normalize("NFKC", raw).casefold()
    return unicodedata.normalize("NFKC", folded).strip()


def axes_username(request, credentials: dict | None) -> str | None:
    """Give django-axes the normalised username, so its records match ours."""
    raw = None
    if credentials:
        raw = credentials.get("username")
    if raw is None and request is not None:
        raw = request.POST.get("username")
    if raw is None:
        return None
    return normalize_username(raw)[:MAX_USERNAME_LENGTH]
