"""Shared pieces of the benchmark scripts."""

import argparse
import statistics
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from tests.live.product import LiveProduct


def database_choices() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--database",
        choices=["postgresql", "sqlite", "both"],
        default="both",
        help="which database engine to run on (default: both)",
    )
    return parser


def databases(choice: str) -> list[str]:
    return ["postgresql", "sqlite"] if choice == "both" else [choice]


@contextmanager
def live_product(database: str):
    with (
        tempfile.TemporaryDirectory() as workdir,
        LiveProduct(database, Path(workdir)) as product,
    ):
        yield product


def timed(action) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def median_ms(seconds: list[float]) -> float:
    return statistics.median(seconds) * 1000
