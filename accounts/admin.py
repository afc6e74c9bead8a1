from django.contrib import admin

from accounts.models import AccountEvent, Client, User


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_active"]
    search_fields = ["code", "name"]


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    """Read-mostly view; passwords and locks change only through the portal's
    own pages and commands, which generate passwords and record events."""

    list_display = ["username", "full_name", "client", "is_active", "locked_at"]
    # A nullable foreign key is not followed by the admin's automatic
    # select_related(), which would cost one query per row.
    list_select_related = ["client"]
    list_filter = [
        "client",
        "is_staff",
        "is_active",
        ("locked_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["username", "full_name", "email"]
    exclude = ["password", "pending_password", "failed_password_digests"]
    readonly_fields = [
        "last_login",
        "password_changed_at",
        "locked_at",
        "lock_reason",
        "failed_attempts",
        "pending_password_expires_at",
    ]


@admin.register(AccountEvent)
class AccountEventAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "kind", "actor", "ip_address"]
    list_filter = ["kind"]
    search_fields = ["user__username"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
