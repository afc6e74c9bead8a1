"""Forms of the portal. Each keeps its user-facing errors in one dict by code."""

import re
import unicodedata

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from accounts.models import Client
from accounts.usernames import MAX_USERNAME_LENGTH, normalize_username

# Long enough for any generated or legacy password, short enough that a
# megabyte of input never reaches the hasher.
MAX_PASSWORD_LENGTH = 256
USERNAME_PATTERN = re.compile(r"^[\w.@+-]+$")


# Django decodes bytes that are not valid UTF-8 (including lone surrogates
# sent as raw bytes) to U+FFFD, so the character stands for undecodable input.
REPLACEMENT_CHARACTER = "\ufffd"


def is_unprintable(character: str) -> bool:
    """Return True for control, format (such as right-to-left overrides),
    surrogate, private-use and unassigned characters, Unicode's "Other"
    categories, and for U+FFFD."""
    return character == REPLACEMENT_CHARACTER or unicodedata.category(
        character
    ).startswith("C")


def without_unprintable(value: str) -> str:
    """Drop unprintable characters from a search or filter value."""
    return "".join(character for character in value if not is_unprintable(character))


def _reject_control_characters(value: str, message: str) -> None:
    if any(is_unprintable(character) for character in value):
        raise forms.ValidationError(message, code="control_characters")


class SignInForm(forms.Form):
    error_messages = {
        "control_characters": _(
            "The username or password contains invalid characters."
        ),
        "username_too_long": _(
            "Usernames have at most %(limit)d characters. Check the username "
            "and try again."
        ),
    }

    username = forms.CharField(
        label=_("Username"),
        max_length=MAX_USERNAME_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=MAX_PASSWORD_LENGTH,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # With the username kept after a failed attempt, a user who types at
        # once must type into the password box, not the visible username box.
        if self.initial.get("username") or self.data.get("username"):
            self.fields["username"].widget.attrs.pop("autofocus", None)
            self.fields["password"].widget.attrs["autofocus"] = True

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        _reject_control_characters(username, self.error_messages["control_characters"])
        normalized = normalize_username(username)
        if not normalized:
            raise forms.ValidationError(_("Enter your username."), code="required")
        # NFKC can make a name up to 18 times longer (U+FDFA), past the column.
        if len(normalized) > MAX_USERNAME_LENGTH:
            raise forms.ValidationError(
                self.error_messages["username_too_long"],
                code="username_too_long",
                params={"limit": MAX_USERNAME_LENGTH},
            )
        return username

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        _reject_control_characters(password, self.error_messages["control_characters"])
        return password


class ForgotPasswordForm(forms.Form):
    identifier = forms.CharField(
        label=_("Username or email address"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )

    def clean_identifier(self) -> str:
        identifier = self.cleaned_data["identifier"]
        _reject_control_characters(
            identifier, _("The username or email address contains invalid characters.")
        )
        return identifier


class UnlockForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional, kept in the account's history)"),
        max_length=500,
        required=False,
    )

    def clean_reason(self) -> str:
        # The reason also goes to the security log, where a line break could
        # forge a log line.
        reason = self.cleaned_data["reason"]
        _reject_control_characters(
            reason, _("The reason contains invalid characters, such as line breaks.")
        )
        return reason


class ClientUserForm(forms.ModelForm):
    client = forms.ModelChoiceField(
        label=_("Client"), queryset=Client.objects.filter(is_active=True)
    )

    class Meta:
        model = get_user_model()
        fields = ["client", "username", "full_name", "email"]
        # The model form's unique check runs on the normalised username that
        # clean_username returns, so "DANA" is taken when "dana" exists.
        error_messages = {
            "username": {
                "unique": _("A user with that username already exists."),
                "invalid": _(
                    "Use only letters, digits and the characters . @ + - _ in "
                    "usernames."
                ),
            },
        }

    def clean_username(self) -> str:
        username = normalize_username(self.cleaned_data["username"])
        if not USERNAME_PATTERN.fullmatch(username):
            raise forms.ValidationError(
                self.fields["username"].error_messages["invalid"], code="invalid"
            )
        return username

    def clean_full_name(self) -> str:
        full_name = self.cleaned_data["full_name"]
        _reject_control_characters(
            full_name, _("The name contains invalid characters.")
        )
        return full_name

    def clean_email(self) -> str:
        # Django's EmailValidator accepts any character from U+00A1 to U+FFFF in
        # the domain part.
        email = self.cleaned_data["email"]
        _reject_control_characters(
            email, _("The email address contains invalid characters.")
        )
        return email


class AccountDetailsForm(forms.ModelForm):
    """The details an admin may change on a client user: name, email, client."""

    client = forms.ModelChoiceField(label=_("Client"), queryset=Client.objects.all())

    class Meta:
        model = get_user_model()
        fields = ["full_name", "email", "client"]

    clean_full_name = ClientUserForm.clean_full_name
    clean_email = ClientUserForm.clean_email
