"""Sign-in: a successful sign-in through the product against a bare Django
LoginView, both served by the same gunicorn with the same Argon2 hasher.

Requests alternate between the two, so drift affects both alike. Only the
POST is timed. Each browser signs out (untimed) before the next sign-in,
because the concurrent sign-in policy would lock a second browser. Prints
the medians and their ratio.
Target: product / LoginView <= 1.10.

    .venv/bin/python -m bench.signin [--database ...] [--rounds N]
"""

from bench.common import database_choices, databases, live_product, median_ms, timed
from tests.live.formclient import FormClient

WORKERS = 2
WARM_UP_ROUNDS = 3


def product_sign_in(url: str) -> float:
    browser = FormClient(url)
    browser.get("/sign-in/")
    seconds, response = timed(
        lambda: browser.post("/sign-in/", {"username": "dana", "password": "P-valid"})
    )
    assert response.status == 302, response
    assert response.location == "/portal/", response
    browser.get("/portal/")
    browser.post("/sign-out/", {})
    return seconds


def bare_sign_in(url: str) -> float:
    browser = FormClient(url)
    browser.get("/bare-login/")
    seconds, response = timed(
        lambda: browser.post(
            "/bare-login/", {"username": "omar", "password": "P-valid"}
        )
    )
    assert response.status == 302, response
    return seconds


def run(database: str, rounds: int) -> tuple[float, float]:
    with live_product(database) as product:
        server = product.start_server(
            "gunicorn", workers=WORKERS, DJANGO_SETTINGS_MODULE="bench.settings"
        )
        for _ in range(WARM_UP_ROUNDS):
            product_sign_in(server.url)
            bare_sign_in(server.url)
        ours, bare = [], []
        for _ in range(rounds):
            ours.append(product_sign_in(server.url))
            bare.append(bare_sign_in(server.url))
    return median_ms(ours), median_ms(bare)


def main() -> None:
    parser = database_choices()
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    print(f"{'database':<11} {'product ms':>10} {'LoginView ms':>12} {'ratio':>6}")
    for database in databases(args.database):
        ours, bare = run(database, args.rounds)
        print(f"{database:<11} {ours:>10.1f} {bare:>12.1f} {ours / bare:>6.3f}")


if __name__ == "__main__":
    main()
