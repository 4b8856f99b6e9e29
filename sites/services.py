"""Writes on sites and columns. Views, serializers and tasks call these; the rules live here."""
import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from govmedia.core import records
from govmedia.core.exceptions import DomainConflict

from .models import Column, ColumnUpdate, Site, UpdateSource

SITE_FIELDS = {
    "name", "url", "owner", "operator", "supervisor", "icp_number", "police_number", "site_code", "status",
    "launched_on", "homepage_is_navigation", "has_consultation_channel",
}
COLUMN_FIELDS = {"name", "parent", "category", "responsible", "url", "feed_url", "opened_on"}


def _only(fields: dict, allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")


@transaction.atomic
def site_create(**fields) -> Site:
    _only(fields, SITE_FIELDS)
    site = Site(**fields)
    site.full_clean()
    site.save()
    return site


@transaction.atomic
def site_update(*, site: Site, **fields) -> Site:
    _only(fields, SITE_FIELDS)
    for name, value in fields.items():
        setattr(site, name, value)
    site.full_clean()
    site.save()
    return site


@transaction.atomic
def site_delete(*, site: Site) -> None:
    """A site with update records is history the inspections rely on: it is switched off, never deleted."""
    if ColumnUpdate.objects.filter(column__site=site).exists():
        raise DomainConflict("该网站已有栏目更新记录，不能删除；如已关停或迁移，请修改其状态。")
    site.delete()


def _check_column(column: Column) -> None:
    errors = {}
    parent = column.parent
    if parent is not None:
        if parent.site_id != column.site_id:
            errors["parent"] = "上级栏目必须属于同一网站。"
        elif column.pk:
            ancestor = parent
            while ancestor is not None:
                if ancestor.pk == column.pk:
                    errors["parent"] = "上级栏目不能是本栏目或其下级栏目。"
                    break
                ancestor = ancestor.parent
    if column.name and "parent" not in errors:
        clash = Column.objects.filter(site_id=column.site_id, parent=parent, name=column.name).exclude(pk=column.pk)
        if clash.exists():
            where = f"“{parent.name}”下" if parent else "该网站一级栏目中"
            errors["name"] = f"{where}已有名为“{column.name}”的栏目。"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def column_create(*, site: Site, name: str, **fields) -> Column:
    _only(fields, COLUMN_FIELDS)
    column = Column(site=site, name=name, **fields)
    _check_column(column)
    column.full_clean()
    column.save()
    return column


@transaction.atomic
def column_update(*, column: Column, **fields) -> Column:
    _only(fields, COLUMN_FIELDS)
    for name, value in fields.items():
        setattr(column, name, value)
    _check_column(column)
    column.full_clean()
    column.save()
    return column


@transaction.atomic
def column_delete(*, column: Column) -> None:
    if ColumnUpdate.objects.filter(column__in=[column, *column.children.all()]).exists() or column.children.exists():
        raise DomainConflict("该栏目有下级栏目或更新记录，不能删除。")
    column.delete()


FUTURE_MESSAGE = "发布时间不能晚于当前时间。"


def published_in_future(published_at: dt.datetime) -> bool:
    """Someone recording a column's update cannot date it later than now (five minutes' grace for clocks)."""
    return published_at > timezone.now() + dt.timedelta(minutes=5)


@transaction.atomic
def column_record_update(
    *, column: Column, published_at: dt.datetime, title: str, url: str = "", source: str = UpdateSource.MANUAL,
    external_id: str = "",
) -> tuple[ColumnUpdate, bool]:
    """Record one update someone made to a column (page or API); refuses dates in the future."""
    errors = {}
    if published_in_future(published_at):
        errors["published_at"] = FUTURE_MESSAGE
    if not (title or "").strip():
        errors["title"] = "请填写标题。"
    if errors:
        raise ValidationError(errors)
    probe = ColumnUpdate(column=column, published_at=published_at, title=title.strip(), url=url, source=source)
    probe.full_clean(exclude=["column", "external_id"])
    return column_add_update(
        column=column, published_at=published_at, title=title.strip(), url=url, source=source, external_id=external_id
    )


# --- Column updates: every path (publication, API, import, feed, crawl) records them here -------------------
# The column's denormalised `last_updated_on` moves forward in the same transaction, by a conditional UPDATE,
# so concurrent records never move it backwards (govmedia/core/records.py).


@transaction.atomic
def column_add_update(*, column, published_at, title, url="", source="api", external_id="", original=True):
    """Record one update of a column; returns (update, created). A repeated `external_id` or url adds nothing."""
    update, created = records.create_once(
        ColumnUpdate, subject={"column": column}, external_id=external_id,
        published_at=published_at, title=title[:500], url=url, source=source, original=original,
    )
    if created:
        records.advance_date(Column, column.pk, "last_updated_on", records.local_date(published_at))
    return update, created


@transaction.atomic
def column_add_updates(*, items: list[dict], source: str = UpdateSource.API) -> tuple[int, int]:
    """Record many updates at once (a bulk push; each item: column id, published_at, title, url); returns
    (created, ignored). One INSERT for the records, skipping any whose (column, url) is stored already or repeats
    an earlier item; then ONE UPDATE moving each column's `last_updated_on` forward to its newest new record, by
    the same rule as `column_add_update`, in the same transaction. The caller has checked the items (see
    `published_in_future`) and that the user may record updates for every column."""
    rows = [
        ColumnUpdate(
            column_id=item["column"], published_at=item["published_at"], title=item["title"][:500],
            url=item.get("url", ""), source=source,
        )
        for item in items
    ]
    created, ignored = records.create_many(ColumnUpdate, rows, "column")
    records.advance_dates(Column, records.newest_days(created, "column", "last_updated_on"))
    return len(created), ignored
