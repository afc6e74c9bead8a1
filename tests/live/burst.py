"""Many browsers posting sign-ins at the same instant."""

import threading
import time
from dataclasses import dataclass

from tests.live.formclient import FormClient, Response

BARRIER_TIMEOUT_SECONDS = 60
REQUEST_TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class Timed:
    response: Response
    seconds: float


def burst_of_sign_ins(url: str, username: str, passwords: list[str]) -> list[Timed]:
    """Let one browser per password load the form, then post all at a barrier."""
    browsers = [FormClient(url, timeout=REQUEST_TIMEOUT_SECONDS) for _ in passwords]
    for browser in browsers:
        browser.get("/sign-in/")
    barrier = threading.Barrier(len(passwords))
    results: list[Timed | None] = [None] * len(passwords)

    def attempt(index: int) -> None:
        barrier.wait(timeout=BARRIER_TIMEOUT_SECONDS)
        start = time.perf_counter()
        response = browsers[index].post(
            "/sign-in/", {"username": username, "password": passwords[index]}
        )
        results[index] = Timed(response, time.perf_counter() - start)

    threads = [
        threading.Thread(target=attempt, args=(index,), daemon=True)
        for index in range(len(passwords))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=REQUEST_TIMEOUT_SECONDS + BARRIER_TIMEOUT_SECONDS)
    missing = sum(result is None for result in results)
    if missing:
        raise RuntimeError(f"{missing} requests of the burst did not finish")
    return results


def wrong_passwords(count: int) -> list[str]:
    return [f"wrong-guess-{index:03d}" for index in range(count)]
