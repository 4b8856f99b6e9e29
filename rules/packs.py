"""Locality packs: one template per seed region (the five regions' own regulations), each item citing the
article it comes from, as migration rules 0004 loads them. A region adopts a template, which copies its items
into a local checklist version of its own (rules/versions.py); the office then tightens or adds to that copy.

How the national checklist and the packs relate (docs/architecture.md, "Locality packs"):
- The national items (国办秘函〔2019〕19号 and the product's own defaults) apply everywhere.
- `REGIONAL_ONLY` rules exist only because a region's regulation says so. The national version keeps an item
  for each (so every page can show the product default next to a local value), but disabled: they apply only
  to units whose version chain holds an enabled item of that code — an adopted pack or a local addition.
So 济南, which has no weekly rule, is judged without it; 青岛's weekly, fortnightly-original and 15-day notice
rules apply to 青岛 units only.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .definitions import RULES, default_thresholds
from .models import ChecklistVersion

# The six stages of 三审三校 in order, as publishing's `Stage` codes (rules sits below publishing).
ALL_REVIEW_STAGES: tuple[str, ...] = ("review1", "review2", "review3", "proof1", "proof2", "proof3")
REVIEW_STAGE_LABELS = {"review1": "一审", "review2": "二审", "review3": "三审", "proof1": "一校", "proof2": "二校",
                       "proof3": "三校"}

REGIONAL_ONLY: tuple[str, ...] = (
    "account_weekly", "account_original", "filing_late", "backfill_late", "closure_notice_short", "repeat_notified",
)


@dataclass(frozen=True)
class PackItem:
    code: str
    source: str
    thresholds: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Pack:
    key: str
    region: str
    year: int
    name: str
    source: str
    items: tuple[PackItem, ...]
    # Review stages every post must pass in the units that adopt the pack (copied to their local version).
    review_stages: tuple[str, ...] = ()
    review_stages_source: str = ""


def _national(code: str, source: str) -> PackItem:
    """An item the region restates at the national value (its article cited, the threshold unchanged)."""
    return PackItem(code, source, default_thresholds(code))


PACKS: tuple[Pack, ...] = (
    Pack(
        "qingdao-xihaian-2020", "青岛西海岸新区", 2020, "青岛西海岸新区政务新媒体管理办法（2020）",
        "青西新管办发〔2020〕88号，2020年9月10日印发并施行",
        (
            PackItem("account_weekly", "青岛 §10", {"updates_per_week": 1}),
            PackItem("account_original", "青岛 §11", {"days": 14}),
            PackItem("filing_late", "青岛 §6、附件1 注", {"workdays": 7}),
            # §19: "自本办法公布之日起20个工作日内"; published (and in force, §20) on 2020-09-10.
            PackItem("backfill_late", "青岛 §19", {"workdays": 20, "effective_on": "2020-09-10"}),
            PackItem("closure_notice_short", "青岛 §7", {"workdays": 15}),
            # 附件2 四(四)4: "国家省市区各级检查发现的问题，1周内整改完毕".
            PackItem("rectification_overdue", "青岛 附件2 四（四）4", {"days": 7}),
            _national("duplicate_platform", "青岛 §5"),
            _national("internal_owner", "青岛 §5"),
            _national("account_no_interaction", "青岛 §14、附件2 四（三）1"),
        ),
    ),
    Pack(
        "jinan-qibuqu-2024", "济南起步区", 2024, "济南新旧动能转换起步区政府网站和政务新媒体管理办法（2024）",
        "济起管办字〔2024〕8号，2024年4月16日印发并施行",
        (
            _national("error_report_late", "济南 §16"),
            _national("duplicate_platform", "济南 §10"),
            # §18 requires a password change on departure; no period is set, so the product default stays.
            _national("credential_rotation", "济南 §18（调离即更换口令；定期更换周期为产品默认）"),
        ),
    ),
    Pack(
        "anyue-2023", "安岳县", 2023, "安岳县政府网站和政府系统政务新媒体管理办法（2023）",
        "安府办函〔2023〕8号，2023年3月3日印发并施行",
        (
            _national("column_stale", "安岳 §22（一）至（四）"),
            _national("column_blank", "安岳 §22（五）"),
            _national("account_stale", "安岳 §22（六）"),
            _national("disclosure_late", "安岳 §13"),
            PackItem("repeat_notified", "安岳 §9", {"notices": 3}),
            _national("duplicate_platform", "安岳 §8"),
            _national("internal_owner", "安岳 §10"),
            _national("credential_rotation", "安岳 §30（定期更换密码；周期为产品默认）"),
        ),
        # §16: "信息审核实行‘三审三校’" for every post: three reviews and three proofreadings, none left out.
        review_stages=ALL_REVIEW_STAGES, review_stages_source="安岳 §16",
    ),
    Pack(
        "tongliao-2023", "通辽市", 2023, "通辽市政府网站和政务新媒体管理办法（2023）",
        "通辽市人民政府办公室，2023年5月18日印发并施行",
        (
            PackItem("account_weekly", "通辽 §11", {"updates_per_week": 1}),
            _national("duplicate_platform", "通辽 §7（二）"),
            _national("internal_owner", "通辽 §7（二）"),
        ),
    ),
    Pack(
        "yantai-2020", "烟台市", 2020, "烟台市加强政府网站及政务新媒体管理工作的通知（2020）",
        "烟台市人民政府办公室，2020年11月23日",
        # 四: monitoring "严格按照《…检查指标…》要求", by software scanning around the clock: the national vetoes.
        tuple(_national(code, "烟台 四（按国办秘函〔2019〕19号检查指标）") for code in (
            "site_unreachable", "homepage_stale", "site_columns_veto", "site_interaction_veto", "account_stale",
            "account_no_interaction",
        )),
    ),
)

PACKS_BY_KEY: dict[str, Pack] = {pack.key: pack for pack in PACKS}


def _stage_versions(organisation):
    return ChecklistVersion.objects.filter(organisation_id__in=organisation.ancestor_ids(), active=True, template=False)


def required_review_stages(organisation) -> list[str]:
    """The review stages a post of `organisation` must pass because a version in force over it (its own or one
    above it, e.g. an adopted 安岳 pack) says so; in 三审三校 order, [] when no version asks for any."""
    if organisation is None:
        return []
    wanted: set[str] = set()
    for stages in _stage_versions(organisation).values_list("review_stages", flat=True):
        wanted.update(stages or ())
    return [s for s in ALL_REVIEW_STAGES if s in wanted]


def review_stages_source(region: str, year: int) -> str:
    """The article a pack's review-stage requirement cites (by its template's region and year)."""
    return next((p.review_stages_source for p in PACKS if p.region == region and p.year == year), "")


def required_review_stages_sources(organisation) -> str:
    """The articles behind `required_review_stages(organisation)` (e.g. "安岳 §16"), for pages and refusals."""
    if organisation is None:
        return ""
    rows = _stage_versions(organisation).exclude(review_stages=[]).values_list(
        "adopted_from__region", "adopted_from__year", "source")
    sources = [review_stages_source(region, year) or source for region, year, source in rows]
    return "；".join(dict.fromkeys(s for s in sources if s))


def describe_stages(stages) -> str:
    return "、".join(REVIEW_STAGE_LABELS.get(s, s) for s in stages)


def load_packs(version_model, item_model, national):
    """Create the templates (with the given models: a migration's historical ones, or the real ones) on top of
    `national`; returns them. Item names and kinds are the national checklist's, so a pack restates, never renames."""
    national_items = {item.code: item for item in item_model.objects.filter(version=national)}
    created = []
    for pack in PACKS:
        template = version_model.objects.create(
            year=pack.year, name=pack.name, source=pack.source, base=national, template=True, region=pack.region,
            active=True,
        )
        rows = []
        for entry in pack.items:
            base = national_items.get(entry.code)
            rule = RULES[entry.code]
            rows.append(item_model(
                version=template, code=entry.code, name=base.name if base else rule.checklist_name,
                kind=base.kind if base else str(rule.severity), thresholds=entry.thresholds,
                points=base.points if base else rule.points, enabled=True, source=entry.source,
            ))
        item_model.objects.bulk_create(rows)
        created.append(template)
    return created
