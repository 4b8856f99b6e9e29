"""The checklist page (检查指标): the items in force for a unit, each threshold in words with its source and the
national value beside the local one; for the unit's supervisors, forms to create its local version, adopt a
locality template, and add or change an item. The rules of writing are rules/versions.py's."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from govmedia.core.forms import DateInput, apply_errors
from organisations import access
from rules import packs, versions
from rules.definitions import RULES, default_thresholds
from rules.models import ChecklistVersion, ItemKind
from rules.thresholds import NoChecklist, version_for
from rules.words import CATEGORY_WORDS, OTHER_THRESHOLDS, PRIMARY_KEY, describe

from . import services


class LocalVersionForm(forms.Form):
    name = forms.CharField(label="版本名称", max_length=200, required=False, help_text="留空则按单位名称命名")
    source = forms.CharField(label="依据（文件名称、文号）", max_length=300, required=False)


class AdoptForm(forms.Form):
    template = forms.ModelChoiceField(label="地方模板", queryset=ChecklistVersion.objects.none(), empty_label="请选择")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = ChecklistVersion.objects.filter(template=True).order_by("region")
        self.fields["template"].label_from_instance = lambda v: f"{v.region}（{v.year}）：{v.name}"


class ItemForm(forms.Form):
    code = forms.ChoiceField(label="指标")
    value = forms.IntegerField(label="数值", required=False, min_value=1, max_value=versions.MAX_DAYS,
                               help_text="该指标的主要阈值（天数、工作日数或次数，见下方说明）")
    effective_on = forms.DateField(label="施行日期", required=False, help_text="仅“未按期补办备案”：规定施行的日期",
                                   widget=DateInput())
    severity = forms.ChoiceField(label="类型", choices=[("", "不变")] + list(ItemKind.choices), required=False)
    enabled = forms.BooleanField(label="在本单位适用", required=False, initial=True)
    source = forms.CharField(label="依据（条款）", max_length=200, required=False)

    def __init__(self, *args, in_force=None, **kwargs):
        """`in_force`: {code: thresholds} of the unit, which the other thresholds' fields show to start from."""
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [
            (code, f"{rule.label}" + (f"（{PRIMARY_KEY[code][1]}）" if code in PRIMARY_KEY else ""))
            for code, rule in RULES.items()
        ]
        in_force = in_force or {}
        # The other thresholds as labelled fields (never a JSON box), grouped by rule; only the chosen rule's count.
        for code, key, label, unit, kind in OTHER_THRESHOLDS:
            current = {**default_thresholds(code), **in_force.get(code, {})}
            name = self.other_name(code, key)
            title = f"{label}（{unit}）" if unit and kind != "percent" else label
            if kind == "int":
                field = forms.IntegerField(label=title, required=False, min_value=1, max_value=versions.MAX_DAYS)
                field.initial = current.get(key)
            elif kind == "percent":
                field = forms.DecimalField(label=f"{label}（%）", required=False, min_value=0.01, max_value=100,
                                           decimal_places=2)
                field.initial = f"{float(current.get(key, 0)) * 100:g}" if current.get(key) is not None else None
            elif kind == "categories":
                field = forms.MultipleChoiceField(label=title, required=False, choices=list(CATEGORY_WORDS.items()),
                                                  widget=forms.CheckboxSelectMultiple)
                field.initial = current.get(key, [])
            else:  # period: a number and its unit
                category = key.split(".", 1)[1]
                period = current.get("periods", {}).get(category, {})
                field = forms.IntegerField(label=title, required=False, min_value=1, max_value=versions.MAX_DAYS)
                field.initial = period.get("days", period.get("months"))
                unit_field = forms.ChoiceField(label=f"{title}的单位", required=False,
                                               choices=[("days", "天"), ("months", "个月")])
                unit_field.initial = "days" if "days" in period else "months"
                self.fields[name + "_unit"] = unit_field
            self.fields[name] = field

    @staticmethod
    def other_name(code: str, key: str) -> str:
        return f"t_{code}_{key.replace('.', '_')}"

    def main_fields(self):
        return [f for f in self if not f.name.startswith("t_")]

    def other_groups(self):
        """[(rule label, [bound fields])] in OTHER_THRESHOLDS' order, for the page."""
        groups: dict[str, list] = {}
        for code, key, *_ in OTHER_THRESHOLDS:
            name = self.other_name(code, key)
            fields = groups.setdefault(code, [])
            fields.append(self[name])
            if name + "_unit" in self.fields:
                fields.append(self[name + "_unit"])
        return [(RULES[code].label, fields) for code, fields in groups.items()]

    def _other_thresholds(self, code: str) -> dict:
        data, out = self.cleaned_data, {}
        for rule, key, label, _unit, kind in OTHER_THRESHOLDS:
            if rule != code:
                continue
            name = self.other_name(rule, key)
            value = data.get(name)
            if kind == "categories":
                if value:
                    out[key] = list(value)
            elif value is None:
                continue
            elif kind == "percent":
                out[key] = float(value) / 100
            elif kind == "period":
                unit = data.get(name + "_unit") or "days"
                out.setdefault("periods", {})[key.split(".", 1)[1]] = {unit: value}
            else:
                out[key] = value
        return out

    def item(self) -> dict:
        """The item as rules.versions takes it (API.md's shape)."""
        data = self.cleaned_data
        code = data["code"]
        thresholds = self._other_thresholds(code)
        if data.get("value") is not None:
            if code not in PRIMARY_KEY:
                raise ValidationError({"value": [f"“{RULES[code].label}”没有单一数值阈值，请填写下方该指标的其他阈值。"]})
            thresholds[PRIMARY_KEY[code][0]] = data["value"]
        if data.get("effective_on"):
            if code != "backfill_late":
                raise ValidationError({"effective_on": ["施行日期只用于“未按期补办备案”。"]})
            thresholds["effective_on"] = data["effective_on"].isoformat()
        item = {"code": code, "thresholds": thresholds, "enabled": bool(data.get("enabled"))}
        if data.get("severity"):
            item["severity"] = data["severity"]
        if data.get("source"):
            item["source"] = data["source"]
        return item


def _unit(request):
    """The unit the page is about: `?organisation=` among those the user sees, else the user's own."""
    visible = access.visible_organisations(request.user)
    wanted = request.GET.get("organisation") or request.POST.get("organisation")
    if wanted:
        if not str(wanted).isdigit():
            return None, visible
        return visible.filter(pk=int(wanted)).first(), visible
    return request.user.home_organisation, visible


@login_required
def checklist_page(request):
    user = request.user
    today = services.local_today()
    unit, visible = _unit(request)
    if unit is None and (request.GET.get("organisation") or request.POST.get("organisation")):
        raise Http404("单位不存在。")
    can_edit = unit is not None and access.can_edit_checklist(user, unit)
    own = ChecklistVersion.objects.filter(organisation=unit, active=True).first() if unit is not None else None
    version_form = LocalVersionForm(prefix="v")
    adopt_form = AdoptForm(prefix="a")
    try:
        in_force = {r["code"]: r["thresholds"] for r in versions.checklist_for(unit, today)}
    except NoChecklist:
        in_force = {}
    item_form = ItemForm(prefix="i", in_force=in_force)
    refused = False
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("只有该单位及其上级的监管人员可以编辑其检查指标。")
        action = request.POST.get("action")
        try:
            if action == "create":
                version_form = LocalVersionForm(request.POST, prefix="v")
                if version_form.is_valid():
                    versions.create_local_version(user=user, organisation=unit, on=today, **version_form.cleaned_data)
                    messages.success(request, "已建立本地检查指标版本。")
                    return redirect(f"{reverse('checklist')}?organisation={unit.pk}")
            elif action == "adopt":
                adopt_form = AdoptForm(request.POST, prefix="a")
                if adopt_form.is_valid():
                    template = adopt_form.cleaned_data["template"]
                    versions.adopt_template(user=user, organisation=unit, template=template, on=today)
                    messages.success(request, f"已采用{template.region}模板。")
                    return redirect(f"{reverse('checklist')}?organisation={unit.pk}")
            elif action == "item":
                item_form = ItemForm(request.POST, prefix="i", in_force=in_force)
                if item_form.is_valid():
                    if own is None:
                        raise ValidationError("请先为本单位建立本地版本或采用地方模板。")
                    versions.update_local_version(user=user, version=own, items=[item_form.item()], on=today)
                    messages.success(request, "已保存指标。")
                    return redirect(f"{reverse('checklist')}?organisation={unit.pk}")
        except ValidationError as exc:
            apply_errors({"create": version_form, "adopt": adopt_form, "item": item_form}.get(action, item_form), exc)
        # A POST that reaches here was refused: the page again, with the reasons beside the fields, as a 400.
        refused = True
    try:
        version = version_for(unit, today)
        rows = versions.checklist_for(unit, today)
        absent = versions.not_in_force(unit, today)
    except NoChecklist as exc:
        version, rows, absent = None, [], []
        messages.error(request, str(exc))
    templates = ChecklistVersion.objects.filter(template=True).prefetch_related("items").order_by("region")
    return render(request, "inspections/checklist.html", {
        "unit": unit, "units": visible.order_by("path")[:500], "version": version, "rows": rows, "absent": absent,
        "own": own, "can_edit": can_edit, "version_form": version_form, "adopt_form": adopt_form,
        "item_form": item_form, "templates": [
            {"version": t, "items": [{"item": i, "words": describe(i.code, i.thresholds)} for i in t.items.all()],
             "review_stages": packs.describe_stages(t.review_stages),
             "review_stages_source": packs.review_stages_source(t.region, t.year)}
            for t in templates
        ],
        "primary_keys": [(RULES[c].label, unit_word) for c, (_key, unit_word) in PRIMARY_KEY.items()],
        "review_stages": packs.describe_stages(packs.required_review_stages(unit)),
        "review_stages_source": packs.required_review_stages_sources(unit),
    }, status=400 if refused else 200)

