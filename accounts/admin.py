from django.contrib import admin

from accounts.models import AccountEvent, Client, User


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_active"]
    search_fields = ["code", "name"]


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    """Staff roles and permissions only.

    Account details, passwords and locks change through the portal's own
    pages and commands, which normalise usernames, generate passwords and
    record account events. Here they are read-only.
    """

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
    fields = [
        "username",
        "full_name",
        "email",
        "client",
        "is_active",
        "is_staff",
        "is_superuser",
        "groups",
        "user_permissions",
        "last_login",
        "password_changed_at",
        "locked_at",
        "lock_reason",
        "failed_attempts",
    ]
    readonly_fields = [
        "username",
        "full_name",
        "email",
        "client",
        "is_active",
        "last_login",
        "password_changed_at",
        "locked_at",
        "lock_reason",
        "failed_attempts",
    ]
    filter_horizontal = ["groups", "user_permissions"]

    def has_add_permission(self, request) -> bool:
        # Accounts are created with a generated password: Add client user in
        # the portal, or createsuperuser and create_client_user.
        return False


@admin.register(AccountEvent)
class AccountEventAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "kind", "actor", "ip_address"]
    list_filter = ["kind"]
    search_fields = ["user__username"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
