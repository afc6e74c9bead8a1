"""The client-user account journey, end to end in Chromium against a live server.

One test per step: sign in and out; lock by wrong passwords; the admin list,
Show Locked Out and Unlock User; Reset Password; Forgot password? with a real
email; an expired password; a concurrent sign-in from a second browser.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import LockReason
from tests.browser.steps import (
    CLIENT_SIGN_IN,
    account_row,
    choose_action,
    expect_locked_page,
    expect_portal,
    expect_sign_in_page,
    fill_sign_in,
    lock_with_wrong_passwords,
    open_client_user_accounts,
    shown_password,
    sign_in,
    sign_out,
)
from tests.factories import DEMO_PASSWORD, ClientUserFactory
from tests.smtp import text_body

DANA_EMAIL = "dana.reyes@harborcrate.test"


@pytest.fixture
def erin(harbor):
    """A client user whose password was set 400 days ago."""
    return ClientUserFactory(
        username="erin",
        full_name="Erin Walsh",
        client=harbor,
        password_changed_at=timezone.now() - timedelta(days=400),
    )


def test_client_signs_in_and_out(page, dana):
    page.goto("/")
    page.get_by_role("link", name="Customer/client sign in").click()
    fill_sign_in(page, "dana", DEMO_PASSWORD)

    expect_portal(page, "Dana Reyes")
    expect(page.get_by_text("Harbor Crate Co.")).to_be_visible()
    expect(page.get_by_text("Password expires")).to_be_visible()

    sign_out(page)
    expect_sign_in_page(page)
    page.goto("/portal/")
    expect_sign_in_page(page)


def test_three_wrong_passwords_lock_account(page, dana):
    sign_in(page, "dana", "wrong-password-1")
    expect(page.get_by_text("2 attempts are left")).to_be_visible()
    sign_in(page, "dana", "wrong-password-2")
    expect(page.get_by_text("1 attempt is left")).to_be_visible()
    sign_in(page, "dana", "wrong-password-3")
    expect_locked_page(page)

    sign_in(page, "dana", DEMO_PASSWORD)

    expect_locked_page(page)
    dana.refresh_from_db()
    assert dana.lock_reason == LockReason.FAILED_ATTEMPTS
    assert dana.last_login is None


def test_admin_unlocks_locked_user(page, new_page, dana, omar, admin_user):
    lock_with_wrong_passwords(new_page(), "dana")

    open_client_user_accounts(page, "wendy", DEMO_PASSWORD)
    expect(account_row(page, "omar")).to_be_visible()
    expect(account_row(page, "dana")).to_have_count(0)
    expect(page.get_by_text("1 locked account is hidden")).to_be_visible()

    page.get_by_role("link", name="Show Locked Out").first.click()
    expect(account_row(page, "dana")).to_contain_text("Failed sign-in attempts")
    expect(account_row(page, "omar")).to_have_count(0)

    choose_action(page, "dana", "Unlock User")
    expect(page.get_by_text("dana is unlocked.")).to_be_visible()
    expect(account_row(page, "dana")).to_be_visible()

    client_browser = new_page()
    sign_in(client_browser, "dana", DEMO_PASSWORD)
    expect_portal(client_browser, "Dana Reyes")


def test_reset_password_shows_it_once(page, new_page, dana, admin_user):
    open_client_user_accounts(page, "wendy", DEMO_PASSWORD)

    with page.expect_response(
        lambda response: "reset-password" in response.url
    ) as reset:
        choose_action(page, "dana", "Reset Password")

    assert "no-store" in reset.value.headers["cache-control"]
    first_block = page.locator("main > :first-child")
    expect(first_block).to_have_attribute("class", "new-password")
    password = shown_password(page)
    assert password != DEMO_PASSWORD
    client_browser = new_page()
    sign_in(client_browser, "dana", password)
    expect_portal(client_browser, "Dana Reyes")


def test_forgot_password_email_signs_in(page, dana, smtp_server, run_worker):
    page.goto(CLIENT_SIGN_IN)
    page.get_by_role("link", name="Forgot password?").click()
    page.get_by_label("Username or email address").fill(DANA_EMAIL)
    page.get_by_role("button", name="Email me a new password").click()
    expect(page.get_by_text("check your junk or spam folder")).to_be_visible()
    known_answer = page.locator("main").inner_text()

    page.goto("/sign-in/forgot/")
    page.get_by_label("Username or email address").fill("stranger@elsewhere.test")
    page.get_by_role("button", name="Email me a new password").click()
    expect(page.get_by_text("check your junk or spam folder")).to_be_visible()
    assert page.locator("main").inner_text() == known_answer

    run_worker()
    assert smtp_server.messages_to("stranger@elsewhere.test") == []
    [message] = smtp_server.messages_to(DANA_EMAIL)
    sign_in(page, "dana", password_in_email(text_body(message)))
    expect_portal(page, "Dana Reyes")


def password_in_email(body: str) -> str:
    lines = [line.strip() for line in body.splitlines()]
    start = lines.index("Your new password is:") + 1
    return next(line for line in lines[start:] if line)


def test_expired_password_gets_new_one(page, erin):
    sign_in(page, "erin", DEMO_PASSWORD)
    expect(
        page.get_by_role("heading", name="Your password has expired")
    ).to_be_visible()

    page.get_by_role("button", name="Get a new password").click()
    password = shown_password(page)
    page.get_by_role("link", name="Continue to the portal").click()
    expect_portal(page, "Erin Walsh")

    sign_out(page)
    sign_in(page, "erin", password)
    expect_portal(page, "Erin Walsh")


def test_second_browser_locks_account(page, new_page, dana):
    sign_in(page, "dana", DEMO_PASSWORD)
    expect_portal(page, "Dana Reyes")

    second_browser = new_page()
    sign_in(second_browser, "dana", DEMO_PASSWORD)
    expect_locked_page(second_browser)

    page.reload()
    expect_sign_in_page(page)
    dana.refresh_from_db()
    assert dana.lock_reason == LockReason.CONCURRENT_SIGN_IN


def test_two_tabs_are_not_concurrent(page, dana):
    """Tabs of one browser share its cookies, so they are one sign-in."""
    sign_in(page, "dana", DEMO_PASSWORD)
    expect_portal(page, "Dana Reyes")

    second_tab = page.context.new_page()
    second_tab.goto("/portal/")
    expect_portal(second_tab, "Dana Reyes")
    sign_in(second_tab, "dana", DEMO_PASSWORD)
    expect_portal(second_tab, "Dana Reyes")

    page.reload()
    expect_portal(page, "Dana Reyes")
    dana.refresh_from_db()
    assert dana.locked_at is None


def test_stale_form_in_second_tab_counts_nothing(page, dana, omar):
    """Signing in and out in one tab rotates the CSRF token of the other's form."""
    page.goto(CLIENT_SIGN_IN)
    other_tab = page.context.new_page()
    sign_in(other_tab, "omar", DEMO_PASSWORD)
    expect_portal(other_tab, "Omar Haddad")
    sign_out(other_tab)

    fill_sign_in(page, "dana", "wrong-password-1")

    expect(page.get_by_text("The sign-in form had expired")).to_be_visible()
    expect(page.get_by_label("Username")).to_have_value("dana")
    dana.refresh_from_db()
    assert dana.failed_attempts == 0
    assert not AccessAttempt.objects.filter(username="dana").exists()

    fill_sign_in(page, "dana", DEMO_PASSWORD)
    expect_portal(page, "Dana Reyes")


def test_list_fits_narrow_screen(page, dana, admin_user):
    page.set_viewport_size({"width": 390, "height": 800})
    open_client_user_accounts(page, "wendy", DEMO_PASSWORD)

    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= 390
    expect(account_row(page, "dana")).to_be_attached()
