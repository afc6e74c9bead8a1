"""Browser tests: Playwright driving Debian's Chromium against a live server.

Without Chromium these tests skip, saying how to install it; with
REQUIRE_BROWSER=1 (as in CI) they fail instead, so a skip cannot pass as green.
The same holds for axe-core, which the `audit` fixture loads from
node_modules (installed from package-lock.json by `make test`).
"""

import os
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import LockReason
from tests.factories import ClientUserFactory

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules/axe-core/axe.min.js"
AXE_HINT = (
    f"axe-core not found at {AXE_SCRIPT}: install it with 'npm ci' in the "
    "project folder ('make test' does this when npm is installed)."
)
# axe-core's impact levels that fail a test; "minor" and "moderate" are
# reported by axe but left to judgement.
FAILING_IMPACTS = {"serious", "critical"}
INSTALL_HINT = (
    f"Chromium not found at {CHROMIUM}: install it with "
    "'apt-get install chromium' or set CHROMIUM_PATH."
)
# Flags that keep Chromium from reaching out to the network at start-up.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# Playwright's sync API keeps an event loop running in the test thread, which
# makes Django refuse ORM calls from fixtures; the calls are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# First, so that -m browser and -m "not browser" see the mark.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    browser_dir = Path(__file__).parent
    for item in items:
        if browser_dir in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Report a skipped browser test as failed when REQUIRE_BROWSER=1.

    Covers every reason for a skip, not only a missing Chromium, so CI cannot
    pass without the browser tests having run.
    """
    report = yield
    required = os.environ.get("REQUIRE_BROWSER") == "1"
    if required and report.skipped and "browser" in item.keywords:
        report.outcome = "failed"
        report.longrepr = (
            f"skipped, but REQUIRE_BROWSER=1 forbids skips: {report.longrepr}"
        )
    return report


def _require(condition: bool, hint: str) -> None:
    if condition:
        return
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(hint)
    pytest.skip(hint)


@pytest.fixture(scope="session")
def browser():
    _require(CHROMIUM.exists(), INSTALL_HINT)

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server):
    """Return a function that opens a page in a fresh browser (own cookies)."""
    contexts = []

    def open_page():
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture(scope="session")
def axe_source() -> str:
    _require(AXE_SCRIPT.exists(), AXE_HINT)
    return AXE_SCRIPT.read_text()


@pytest.fixture
def audit(axe_source):
    """Return a function that runs axe-core on a page and fails on serious or
    critical violations, listing each rule, its help text and the elements."""

    def run(page) -> None:
        # evaluate() runs through the DevTools protocol, which the page's
        # Content Security Policy does not cover, so the strict policy stays.
        page.evaluate(axe_source)
        results = page.evaluate(
            "() => axe.run(document, {resultTypes: ['violations']})"
        )
        failing = [
            violation
            for violation in results["violations"]
            if violation["impact"] in FAILING_IMPACTS
        ]
        report = "\n".join(
            f"{violation['impact']}: {violation['id']}: {violation['help']} "
            f"({', '.join(str(node['target']) for node in violation['nodes'])})"
            for violation in failing
        )
        assert not failing, f"axe-core violations on {page.url}:\n{report}"

    return run


@pytest.fixture
def locked_user(harbor):
    """A client user locked by failed attempts."""
    return ClientUserFactory(
        username="lena",
        full_name="Lena Novak",
        client=harbor,
        locked_at=timezone.now(),
        lock_reason=LockReason.FAILED_ATTEMPTS,
    )
