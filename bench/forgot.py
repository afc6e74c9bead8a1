"""Benchmark: response time of the forgot-password POST.

Medians for an existing account with an email address, an existing account
without one and an unknown input, as ratios to each other and to a bare
Django form view measured in the same run. The bare view (bench_urls.py) runs
the same middleware, validates a one-field form and redirects. Requests of all
kinds are interleaved in random order, so drift in the machine's speed affects
them alike.

No worker runs, so the requests find a delivery run waiting, as during a burst.
The kind "queues a run" is a forgot request that finds no run waiting and
queues one, as the first request after a quiet spell does. The kind "bare
view + 1 query" is the bare view plus one `SELECT 1`, the least that any view
touching the database costs. Neither has a target.

By default the requests go over HTTP on 127.0.0.1 to gunicorn (one sync
worker), as in production; --in-process calls Django through its test client
instead, which leaves out the HTTP and WSGI overhead that both views share.

Targets: existing/unknown within 0.95 to 1.05; forgot/bare at most 1.5.

    .venv/bin/python bench/forgot.py [--rounds 500] [--in-process]
"""

import argparse
import http.client
import random
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

from environment import free_port, machine, setup_django, subprocess_env, wait_for_port

FORGOT_URL = "/sign-in/forgot/"
TARGETS = {
    "existing with email": (FORGOT_URL, "dana"),
    "existing without email": (FORGOT_URL, "noemail"),
    "unknown": (FORGOT_URL, "stranger@elsewhere.test"),
    "bare form view": ("/bench/bare/", "dana"),
    "queues a run": (FORGOT_URL, "dana"),
    "bare view + 1 query": ("/bench/bare-query/", "dana"),
}
FORGOT_KINDS = ["existing with email", "existing without email", "unknown"]

Post = Callable[[str, str, str], int]


def create_accounts() -> None:
    from accounts.models import Client, User

    harbor = Client.objects.create(code="HCC", name="Harbor Crate Co.")
    User.objects.create(
        username="dana", email="dana.reyes@harborcrate.test", client=harbor
    )
    User.objects.create(username="noemail", email="", client=harbor)


def client_address(number: int) -> str:
    # A new client address per request keeps each one under the per-IP limit,
    # as for separate visitors. These are strings in a header: no traffic goes
    # to them.
    return f"127.1.{number // 250}.{number % 250 + 1}"


def clear_run_flag() -> None:
    """Make the next request find no delivery run waiting, so it queues one.

    No worker runs during the bench, so otherwise only the first request
    queues a run and the rest find it waiting, as during a burst.
    """
    from accounts.models import DeliveryQueue

    DeliveryQueue.objects.update(run_queued_at=None)


def measure(post: Post, rounds: int, first: int = 0) -> dict[str, list[float]]:
    timings = {kind: [] for kind in TARGETS}
    order = list(TARGETS)
    for number in range(first, first + rounds):
        random.shuffle(order)
        for kind in order:
            url, identifier = TARGETS[kind]
            if kind == "queues a run":
                clear_run_flag()
            start = time.perf_counter()
            status = post(url, identifier, client_address(number))
            timings[kind].append(time.perf_counter() - start)
            if status != 302:
                raise RuntimeError(f"{kind}: HTTP {status}, expected a redirect")
    return timings


def in_process_poster() -> Post:
    from django.conf import settings
    from django.test import Client

    settings.ALLOWED_HOSTS = ["testserver"]
    client = Client()

    def post(url: str, identifier: str, address: str) -> int:
        data = {"identifier": identifier}
        return client.post(url, data, REMOTE_ADDR=address).status_code

    return post


def http_poster(port: int) -> Post:
    """Return a function that POSTs to gunicorn with a valid CSRF token."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", FORGOT_URL)
    response = connection.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    connection.close()

    def post(url: str, identifier: str, address: str) -> int:
        body = urlencode({"csrfmiddlewaretoken": token, "identifier": identifier})
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie,
            "X-Forwarded-For": address,
        }
        # gunicorn's sync worker closes each connection, so open one per request.
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("POST", url, body=body, headers=headers)
        status = conn.getresponse().status
        conn.close()
        return status

    return post


def start_gunicorn(port: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [
        str(gunicorn),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--log-level",
        "warning",
        "config.wsgi",
    ]
    env = subprocess_env(TRUSTED_PROXY_COUNT="1")
    server = subprocess.Popen(command, env=env)
    wait_for_port(port)
    return server


def report(timings: dict[str, list[float]], mode: str, database: str, rounds: int):
    medians = {kind: statistics.median(values) for kind, values in timings.items()}
    unknown, bare = medians["unknown"], medians["bare form view"]
    print(f"Machine: {machine()}")
    print(f"Database: {database.split('://')[0]}; requests: {mode}")
    print(f"Rounds: {rounds} requests of each kind, after warm-up\n")
    for kind, median in medians.items():
        print(f"{kind:24} median {median * 1000:7.3f} ms")
    print()
    for kind in FORGOT_KINDS:
        print(f"{kind:24} / unknown   {medians[kind] / unknown:5.3f}")
    for kind in FORGOT_KINDS:
        print(f"{kind:24} / bare view {medians[kind] / bare:5.3f}")
    for kind in ["queues a run", "bare view + 1 query"]:
        print(f"{kind:24} / bare view {medians[kind] / bare:5.3f} (no target)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--in-process", action="store_true")
    args = parser.parse_args()

    database = setup_django()
    create_accounts()
    if args.in_process:
        post = in_process_poster()
        measure(post, args.warmup)
        timings = measure(post, args.rounds, first=args.warmup)
        report(timings, "Django test client, in process", database, args.rounds)
        return

    port = free_port()
    server = start_gunicorn(port)
    try:
        post = http_poster(port)
        measure(post, args.warmup)
        timings = measure(post, args.rounds, first=args.warmup)
    finally:
        server.terminate()
        server.wait(timeout=10)
    report(timings, "HTTP to gunicorn, 1 sync worker", database, args.rounds)


if __name__ == "__main__":
    main()
