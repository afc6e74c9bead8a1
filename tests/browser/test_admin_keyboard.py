"""The admin journey with the keyboard alone: sign in, Show Locked Out,
unlock with a reason, reset a password. Every focused control must show a
visible focus indicator, and axe-core checks each page on the way."""

from playwright.sync_api import expect

from accounts.models import AccountEvent, EventKind

MAX_TABS = 80


def tab_to(page, locator) -> None:
    """Press Tab until `locator` has focus, then check the focus is visible."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if locator.evaluate("element => element === document.activeElement"):
            break
    else:
        raise AssertionError(f"{MAX_TABS} presses of Tab never reached {locator}")
    outline = locator.evaluate(
        "element => { const style = getComputedStyle(element);"
        " return [style.outlineStyle, parseFloat(style.outlineWidth)]; }"
    )
    assert outline[0] != "none", f"{locator} has focus but no visible outline"
    assert outline[1] >= 2, f"{locator} has a focus outline under 2px"


def test_admin_unlocks_and_resets_with_keyboard(
    page, audit, admin_user, dana, locked_user
):
    page.goto("/")
    tab_to(page, page.get_by_role("link", name="Warehouse sign in"))
    page.keyboard.press("Enter")
    expect(page).to_have_url("/warehouse/sign-in/")
    audit(page)

    page.keyboard.type("wendy")
    page.keyboard.press("Tab")
    page.keyboard.type("P-valid")
    page.keyboard.press("Enter")
    expect(page).to_have_url("/settings/client-users/")
    audit(page)

    tab_to(page, page.get_by_role("link", name="Show Locked Out").first)
    page.keyboard.press("Enter")
    expect(
        page.get_by_role("heading", name="Locked client user accounts")
    ).to_be_visible()
    audit(page)

    tab_to(page, page.get_by_text("Actions for lena"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_label("Reason (optional, kept in the history)"))
    page.keyboard.type("Confirmed by phone")
    tab_to(page, page.get_by_role("button", name="Unlock User"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("lena is unlocked.")).to_be_visible()
    audit(page)

    tab_to(page, page.get_by_text("Actions for lena"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("button", name="Reset Password"))
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("new-password")).to_be_visible()
    audit(page)

    locked_user.refresh_from_db()
    unlocked = AccountEvent.objects.get(user=locked_user, kind=EventKind.UNLOCKED)
    assert locked_user.locked_at is None
    assert unlocked.detail == "Confirmed by phone"
    assert AccountEvent.objects.filter(
        user=locked_user, kind=EventKind.PASSWORD_RESET_BY_ADMIN
    ).exists()
