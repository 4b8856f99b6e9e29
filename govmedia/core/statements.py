"""A list page's SQL compiled once per process for the same inputs (issue 14): building a province's list — the
caller's scope, the countdown's CASE over every checklist chain — and compiling it cost the account and column
lists more Python time than the rest of the page. The statement is a pure function of what the view read to
build it; it is reused only while every one of those inputs is unchanged, and only when it can be shown what
they were:

- the key names the view, the caller (every column of the user's row but the password, and their role rows:
  units, paths, roles — read afresh by each request's authentication), the whole query string (filters,
  ordering, page, page size), the day, and the database;
- while the view builds and compiles the statement on a first request, every query it runs is watched. A query
  of a table a registered fingerprint covers (`register_fingerprint`: the checklist behind the countdowns) makes
  the statement depend on that fingerprint, which is stored beside it and read again by each later request — a
  change from any process is seen at once; any other query (a filter that looks a unit up, say) means an input
  the key does not name, and the statement is not kept;
- a fingerprint that cannot be read (SQLite has none) means not kept either.

A kept statement runs on a cursor and its rows become model instances the way Django's own iterator makes them
(`_instances`), so the serializer sees what it always saw. The count of a full page is compiled with it
(`paging.count_statement`) and runs only when the page needs it, as before."""
from __future__ import annotations

import inspect
from contextvars import ContextVar

from django.conf import settings
from django.db import connections
from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.fields.files import FileDescriptor, ImageFileDescriptor
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query import ModelIterable, get_related_populators
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init
from django.utils import timezone

from . import paging

# At most this many statements per process (a new one beyond it starts the cache afresh).
MAX_ENTRIES = 256
_entries: dict[tuple, _Entry] = {}
# (table name prefix, function reading the fingerprint of those tables or None where it cannot).
_fingerprints: list[tuple[str, object]] = []
# While a statement is built: the tables it is known to read (queries seen, and `depends_on` for answers a
# request had already remembered, which run no query).
_reading: ContextVar[list | None] = ContextVar("govmedia_statement_reads", default=None)


def register_fingerprint(table_prefix: str, read) -> None:
    """Queries of tables named `table_prefix…` are covered by `read()`: a statement built with them is kept
    beside the fingerprint and reused only while `read()` answers the same."""
    if all(prefix != table_prefix for prefix, _ in _fingerprints):
        _fingerprints.append((table_prefix, read))


def depends_on(table_prefix: str, fingerprint) -> None:
    """Say that what is being computed read the tables `table_prefix…` as they were under `fingerprint` (the
    value of the function registered for them, read before them; None: unknown). A list statement built
    meanwhile is kept beside that value, and only if it is known."""
    reading = _reading.get()
    if reading is not None:
        reading.append((table_prefix, fingerprint))


class _Entry:
    __slots__ = ("compiler", "count", "db", "fingerprints", "params", "sql", "window")

    def __init__(self, db, compiler, sql, params, window, count, fingerprints):
        self.db, self.compiler, self.sql, self.params = db, compiler, sql, params
        self.window, self.count, self.fingerprints = window, count, fingerprints

    def current(self) -> bool:
        """Still this thread's connection (a compiler converts values with its own), and every fingerprint the
        statement was built under unchanged."""
        return (self.compiler.connection is connections[self.db]
                and all(read() == value for read, value in self.fingerprints))


def key_for(view, request) -> tuple | None:
    """Everything a list's statement is built from, or None where the view should build it itself."""
    user = request.user
    if not getattr(user, "is_authenticated", False) or not hasattr(user, "role_rows"):
        return None
    if getattr(request, "accepted_renderer", None) is None or request.accepted_renderer.format != "json":
        return None  # the browsable API reads the queryset for its filter forms
    columns = tuple((f.attname, getattr(user, f.attname)) for f in user._meta.concrete_fields
                    if f.attname not in ("password", "last_login"))
    query = tuple(sorted((name, tuple(values)) for name, values in request.query_params.lists()))
    return (type(view), view.action, tuple(sorted(view.kwargs.items())), columns, tuple(user.role_rows()), query,
            timezone.localdate(), settings.TIME_ZONE)


class CompiledRows:
    """What the paginator pages: `rows[a:b]` and `count()`, from a kept statement or, the first time, from the
    view's queryset (`build()`), whose statement is then kept if its inputs are all in `key`."""

    ordered = True

    def __init__(self, key, build):
        self.key, self.build = key, build
        self.entry = _entries.get(key) if key is not None else None
        if self.entry is not None and not self.entry.current():
            self.entry = None
        self._queryset = None

    def _built(self):
        if self._queryset is None:
            self._queryset = self.build()
        return self._queryset

    def __getitem__(self, window: slice):
        entry = self.entry
        if entry is None or (window.start, window.stop) != entry.window:
            entry = self._compile(window)
        if entry is None:
            return list(self._built()[window])
        return list(_instances(entry))

    def count(self) -> int:
        entry = self.entry
        if entry is None:
            queryset = self._built()
            statement = paging.count_statement(queryset)
            return 0 if statement is None else paging.run_count(queryset.db, *statement, paging.COUNT_LIMIT)
        if entry.count is None:
            return 0
        return paging.run_count(entry.db, *entry.count, paging.COUNT_LIMIT)

    def _compile(self, window: slice) -> _Entry | None:
        """Build and compile the statement, watching what the building reads; keep it if its inputs are known."""
        reads: list = []  # the SQL of each query, and (prefix, fingerprint) from depends_on

        def watch(execute, sql, params, many, context):
            reads.append(sql)
            return execute(sql, params, many, context)

        token = _reading.set(reads)
        try:
            with _watching(watch):
                queryset = self.build()
                db = queryset.db
                if (queryset._iterable_class is not ModelIterable or queryset._prefetch_related_lookups
                        or queryset._known_related_objects or queryset._fields is not None):
                    self._queryset = queryset
                    return None
                page = queryset[window]
                compiler = page.query.get_compiler(using=db)
                sql, params = compiler.as_sql()
                count = paging.count_statement(queryset)
        except Exception:  # noqa: BLE001 (EmptyResultSet and the like: the ORM's own way answers them)
            self._queryset = None
            return None
        finally:
            _reading.reset(token)
        self._queryset = queryset
        # Every query the building ran must be of tables a fingerprint covers, and the building must have said
        # under which value of that fingerprint it read them (`depends_on`): otherwise an input is unnamed.
        declared = [item for item in reads if isinstance(item, tuple)]
        queries = [item for item in reads if isinstance(item, str)]
        values: dict[str, object] = {}
        for prefix, value in declared:
            if value is None or values.get(prefix, value) != value:
                return None
            values[prefix] = value
        if any(not any(prefix in sql for prefix in values) for sql in queries):
            return None
        registered = dict(_fingerprints)
        if any(prefix not in registered for prefix in values):
            return None
        resolved = [(registered[prefix], value) for prefix, value in values.items()]
        entry = _Entry(db, compiler, sql, tuple(params), (window.start, window.stop), count, tuple(resolved))
        if self.key is not None:
            if len(_entries) >= MAX_ENTRIES:
                _entries.clear()
            _entries[self.key] = entry
        self.entry = entry
        return entry


class _watching:
    """Every connection's queries pass `watch` within the block."""

    def __init__(self, watch):
        self.watch = watch
        self.stack = []

    def __enter__(self):
        for alias in connections:
            wrapper = connections[alias].execute_wrapper(self.watch)
            wrapper.__enter__()
            self.stack.append(wrapper)
        return self

    def __exit__(self, *exc):
        while self.stack:
            self.stack.pop().__exit__(*exc)
        return False


def _instances(entry: _Entry):
    """The statement's rows as model instances, as Django's ModelIterable makes them (select_related objects and
    annotations included), without compiling anything."""
    compiler = entry.compiler
    with connections[entry.db].cursor() as cursor:
        cursor.execute(entry.sql, entry.params)
        fetched = cursor.fetchall()
    select, klass_info, annotation_col_map = compiler.select, compiler.klass_info, compiler.annotation_col_map
    model_cls = klass_info["model"]
    select_fields = klass_info["select_fields"]
    start, end = select_fields[0], select_fields[-1] + 1
    init_list = [f[0].target.attname for f in select[start:end]]
    related_populators = get_related_populators(klass_info, select, entry.db)
    make = _maker(model_cls, init_list, entry.db)
    for row in compiler.results_iter([fetched]):
        obj = make(row[start:end])
        for populator in related_populators:
            populator.populate(row, obj)
        for attr_name, col_pos in annotation_col_map.items():
            setattr(obj, attr_name, row[col_pos])
        yield obj


# Descriptors whose __set__ (as Model.__init__ calls it) only puts the value in the instance's __dict__ (an
# image's reads its dimensions on a later assignment, or through a post_init receiver, which is checked).
_STORING = (DeferredAttribute, ForeignKeyDeferredAttribute, FileDescriptor, ImageFileDescriptor)


def _maker(model_cls, attnames: list[str], db: str):
    """How a row becomes an instance: what `Model.from_db` makes, without `Model.__init__`'s per-field descriptor
    calls and its two signals, when nothing could tell the difference — every concrete field selected, the
    class's own `from_db` and `__init__`, and no receiver of pre_init or post_init for it (a page of 50 accounts
    of 48 fields each, issue 14). Otherwise `from_db` itself."""
    own = (model_cls.from_db.__func__ is Model.from_db.__func__ and model_cls.__init__ is Model.__init__
           and len(attnames) == len(model_cls._meta.concrete_fields)
           and not pre_init.has_listeners(model_cls) and not post_init.has_listeners(model_cls)
           # Each field's descriptor only stores what it is given.
           and all(type(inspect.getattr_static(model_cls, name, None)) in _STORING for name in attnames))
    if not own:
        return lambda values: model_cls.from_db(db, attnames, values)
    new = model_cls.__new__

    def make(values):
        obj = new(model_cls)
        obj.__dict__.update(zip(attnames, values))
        state = obj._state = ModelState()
        state.adding, state.db = False, db
        return obj

    return make
