"""Lockout with the product running as in production: server processes on
loopback, the suite's database engine, real Argon2 counted by the hasher."""

import re
from http import HTTPStatus

import pytest
from django.conf import settings

from tests.live.burst import burst_of_sign_ins, wrong_passwords
from tests.live.formclient import FormClient
from tests.live.product import LiveProduct

pytestmark = pytest.mark.slow

BURST_SIZE = 20
LIMIT = 3
SERVERS = [
    pytest.param(("gunicorn", 4), id="gunicorn-4-workers"),
    pytest.param(("runserver", 1), id="development-server"),
]


@pytest.fixture
def product(tmp_path):
    engine = settings.DATABASES["default"]["ENGINE"]
    database = "postgresql" if "postgresql" in engine else "sqlite"
    with LiveProduct(database, tmp_path) as live:
        yield live


def burst_of_wrong_passwords(url: str, username: str, size: int) -> list:
    timed = burst_of_sign_ins(url, username, wrong_passwords(size))
    return [result.response for result in timed]


@pytest.mark.parametrize("server_kind", SERVERS)
def test_burst_of_wrong_passwords_checks_exactly_three(product, server_kind):
    """20 concurrent wrong passwords, then the right one."""
    kind, workers = server_kind
    server = product.start_server(kind, workers=workers)

    responses = burst_of_wrong_passwords(server.url, "dana", BURST_SIZE)
    right = FormClient(server.url).sign_in("dana", "P-valid")

    statuses = [r.status for r in responses]
    assert all(status < HTTPStatus.INTERNAL_SERVER_ERROR for status in statuses)
    assert product.hash_counts()["verify"] == LIMIT
    # Two failures get the countdown. The third failure's own response is
    # the locked page, and so are the 17 responses sent without a check.
    assert sum(r.is_countdown for r in responses) == LIMIT - 1
    assert sum(r.is_locked_page for r in responses) == BURST_SIZE - (LIMIT - 1)
    assert right.status == HTTPStatus.FORBIDDEN
    assert right.is_locked_page
    assert "sessionid" not in right.cookies_set
    state = product.state("dana")
    assert state["failed_attempts"] == LIMIT
    assert state["axes_failures"] == LIMIT
    assert state["locked"]
    assert state["last_login"] is None


def test_burst_on_unknown_username_hashes_exactly_three_times(product):
    """No account row to lock: the per-username database lock alone holds."""
    server = product.start_server("gunicorn", workers=4)

    responses = burst_of_wrong_passwords(server.url, "nobody", BURST_SIZE)

    counts = product.hash_counts()
    assert all(r.status < HTTPStatus.INTERNAL_SERVER_ERROR for r in responses)
    assert counts["verify"] + counts["encode"] == LIMIT
    assert sum(r.is_locked_page for r in responses) == BURST_SIZE - (LIMIT - 1)


def test_unlock_from_another_server_process_clears_everything(product):
    """Lock through one server process, unlock through another."""
    first = product.start_server("gunicorn", workers=1)
    second = product.start_server("gunicorn", workers=1)
    dana = FormClient(first.url)
    for guess in ["wrong-1", "wrong-2", "wrong-3"]:
        dana.sign_in("dana", guess)
    assert product.state("dana")["locked"]

    admin = FormClient(second.url)
    admin.sign_in("wendy", "P-valid", path="/warehouse/sign-in/")
    listing = admin.get("/settings/client-users/?locked=1")
    unlock_path = re.search(r"/settings/client-users/\d+/unlock/", listing.body)
    admin.post(unlock_path.group(0), {"reason": "Called the warehouse"})
    unlocked = product.state("dana")

    signed_in = dana.sign_in("dana", "P-valid")
    dana.get("/portal/")
    dana.post("/sign-out/", {})
    second_failure = [dana.sign_in("dana", guess) for guess in ["bad-1", "bad-2"]][-1]
    third_failure = dana.sign_in("dana", "bad-3")

    assert unlocked["axes_failures"] is None
    assert unlocked["failed_attempts"] == 0
    assert not unlocked["locked"]
    assert signed_in.status == HTTPStatus.FOUND
    assert signed_in.location == "/portal/"
    assert second_failure.is_countdown
    assert third_failure.is_locked_page
