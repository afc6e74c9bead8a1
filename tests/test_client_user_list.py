"""Settings → Client User Accounts: the list, its filters, counts and query budget."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.events import record_event
from accounts.models import EventKind, LockReason
from clientportal import client_user_list
from tests.factories import ClientFactory, ClientUserFactory

LIST_URL = reverse("clientportal:client-users")
MAX_QUERIES = 6


def lock(user, ip_address="203.0.113.9"):
    user.locked_at = timezone.now()
    user.lock_reason = LockReason.FAILED_ATTEMPTS
    user.save()
    record_event(user, EventKind.LOCKED, ip_address=ip_address, detail="test")
    return user


def listed_usernames(response) -> list[str]:
    return [account.username for account in response.context["listing"].rows]


@pytest.fixture
def crowd(harbor, dana, omar):
    """Sixty users of Harbor, five locked, and three users of another client."""
    others = ClientUserFactory.create_batch(55, client=harbor)
    for user in others[:3]:
        lock(user)
    lock(omar)
    northpeak = ClientFactory(code="NPS", name="Northpeak Supplies")
    ClientUserFactory.create_batch(3, client=northpeak)
    return others


def test_standard_list_hides_locked_accounts(admin_client, dana, omar):
    lock(omar)

    response = admin_client.get(LIST_URL)

    assert "dana" in listed_usernames(response)
    assert "omar" not in listed_usernames(response)


def test_standard_list_says_how_many_locked_are_hidden(admin_client, crowd):
    response = admin_client.get(LIST_URL)

    assert response.context["listing"].hidden_locked == 4
    assert "4 locked accounts are hidden from this list." in response.content.decode()


def test_show_locked_out_lists_only_locked(admin_client, dana, omar):
    lock(omar, ip_address="198.51.100.23")

    response = admin_client.get(LIST_URL, {"locked": "1"})
    body = response.content.decode()

    assert listed_usernames(response) == ["omar"]
    assert "Failed sign-in attempts" in body
    assert "from 198.51.100.23" in body


def test_list_excludes_warehouse_staff(admin_client, admin_user, dana):
    response = admin_client.get(LIST_URL)

    assert admin_user.username not in listed_usernames(response)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("dan", "dana"),
        ("reyes", "dana"),
        ("harborcrate.test", "dana"),
        ("HADD", "omar"),
    ],
)
def test_search_matches_username_name_or_email(
    admin_client, dana, omar, query, expected
):
    response = admin_client.get(LIST_URL, {"q": query})

    assert expected in listed_usernames(response)


def test_short_search_matches_start_of_username(admin_client, dana, omar):
    response = admin_client.get(LIST_URL, {"q": "Da"})

    assert listed_usernames(response) == ["dana"]


def test_short_search_ignores_middle_of_username(admin_client, dana, omar):
    response = admin_client.get(LIST_URL, {"q": "ma"})

    assert listed_usernames(response) == []


def test_client_filter_lists_only_that_client(admin_client, crowd):
    response = admin_client.get(LIST_URL, {"client": "NPS"})
    rows = response.context["listing"].rows

    assert len(rows) == 3
    assert {account.client.code for account in rows} == {"NPS"}


def test_list_pages_by_fifty(admin_client, crowd):
    first = admin_client.get(LIST_URL)
    second = admin_client.get(LIST_URL, {"page": "2"})

    assert len(first.context["listing"].rows) == 50
    assert first.context["listing"].has_next
    assert "Showing 1–50 of 56 accounts." in first.content.decode()
    assert len(second.context["listing"].rows) == 6
    assert not second.context["listing"].has_next


def test_next_page_link_keeps_search_and_sort(admin_client, harbor):
    ClientUserFactory.create_batch(51, client=harbor, full_name="Zoë O'Neil/Ward")

    response = admin_client.get(LIST_URL, {"q": "Zoë O'Neil/W", "sort": "name"})

    expected = "?q=Zo%C3%AB%20O%27Neil/W&amp;client=&amp;sort=name&amp;page=2"
    assert f'<a href="{expected}" rel="next">' in response.content.decode()


def test_previous_page_link_keeps_show_locked(admin_client, harbor):
    ClientUserFactory.create_batch(
        51,
        client=harbor,
        locked_at=timezone.now(),
        lock_reason=LockReason.FAILED_ATTEMPTS,
    )

    response = admin_client.get(LIST_URL, {"locked": "1", "page": "2"})

    expected = "?locked=1&amp;q=&amp;client=&amp;sort=username&amp;page=1"
    assert f'<a href="{expected}" rel="prev">' in response.content.decode()


def test_page_past_the_end_shows_last_page(admin_client, crowd):
    response = admin_client.get(LIST_URL, {"page": "99"})

    assert response.context["filters"].page == 2


def test_invalid_page_and_sort_fall_back(admin_client, dana):
    response = admin_client.get(LIST_URL, {"page": "x", "sort": "password"})

    assert response.status_code == HTTPStatus.OK
    assert response.context["filters"].page == 1
    assert response.context["filters"].sort == "username"


def test_sort_by_recent_sign_in_puts_never_last(admin_client, dana, omar):
    omar.last_login = timezone.now() - timedelta(days=1)
    omar.save()

    response = admin_client.get(LIST_URL, {"sort": "-last_sign_in"})

    assert listed_usernames(response) == ["omar", "dana"]


def test_sort_by_oldest_password_puts_unknown_first(admin_client, dana, omar):
    dana.password_changed_at = None
    dana.save()

    response = admin_client.get(LIST_URL, {"sort": "password_set"})

    assert listed_usernames(response) == ["dana", "omar"]


def test_count_past_cap_says_more_than(admin_client, crowd, monkeypatch):
    monkeypatch.setattr(client_user_list, "COUNT_CAP", 20)
    monkeypatch.setattr("clientportal.views.client_users.COUNT_CAP", 20)

    response = admin_client.get(LIST_URL)
    body = response.content.decode()

    assert response.context["listing"].is_count_capped
    assert "of more than 20 accounts" in body


def test_count_past_cap_stops_paging_at_cap(admin_client, crowd, monkeypatch):
    monkeypatch.setattr(client_user_list, "COUNT_CAP", 50)

    response = admin_client.get(LIST_URL)

    assert len(response.context["listing"].rows) == 50
    assert not response.context["listing"].has_next


@pytest.mark.parametrize("sort", ["username", "name"])
def test_search_past_cap_keeps_order(admin_client, harbor, monkeypatch, sort):
    monkeypatch.setattr(client_user_list, "COUNT_CAP", 12)
    monkeypatch.setattr(client_user_list, "PAGE_SIZE", 5)
    # Usernames descend and names are shuffled, so neither sort follows the
    # order the accounts were created in.
    matches = [
        ClientUserFactory(
            client=harbor,
            username=f"rey{25 - n:02}",
            full_name=f"Ann Reyes {n * 7 % 25:02}",
        )
        for n in range(25)
    ]
    ClientUserFactory.create_batch(5, client=harbor, full_name="Bo Chen")
    key = {"username": "username", "name": "full_name"}[sort]
    in_order = sorted(matches, key=lambda user: (getattr(user, key), user.pk))

    response = admin_client.get(LIST_URL, {"q": "reyes", "sort": sort, "page": "2"})

    assert response.context["listing"].is_count_capped
    assert listed_usernames(response) == [user.username for user in in_order[5:10]]


@pytest.mark.parametrize(
    "params",
    [{}, {"q": "reyes"}, {"q": "da"}, {"locked": "1"}, {"client": "HCC"}],
    ids=["standard", "search", "short-search", "show-locked", "client-filter"],
)
def test_list_stays_within_query_budget(
    admin_client, crowd, params, django_assert_max_num_queries
):
    with django_assert_max_num_queries(MAX_QUERIES):
        response = admin_client.get(LIST_URL, params)

    assert response.status_code == HTTPStatus.OK


def test_query_budget_does_not_grow_with_rows(
    admin_client, crowd, django_assert_max_num_queries
):
    """Sessions, permission, clients with counts and the page's rows."""
    with django_assert_max_num_queries(MAX_QUERIES):
        admin_client.get(LIST_URL, {"locked": "1", "sort": "-locked_at"})
    ClientUserFactory.create_batch(40, client=crowd[0].client)

    with django_assert_max_num_queries(MAX_QUERIES):
        admin_client.get(LIST_URL, {"page": "2", "sort": "name"})
