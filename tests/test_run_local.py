"""`manage.py run_local` (what `make run` starts) serves the portal and stops
its web server and task worker with it."""

import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.smtp import free_port

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 20


@pytest.fixture
def run_local(tmp_path):
    """Start run_local in its own process group on a fresh SQLite file."""
    port = free_port()
    output = tmp_path / "output.log"
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        "EMAIL_URL": "consolemail://",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("SITE_URL", None)
    command = [sys.executable, "manage.py", "run_local", "--port", str(port)]
    # A file rather than a pipe: the children inherit it, and a pipe they kept
    # open after run_local ended would block the test's read.
    with output.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            # A shell's background job starts with SIGINT ignored, the harder
            # case for stopping with Ctrl-C; this one starts the same way.
            preexec_fn=_ignore_sigint,
        )
    yield process, port, output
    if _group_alive(process.pid):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=STOP_TIMEOUT_SECONDS)


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _group_alive(group_id: int) -> bool:
    try:
        os.killpg(group_id, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_until_serving(port: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):  # noqa: S310 - loopback
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"run_local did not serve on port {port}")


def _wait_for_group_exit(process: subprocess.Popen) -> bool:
    """Wait until run_local and every process it started have exited."""
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        # Reap run_local itself: an unreaped zombie still belongs to the group.
        process.poll()
        if not _group_alive(process.pid):
            return True
        time.sleep(0.2)
    return False


@pytest.mark.slow
@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_run_local_stops_server_and_worker(run_local, stop_signal):
    process, port, output = run_local
    _wait_until_serving(port)

    process.send_signal(stop_signal)

    assert _wait_for_group_exit(process), "server or worker still running"
    printed = output.read_text()
    assert f"http://127.0.0.1:{port}/" in printed
    assert "Demo sign-ins" in printed


def _ask_for_new_password(port: int, identifier: str) -> None:
    """Submit the forgot-password form as a browser would, CSRF cookie included."""
    url = f"http://127.0.0.1:{port}/sign-in/forgot/"
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    with opener.open(url, timeout=10) as response:
        page = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = {"csrfmiddlewaretoken": token, "identifier": identifier}
    request = urllib.request.Request(
        url, data=urllib.parse.urlencode(form).encode(), headers={"Referer": url}
    )
    with opener.open(request, timeout=10):
        pass


def _wait_for_text(path: Path, text: str) -> bool:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if text in path.read_text(errors="replace"):
            return True
        time.sleep(0.2)
    return False


@pytest.mark.slow
def test_run_local_email_links_use_its_port(run_local):
    """Emails printed by the worker link to the port the server listens on."""
    process, port, output = run_local
    _wait_until_serving(port)

    _ask_for_new_password(port, "dana")

    assert _wait_for_text(output, "Your new password is:"), "no email printed"
    assert f"http://127.0.0.1:{port}/sign-in/" in output.read_text()
