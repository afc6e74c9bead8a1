"""Set up Django for a bench script: production settings, a fresh database.

Run from the repository root. DATABASE_URL selects the database, by default a
new SQLite file in a temporary folder. On PostgreSQL the named database is
dropped and created again, so point it at a scratch database only.
"""

import os
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent


def setup_django() -> str:
    """Configure Django on a fresh, migrated database; return its DATABASE_URL."""
    sys.path[:0] = [str(ROOT), str(BENCH)]
    workdir = tempfile.mkdtemp(prefix="portal-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-deployment")
    os.environ.setdefault("SECURE_HTTPS", "false")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench_settings")

    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    if connection.vendor == "postgresql":
        _recreate_postgres_database()
    call_command("migrate", verbosity=0)
    return os.environ["DATABASE_URL"]


def _recreate_postgres_database() -> None:
    from django.db import connection

    name = connection.settings_dict["NAME"]
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def subprocess_env(**extra: str) -> dict[str, str]:
    """Return the environment for a server or worker on the bench database."""
    env = {**os.environ, "PYTHONPATH": f"{ROOT}:{BENCH}", **extra}
    return env


def wait_for_port(port: int, seconds: float = 30) -> None:
    import socket
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"Nothing listens on 127.0.0.1:{port} after {seconds} s")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def machine() -> str:
    """Return a one-line description of this machine for the results."""
    import platform

    cpus = os.cpu_count()
    with open("/proc/meminfo") as meminfo:
        kib = int(meminfo.readline().split()[1])
    # Other processes on a shared machine skew the numbers; the load shows it.
    load = os.getloadavg()[0]
    return (
        f"{platform.processor() or platform.machine()}, {cpus} cores, "
        f"{kib / 2**20:.0f} GiB, Python {platform.python_version()}, "
        f"load average {load:.1f} at start"
    )
