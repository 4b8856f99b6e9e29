"""The 备案登记表 (qingdao 附件1) as data: its fields, their checks, its JSON snapshot, and applying it to an account.

Both the API (a DRF serializer) and the pages (a Django form) turn their input into one "typed form": a dict
with Python values (dates, Organisation objects, nested menus, team rows). Everything below works on that.
"""
from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db.models.fields.files import FieldFile

from accounts.models import Account, AccountMenu, AccountTeamMember, Platform
from organisations.models import Organisation, OrganisationKind

# Scalar fields of the form, in the order of the official table, with their Chinese labels.
TEXT_FIELDS = [
    ("name", "账号名称"), ("account_type", "账号类型"), ("platform_id", "账号ID"),
    ("supervisor_leader", "主管单位分管领导"), ("supervisor_leader_title", "主管单位分管领导职务"),
    ("supervisor_contact", "主管单位联系电话及方式"),
    ("owner_leader", "主办单位分管领导"), ("owner_leader_title", "主办单位分管领导职务"),
    ("owner_contact", "主办单位联系电话及方式"),
    ("operator_leader", "承办单位分管领导"), ("operator_leader_title", "承办单位分管领导职务"),
    ("operator_contact", "承办单位联系电话及方式"),
    ("functions", "平台功能"), ("introduction", "基本情况介绍"), ("url", "访问链接"),
]
DATE_FIELDS = [("registered_on", "创建/注册日期"), ("operation_started_on", "正式运营时间")]
BOOL_FIELDS = [("verified", "是否通过认证"), ("news_licence", "是否取得互联网新闻信息服务资质")]
UNIT_FIELDS = [("supervisor", "主管单位"), ("owner", "主办单位"), ("operator", "承办单位")]
LABELS = dict(TEXT_FIELDS + DATE_FIELDS + BOOL_FIELDS + UNIT_FIELDS + [
    ("platform", "发布平台"), ("followers", "关注量/粉丝量"), ("menus", "栏目设置（菜单）"), ("team", "管理队伍"),
])

# What a complete opening, change or backfill needs before it may be submitted.
REQUIRED_ON_SUBMIT = [
    "name", "platform", "platform_id", "owner", "supervisor", "owner_leader", "owner_leader_title", "owner_contact",
    "supervisor_leader", "supervisor_leader_title", "supervisor_contact", "functions", "introduction",
]
WECHAT_TYPES = {"service": "服务号", "subscription": "订阅号", "miniprogram": "小程序"}
ACCOUNT_TYPE_LABELS = {**WECHAT_TYPES, "app": "移动客户端"}
MOBILE = re.compile(r"^1\d{10}$")
MAX_MENU_DEPTH = AccountMenu.MAX_DEPTH


def empty_form() -> dict:
    data = {name: "" for name, _ in TEXT_FIELDS}
    data.update({name: None for name, _ in DATE_FIELDS + UNIT_FIELDS})
    data.update({name: False for name, _ in BOOL_FIELDS})
    data.update(platform="", followers=None, menus=[], team=[])
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
    if data.get("platform") and data["platform"] not in Platform.values:
        add("platform", "未知平台。")
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
        for field in REQUIRED_ON_SUBMIT:
            if data.get(field) in (None, ""):
                add(field, f"请填写{LABELS[field]}。")
        if data.get("platform") == Platform.WECHAT and data.get("account_type") not in WECHAT_TYPES:
            add("account_type", "微信账号请注明公众号类型：service（服务号）、subscription（订阅号）或 miniprogram（小程序）。")
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
    for name, _ in TEXT_FIELDS:
        out[name] = data.get(name) or ""
    for name, _ in DATE_FIELDS:
        value = data.get(name)
        out[name] = value.isoformat() if value else None
    for name, _ in BOOL_FIELDS:
        out[name] = bool(data.get(name))
    for name, _ in UNIT_FIELDS:
        unit = data.get(name)
        out[name] = unit.pk if unit else None
        out[f"{name}_name"] = unit.name if unit else ""
    out["platform"] = data.get("platform") or ""
    out["followers"] = data.get("followers")
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
    for name, _ in TEXT_FIELDS:
        data[name] = form.get(name) or ""
    for name, _ in DATE_FIELDS:
        value = form.get(name)
        data[name] = dt.date.fromisoformat(value) if value else None
    for name, _ in BOOL_FIELDS:
        data[name] = bool(form.get(name))
    ids = [form.get(name) for name, _ in UNIT_FIELDS if form.get(name)]
    units = Organisation.objects.in_bulk(ids)
    for name, _ in UNIT_FIELDS:
        data[name] = units.get(form.get(name))
    data["platform"] = form.get("platform") or ""
    data["followers"] = form.get("followers")
    data["menus"] = form.get("menus") or []
    data["team"] = form.get("team") or []
    return data


def from_account(account: Account) -> dict:
    """The account's current register data as a typed form (the starting point of a change or closure)."""
    data = empty_form()
    for name, _ in TEXT_FIELDS + DATE_FIELDS + BOOL_FIELDS + UNIT_FIELDS:
        data[name] = getattr(account, name)
    data["platform"] = account.platform
    data["followers"] = account.followers
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

TEXT_NAMES = {name for name, _ in TEXT_FIELDS} | {"platform"}
BOOL_NAMES = {name for name, _ in BOOL_FIELDS}
ACCOUNT_FIELDS = [name for name, _ in TEXT_FIELDS + DATE_FIELDS + BOOL_FIELDS + UNIT_FIELDS] + ["platform", "followers"]


def apply_to_account(account: Account, data: dict, *, effective_on: dt.date, qr_code: FieldFile | None = None) -> list[str]:
    """Write the form into the account and its menus and team; return the names of team members who left.

    Members no longer listed leave on `effective_on`, which marks the platform password as due for change
    (jinan §18, anyue §30: at once when someone leaves the team).
    """
    for name in ACCOUNT_FIELDS:
        value = data.get(name)
        if name == "operator" and value is None:
            value = data.get("owner")  # the owner runs it itself unless a 承办单位 is named
        if name in TEXT_NAMES:
            value = value or ""
        elif name in BOOL_NAMES:
            value = bool(value)
        setattr(account, name, value)
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


def display_value(name: str, value) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if name == "platform":
        return Platform(value).label if value in Platform.values else (value or "")
    if name == "account_type":
        return ACCOUNT_TYPE_LABELS.get(value, value or "")
    if value is None:
        return ""
    return str(value)
