"""Every URL of the project, requested by every kind of visitor.

The URL list comes from the URLconf itself, so a new URL fails
test_matrix_covers_every_url until its expected statuses are written here.
"""

from http import HTTPStatus

import pytest
from django.contrib.auth.models import Permission
from django.test import Client as BrowserClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import ClientFactory, ClientUserFactory


class StaffFactory(ClientUserFactory):
    """Warehouse staff without the permission to manage client users."""

    client = None
    is_staff = True


OK = HTTPStatus.OK
FOUND = HTTPStatus.FOUND
FORBIDDEN = HTTPStatus.FORBIDDEN
NOT_FOUND = HTTPStatus.NOT_FOUND
ROLES = ["anonymous", "client_user", "staff_without_permission", "admin"]

# URL name: (method, takes the target account's id, statuses in ROLES order).
# Admin pages send anonymous visitors to the warehouse sign-in (302) and
# reject everyone else without the permission (403).
ADMIN_PAGE = (OK, FORBIDDEN, FORBIDDEN, OK)
ADMIN_PAGE_FOR_ANONYMOUS = FOUND
MATRIX = {
    "clientportal:home": ("get", False, (OK, OK, OK, OK)),
    "clientportal:healthz": ("get", False, (OK, OK, OK, OK)),
    "clientportal:sign-in": ("get", False, (OK, OK, OK, OK)),
    "clientportal:warehouse-sign-in": ("get", False, (OK, OK, OK, OK)),
    "clientportal:sign-out": ("post", False, (FOUND, FOUND, FOUND, FOUND)),
    "clientportal:password-expired": ("get", False, (FOUND, FOUND, FOUND, FOUND)),
    "clientportal:renew-password": ("post", False, (FOUND, FOUND, FOUND, FOUND)),
    "clientportal:forgot-password": ("get", False, (OK, OK, OK, OK)),
    "clientportal:forgot-password-sent": ("get", False, (OK, OK, OK, OK)),
    "clientportal:portal": ("get", False, (FOUND, OK, FORBIDDEN, FORBIDDEN)),
    "clientportal:portal-renew-password": ("post", False, (FOUND, OK, OK, OK)),
    "clientportal:client-users": ("get", False, (FOUND, FORBIDDEN, FORBIDDEN, OK)),
    "clientportal:add-client-user": (
        "get",
        False,
        (FOUND, FORBIDDEN, FORBIDDEN, OK),
    ),
    "clientportal:access-review-csv": (
        "get",
        False,
        (FOUND, FORBIDDEN, FORBIDDEN, OK),
    ),
    "clientportal:unlock-user": ("post", True, (FOUND, FORBIDDEN, FORBIDDEN, FOUND)),
    "clientportal:reset-password": ("post", True, (FOUND, FORBIDDEN, FORBIDDEN, OK)),
    "clientportal:unlock-and-reset-password": (
        "post",
        True,
        (FOUND, FORBIDDEN, FORBIDDEN, OK),
    ),
    "clientportal:account-history": ("get", True, (FOUND, FORBIDDEN, FORBIDDEN, OK)),
    "clientportal:edit-account": ("get", True, (FOUND, FORBIDDEN, FORBIDDEN, OK)),
    "clientportal:deactivate-account": (
        "post",
        True,
        (FOUND, FORBIDDEN, FORBIDDEN, FOUND),
    ),
    "clientportal:reactivate-account": (
        "post",
        True,
        (FOUND, FORBIDDEN, FORBIDDEN, FOUND),
    ),
    "clientportal:account-sessions": (
        "get",
        True,
        (FOUND, FORBIDDEN, FORBIDDEN, OK),
    ),
    "clientportal:end-sessions": ("post", True, (FOUND, FORBIDDEN, FORBIDDEN, FOUND)),
    # Django's own admin: its sign-in page redirects to the warehouse sign-in,
    # and only staff get in.
    "/admin/login/": ("get", False, (FOUND, FOUND, FOUND, FOUND)),
    # Signing out of the admin is the portal's sign-out, and passwords are
    # never chosen, so the admin's password form is not served.
    "/admin/logout/": ("post", False, (FOUND, FOUND, FOUND, FOUND)),
    "/admin/password_change/": ("get", False, (NOT_FOUND,) * 4),
    "/admin/password_change/done/": ("get", False, (NOT_FOUND,) * 4),
    "admin:index": ("get", False, (FOUND, FOUND, OK, OK)),
}
# Django admin's pages beyond its index are its own, covered by its own
# permission checks; listing each model's URLs here would test Django.
SKIPPED_NAMESPACES = {"admin"}


def project_urls(patterns=None, namespace: str = "", prefix: str = "") -> set[str]:
    """Return every URL name (or route, for unnamed ones) in the URLconf."""
    found = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in SKIPPED_NAMESPACES:
                found.add(f"{pattern.namespace}:index")
                continue
            inner = (
                f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            )
            found |= project_urls(
                pattern.url_patterns, inner, prefix + str(pattern.pattern)
            )
        elif isinstance(pattern, URLPattern):
            name = pattern.name
            found.add(f"{namespace}{name}" if name else f"/{prefix}{pattern.pattern}")
    return found


@pytest.fixture
def other_client_user(db):
    """An account of another client, whose data no client user may see."""
    northpeak = ClientFactory(code="NPS", name="Northpeak Supplies")
    return ClientUserFactory(
        username="bjorn", email="bjorn.secret@northpeak.test", client=northpeak
    )


@pytest.fixture
def visitor(request, dana, admin_user, sign_in):
    """A browser signed in as the role named by the test's parameter."""
    role = request.param
    browser = BrowserClient()
    if role == "client_user":
        assert sign_in(browser, "dana").status_code == FOUND
    elif role == "staff_without_permission":
        StaffFactory(username="sam")
        staff = sign_in(browser, "sam", url_name="clientportal:warehouse-sign-in")
        assert staff.status_code == FOUND
    elif role == "admin":
        admin = sign_in(browser, "wendy", url_name="clientportal:warehouse-sign-in")
        assert admin.status_code == FOUND
    return role, browser


def url_for(name: str, target) -> str:
    if name.startswith("/"):
        return name
    takes_account = MATRIX[name][1]
    return reverse(name, args=[target.pk] if takes_account else [])


def test_matrix_covers_every_url():
    assert project_urls() == set(MATRIX)


def test_staff_without_permission_really_lacks_it(db):
    sam = StaffFactory(username="sam")

    assert sam.is_staff
    assert not sam.user_permissions.exists()
    assert Permission.objects.filter(codename="manage_client_users").exists()


@pytest.mark.parametrize("visitor", ROLES, indirect=True)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_url_answers_each_role(visitor, name, other_client_user):
    role, browser = visitor
    method, _takes_account, statuses = MATRIX[name]

    response = getattr(browser, method)(url_for(name, other_client_user))

    assert response.status_code == statuses[ROLES.index(role)]


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_client_user_never_sees_other_client(name, dana, sign_in, other_client_user):
    browser = BrowserClient()
    sign_in(browser, "dana")
    method = MATRIX[name][0]

    response = getattr(browser, method)(url_for(name, other_client_user))
    body = (
        b"".join(response.streaming_content) if response.streaming else response.content
    )

    assert b"bjorn" not in body
    assert b"Northpeak" not in body
    other_client_user.refresh_from_db()
    assert other_client_user.is_active
