"""Benchmark: forgot-password emails delivered by one worker.

Queues --emails forgot-password requests for as many accounts, then runs one
`manage.py db_worker --batch` against an SMTP server on 127.0.0.1 (aiosmtpd,
from tests/smtp.py) and prints how many emails arrived and how many per
second. Each email is the full task: match the account, check the limits,
generate and hash a password, render three templates, send over SMTP.

The rate leaves out the worker's start-up, measured in the same run as a batch
worker on an empty queue, and is also given from the first arrival to the last.

Target: every email arrives, at least 50 per second.

    .venv/bin/python bench/mail.py [--emails 1000]
"""

import argparse
import subprocess
import sys
import time

from environment import ROOT, free_port, machine, setup_django, subprocess_env


def create_requests(count: int) -> None:
    from accounts.forgot import request_new_password
    from accounts.models import Client, User

    harbor = Client.objects.create(code="HCC", name="Harbor Crate Co.")
    User.objects.bulk_create(
        User(username=f"user{n}", email=f"user{n}@example.test", client=harbor)
        for n in range(count)
    )
    for n in range(count):
        # One client address per request keeps each under the per-IP limit.
        request_new_password(f"user{n}", f"127.1.{n // 250}.{n % 250 + 1}")


def timed_smtp_server(port: int):
    """Return a LoopbackSMTPServer that also notes when each message arrives."""
    from tests.smtp import LoopbackSMTPServer

    server = LoopbackSMTPServer(port)
    server.arrival_times = []
    receive = server.inbox.handle_DATA

    async def handle_data(*args):
        reply = await receive(*args)
        server.arrival_times.append(time.perf_counter())
        return reply

    server.inbox.handle_DATA = handle_data
    return server


def run_worker(smtp_port: int) -> float:
    """Run one batch worker until the queue is empty; return its wall time."""
    command = [
        sys.executable,
        "manage.py",
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--no-reload",
        "--interval",
        "0",
        "--verbosity",
        "0",
    ]
    env = subprocess_env(EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}", LOG_LEVEL="ERROR")
    start = time.perf_counter()
    subprocess.run(command, env=env, cwd=ROOT, check=True, timeout=600)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emails", type=int, default=1000)
    args = parser.parse_args()

    database = setup_django()
    from accounts.models import PasswordRequest

    server = timed_smtp_server(free_port())
    server.start()
    try:
        start_up = run_worker(server.port)
        create_requests(args.emails)
        elapsed = run_worker(server.port)
    finally:
        server.stop()

    arrived = len(server.messages)
    recipients = {m["X-Envelope-To"] for m in server.messages}
    sent = PasswordRequest.objects.filter(status="sent").count()
    arrivals = server.arrival_times
    print(f"Machine: {machine()}")
    print(f"Database: {database.split('://')[0]}; one worker; SMTP on 127.0.0.1")
    print(
        f"Queued: {args.emails}; arrived: {arrived}; distinct recipients: "
        f"{len(recipients)}; requests marked sent: {sent}"
    )
    print(f"Worker wall time: {elapsed:.2f} s, of which start-up {start_up:.2f} s")
    print(f"Emails per second, start-up left out: {arrived / (elapsed - start_up):.1f}")
    if len(arrivals) > 1:
        span = arrivals[-1] - arrivals[0]
        print(f"Emails per second, first to last arrival: {(arrived - 1) / span:.1f}")


if __name__ == "__main__":
    main()
