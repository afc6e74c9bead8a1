"""Django's own admin: only staff roles and permissions are edited there."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from tests.factories import WarehouseAdminFactory


@pytest.fixture
def superuser_browser(client, db, sign_in):
    WarehouseAdminFactory(username="root", is_superuser=True)
    assert sign_in(
        client, "root", url_name="clientportal:warehouse-sign-in"
    ).status_code
    return client


def test_staff_roles_stay_editable(superuser_browser, dana):
    url = reverse("admin:accounts_user_change", args=[dana.pk])

    response = superuser_browser.get(url)

    assert response.status_code == HTTPStatus.OK
    form_fields = response.context["adminform"].form.fields
    assert "is_staff" in form_fields
    assert "user_permissions" in form_fields
    assert "username" not in form_fields


def test_account_menu_link_needs_permission(client, sign_in, db):
    WarehouseAdminFactory(username="sam").user_permissions.clear()
    sign_in(client, "sam", url_name="clientportal:warehouse-sign-in")

    page = client.get(reverse("clientportal:home"))

    assert "Client User Accounts" not in page.content.decode()


def test_staff_without_permission_land_on_admin_index(client, sign_in, db):
    WarehouseAdminFactory(username="sam").user_permissions.clear()

    response = sign_in(client, "sam", url_name="clientportal:warehouse-sign-in")

    assert response["Location"] == reverse("admin:index")
    assert client.get(response["Location"]).status_code == HTTPStatus.OK


def test_account_menu_link_shown_with_permission(admin_client):
    page = admin_client.get(reverse("clientportal:home"))

    assert "Client User Accounts</a>" in page.content.decode()
