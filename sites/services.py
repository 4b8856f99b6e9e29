"""Writes on sites and columns. Views, serializers and tasks call these; the rules live here."""
import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

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


@transaction.atomic
def column_record_update(
    *, column: Column, published_at: dt.datetime, title: str, url: str = "", source: str = UpdateSource.MANUAL,
    external_id: str = "",
) -> tuple[ColumnUpdate, bool]:
    """Record one update someone made to a column (page or API); refuses dates in the future."""
    from django.utils import timezone

    errors = {}
    if published_at > timezone.now() + dt.timedelta(minutes=5):
        errors["published_at"] = "发布时间不能晚于当前时间。"
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
# so concurrent records never move it backwards.


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


@transaction.atomic
def column_add_update(*, column, published_at, title, url="", source="api", external_id="", original=True):
    """Record one update of a column; returns (update, created). A repeated `external_id` adds nothing."""
    if external_id:
        existing = ColumnUpdate.objects.filter(column=column, external_id=external_id).first()
        if existing:
            return existing, False
    try:
        with transaction.atomic():
            update = ColumnUpdate.objects.create(
                column=column, published_at=published_at, title=title[:500], url=url, source=source,
                external_id=external_id, original=original,
            )
    except IntegrityError:  # a concurrent import of the same item
        return ColumnUpdate.objects.get(column=column, external_id=external_id), False
    day = _local_date(published_at)
    Column.objects.filter(pk=column.pk).filter(Q(last_updated_on__isnull=True) | Q(last_updated_on__lt=day)).update(
        last_updated_on=day
    )
    return update, True
