"""Importing a site's columns from a spreadsheet (xlsx or csv): all rows or none, with a report per row.

Headings (Chinese or English, any order): 栏目名称/name (required), 上级栏目/parent (a name, or a path such as
"政务公开/政策文件" when a name is not unique), 更新类别/category (code or label of SPEC's categories),
内容保障单位/responsible (a unit's name or short name), 栏目地址/url, RSS地址/feed_url, 开设日期/opened_on.
A parent may be an existing column or another row of the file, in any order.
"""
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from govmedia.core.imports import ImportReport, Table, UnreadableFile, read_table
from organisations import access

from .models import Column, ColumnCategory, Site

HEADINGS = {
    "name": ("栏目名称", "名称", "name"),
    "parent": ("上级栏目", "父栏目", "parent"),
    "category": ("更新类别", "类别", "栏目类别", "category"),
    "responsible": ("内容保障单位", "责任单位", "协办单位", "responsible"),
    "url": ("栏目地址", "网址", "url"),
    "feed_url": ("rss地址", "rss/atom地址", "rss", "feed_url"),
    "opened_on": ("开设日期", "opened_on"),
}
CATEGORY_WORDS = {
    **{c.value: c.value for c in ColumnCategory},
    **{c.label: c.value for c in ColumnCategory},
    "动态": "news", "要闻": "news", "动态类": "news", "通知": "notice", "公告": "notice", "政策": "policy",
    "月": "monthly", "每月": "monthly", "季度": "quarterly", "每季度": "quarterly", "年": "annual", "每年": "annual",
    # How offices shorten the labels 按月更新 / 按季度更新 / 按年更新 in their own spreadsheets.
    "按月": "monthly", "按季": "quarterly", "按季度": "quarterly", "季": "quarterly", "按年": "annual",
    "其他": "other",
}
PATH_SEPARATORS = ("/", ">", "＞", "›")


class ImportRefused(Exception):
    """Nothing was imported; `errors` is DRF-shaped: {"file": [...]} or {"rows": [{row, name, errors}]}."""

    def __init__(self, errors: dict):
        super().__init__(str(errors))
        self.errors = errors


@dataclass
class Row:
    line: int
    name: str
    parent: str = ""
    category: str = ""
    responsible: str = ""
    url: str = ""
    feed_url: str = ""
    opened_on: str = ""
    values: dict = field(default_factory=dict)
    parent_ref: object = None  # an existing Column, another Row, or None for a top-level column
    column: Column | None = None


def read_columns(upload) -> Table:
    """The uploaded xlsx or csv. Raises ImportRefused({"file": ...}) for a file we cannot read."""
    try:
        return read_table(upload, formats=("xlsx", "csv"), max_rows=settings.SITES_IMPORT_MAX_ROWS)
    except UnreadableFile as exc:
        raise ImportRefused({"file": [exc.reason]}) from None


def parse_rows(table: Table) -> list[Row]:
    if not table.header:
        raise ImportRefused({"file": ["文件是空的。"]})
    header = [h.lower().replace(" ", "") for h in table.header]
    positions = {}
    for key, names in HEADINGS.items():
        for i, heading in enumerate(header):
            if heading in names:
                positions[key] = i
                break
    if "name" not in positions:
        raise ImportRefused({"file": ["第 1 行应为表头，且必须有“栏目名称”一列。"]})
    rows = []
    for raw in table.rows:
        values = {key: raw.get(i) for key, i in positions.items()}
        if not any(values.values()):
            continue  # blank lines in spreadsheets are common and mean nothing
        rows.append(Row(line=raw.number, **values))
    if not rows:
        raise ImportRefused({"file": ["文件中没有栏目数据。"]})
    return rows


def _split_path(text: str) -> list[str]:
    for sep in PATH_SEPARATORS[1:]:
        text = text.replace(sep, PATH_SEPARATORS[0])
    return [part.strip() for part in text.split("/") if part.strip()]


class _Resolver:
    def __init__(self, site: Site, rows: list[Row]):
        self.existing = list(site.columns.all())
        by_id = {c.pk: c for c in self.existing}
        self.existing_path = {}
        for column in self.existing:
            parts, node, guard = [], column, 0
            while node is not None and guard < 50:
                parts.append(node.name)
                node, guard = by_id.get(node.parent_id), guard + 1
            self.existing_path[column.pk] = tuple(reversed(parts))
        self.rows = rows
        self.by_name = defaultdict(list)
        for column in self.existing:
            self.by_name[column.name].append(column)
        for row in rows:
            self.by_name[row.name].append(row)
        self.row_paths: dict[int, tuple | None] = {}

    def path_of(self, node, visiting=frozenset()) -> tuple | None:
        if isinstance(node, Column):
            return self.existing_path[node.pk]
        if node.line in self.row_paths:
            return self.row_paths[node.line]
        if node.line in visiting:
            return None  # a cycle: reported on the rows concerned
        parent = self.find(node.parent, exclude=node, visiting=visiting | {node.line}) if node.parent else None
        if node.parent and not isinstance(parent, (Column, Row)):
            path = None
        else:
            base = self.path_of(parent, visiting | {node.line}) if parent is not None else ()
            path = None if base is None else base + (node.name,)
        self.row_paths[node.line] = path
        return path

    def find(self, text: str, *, exclude: Row, visiting=frozenset()):
        """The column or row that `text` names; a string explaining why not otherwise."""
        parts = _split_path(text)
        if not parts:
            return "上级栏目为空"
        candidates = [c for c in self.by_name.get(parts[-1], []) if c is not exclude]
        if len(parts) > 1:
            candidates = [c for c in candidates if self.path_of(c, visiting) == tuple(parts)]
        if not candidates:
            return f"未知的上级栏目“{text}”"
        if len(candidates) > 1:
            return f"上级栏目“{text}”不唯一，请写完整路径（如“政务公开/{parts[-1]}”）"
        return candidates[0]


@transaction.atomic
def import_columns(*, site: Site, user, upload) -> list[Column]:
    """Create every column of the file under `site`, or none: raises ImportRefused with the reasons per row."""
    rows = parse_rows(read_columns(upload))
    report = ImportReport()
    units = access.visible_organisations(user)
    unit_names = defaultdict(set)
    for pk, name, short in units.values_list("pk", "name", "short_name"):
        unit_names[name].add(pk)
        if short:
            unit_names[short].add(pk)
    url_check = URLValidator(schemes=["http", "https"])
    resolver = _Resolver(site, rows)
    for row in rows:
        if not row.name:
            report.refuse_row(row.line, "缺少栏目名称")
        elif len(row.name) > 200:
            report.refuse_row(row.line, "栏目名称超过 200 字")
        category = CATEGORY_WORDS.get(row.category.strip()) if row.category else ColumnCategory.OTHER.value
        if category is None:
            report.refuse_row(row.line, f"未知的更新类别“{row.category}”（可填：{'、'.join(c.label for c in ColumnCategory)}）")
        row.values["category"] = category
        if row.responsible:
            matches = unit_names.get(row.responsible, set())
            if not matches:
                report.refuse_row(row.line, f"未知的内容保障单位“{row.responsible}”")
            elif len(matches) > 1:
                report.refuse_row(row.line, f"内容保障单位“{row.responsible}”有重名，请写全称")
            else:
                row.values["responsible_id"] = next(iter(matches))
        for key, label in (("url", "栏目地址"), ("feed_url", "RSS地址")):
            value = getattr(row, key)
            if value:
                try:
                    url_check(value)
                except ValidationError:
                    report.refuse_row(row.line, f"{label}“{value}”不是有效的网址")
            row.values[key] = value
        if row.opened_on:
            try:
                row.values["opened_on"] = dt.date.fromisoformat(row.opened_on.replace("/", "-")[:10])
            except ValueError:
                report.refuse_row(row.line, f"开设日期“{row.opened_on}”应为 YYYY-MM-DD")
        if row.parent:
            found = resolver.find(row.parent, exclude=row)
            if isinstance(found, str):
                report.refuse_row(row.line, found)
            else:
                row.parent_ref = found
    # Duplicates and cycles, once parents are known.
    seen: dict[tuple, int] = {}
    for row in rows:
        if not row.name or (row.parent and row.parent_ref is None):
            continue
        path = resolver.path_of(row)
        if path is None:
            report.refuse_row(row.line, "上级栏目关系形成循环")
            continue
        parent_path = path[:-1]
        if any(resolver.existing_path[c.pk] == path for c in resolver.by_name.get(row.name, []) if isinstance(c, Column)):
            report.refuse_row(row.line, f"网站中已有栏目“{'/'.join(path)}”")
        elif path in seen:
            report.refuse_row(row.line, f"与第 {seen[path]} 行重复（同一上级下栏目名称不能重复）")
        else:
            seen[path] = row.line
        del parent_path
    if not report.ok:
        names = {r.line: r.name for r in rows}
        raise ImportRefused({"rows": [{"row": r["row"], "name": names[r["row"]], "errors": r["errors"]}
                                      for r in report.by_row()]})
    # Parents first: a row's parent row is created before it.
    created: list[Column] = []
    pending = list(rows)
    while pending:
        progressed = []
        for row in pending:
            parent = row.parent_ref
            if isinstance(parent, Row) and parent.column is None:
                continue
            parent_column = parent.column if isinstance(parent, Row) else parent
            column = Column(site=site, parent=parent_column, name=row.name, **row.values)
            try:
                column.full_clean(validate_unique=False, validate_constraints=False)
            except ValidationError as exc:
                raise ImportRefused({"rows": [{"row": row.line, "name": row.name, "errors": exc.messages}]}) from None
            column.save()
            row.column = column
            created.append(column)
            progressed.append(row)
        if not progressed:  # cannot happen after the cycle check; never loop forever
            raise ImportRefused({"rows": [{"row": r.line, "name": r.name, "errors": ["上级栏目关系形成循环"]} for r in pending]})
        pending = [r for r in pending if r.column is None]
    return created
