"""axe-core on every page of the portal, as each kind of visitor sees it."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.steps import sign_in
from tests.factories import DEMO_PASSWORD


def test_public_pages_pass_axe(page, audit, dana):
    for path in ["/", "/sign-in/", "/warehouse/sign-in/", "/sign-in/forgot/"]:
        page.goto(path)
        audit(page)

    page.goto("/sign-in/forgot/")
    page.get_by_label("Username or email address").fill("dana")
    page.get_by_role("button", name="Email me a new password").click()
    expect(page).to_have_url("/sign-in/forgot/sent/")
    audit(page)

    page.goto("/no-such-page/")
    audit(page)


def test_sign_in_errors_and_lock_pass_axe(page, audit, dana):
    page.goto("/sign-in/")
    page.get_by_role("button", name="Sign in").click()
    audit(page)

    for attempt in range(3):
        sign_in(page, "dana", f"wrong-{attempt}")
        audit(page)
    expect(page.get_by_role("heading", name="This account is locked")).to_be_visible()


def test_client_pages_pass_axe(page, audit, dana):
    dana.password_changed_at = timezone.now() - timedelta(days=360)
    dana.save()

    sign_in(page, "dana", DEMO_PASSWORD)
    expect(page).to_have_url("/portal/")
    audit(page)

    page.get_by_role("button", name="Get a new password").first.click()
    audit(page)

    page.goto("/settings/client-users/")
    audit(page)


def test_expired_password_pages_pass_axe(page, audit, dana):
    dana.password_changed_at = timezone.now() - timedelta(days=400)
    dana.save()

    sign_in(page, "dana", DEMO_PASSWORD)
    expect(page).to_have_url("/sign-in/expired/")
    audit(page)

    page.get_by_role("button", name="Get a new password").click()
    audit(page)


def test_admin_pages_pass_axe(page, audit, admin_user, dana, locked_user):
    sign_in(page, "wendy", DEMO_PASSWORD, warehouse=True)
    expect(page).to_have_url("/settings/client-users/")
    audit(page)

    page.get_by_role("link", name="Show Locked Out").first.click()
    audit(page)
    page.get_by_text("Actions for lena").click()
    audit(page)

    for section in ["history", "edit", "sessions"]:
        page.goto(f"/settings/client-users/{dana.pk}/{section}/")
        audit(page)

    page.goto(f"/settings/client-users/{dana.pk}/edit/")
    page.get_by_label("Email address").fill("not an address")
    page.get_by_role("button", name="Save changes").click()
    audit(page)

    page.goto("/settings/client-users/add/")
    audit(page)
    page.get_by_role("button", name="Add client user").click()
    audit(page)

    page.goto("/settings/client-users/")
    page.get_by_text("Actions for dana").click()
    page.get_by_role("button", name="Reset Password").click()
    expect(page.get_by_test_id("new-password")).to_be_visible()
    audit(page)

    page.goto("/portal/")
    expect(page.get_by_role("heading", name="Access denied")).to_be_visible()
    audit(page)


def test_audit_fails_on_unlabelled_field(page, audit):
    page.goto("/")
    page.evaluate(
        "() => document.querySelector('main').append(document.createElement('input'))"
    )

    with pytest.raises(AssertionError, match="label"):
        audit(page)


def test_policy_blocks_inline_script(page):
    page.goto("/")
    page.evaluate(
        """() => {
            const script = document.createElement('script');
            script.textContent = 'window.inlineRan = true';
            document.body.append(script);
        }"""
    )

    assert page.evaluate("() => window.inlineRan === true") is False
