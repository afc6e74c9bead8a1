"""Run the whole product on one machine: migrate, seed, web server and task worker."""

import os
import signal
import subprocess
import sys
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from accounts.management.commands.seed_demo import ADMIN_USERNAME as DEMO_ADMIN
from accounts.models import User


class Command(BaseCommand):
    help = (
        "Migrate, seed demo data when there are no users, then run the development "
        "server and the task worker until Ctrl-C."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))

    def handle(self, *args, host: str, port: str, **options) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        # seed_demo is idempotent: on a demo database it only prints the sign-ins.
        is_empty = not User.objects.exists()
        if is_empty or User.objects.filter(username=DEMO_ADMIN).exists():
            call_command("seed_demo", allow_without_debug=True)

        _stop_on_signals()
        manage = [sys.executable, "manage.py"]
        worker = [*manage, "db_worker", "--interval", "0.5", "--no-reload"]
        server = [*manage, "runserver", f"{host}:{port}", "--noreload"]
        # Email links must reach this server unless the operator set SITE_URL.
        env = {"SITE_URL": f"http://{host}:{port}", **os.environ}
        # Fixed argument lists; only host and port come from the operator.
        processes = [
            subprocess.Popen(worker, env=env),  # noqa: S603
            subprocess.Popen(server, env=env),  # noqa: S603
        ]
        self.stdout.write(
            f"\nThe portal is at http://{host}:{port}/ (Ctrl-C stops it)\n"
        )
        self._wait(processes)

    def _wait(self, processes) -> None:
        try:
            while all(process.poll() is None for process in processes):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            # SIGTERM, because the children may have inherited an ignored
            # SIGINT; runserver exits on it and db_worker finishes its task.
            for process in processes:
                if process.poll() is None:
                    process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()


def _stop_on_signals() -> None:
    """Make Ctrl-C and SIGTERM both end the wait loop, which stops the children.

    A shell starts a background job with SIGINT ignored, and Python then
    installs no Ctrl-C handler; SIGTERM would otherwise end this process and
    leave the server and worker running.
    """
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt
