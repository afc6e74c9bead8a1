"""The delivery queue's flag row, and on PostgreSQL the function that records
a forgot-password request in one round trip (see accounts.forgot).

The function takes the per-IP lock, counts the address's recent requests,
inserts the request and reads whether a delivery run is waiting, as the Python
path does on other databases. Each statement of a PL/pgSQL function sees rows committed before
it started, so the count that follows the lock sees every earlier request.
"""

from django.db import migrations, models

RECORD_REQUEST = """
CREATE OR REPLACE FUNCTION accounts_record_password_request(
    lock_key text,
    client_ip inet,
    sealed text,
    now_at timestamptz,
    since timestamptz,
    ip_limit integer,
    fresh_since timestamptz
) RETURNS TABLE (request_id bigint, run_waiting boolean)
LANGUAGE plpgsql VOLATILE AS $body$
#variable_conflict use_column
DECLARE
    recent integer;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended(lock_key, 0));

    IF client_ip IS NULL THEN
        SELECT count(*) INTO recent FROM accounts_passwordrequest
        WHERE ip_address IS NULL AND created_at >= since;
    ELSE
        SELECT count(*) INTO recent FROM accounts_passwordrequest
        WHERE ip_address = client_ip AND created_at >= since;
    END IF;
    IF recent >= ip_limit THEN
        RETURN;
    END IF;

    INSERT INTO accounts_passwordrequest
        (created_at, updated_at, ip_address, sealed_identifier, status,
         attempts, pending_digest)
    VALUES (now_at, now_at, client_ip, sealed, 'queued', 0, '')
    RETURNING id INTO request_id;

    SELECT coalesce(bool_or(q.run_queued_at >= fresh_since), false) INTO run_waiting
    FROM (SELECT run_queued_at FROM accounts_deliveryqueue WHERE id = 1 FOR SHARE) q;
    RETURN NEXT;
END
$body$
"""

DROP_RECORD_REQUEST = """
DROP FUNCTION IF EXISTS accounts_record_password_request(
    text, inet, text, timestamptz, timestamptz, integer, timestamptz)
"""


def create_flag_row(apps, schema_editor):
    DeliveryQueue = apps.get_model("accounts", "DeliveryQueue")
    DeliveryQueue.objects.get_or_create(pk=1)


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(RECORD_REQUEST)


def drop_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_RECORD_REQUEST)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_search_covering_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="DeliveryQueue",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("run_queued_at", models.DateTimeField(blank=True, null=True)),
            ],
        ),
        migrations.RunPython(create_flag_row, migrations.RunPython.noop),
        migrations.RunPython(create_function, drop_function),
    ]
