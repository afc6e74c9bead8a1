"""Indexes that keep Settings → Client User Accounts fast at a million users.

They are PostgreSQL-only, so the migration does nothing on SQLite (a
one-machine deployment of a few thousand accounts needs none of them):

- Trigram GIN indexes (pg_trgm) on UPPER(column::text), the exact expression
  Django generates for `icontains`, so a search for any part of a username,
  name or email address reads the index instead of the table.
- B-tree indexes for each sort of the list, with the NULL ordering the list
  asks for, so the first page is read in index order and never sorted.
- A partial index of the locked accounts by username for Show Locked Out.

CREATE INDEX CONCURRENTLY keeps the table writable while an index is built,
which is why this migration is not atomic.
"""

from django.db import migrations

INDEXES = {
    "user_username_trgm_idx": (
        "USING gin (UPPER(username::text) gin_trgm_ops)"
    ),
    "user_full_name_trgm_idx": (
        "USING gin (UPPER(full_name::text) gin_trgm_ops)"
    ),
    "user_email_trgm_idx": "USING gin (UPPER(email::text) gin_trgm_ops)",
    "user_full_name_id_idx": "(full_name, id)",
    "user_last_login_idx": "(last_login DESC NULLS LAST, id DESC)",
    "user_password_set_idx": "(password_changed_at ASC NULLS FIRST, id)",
    "user_locked_username_idx": (
        "(username) WHERE locked_at IS NOT NULL AND client_id IS NOT NULL"
    ),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, definition in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} "
            f"ON accounts_user {definition}"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("accounts", "0003_merge_forgot_and_lockout"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
