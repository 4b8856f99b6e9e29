"""Counting a list's rows without counting a province (issue 14): every page of a list said "共 N 条", and
for a province supervisor N was an exact COUNT(*) over hundreds of thousands of rows on every page. Counts
stop at COUNT_LIMIT: up to it they are exact, beyond it a list says "more than" and still pages on."""
from __future__ import annotations

import copy
import functools
import hashlib

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import EmptyPage, Page, Paginator
from django.db import connections
from django.db.models import QuerySet
from django.db.models.expressions import Col
from django.db.models.lookups import In
from django.db.models.sql.query import Query
from django.db.models.sql.where import WhereNode
from django.utils.functional import cached_property

# 10,000 rows: 200 pages of 50 — more than anyone reads; a larger list is narrowed with a filter.
COUNT_LIMIT = 10_000
# How long a list found beyond COUNT_LIMIT is taken to still be beyond it (its pages then skip the count).
CAPPED_SECONDS = 60
# The largest offset a page may ask for: far beyond any table, well inside PostgreSQL's bigint.
MAX_OFFSET = 2**53


def bounded_count(rows, limit: int = COUNT_LIMIT) -> tuple[int, bool]:
    """(count, capped): the number of rows up to `limit`, and whether there are more. A queryset is counted
    in the database over at most limit + 1 rows, without its ordering (a sort the count does not need)."""
    rows = getattr(rows, "queryset", rows)  # a lazy wrapper that shapes rows names the query it reads
    if isinstance(rows, QuerySet):
        statement = count_statement(rows, limit)
        counted = 0 if statement is None else run_count(rows.db, *statement, limit)
    elif hasattr(rows, "count") and callable(rows.count):
        counted = rows.count()
    else:
        counted = len(rows)
    return min(counted, limit), counted > limit


def count_statement(queryset: QuerySet, limit: int = COUNT_LIMIT) -> tuple[str, tuple] | None:
    """COUNT(*) over the queryset's ids, at most limit + 1 of them, without its ordering and row annotations,
    compiled once (Django's own count() clones the query into an aggregate and compiles it again around the
    subquery); None for a queryset no row can match (.none())."""
    ids = _without_annotations(queryset.order_by().values("pk"))[: limit + 1]
    ids.query.where = _scopes_as_arrays(ids.query.where)
    try:
        sql, params = ids.query.get_compiler(using=ids.db).as_sql()
    except EmptyResultSet:
        return None
    return f"SELECT COUNT(*) FROM ({sql}) subquery", tuple(params)


def few_ids(queryset: QuerySet) -> QuerySet:
    """Mark a subquery of ids as few (a unit scope: a handful to a few thousand units), for counting: a count
    compares a column with them as one array (`= ANY(ARRAY(…))`), which PostgreSQL answers through that
    column's index, instead of probing every row of the table against the subquery. A county's accounts
    (1,000 of a province's 20,000, owner, operator or supervisor in scope) counted in 1.6 ms instead of 5.9 ms.
    A page keeps `IN (…)`: the same spelling made its plan slower (6.7 → 8.4 ms)."""
    queryset = queryset._chain()
    queryset.query.few_ids = True  # a Query's clones copy its attributes
    return queryset


def _scopes_as_arrays(node):
    """The WHERE tree with each `<column> IN (subquery of few ids)` compared as an array on PostgreSQL
    (`few_ids`). The queryset's own tree is left as it is (the page keeps `IN`)."""
    if isinstance(node, WhereNode):
        node = copy.copy(node)
        node.children = [_scopes_as_arrays(child) for child in node.children]
        return node
    if (isinstance(node, In) and isinstance(node.lhs, Col) and isinstance(node.rhs, Query)
            and getattr(node.rhs, "few_ids", False)):
        node = copy.copy(node)
        node.__class__ = _as_array(type(node))
    return node


@functools.cache
def _as_array(lookup: type[In]) -> type[In]:
    """`lookup` (In, or the related-field In) read as an array on PostgreSQL, from its own two halves."""

    def as_postgresql(self, compiler, connection):
        column, column_params = self.process_lhs(compiler, connection)
        subquery, subquery_params = self.process_rhs(compiler, connection)
        return f"{column} = ANY(ARRAY{subquery})", (*column_params, *subquery_params)

    return type(f"Array{lookup.__name__}", (lookup,), {"as_postgresql": as_postgresql})


def run_count(db: str, statement: str, params: tuple, limit: int = COUNT_LIMIT) -> int:
    """The count statement's answer (limit + 1 for "more than the limit").

    A list found beyond the limit is remembered as such for CAPPED_SECONDS (the cache, shared by the processes
    where Redis is configured), keyed by the statement and its parameters: its pages then count nothing — counting
    10,001 rows cost a province's list more than its page itself (issue 14). An exact count, below the limit, is
    never remembered."""
    key = "govmedia.paging.capped:" + hashlib.sha256(f"{db}|{limit}|{statement}|{list(params)!r}".encode()).hexdigest()
    if _cache_call(cache.get, key):
        return limit + 1
    with connections[db].cursor() as cursor:
        cursor.execute(statement, params)
        counted = cursor.fetchone()[0]
    if counted > limit:
        _cache_call(cache.set, key, True, CAPPED_SECONDS)
    return counted


def _cache_call(method, *args):
    """The cache only spares work: one that is down (Redis unreachable) means counting, never a failed list."""
    try:
        return method(*args)
    except Exception:  # noqa: BLE001 (any backend's connection error)
        return None


def _without_annotations(queryset: QuerySet) -> QuerySet:
    """The count needs none of the row-level annotations a list adds (the countdown's CASE over every unit group):
    Django would copy and compile them into the counted subquery all the same. A filter on an annotation is
    already inlined in WHERE; an aggregate one (GROUP BY) stays."""
    query = queryset.query
    if query.group_by is None and not any(getattr(a, "contains_aggregate", False) for a in query.annotations.values()):
        queryset = queryset._chain()
        queryset.query.annotations = {}
        queryset.query.set_annotation_mask(())
    return queryset


class BoundedPaginator(Paginator):
    """Django's Paginator for the HTML lists, with the count bounded: beyond COUNT_LIMIT rows the last page
    offered is the limit's, and `capped` tells the pager to say "超过 N 条" (templates/includes/pager.html)."""

    limit = COUNT_LIMIT

    @cached_property
    def _bounded(self) -> tuple[int, bool]:
        return bounded_count(self.object_list, self.limit)

    @cached_property
    def count(self) -> int:
        return self._bounded[0]

    @property
    def capped(self) -> bool:
        return self._bounded[1]


class ApiPaginator(BoundedPaginator):
    """The API's: a page reads one row more than it shows, so it knows whether another page follows without
    the count, and a page that is not full knows the count from its own rows. Pages go on past the limit."""

    def validate_number(self, number) -> int:
        """A whole number from 1 up, with no last page to check against (that would need the count)."""
        try:
            number = int(number)
        except (TypeError, ValueError):
            return super().validate_number(number)  # Django's PageNotAnInteger, with its message
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        if (number - 1) * self.per_page > MAX_OFFSET:
            # Past any table's end; the database would refuse an OFFSET beyond its integer range (a 500).
            raise EmptyPage(self.error_messages["no_results"])
        return number

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom: bottom + self.per_page + 1])
        more = len(rows) > self.per_page
        rows = rows[: self.per_page]
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        if not more:
            # The last page: the count is known exactly, with no query.
            self.__dict__["_bounded"] = (bottom + len(rows), False)
        page = Page(rows, number, self)
        page.has_next = lambda: more
        return page
