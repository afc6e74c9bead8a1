"""Covering indexes for a search of the standard list that matches many
accounts, on PostgreSQL only (like 0004_admin_list_indexes).

When a search matches more accounts than the list counts, the list takes the
first page's keys in sort order from one of these indexes. Each contains the
three searched columns, so PostgreSQL tests every entry it walks without
reading the table, and the partial condition is the standard list's own
(client users that are not locked). They serve the Username and Name sorts,
whose matches can cluster anywhere in the order; the other sorts scatter
matches evenly, so their walks stop early.
"""

from django.db import migrations

INDEXES = {
    "user_search_username_idx": "(username) INCLUDE (full_name, email, id)",
    "user_search_name_idx": "(full_name, id) INCLUDE (username, email)",
}
STANDARD_LIST = "client_id IS NOT NULL AND locked_at IS NULL"


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} "
            f"ON accounts_user {definition} WHERE {STANDARD_LIST}"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("accounts", "0004_admin_list_indexes"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
