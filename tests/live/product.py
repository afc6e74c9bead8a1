"""Start the product on its own database with real server processes.

    with LiveProduct("postgresql", workdir) as product:
        server = product.start_server("gunicorn", workers=4)
        ...
        product.hash_counts(), product.state("dana")

Servers listen on 127.0.0.1 only and are stopped, and the database removed,
when the block ends.
"""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psycopg
from environ import Env

from tests.live.hashers import COUNT_FILE_VARIABLE, read_counts

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 30
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/portal"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    log_path: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


class LiveProduct:
    def __init__(self, database: str, workdir: Path, postgres_url: str = "") -> None:
        self.database = database
        self.workdir = Path(workdir)
        self.count_file = self.workdir / "hasher-calls.txt"
        self.servers: list[Server] = []
        self._postgres_url = postgres_url or os.environ.get(
            "DATABASE_URL", DEFAULT_POSTGRES_URL
        )
        self._postgres_name = f"portal_live_{secrets.token_hex(4)}"
        self.database_url = self._database_url()

    def __enter__(self) -> "LiveProduct":
        self._create_database()
        self.run_control("prepare")
        return self

    def __exit__(self, *exc_info) -> None:
        for server in self.servers:
            server.stop()
        self._drop_database()

    def environment(self, **extra: str) -> dict[str, str]:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.live.settings",
            "DATABASE_URL": self.database_url,
            "SECURE_HTTPS": "false",
            "LOG_LEVEL": "WARNING",
            COUNT_FILE_VARIABLE: str(self.count_file),
        }
        env.pop("DEBUG", None)
        env.update(extra)
        return env

    def run_control(self, *args: str) -> str:
        env = self.environment()
        env.pop(COUNT_FILE_VARIABLE)
        done = subprocess.run(
            [sys.executable, "-m", "tests.live.control", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode:
            raise RuntimeError(f"control {args} failed:\n{done.stderr}")
        return done.stdout

    def state(self, username: str) -> dict:
        return json.loads(self.run_control("state", username))

    def hash_counts(self) -> dict[str, int]:
        return read_counts(self.count_file)

    def start_server(self, kind: str = "gunicorn", workers: int = 4, **env) -> Server:
        """Start gunicorn (`workers` processes) or the development server."""
        port = free_port()
        address = f"127.0.0.1:{port}"
        if kind == "gunicorn":
            command = [
                sys.executable, "-m", "gunicorn", "config.wsgi",
                "--bind", address, "--workers", str(workers),
                "--timeout", "60", "--graceful-timeout", "5",
            ]  # fmt: skip
        else:
            command = [sys.executable, "manage.py", "runserver", address, "--noreload"]
        log_path = self.workdir / f"{kind}-{port}.log"
        with open(log_path, "w") as log:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.environment(**env),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server = Server(process, f"http://{address}", log_path)
        self.servers.append(server)
        self._wait_until_up(server)
        return server

    def _wait_until_up(self, server: Server) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise RuntimeError(f"server exited:\n{server.log()}")
            try:
                with urllib.request.urlopen(server.url + "/sign-in/", timeout=5):
                    return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        raise RuntimeError(f"server did not start:\n{server.log()}")

    def _database_url(self) -> str:
        if self.database == "sqlite":
            return f"sqlite:///{self.workdir / 'live.sqlite3'}"
        base = self._postgres_url.rsplit("/", 1)[0]
        return f"{base}/{self._postgres_name}"

    def _maintenance_connection(self) -> psycopg.Connection:
        config = Env.db_url_config(self._postgres_url)
        return psycopg.connect(
            host=config["HOST"] or "127.0.0.1",
            port=config["PORT"] or 5432,
            user=config["USER"],
            password=config["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
        )

    def _create_database(self) -> None:
        if self.database == "postgresql":
            with self._maintenance_connection() as conn:
                conn.execute(f'CREATE DATABASE "{self._postgres_name}"')

    def _drop_database(self) -> None:
        if self.database == "postgresql":
            with self._maintenance_connection() as conn:
                conn.execute(
                    f'DROP DATABASE IF EXISTS "{self._postgres_name}" WITH (FORCE)'
                )
