"""Enumeration: median time of a wrong sign-in for an existing account, an
unknown username and a locked account, as ratios to the unknown username.

Each sample is one wrong password from a fresh browser, for a username that
has not reached the limit (one existing and one unknown username per round,
one try per username and kind), or for one locked account. Kinds alternate
within each round, in a rotating order. Two kinds of wrong password: a typed
one, and a generated-looking one, which also gets the emailed-password
check. For the latter an account with a pending emailed password is
measured too.
Target: existing / unknown within 0.95 to 1.05.

    .venv/bin/python -m bench.enumeration [--database ...] [--rounds N]
"""

import secrets
import statistics

from bench.common import database_choices, databases, live_product, median_ms, timed
from tests.live.formclient import FormClient

# One worker: samples run one at a time, and a second would only add noise.
WORKERS = 1
# The generator's alphabet: no look-alike characters.
GENERATED_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789#$%+=?!"


RATIOS = [
    ("existing / unknown (typed)", "typed existing", "typed unknown"),
    ("locked / unknown (typed)", "typed locked", "typed unknown"),
    ("existing / unknown (generated)", "generated existing", "generated unknown"),
    ("pending / unknown (generated)", "generated pending", "generated unknown"),
]


def generated_looking() -> str:
    return "Aa2#" + "".join(secrets.choice(GENERATED_ALPHABET) for _ in range(12))


def wrong_sign_in(url: str, username: str, password: str) -> float:
    browser = FormClient(url)
    browser.get("/sign-in/")
    seconds, response = timed(
        lambda: browser.post("/sign-in/", {"username": username, "password": password})
    )
    assert response.status in (200, 403), response
    return seconds


def run(database: str, rounds: int) -> dict[str, float]:
    samples: dict[str, list[float]] = {}
    with live_product(database) as product:
        product.run_control("add_users", "exist", str(rounds))
        product.run_control("add_users", "pend", str(rounds), "pending")
        server = product.start_server("gunicorn", workers=WORKERS)
        for guess in ["lock-1", "lock-2", "lock-3"]:
            wrong_sign_in(server.url, "dana", guess)
        for index in range(rounds):
            kinds = {
                "typed existing": (f"exist{index:03d}", f"typed-{index}"),
                "typed unknown": (f"ghost{index:03d}", f"typed-{index}"),
                "typed locked": ("dana", f"typed-{index}"),
                "generated existing": (f"exist{index:03d}", generated_looking()),
                "generated unknown": (f"ghost{index:03d}", generated_looking()),
                "generated pending": (f"pend{index:03d}", generated_looking()),
            }
            # Rotate the order so no kind always runs first in a round.
            order = (
                list(kinds)[index % len(kinds) :] + list(kinds)[: index % len(kinds)]
            )
            for kind in order:
                username, password = kinds[kind]
                seconds = wrong_sign_in(server.url, username, password)
                samples.setdefault(kind, []).append(seconds)
    return samples


def main() -> None:
    parser = database_choices()
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    for database in databases(args.database):
        samples = run(database, args.rounds)
        print(f"{database}: median ms")
        for kind, values in samples.items():
            print(f"  {kind:<20} {median_ms(values):8.1f}")
        print("  ratios: of medians, and median of the ratios within each round")
        for label, kind, baseline in RATIOS:
            of_medians = median_ms(samples[kind]) / median_ms(samples[baseline])
            paired = statistics.median(
                a / b for a, b in zip(samples[kind], samples[baseline], strict=True)
            )
            print(f"    {label:<32} {of_medians:.3f}  {paired:.3f}")


if __name__ == "__main__":
    main()
