"""Benchmark: the Client User Accounts list against Django's admin changelist.

Creates a PostgreSQL database of its own and loads 1,000,000 client users
(100,000 of them locked) with COPY. Then it times both pages in one process
with Django's test client, so "server time" is the time from request to
rendered response, without the network. Prints the median of each page, the ratio
(ours / Django admin; the target is at most 0.5), the query count (target: at
most 6) and any sequential scan of the user table found by EXPLAIN. The
database is dropped at the end unless --keep is given.

    .venv/bin/python bench/admin_list.py
    .venv/bin/python bench/admin_list.py --users 100000 --locked 10000
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER_URL = "postgres://postgres@127.0.0.1:5432"
DATABASE = "portal_bench_admin"
ADMIN_USERNAME = "bench-admin"
ADMIN_PASSWORD = "Bench#Admin-2345"
FIRST_NAMES = [
    "Ava", "Ben", "Cara", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivan", "Jade",
    "Kofi", "Lena", "Milo", "Nora", "Otto", "Pia", "Quin", "Rosa", "Sami", "Tara",
]  # fmt: skip
LAST_NAMES = [
    "Brook", "Chen", "Diaz", "Evans", "Frost", "Grant", "Hale", "Ito", "Jensen",
    "Khan", "Lopez", "Moreau", "Novak", "Okafor", "Petrov", "Quist", "Reyes",
    "Silva", "Tanaka", "Umar", "Varga", "Weiss", "Xu", "Yilmaz", "Zeller",
]  # fmt: skip
# A selective search (a few hundred matches) and a common surname (about
# 40,000 matches, more than the list counts).
SEARCH_TERMS = ["reyes42", "reyes"]
REPEATS_DEFAULT = 15
WARM_UPS = 3


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--locked", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=REPEATS_DEFAULT)
    parser.add_argument(
        "--keep", action="store_true", help="keep the database for a rerun"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="reuse a database kept by --keep"
    )
    return parser.parse_args()


def recreate_database() -> None:
    with psycopg.connect(f"{SERVER_URL}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")


def drop_database() -> None:
    with psycopg.connect(f"{SERVER_URL}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def setup_django() -> None:
    os.environ["DATABASE_URL"] = f"{SERVER_URL}/{DATABASE}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.test_settings"
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import django

    django.setup()


def load_users(users: int, locked: int, clients: int) -> float:
    """Load clients and users with COPY; return the seconds it took."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from accounts.models import Client

    started = time.perf_counter()
    Client.objects.bulk_create(
        Client(code=f"C{n:04d}", name=f"Client {n:04d} Logistics")
        for n in range(clients)
    )
    client_ids = list(Client.objects.order_by("pk").values_list("pk", flat=True))
    # One shared hash: hashing a million passwords would measure Argon2.
    password = make_password("Bench-Client-Password-1")
    rng = random.Random(5)
    now = datetime.now(UTC)
    locked_ids = set(rng.sample(range(users), locked))
    columns = (
        "username, full_name, email, client_id, is_active, is_staff, is_superuser,"
        " date_joined, password, password_changed_at, last_login, failed_attempts,"
        " failed_password_digests, locked_at, lock_reason, pending_password,"
        " pending_password_tries"
    )
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY accounts_user ({columns}) FROM STDIN") as copy:
            for n in range(users):
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                username = f"{first.lower()}.{last.lower()}{n}"
                is_locked = n in locked_ids
                copy.write_row(
                    (
                        username,
                        f"{first} {last}",
                        f"{username}@client{n % clients}.example.test",
                        client_ids[n % clients],
                        True,
                        False,
                        False,
                        now - timedelta(days=800),
                        password,
                        now - timedelta(minutes=rng.randrange(500 * 24 * 60)),
                        None
                        if n % 7 == 0
                        else now - timedelta(minutes=rng.randrange(90 * 24 * 60)),
                        3 if is_locked else 0,
                        "[]",
                        now - timedelta(minutes=rng.randrange(30 * 24 * 60))
                        if is_locked
                        else None,
                        "failed_attempts" if is_locked else "",
                        "",
                        0,
                    )
                )
        cursor.execute(
            "INSERT INTO accounts_accountevent (user_id, kind, at, ip_address, detail)"
            " SELECT id, 'locked', locked_at, '198.51.100.7', 'Failed sign-in attempts'"
            " FROM accounts_user WHERE locked_at IS NOT NULL"
        )
    return time.perf_counter() - started


def build_indexes() -> float:
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", "accounts", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE accounts_user")
        cursor.execute("VACUUM ANALYZE accounts_accountevent")
        cursor.execute("VACUUM ANALYZE accounts_client")
    return time.perf_counter() - started


def signed_in_client():
    from django.contrib.auth.models import Permission
    from django.test import Client as TestClient
    from django.urls import reverse

    from accounts.models import User

    # Staff with the two permissions the pages need, not a superuser, whose
    # permission checks would cost no query on either page.
    User.objects.filter(username=ADMIN_USERNAME).delete()
    admin = User.objects.create_user(ADMIN_USERNAME, "", ADMIN_PASSWORD, is_staff=True)
    admin.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="accounts",
            codename__in=["manage_client_users", "view_user"],
        )
    )
    browser = TestClient()
    response = browser.post(
        reverse("clientportal:warehouse-sign-in"),
        {"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD},
    )
    if response.status_code != 302:
        raise SystemExit(f"Bench admin could not sign in: {response.status_code}")
    return browser


def cases(client_id: int, client_code: str) -> list[tuple[str, str, str]]:
    """(name, our URL, Django admin URL) for the same selection of users."""
    ours = "/settings/client-users/"
    admin = "/admin/accounts/user/?locked_at__isempty="
    return [
        ("standard list", ours, f"{admin}1"),
        *(
            (f"search '{term}'", f"{ours}?q={term}", f"{admin}1&q={term}")
            for term in SEARCH_TERMS
        ),
        ("Show Locked Out", f"{ours}?locked=1", f"{admin}0"),
        (
            "client filter",
            f"{ours}?client={client_code}",
            f"{admin}1&client__id__exact={client_id}",
        ),
    ]


def timed_get(browser, url: str) -> float:
    started = time.perf_counter()
    response = browser.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url} returned {response.status_code}")
    return elapsed


def measure(browser, urls: tuple[str, str], repeats: int) -> list[float]:
    """Return the median milliseconds of each URL.

    The two pages take turns, so a load spike from elsewhere on the machine
    hits both alike.
    """
    timings = ([], [])
    for _ in range(WARM_UPS):
        for url in urls:
            browser.get(url)
    for _ in range(repeats):
        for url, series in zip(urls, timings, strict=True):
            series.append(timed_get(browser, url))
    return [statistics.median(series) for series in timings]


def captured_sql(browser, url: str) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        browser.get(url)
    return [query["sql"] for query in queries]


def rows_read(plan: dict, table: str) -> int:
    """Sum the rows that scans of `table` (sequential, index or bitmap) read in
    an analysed plan, counting every parallel worker's loop."""
    read = 0
    if plan.get("Relation Name") == table:
        loops = plan.get("Actual Loops", 1)
        read += (plan["Actual Rows"] + plan.get("Rows Removed by Filter", 0)) * loops
    for child in plan.get("Plans", []):
        read += rows_read(child, table)
    return read


def full_scans(statements: list[str], table_rows: int) -> int:
    """Count the statements that read at least half of the rows of accounts_user.

    A scan that stops early under a LIMIT (as the capped counts do) reads a
    thousand rows or so and is not counted; Django admin's COUNT(*) is.
    """
    from django.db import connection

    found = 0
    with connection.cursor() as cursor:
        for sql in statements:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0][0]["Plan"]
            if rows_read(plan, "accounts_user") >= table_rows / 2:
                found += 1
    return found


def migration_before_indexes() -> str:
    """Return the accounts migration that the list indexes' migration follows."""
    from importlib import import_module

    indexes = import_module("accounts.migrations.0004_admin_list_indexes")
    return indexes.Migration.dependencies[0][1]


def main() -> None:
    args = parse_args()
    if not args.reuse:
        recreate_database()
    setup_django()
    from django.core.management import call_command

    from accounts.models import Client, User

    try:
        if not args.reuse:
            call_command("migrate", verbosity=0)
            # Build the list indexes after the load, as CREATE INDEX on a
            # filled table is much faster than updating them row by row.
            call_command("migrate", "accounts", migration_before_indexes(), verbosity=0)
            load_seconds = load_users(args.users, args.locked, args.clients)
            index_seconds = build_indexes()
            print(f"Loaded {args.users:,} users in {load_seconds:.1f} s")
            print(f"Built the list indexes in {index_seconds:.1f} s")
        browser = signed_in_client()
        client = Client.objects.order_by("code")[args.clients // 2]
        table_rows = User.objects.count()
        header = f"{'page':<18}{'ours ms':>9}{'admin ms':>10}{'ratio':>7}"
        print(f"{header}{'queries':>9}{'admin q':>9}  full scans (ours/admin)")
        for name, ours_url, admin_url in cases(client.pk, client.code):
            ours_ms, admin_ms = measure(browser, (ours_url, admin_url), args.repeats)
            ours_sql = captured_sql(browser, ours_url)
            admin_sql = captured_sql(browser, admin_url)
            scans = (
                full_scans(ours_sql, table_rows),
                full_scans(admin_sql, table_rows),
            )
            print(
                f"{name:<18}{ours_ms:>9.1f}{admin_ms:>10.1f}"
                f"{ours_ms / admin_ms:>7.2f}{len(ours_sql):>9}{len(admin_sql):>9}"
                f"  {scans[0]}/{scans[1]}"
            )
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database()


if __name__ == "__main__":
    main()
