from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.managers import UserManager


class Client(models.Model):
    """A customer company whose stock the warehouse holds."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class LockReason(models.TextChoices):
    FAILED_ATTEMPTS = "failed_attempts", _("Failed sign-in attempts")
    CONCURRENT_SIGN_IN = "concurrent_sign_in", _("Concurrent sign-in")


class SignInCounter(models.Model):
    """Failed-attempt state shared by real accounts and unknown usernames."""

    failed_attempts = models.PositiveSmallIntegerField(default=0)
    # Keyed digests (HMAC-SHA256) of recent wrong passwords, never the passwords.
    failed_password_digests = models.JSONField(default=list, blank=True)
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class User(SignInCounter, AbstractBaseUser, PermissionsMixin):
    """An account: a client user when `client` is set, warehouse staff otherwise."""

    # Stored normalised (NFKC, case-folded, trimmed): see accounts.usernames.
    username = models.CharField(_("username"), max_length=150, unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    email = models.EmailField(_("email address"), blank=True)
    client = models.ForeignKey(
        Client,
        verbose_name=_("client"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("warehouse staff"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    password_changed_at = models.DateTimeField(
        _("password set at"), null=True, blank=True
    )
    lock_reason = models.CharField(
        _("lock cause"), max_length=32, choices=LockReason.choices, blank=True
    )
    # A forgot-password request stores only the hash of the emailed password;
    # the current password keeps working until this one is first used.
    pending_password = models.CharField(max_length=128, blank=True)
    pending_password_expires_at = models.DateTimeField(null=True, blank=True)
    # Wrong passwords checked against the pending one while the account is
    # locked; past the limit the pending password is discarded.
    pending_password_tries = models.PositiveSmallIntegerField(default=0)

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        permissions = [("manage_client_users", _("Can manage client user accounts"))]
        indexes = [
            models.Index(fields=["locked_at"], name="user_locked_at_idx"),
            models.Index(
                fields=["client", "username"], name="user_client_username_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.username

    @property
    def first_name(self) -> str:
        return self.full_name.split()[0] if self.full_name.split() else ""

    @property
    def last_name(self) -> str:
        parts = self.full_name.split()
        return parts[-1] if len(parts) > 1 else ""

    @property
    def is_client_user(self) -> bool:
        return self.client_id is not None

    def get_full_name(self) -> str:
        return self.full_name or self.username

    def get_short_name(self) -> str:
        return self.first_name or self.username


class UnknownUsername(SignInCounter):
    """Failed-attempt state for a username that has no account.

    Unknown usernames count, lock and respond exactly like real ones, so the
    sign-in page cannot be used to find out which usernames exist.
    """

    username = models.CharField(max_length=150, unique=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.username


class EventKind(models.TextChoices):
    SIGNED_IN = "signed_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Failed sign-in")
    LOCKED = "locked", _("Locked")
    UNLOCKED = "unlocked", _("Unlocked")
    PASSWORD_RESET_BY_ADMIN = "password_reset_admin", _("Password reset by an admin")
    PASSWORD_RESET_REQUESTED = "password_reset_self", _("New password emailed")
    PASSWORD_RENEWED = "password_renewed", _("Expired password renewed")
    NEW_PASSWORD_USED = "new_password_used", _("New password first used")
    CONCURRENT_SIGN_IN = "concurrent_sign_in", _("Concurrent sign-in detected")
    SIGNED_OUT = "signed_out", _("Signed out")
    SESSION_ENDED = "session_ended", _("Sessions ended")
    CREATED = "created", _("Account created")
    UPDATED = "updated", _("Account details changed")
    DEACTIVATED = "deactivated", _("Deactivated")
    REACTIVATED = "reactivated", _("Reactivated")


class AccountEvent(models.Model):
    """One entry in an account's append-only history."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "-at"], name="event_user_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("Account events are append-only and cannot be changed.")
        super().save(*args, **kwargs)


class UserSession(models.Model):
    """A signed-in browser session, so sessions can be listed, timed out and ended."""

    session_key = models.CharField(max_length=40, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sessions"
    )
    # Keyed digest of the long-lived browser cookie: tabs of one browser share it.
    browser_key = models.CharField(max_length=64)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["user", "last_seen_at"], name="session_user_seen_idx")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} since {self.started_at:%Y-%m-%d %H:%M}"


class PasswordRequestStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    RETRY_WAIT = "retry_wait", _("Waiting to retry")
    SENT = "sent", _("New password emailed")
    LOCK_NOTICE_SENT = "lock_notice_sent", _("Lock notice emailed")
    NO_ACCOUNT = "no_account", _("No active account with an email address matched")
    ACCOUNT_LIMITED = "account_limited", _("Over the per-account email limit")
    SUPERSEDED = "superseded", _("Replaced by a newer request or a new password")
    FAILED = "failed", _("Gave up after repeated mail errors")


UNFINISHED_REQUEST_STATUSES = (
    PasswordRequestStatus.QUEUED,
    PasswordRequestStatus.SENDING,
    PasswordRequestStatus.RETRY_WAIT,
)


class PasswordRequest(models.Model):
    """One forgot-password request and how far its email got.

    The identifier as typed is stored only encrypted (accounts.sealing) and
    only until the task has matched it to an account.
    """

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    sealed_identifier = models.TextField(blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="password_requests",
    )
    status = models.CharField(
        max_length=20,
        choices=PasswordRequestStatus.choices,
        default=PasswordRequestStatus.QUEUED,
    )
    # Set when the request takes one of the account's hourly emails.
    accepted_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Keyed digest of the pending-password hash this request stored, so a retry
    # can tell whether that pending password is still the account's.
    pending_digest = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["ip_address", "created_at"], name="pwreq_ip_created_idx"
            ),
            models.Index(
                fields=["user", "accepted_at"], name="pwreq_user_accepted_idx"
            ),
            models.Index(fields=["status", "updated_at"], name="pwreq_status_idx"),
        ]

    def __str__(self) -> str:
        return f"Password request {self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status not in UNFINISHED_REQUEST_STATUSES


class DeliveryQueue(models.Model):
    """One row: when the waiting run of the forgot-password delivery task was
    queued, or null when no run is waiting.

    A forgot-password request queues a delivery run only when none is waiting,
    so a burst of requests costs one task, not one each (accounts.delivery_queue).
    """

    SINGLETON_ID = 1

    run_queued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        if self.run_queued_at is None:
            return "No delivery run waiting"
        return f"Delivery run waiting since {self.run_queued_at:%Y-%m-%d %H:%M:%S}"
