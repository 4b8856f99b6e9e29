"""The 备案登记表 (qingdao 附件1) as data: each field declared once, its checks, its JSON snapshot, applying it to an
account, and how each value reads on paper.

Every other representation is derived from `FIELDS`: the API serializer (accounts/api.py), the page form and its
sections (accounts/forms.py), the printed form and the register spreadsheet (accounts/documents.py). Adding a
field to the form means adding its model column and one `FormField` here.

Both the API and the pages turn their input into one "typed form": a dict with Python values (dates,
Organisation objects, nested menus, team rows). Everything below works on that.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.fields.files import FieldFile

from accounts.models import WECHAT_TYPES, Account, AccountMenu, AccountTeamMember, AccountType, Platform
from organisations import access
from organisations.models import Organisation, OrganisationKind

# What a field holds; each representation (serializer, page form, snapshot, paper) maps these.
TEXT, LONG_TEXT, URL, DATE, BOOL, COUNT, CHOICE, UNIT, IMAGE = (
    "text", "long_text", "url", "date", "bool", "count", "choice", "unit", "image",
)
# Sections of the form, in order: the page's fieldsets.
BASIC, SUPERVISOR, OWNER, OPERATOR, FUNCTIONS = "基本信息", "主管单位", "主办单位", "承办单位", "功能与菜单"
# The printed form has a table above the menus and team (TOP) and one below the opinions (BOTTOM); a cell sits
# in the LEFT or RIGHT half of a row, or takes the WIDE row.
TOP, BOTTOM = "top", "bottom"
LEFT, RIGHT, WIDE = "left", "right", "wide"


@dataclass(frozen=True)
class Printed:
    """A field's cell on the printed form, where the official table puts it.

    Fields with the same block, row and side share one cell (账号ID及名称, 分管领导及职务): they are joined in
    `order`, each through its `template`, empty values left out. `header` is the cell's heading where it is not
    the field's label. A row without a LEFT cell lets the LEFT cell above span it (主办单位 beside its leader and
    its contact)."""

    block: str
    row: int
    side: str
    header: str = ""
    template: str = "{}"
    order: int = 0


@dataclass(frozen=True)
class Column:
    """A field's column in the register spreadsheet (the list sent upward): its letter, heading and width."""

    letter: str
    header: str
    width: int


@dataclass(frozen=True)
class FormField:
    """One field of the 备案登记表. `required`: needed before a filing may be submitted (a draft may lack it)."""

    name: str
    label: str
    kind: str
    section: str
    printed: Printed
    required: bool = False
    choices: type[models.TextChoices] | None = None
    # For UNIT: the units a filer may name, as a function of the user.
    units: Callable | None = None
    # A shorter label on the page, where the section heading says the rest ("分管领导" under 主管单位).
    page_label: str = ""
    help_text: str = ""
    column: Column | None = None

    @property
    def max_length(self) -> int | None:
        """The storage limit, from the account's column."""
        return Account._meta.get_field(self.name).max_length


FIELDS: tuple[FormField, ...] = (
    # 基本信息
    FormField("name", "账号名称", TEXT, BASIC, Printed(TOP, 1, LEFT, "账号ID及名称", order=1), required=True,
              column=Column("B", "账号名称", 24)),
    FormField("platform", "发布平台", CHOICE, BASIC, Printed(TOP, 2, LEFT, "发布平台（系统）"), required=True,
              choices=Platform, column=Column("C", "发布平台", 10)),
    FormField("account_type", "账号类型", CHOICE, BASIC, Printed(TOP, 2, LEFT, template="（{}）", order=1),
              choices=AccountType, help_text="政务微信请注明服务号、订阅号或小程序", column=Column("D", "账号类型", 10)),
    FormField("platform_id", "账号ID", TEXT, BASIC, Printed(TOP, 1, LEFT, template="{} / "), required=True,
              column=Column("E", "账号ID", 18)),
    FormField("registered_on", "创建/注册日期", DATE, BASIC, Printed(TOP, 1, RIGHT),
              column=Column("K", "创建/注册日期", 12)),
    FormField("verified", "是否通过认证", BOOL, BASIC, Printed(TOP, 2, RIGHT), page_label="已通过认证",
              column=Column("I", "是否认证", 8)),
    FormField("news_licence", "是否取得互联网新闻信息服务资质", BOOL, BASIC, Printed(TOP, 3, RIGHT),
              page_label="已取得互联网新闻信息服务资质", column=Column("J", "新闻信息服务资质", 10)),
    FormField("url", "访问链接", URL, BASIC, Printed(TOP, 11, WIDE), column=Column("P", "访问链接", 30)),
    FormField("operation_started_on", "正式运营时间", DATE, BASIC, Printed(BOTTOM, 1, LEFT),
              column=Column("L", "正式运营时间", 12)),
    FormField("followers", "关注量/粉丝量", COUNT, BASIC, Printed(BOTTOM, 1, RIGHT),
              column=Column("M", "关注量/粉丝量", 10)),
    # 主管单位
    FormField("supervisor", "主管单位", UNIT, SUPERVISOR, Printed(TOP, 3, LEFT), required=True,
              units=access.region_organisations, column=Column("G", "主管单位", 22)),
    FormField("supervisor_leader", "主管单位分管领导", TEXT, SUPERVISOR, Printed(TOP, 4, LEFT, "主管单位分管领导及职务"),
              required=True, page_label="分管领导"),
    FormField("supervisor_leader_title", "主管单位分管领导职务", TEXT, SUPERVISOR,
              Printed(TOP, 4, LEFT, template=" {}", order=1), required=True, page_label="职务"),
    FormField("supervisor_contact", "主管单位联系电话及方式", TEXT, SUPERVISOR, Printed(TOP, 4, RIGHT, "联系电话及方式"),
              required=True, page_label="联系电话及方式"),
    # 主办单位
    FormField("owner", "主办单位", UNIT, OWNER, Printed(TOP, 5, LEFT), required=True, units=access.owned_organisations,
              column=Column("F", "主办单位", 24)),
    FormField("owner_leader", "主办单位分管领导", TEXT, OWNER, Printed(TOP, 5, RIGHT, "主办单位分管领导及职务"),
              required=True, page_label="分管领导"),
    FormField("owner_leader_title", "主办单位分管领导职务", TEXT, OWNER, Printed(TOP, 5, RIGHT, template=" {}", order=1),
              required=True, page_label="职务"),
    FormField("owner_contact", "主办单位联系电话及方式", TEXT, OWNER, Printed(TOP, 6, RIGHT, "联系电话及方式"),
              required=True, page_label="联系电话及方式"),
    # 承办单位
    FormField("operator", "承办单位", UNIT, OPERATOR, Printed(TOP, 7, LEFT), units=access.region_organisations,
              help_text="不填则由主办单位自行承办", column=Column("H", "承办单位", 22)),
    FormField("operator_leader", "承办单位分管领导", TEXT, OPERATOR, Printed(TOP, 7, RIGHT, "承办单位分管领导及职务"),
              page_label="分管领导"),
    FormField("operator_leader_title", "承办单位分管领导职务", TEXT, OPERATOR,
              Printed(TOP, 7, RIGHT, template=" {}", order=1), page_label="职务"),
    FormField("operator_contact", "承办单位联系电话及方式", TEXT, OPERATOR, Printed(TOP, 8, RIGHT, "联系电话及方式"),
              page_label="联系电话及方式"),
    # 功能与菜单 (the menus and the team are rows of their own, below)
    FormField("functions", "平台功能", TEXT, FUNCTIONS, Printed(TOP, 9, WIDE, "政务新媒体平台功能"), required=True,
              help_text="如 信息发布、政务服务、互动交流"),
    FormField("introduction", "基本情况介绍", LONG_TEXT, FUNCTIONS, Printed(TOP, 10, RIGHT), required=True),
    # The image travels beside the form (on the filing, or the account), never inside its JSON snapshot.
    FormField("qr_code", "新媒体二维码", IMAGE, FUNCTIONS, Printed(TOP, 10, LEFT), help_text="PNG/JPEG 图片，不超过 2 MB"),
)
FIELD = {field.name: field for field in FIELDS}
# The fields a typed form, its snapshot and the account's register data carry (the image travels apart).
DATA_FIELDS = tuple(field for field in FIELDS if field.kind != IMAGE)
SECTIONS: list[tuple[str, list[FormField]]] = [
    (section, [field for field in FIELDS if field.section == section])
    for section in dict.fromkeys(field.section for field in FIELDS)
]
MOBILE = re.compile(r"^1\d{10}$")
MAX_MENU_DEPTH = AccountMenu.MAX_DEPTH


_STRING_KINDS = {TEXT, LONG_TEXT, URL, CHOICE}
_EMPTY = {TEXT: "", LONG_TEXT: "", URL: "", CHOICE: "", DATE: None, COUNT: None, UNIT: None, BOOL: False}


def empty_form() -> dict:
    data = {field.name: _EMPTY[field.kind] for field in DATA_FIELDS}
    data.update(menus=[], team=[])
    return data


def check(data: dict, *, complete: bool) -> None:
    """Raise a ValidationError naming each bad field. `complete` adds what a submission needs."""
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    owner = data.get("owner")
    if owner is not None and owner.kind == OrganisationKind.INTERNAL:
        parent = owner.parent.name if owner.parent_id else "其所属单位"
        add("owner", f"“{owner.name}”是内设机构，不得以内设机构名义开设政务新媒体，请以“{parent}”名义开设。")
    for field in DATA_FIELDS:
        value = data.get(field.name)
        if field.kind == CHOICE and value and value not in field.choices.values:
            add(field.name, f"未知{field.label}：{value}。")
    menu_errors = _check_menus(data.get("menus") or [], level=1, trail="")
    if menu_errors:
        errors["menus"] = menu_errors
    team_errors = []
    for index, row in enumerate(data.get("team") or [], start=1):
        if not (row.get("name") or "").strip():
            team_errors.append(f"第{index}行：请填写管理员姓名。")
        mobile = (row.get("mobile") or "").strip()
        if mobile and not MOBILE.match(mobile):
            team_errors.append(f"第{index}行：手机号码应为11位数字。")
    names = [(row.get("name") or "").strip() for row in data.get("team") or []]
    duplicates = sorted({n for n in names if n and names.count(n) > 1})
    if duplicates:
        team_errors.append(f"管理员“{'、'.join(duplicates)}”重复填写。")
    if team_errors:
        errors["team"] = team_errors
    if complete:
        for field in DATA_FIELDS:
            if field.required and data.get(field.name) in (None, ""):
                add(field.name, f"请填写{field.label}。")
        if data.get("platform") == Platform.WECHAT and data.get("account_type") not in WECHAT_TYPES:
            add("account_type", "微信账号请选择公众号类型：服务号、订阅号或小程序。")
        if not [row for row in data.get("team") or [] if (row.get("name") or "").strip()]:
            add("team", "请至少填写一名管理队伍成员。")
        for index, row in enumerate(data.get("team") or [], start=1):
            if (row.get("name") or "").strip() and not (row.get("mobile") or row.get("office_phone")):
                add("team", f"第{index}行：请填写办公电话或手机号码。")
    if errors:
        raise ValidationError(errors)


def _check_menus(menus, *, level: int, trail: str) -> list[str]:
    problems = []
    for index, item in enumerate(menus, start=1):
        here = f"{trail}{index}"
        if not (item.get("name") or "").strip():
            problems.append(f"菜单 {here}：请填写菜单名称。")
        children = item.get("children") or []
        if children and level >= MAX_MENU_DEPTH:
            problems.append(f"菜单 {here}（{item.get('name', '')}）：菜单最多三级。")
            continue
        problems += _check_menus(children, level=level + 1, trail=f"{here}.")
    return problems


def menus_from_rows(rows: list[dict]) -> tuple[list[dict], list[str]]:
    """Build the menu tree from the page's flat rows (level 1–3 in order, like the official table)."""
    tree: list[dict] = []
    stack: list[dict] = []  # the latest item at each level
    problems = []
    for index, row in enumerate(rows, start=1):
        level = row.get("level")
        item = {"name": (row.get("name") or "").strip(), "note": (row.get("note") or "").strip(), "children": []}
        if level not in (1, 2, 3):
            problems.append(f"第{index}行：请选择菜单级别（一级、二级或三级）。")
            continue
        if level > len(stack) + 1 or (level > 1 and not stack):
            problems.append(f"第{index}行：{level}级菜单“{item['name']}”前面缺少上一级菜单。")
            continue
        del stack[level - 1:]
        (stack[-1]["children"] if stack else tree).append(item)
        stack.append(item)
    return tree, problems


def rows_from_menus(menus: list[dict], level: int = 1) -> list[dict]:
    rows = []
    for item in menus or []:
        rows.append({"level": level, "name": item.get("name", ""), "note": item.get("note", "")})
        rows += rows_from_menus(item.get("children") or [], level + 1)
    return rows


# --- JSON snapshot --------------------------------------------------------------------------------------------

def to_json(data: dict) -> dict:
    """The typed form as JSON: units by id with their names as filed, dates ISO, menus and team as given."""
    out = {}
    for field in DATA_FIELDS:
        value = data.get(field.name)
        if field.kind in _STRING_KINDS:
            out[field.name] = value or ""
        elif field.kind == DATE:
            out[field.name] = value.isoformat() if value else None
        elif field.kind == BOOL:
            out[field.name] = bool(value)
        elif field.kind == UNIT:
            out[field.name] = value.pk if value else None
            out[f"{field.name}_name"] = value.name if value else ""
        else:
            out[field.name] = value
    out["menus"] = _clean_menus(data.get("menus") or [])
    out["team"] = [
        {key: (row.get(key) or "").strip() for key in ("name", "unit_title", "office_phone", "mobile")}
        for row in data.get("team") or []
    ]
    return out


def _clean_menus(menus):
    return [
        {"name": (m.get("name") or "").strip(), "note": (m.get("note") or "").strip(),
         "children": _clean_menus(m.get("children") or [])}
        for m in menus
    ]


def from_json(form: dict) -> dict:
    """The typed form back from a stored snapshot (units looked up again by id)."""
    data = empty_form()
    form = form or {}
    units = Organisation.objects.in_bulk([form[f.name] for f in DATA_FIELDS if f.kind == UNIT and form.get(f.name)])
    for field in DATA_FIELDS:
        value = form.get(field.name)
        if field.kind in _STRING_KINDS:
            data[field.name] = value or ""
        elif field.kind == DATE:
            data[field.name] = dt.date.fromisoformat(value) if value else None
        elif field.kind == BOOL:
            data[field.name] = bool(value)
        elif field.kind == UNIT:
            data[field.name] = units.get(value)
        else:
            data[field.name] = value
    data["menus"] = form.get("menus") or []
    data["team"] = form.get("team") or []
    return data


def from_account(account: Account) -> dict:
    """The account's current register data as a typed form (the starting point of a change or closure)."""
    data = {field.name: getattr(account, field.name) for field in DATA_FIELDS}
    data["menus"] = menu_tree(account)
    data["team"] = [
        {"name": m.name, "unit_title": m.unit_title, "office_phone": m.office_phone, "mobile": m.mobile}
        for m in account.team.filter(left_on__isnull=True).order_by("position", "pk")
    ]
    return data


def menu_tree(account: Account) -> list[dict]:
    # Sorted here rather than by the database so that a prefetched list serves many accounts without queries.
    items = sorted(account.menus.all(), key=lambda m: (m.position, m.pk))
    children: dict[int | None, list[AccountMenu]] = {}
    for item in items:
        children.setdefault(item.parent_id, []).append(item)

    def build(parent_id):
        return [{"name": m.name, "note": m.note, "children": build(m.pk)} for m in children.get(parent_id, [])]

    return build(None)


# --- Applying an approved form to the account -----------------------------------------------------------------

def apply_to_account(account: Account, data: dict, *, effective_on: dt.date, qr_code: FieldFile | None = None) -> list[str]:
    """Write the form into the account and its menus and team; return the names of team members who left.

    Members no longer listed leave on `effective_on`, which marks the platform password as due for change
    (jinan §18, anyue §30: at once when someone leaves the team).
    """
    for field in DATA_FIELDS:
        value = data.get(field.name)
        if field.name == "operator" and value is None:
            value = data.get("owner")  # the owner runs it itself unless a 承办单位 is named
        if field.kind in _STRING_KINDS:
            value = value or ""
        elif field.kind == BOOL:
            value = bool(value)
        setattr(account, field.name, value)
    if qr_code:
        account.qr_code = qr_code.name
    account.save()

    account.menus.all().delete()
    position = 0

    def create(items, parent):
        nonlocal position
        for item in items:
            position += 1
            menu = AccountMenu.objects.create(
                account=account, parent=parent, name=item["name"][:100], note=(item.get("note") or "")[:200],
                position=position,
            )
            create(item.get("children") or [], menu)

    create(data.get("menus") or [], None)

    current = {m.name: m for m in account.team.filter(left_on__isnull=True)}
    listed = []
    for index, row in enumerate(data.get("team") or [], start=1):
        name = (row.get("name") or "").strip()
        if not name:
            continue
        listed.append(name)
        fields = {k: (row.get(k) or "").strip() for k in ("unit_title", "office_phone", "mobile")}
        member = current.get(name)
        if member:
            for key, value in fields.items():
                setattr(member, key, value)
            member.position = index
            member.save()
        else:
            AccountTeamMember.objects.create(account=account, name=name, joined_on=effective_on, position=index, **fields)
    left = [name for name in current if name not in listed]
    if left:
        account.team.filter(left_on__isnull=True, name__in=left).update(left_on=effective_on)
        if account.credential_change_due_since is None or account.credential_change_due_since > effective_on:
            account.credential_change_due_since = effective_on
            account.save(update_fields=["credential_change_due_since"])
    return left


# --- How a value reads on paper -------------------------------------------------------------------------------

def display(field: FormField, value) -> str:
    """A value as the printed form and the register show it: choices by their Chinese label, units by name."""
    if field.kind == BOOL:
        return "是" if value else "否"
    if value is None or value == "":
        return ""
    if field.kind == CHOICE:
        return field.choices(value).label if value in field.choices.values else str(value)
    if field.kind == UNIT:
        return value.name
    if field.kind == DATE:
        return value.isoformat()
    return str(value)


def shown_sections(data: dict) -> list[tuple[str, list[tuple[str, str]]]]:
    """A typed form as a page shows it: section by section, each field's label and its value as on paper (the
    image, which travels beside the form, left out). A yes/no reads under the field's question, not under the
    checkbox's wording; no 承办单位 means the owner runs the account itself."""
    def row(field):
        label = field.label if field.kind == BOOL else field.page_label or field.label
        value = display(field, data.get(field.name))
        if not value and field.name == "operator":
            value = "（主办单位自行承办）"
        return label, value

    return [(section, [row(field) for field in fields if field.kind != IMAGE]) for section, fields in SECTIONS]
