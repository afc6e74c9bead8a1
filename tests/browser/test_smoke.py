from playwright.sync_api import expect


def test_client_signs_in_and_out(page, dana):
    page.goto("/")
    page.get_by_role("link", name="Customer/client sign in").click()
    page.get_by_label("Username").fill("dana")
    page.get_by_label("Password").fill("P-valid")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Welcome, Dana Reyes")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Customer/client sign in")).to_be_visible()
