from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    """Require an upper-case letter, a lower-case letter, a digit and a symbol.

    Amazon's Data Protection Policy for seller data requires all four classes.
    """

    def validate(self, password: str, user=None) -> None:
        has_classes = (
            any(ch.isupper() for ch in password),
            any(ch.islower() for ch in password),
            any(ch.isdigit() for ch in password),
            any(not ch.isalnum() and not ch.isspace() for ch in password),
        )
        if not all(has_classes):
            raise ValidationError(self.get_help_text(), code="password_classes")

    def get_help_text(self) -> str:
        return _(
            "The password must contain an upper-case letter, a lower-case letter, "
            "a digit and a symbol."
        )
