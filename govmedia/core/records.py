"""Update records (of an account, of a column): each recorded once, and the subject's denormalised last-update
date moved forward. Both the accounts and the sites room record updates from many paths (pages, API, imports,
feeds, publication); this is what those paths share. The model classes are passed in: core imports no app."""
from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Case, DateField, F, Model, Q, Value, When
from django.utils import timezone


def create_once(model: type[Model], *, subject: dict, external_id: str = "", **fields) -> tuple[Model, bool]:
    """Create a `model` row for `subject` (e.g. {"column": column}); returns (row, created). A non-empty
    `external_id` or `url` already recorded for the subject (a feed read again, a file imported twice, a push
    retried) adds nothing."""
    url = fields.get("url", "")
    existing = _recorded(model, subject, external_id, url)
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            return model.objects.create(**subject, external_id=external_id, **fields), True
    except IntegrityError:  # a concurrent record of the same item won
        return _recorded(model, subject, external_id, url), False


def _recorded(model: type[Model], subject: dict, external_id: str, url: str) -> Model | None:
    if external_id:
        row = model.objects.filter(**subject, external_id=external_id).first()
        if row:
            return row
    return model.objects.filter(**subject, url=url).first() if url else None


def local_date(moment: dt.datetime) -> dt.date:
    """The day an update was published on, in the deployment's time zone."""
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def _moves_forward(field: str, day) -> Q:
    """The rule of every denormalised last-update date: it moves to `day` (a date or an expression) only when
    that is later, or when there was none. Records written at the same time, or an old record filled in late,
    cannot move it backwards."""
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lt": day})


def advance_date(model: type[Model], pk, field: str, day: dt.date) -> None:
    """Move the row's date `field` forward to `day`, never back: one conditional UPDATE."""
    model.objects.filter(pk=pk).filter(_moves_forward(field, day)).update(**{field: day})


def advance_dates(model: type[Model], days: dict[int, dict[str, dt.date]]) -> int:
    """`advance_date` for many rows and fields in ONE UPDATE: `days` maps a row's pk to {field: day}, e.g. the
    newest update per subject of a bulk write. A field missing for a row leaves it as it is."""
    if not days:
        return 0
    changes = {}
    for field in sorted({name for per_row in days.values() for name in per_row}):
        day = Case(
            *[When(pk=pk, then=Value(per_row[field])) for pk, per_row in days.items() if field in per_row],
            default=Value(None), output_field=DateField(),
        )
        changes[field] = Case(When(_moves_forward(field, day), then=day), default=F(field), output_field=DateField())
    return model.objects.filter(pk__in=list(days)).update(**changes)


def create_many(model: type[Model], rows: list[Model], subject: str) -> tuple[list[Model], int]:
    """Insert unsaved `rows` of an update model with one bulk INSERT; returns (rows inserted, ignored). A row whose
    (subject, url) is stored already, or repeats an earlier row's, is ignored (rows without a url never are).
    The model's unique (subject, url) constraint backs this up: a record inserted meanwhile by someone else is
    skipped by the database (ON CONFLICT DO NOTHING), though then counted as created here."""
    column = f"{subject}_id"
    keyed = [(getattr(row, column), row.url) for row in rows if row.url]
    stored = set()
    if keyed:
        stored = set(
            model.objects.filter(**{f"{column}__in": {pk for pk, _ in keyed}, "url__in": {url for _, url in keyed}})
            .values_list(column, "url")
        )
    fresh, seen = [], set()
    for row in rows:
        key = (getattr(row, column), row.url)
        if row.url and (key in stored or key in seen):
            continue
        seen.add(key)
        fresh.append(row)
    model.objects.bulk_create(fresh, ignore_conflicts=True)
    return fresh, len(rows) - len(fresh)


def newest_days(rows: list[Model], subject: str, field: str, only=None) -> dict[int, dict[str, dt.date]]:
    """{subject pk: {field: the day of its newest row}} over `rows` (those passing `only`), for `advance_dates`."""
    newest: dict[int, dict[str, dt.date]] = {}
    for row in rows:
        if only is None or only(row):
            day, per_subject = local_date(row.published_at), newest.setdefault(getattr(row, f"{subject}_id"), {})
            per_subject[field] = max(per_subject.get(field, day), day)
    return newest
