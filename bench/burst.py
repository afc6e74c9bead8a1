"""Burst: 30, then 200 concurrent wrong passwords for one account.

Runs the product under gunicorn with 4 workers on PostgreSQL and on SQLite,
each burst on a fresh database, and prints per run the passwords checked
(counting hasher), the 5xx responses and the median latency.
Target: 3 checks and 0 errors at both sizes.

    .venv/bin/python -m bench.burst [--database postgresql|sqlite|both]
"""

from bench.common import database_choices, databases, live_product, median_ms
from tests.live.burst import burst_of_sign_ins, wrong_passwords

SIZES = [30, 200]
WORKERS = 4
LIMIT = 3


def run(database: str, size: int) -> dict:
    with live_product(database) as product:
        server = product.start_server("gunicorn", workers=WORKERS)
        results = burst_of_sign_ins(server.url, "dana", wrong_passwords(size))
        checks = product.hash_counts()["verify"]
        state = product.state("dana")
    return {
        "checks": checks,
        "errors": sum(r.response.status >= 500 for r in results),
        "locked_pages": sum(r.response.is_locked_page for r in results),
        "median_ms": median_ms([r.seconds for r in results]),
        "max_ms": max(r.seconds for r in results) * 1000,
        "user_row_count": state["failed_attempts"],
        "axes_count": state["axes_failures"],
    }


def main() -> None:
    args = database_choices().parse_args()
    print(
        f"{'database':<11} {'burst':>5} {'checks':>6} {'checks/3':>8} {'5xx':>4} "
        f"{'locked':>6} {'median ms':>9} {'max ms':>7} {'row':>4} {'axes':>4}"
    )
    for database in databases(args.database):
        for size in SIZES:
            result = run(database, size)
            print(
                f"{database:<11} {size:>5} {result['checks']:>6} "
                f"{result['checks'] / LIMIT:>8.2f} {result['errors']:>4} "
                f"{result['locked_pages']:>6} {result['median_ms']:>9.1f} "
                f"{result['max_ms']:>7.1f} {result['user_row_count']:>4} "
                f"{result['axes_count']:>4}"
            )


if __name__ == "__main__":
    main()
