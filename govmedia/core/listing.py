"""Search, sort and validated filters of the list pages (findings, review queue, accounts, filings, posts).

A list page keeps its state in the query string, so a link, a bookmark, the pager and an export all list the
same thing. The sort is one of the page's whitelisted keys: anything else (a stale bookmark, a hand-edited URL,
a field name that is not offered) is ignored and the default applies, never a 500 or an arbitrary
`order_by`. Filters are Django forms (`ListFilterForm`): an invalid value is reported beside the form and
that filter alone is left out, so a typo in a date never loses the rest of the list.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, reduce
from operator import or_
from urllib.parse import urlencode

from django import forms
from django.db.models import Q

SEARCH_MAX = 100
# Query parameters that are a page's own state, not a filter: the pager's and the sort's.
STATE_KEYS = ("page", "sort")


@dataclass(frozen=True)
class Header:
    """A sortable column heading: its link sorts by it (ascending first, then descending)."""

    label: str
    url: str
    state: str  # "asc", "desc" or ""

    @property
    def arrow(self) -> str:
        return {"asc": "▲", "desc": "▼"}.get(self.state, "")

    @property
    def aria(self) -> str:
        return {"asc": "ascending", "desc": "descending"}.get(self.state, "none")


def query_string(params, *, drop=("page",), **changes) -> str:
    """The page's query string without `drop` and with `changes` (None removes a key); multi-valued keys
    kept, empty values dropped."""
    pairs = [(k, v) for k in params for v in params.getlist(k) if k not in drop and k not in changes and v != ""]
    pairs += [(k, v) for k, v in changes.items() if v not in (None, "")]
    return urlencode(pairs)


class Listing:
    """One list page's sort and search.

    `sorts` maps a key offered to users to (label, fields): `{"found_on": ("发现日期", ("found_on",))}`.
    `?sort=key` sorts ascending, `?sort=-key` descending. `default` is such a key, with or without "-".
    `search` maps the text box to a Q: a tuple of lookups searched with `icontains`, or a callable
    `text -> Q` for a page that also searches labels (e.g. a rule's Chinese name)."""

    def __init__(self, params, *, sorts: dict[str, tuple[str, tuple[str, ...]]], default: str, search=()):
        self.params, self.sorts, self.search_spec = params, sorts, search
        raw = str(params.get("sort", "")).strip()
        self.sort = raw if raw.removeprefix("-") in sorts and raw.count("-") <= 1 else default
        self.q = str(params.get("q", "")).strip()[:SEARCH_MAX]

    @property
    def key(self) -> str:
        return self.sort.removeprefix("-")

    @property
    def descending(self) -> bool:
        return self.sort.startswith("-")

    def order(self, qs):
        fields = self.sorts[self.key][1]
        if self.descending:
            fields = tuple(f[1:] if f.startswith("-") else f"-{f}" for f in fields)
        # The primary key last: a stable order, so no row appears on two pages.
        return qs.order_by(*fields, "-pk" if self.descending else "pk")

    def search(self, qs):
        if not self.q or not self.search_spec:
            return qs
        if callable(self.search_spec):
            return qs.filter(self.search_spec(self.q))
        return qs.filter(reduce(or_, (Q(**{f"{field}__icontains": self.q}) for field in self.search_spec)))

    def apply(self, qs):
        return self.order(self.search(qs))

    @cached_property
    def headers(self) -> dict[str, Header]:
        """Per sort key, its heading link: the same filters, first page, the other direction if it is the
        current sort."""
        out = {}
        for key, (label, _fields) in self.sorts.items():
            state = ("desc" if self.descending else "asc") if key == self.key else ""
            target = f"-{key}" if state == "asc" else key
            out[key] = Header(label=label, url="?" + query_string(self.params, drop=STATE_KEYS, sort=target), state=state)
        return out

    @property
    def choices(self) -> list[tuple[str, str]]:
        """The sorts as a select's options (phones have no headings to click)."""
        out = []
        for key, (label, _fields) in self.sorts.items():
            out += [(key, f"{label}（升序）"), (f"-{key}", f"{label}（降序）")]
        return out

    @property
    def query(self) -> str:
        """The filters, search and sort, without the page number: for an export link."""
        return query_string(self.params)


class ListFilterForm(forms.Form):
    """A list page's filter form (the search box and the sort are `Listing`'s): pairs of `<name>_from` /
    `<name>_to` dates are checked in order. Invalid fields are dropped from `filters` (the rest still apply)
    and told in `error_text`."""

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data if data is not None else {}, *args, **kwargs)

    def clean(self):
        data = super().clean()
        for name in self.fields:
            if name.endswith("_from"):
                end = name.removesuffix("_from") + "_to"
                start_day, end_day = data.get(name), data.get(end)
                if start_day and end_day and start_day > end_day:
                    self.add_error(end, "结束日期不能早于开始日期。")
        return data

    @property
    def filters(self) -> dict:
        """The valid filters (empty values left out)."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {k: v for k, v in cleaned.items() if k not in self.errors and v not in (None, "", [])}

    @property
    def error_text(self) -> str:
        self.is_valid()
        parts = []
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else ""
            parts += [f"{label}：{e}" if label else e for e in errors]
        return "；".join(parts)
