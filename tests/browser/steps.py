"""Steps the browser tests share: signing in and out, and the admin list's actions.

Each step acts through what a person sees (labels, button names, headings),
so a renamed control breaks the test the way it would confuse a user.
"""

from playwright.sync_api import Locator, Page, expect

CLIENT_SIGN_IN = "/sign-in/"
WAREHOUSE_SIGN_IN = "/warehouse/sign-in/"
LOCKED_HEADING = "This account is locked"
SIGN_IN_HEADING = "Customer/client sign in"


def fill_sign_in(page: Page, username: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_in(page: Page, username: str, password: str, *, warehouse=False) -> None:
    """Open a sign-in page and submit `username` and `password` on it."""
    page.goto(WAREHOUSE_SIGN_IN if warehouse else CLIENT_SIGN_IN)
    fill_sign_in(page, username, password)


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()


def expect_portal(page: Page, full_name: str) -> None:
    expect(page.get_by_role("heading", name=f"Welcome, {full_name}")).to_be_visible()


def expect_locked_page(page: Page) -> None:
    expect(page.get_by_role("heading", name=LOCKED_HEADING)).to_be_visible()


def expect_sign_in_page(page: Page) -> None:
    expect(page.get_by_role("heading", name=SIGN_IN_HEADING)).to_be_visible()


def lock_with_wrong_passwords(page: Page, username: str) -> None:
    """Submit three different wrong passwords, which locks the account."""
    for attempt in range(1, 4):
        sign_in(page, username, f"wrong-password-{attempt}")
    expect_locked_page(page)


def open_client_user_accounts(page: Page, username: str, password: str) -> None:
    """Sign in as a warehouse admin and open Settings → Client User Accounts."""
    sign_in(page, username, password, warehouse=True)
    page.get_by_role("link", name="Client User Accounts").click()
    expect(page.get_by_role("heading", name="Client User Accounts")).to_be_visible()


def account_row(page: Page, username: str) -> Locator:
    return page.locator(f'tr[data-username="{username}"]')


def choose_action(page: Page, username: str, action: str) -> None:
    """Open the row's Actions menu and press `action` in it."""
    row = account_row(page, username)
    row.locator("summary", has_text="Actions").click()
    row.get_by_role("button", name=action).click()


def shown_password(page: Page) -> str:
    """Read the one-time password shown on the page, checking its font is
    monospace so look-alike characters stay distinguishable."""
    block = page.get_by_test_id("new-password")
    expect(block).to_be_visible()
    font = block.locator("code").evaluate("code => getComputedStyle(code).fontFamily")
    assert font.endswith("monospace"), font
    return block.inner_text().strip()
