"""Filters, sort and counts of the Client User Accounts list.

The list must stay fast with a million accounts, so it never counts the
whole table: counts stop at COUNT_CAP and the page shows "more than" past it,
and pages end where the cap does. Every filter and sort is served by an index
(see the accounts migrations 0004_admin_list_indexes and
0005_search_covering_indexes on PostgreSQL).
"""

from dataclasses import dataclass, replace
from urllib.parse import quote, urlencode

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import AccountEvent, Client, EventKind, User
from accounts.usernames import normalize_username
from clientportal.forms import without_unprintable

PAGE_SIZE = 50
COUNT_CAP = 1_000
LAST_PAGE = COUNT_CAP // PAGE_SIZE
MAX_QUERY_LENGTH = 100
# Trigram indexes match substrings of three characters or more. A shorter
# search would have to read every row, so it matches the start of the
# username only, which the username index serves.
MIN_SUBSTRING_SEARCH = 3

SORTS = {
    "username": (_("Username"), [F("username").asc()]),
    "name": (_("Name"), [F("full_name").asc(), F("id").asc()]),
    "-last_sign_in": (
        _("Most recent sign-in"),
        [F("last_login").desc(nulls_last=True), F("id").desc()],
    ),
    "password_set": (
        _("Oldest password"),
        [F("password_changed_at").asc(nulls_first=True), F("id").asc()],
    ),
    "-locked_at": (_("Most recently locked"), [F("locked_at").desc(), F("id").desc()]),
}
DEFAULT_SORT = "username"


@dataclass(frozen=True)
class ListFilters:
    show_locked: bool = False
    query: str = ""
    client_code: str = ""
    sort: str = DEFAULT_SORT
    page: int = 1

    @classmethod
    def from_params(cls, params) -> "ListFilters":
        sort = params.get("sort", DEFAULT_SORT)
        try:
            page = int(params.get("page", "1"))
        except ValueError:
            page = 1
        return cls(
            show_locked=params.get("locked") == "1",
            query=without_unprintable(params.get("q", "")).strip()[:MAX_QUERY_LENGTH],
            client_code=without_unprintable(params.get("client", ""))[:20],
            sort=sort if sort in SORTS else DEFAULT_SORT,
            page=min(max(page, 1), LAST_PAGE),
        )

    @property
    def is_prefix_search(self) -> bool:
        return 0 < len(self.query) < MIN_SUBSTRING_SEARCH

    @property
    def query_string(self) -> str:
        """Return the filters and sort, without the page, for the page links."""
        params = {"locked": "1"} if self.show_locked else {}
        params |= {"q": self.query, "client": self.client_code, "sort": self.sort}
        # "/" stays unquoted, as in Django's urlencode template filter.
        return urlencode(params, safe="/", quote_via=quote)


@dataclass(frozen=True)
class ListPage:
    rows: list
    filters: ListFilters
    clients: list
    matching: int
    hidden_locked: int

    @property
    def is_count_capped(self) -> bool:
        return self.matching > COUNT_CAP

    @property
    def first(self) -> int:
        return (self.filters.page - 1) * PAGE_SIZE + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0

    @property
    def has_previous(self) -> bool:
        return self.filters.page > 1

    @property
    def has_next(self) -> bool:
        return self.last < min(self.matching, COUNT_CAP)


def matching_users(filters: ListFilters) -> QuerySet:
    """Return the client users the filters select, unordered."""
    users = User.objects.filter(client__isnull=False)
    users = users.filter(locked_at__isnull=not filters.show_locked)
    if filters.is_prefix_search:
        users = users.filter(username__startswith=normalize_username(filters.query))
    elif filters.query:
        users = users.filter(
            Q(username__icontains=filters.query)
            | Q(full_name__icontains=filters.query)
            | Q(email__icontains=filters.query)
        )
    if filters.client_code:
        users = users.filter(client__code=filters.client_code)
    return users


def capped_count(users: QuerySet) -> RawSQL:
    """Return a subquery that counts `users` but stops after COUNT_CAP + 1 rows."""
    capped = users.order_by().values("pk")[: COUNT_CAP + 1]
    sql, params = capped.query.sql_with_params()
    # The inner SQL comes from the ORM with its values as parameters.
    count_sql = f"SELECT COUNT(*) FROM ({sql}) AS capped"  # noqa: S608
    return RawSQL(count_sql, params)  # noqa: S611


def load_list_page(filters: ListFilters) -> ListPage:
    """Load one page of the list in two queries.

    The first returns the clients for the filter menu, with the counts
    attached as uncorrelated subqueries, which PostgreSQL and SQLite evaluate
    once per query, not once per row. The second returns the page's rows.
    """
    users = matching_users(filters)
    clients = Client.objects.order_by("name").only("code", "name")
    clients = clients.annotate(matching=capped_count(users))
    if not filters.show_locked:
        hidden = User.objects.filter(client__isnull=False, locked_at__isnull=False)
        clients = clients.annotate(hidden_locked=capped_count(hidden))
    clients = list(clients)

    # Without a client there can be no client user, so both counts are zero.
    matching = clients[0].matching if clients else 0
    hidden_locked = getattr(clients[0], "hidden_locked", 0) if clients else 0
    last_page = max(1, -(-min(matching, COUNT_CAP) // PAGE_SIZE))
    filters = replace(filters, page=min(filters.page, last_page))
    users = _narrow_for_indexes(users, filters, clients, matching)
    return ListPage(
        rows=page_rows(users, filters),
        filters=filters,
        clients=clients,
        matching=matching,
        hidden_locked=hidden_locked,
    )


def _narrow_for_indexes(users, filters, clients, matching: int) -> QuerySet:
    """Rewrite the rows query, selecting the same rows, so PostgreSQL picks the
    fast plan."""
    # Filtering by the client's id, not by a join on its code, lets PostgreSQL
    # read the rows in order from the (client, username) index.
    selected = [client.pk for client in clients if client.code == filters.client_code]
    if selected:
        users = users.filter(client_id=selected[0])
    if not filters.query:
        return users
    # When all matches fit under the cap, sorting them is cheap.
    if matching <= COUNT_CAP:
        return User.objects.filter(
            pk__in=users.order_by().values("pk")[: COUNT_CAP + 1]
        )
    # Otherwise PostgreSQL walks the sort index until a page of matches turns
    # up, tens of thousands of entries when they cluster late in that order.
    # Selecting only the keys lets it walk a covering index (migration 0005)
    # without reading the table, and then read just the rows the page shows.
    # NOTE: the walk still grows with how late the first matches sort. At a
    # million users a search whose matches start near the end of username
    # order took about 600 ms (docs/benchmarks.md).
    keys = users.order_by(*SORTS[filters.sort][1]).values("pk")
    return User.objects.filter(pk__in=keys[: filters.page * PAGE_SIZE])


def page_rows(users: QuerySet, filters: ListFilters) -> list:
    rows = users.select_related("client").order_by(*SORTS[filters.sort][1])
    rows = rows.defer("password", "pending_password", "failed_password_digests")
    if filters.show_locked:
        rows = rows.annotate(lock_ip=_lock_ip())
    start = (filters.page - 1) * PAGE_SIZE
    rows = list(rows[start : start + PAGE_SIZE])
    # The base of each row's action URLs (settings/client-users/<pk>/), built
    # once here because reverse() for eight actions on fifty rows is slow.
    list_url = reverse("clientportal:client-users")
    for account in rows:
        account.admin_url = f"{list_url}{account.pk}/"
    return rows


def _lock_ip() -> Subquery:
    """Return the IP address of the latest lock: where the failures came from."""
    latest_lock = AccountEvent.objects.filter(
        user=OuterRef("pk"), kind=EventKind.LOCKED
    ).order_by("-at", "-id")
    return Subquery(latest_lock.values("ip_address")[:1])
