"""The demo county's websites: the portal with ~60 columns of every category, a department's site, update
histories relative to the day of seeding (some columns current, some stale, some blank), probes and broken
links. Adds `region["sites"]` (name → Site) and `region["columns"]` (portal column name → Column)."""
import datetime as dt
import random

from django.utils import timezone

from .models import BrokenLink, Column, LinkCheck, LinkCheckStatus, Probe, Site, UpdateSource
from .services import column_add_update, column_create, site_create

PORTAL = "清源县人民政府门户网站"
EDU_SITE = "清源县教育局网站"

# (name, parent, category, responsible unit, history) — history: "fresh", "stale" or "blank".
PORTAL_COLUMNS = [
    ("走进清源", None, "other", "县人民政府办公室", "fresh"),
    ("清源概况", "走进清源", "annual", "县人民政府办公室", "fresh"),
    ("历史沿革", "走进清源", "other", "县人民政府办公室", "fresh"),
    ("行政区划", "走进清源", "annual", "县民政局", "fresh"),
    ("领导信息", None, "other", "县人民政府办公室", "fresh"),
    ("县政府领导", "领导信息", "other", "县人民政府办公室", "fresh"),
    ("新闻中心", None, "news", "县人民政府办公室", "fresh"),
    ("政务动态", "新闻中心", "news", "县人民政府办公室", "fresh"),
    ("部门动态", "新闻中心", "news", "县融媒体中心", "fresh"),
    ("乡镇动态", "新闻中心", "news", "城关镇", "stale"),
    ("图片新闻", "新闻中心", "news", "县融媒体中心", "fresh"),
    ("视频新闻", "新闻中心", "news", "县融媒体中心", "stale"),
    ("通知公告", None, "notice", "县人民政府办公室", "fresh"),
    ("政府信息公开", None, "other", "县人民政府办公室", "fresh"),
    ("政策文件", "政府信息公开", "policy", "县人民政府办公室", "fresh"),
    ("县政府文件", "政策文件", "policy", "县人民政府办公室", "fresh"),
    ("县政府办文件", "政策文件", "policy", "县人民政府办公室", "fresh"),
    ("部门文件", "政策文件", "policy", "县司法局", "stale"),
    ("政策解读", "政府信息公开", "policy", "县人民政府办公室", "fresh"),
    ("图文解读", "政策解读", "policy", "县融媒体中心", "fresh"),
    ("规划计划", "政府信息公开", "annual", "县发展和改革局", "fresh"),
    ("国民经济和社会发展规划", "规划计划", "annual", "县发展和改革局", "fresh"),
    ("财政预决算", "政府信息公开", "annual", "县财政局", "fresh"),
    ("政府预决算", "财政预决算", "annual", "县财政局", "fresh"),
    ("部门预决算", "财政预决算", "annual", "县财政局", "stale"),
    ("“三公”经费", "财政预决算", "annual", "县财政局", "fresh"),
    ("统计数据", "政府信息公开", "monthly", "县发展和改革局", "fresh"),
    ("月度数据", "统计数据", "monthly", "县发展和改革局", "stale"),
    ("季度数据", "统计数据", "quarterly", "县发展和改革局", "fresh"),
    ("统计公报", "统计数据", "annual", "县发展和改革局", "fresh"),
    ("人事信息", "政府信息公开", "other", "县人力资源和社会保障局", "fresh"),
    ("人事任免", "人事信息", "other", "县人力资源和社会保障局", "fresh"),
    ("招考录用", "人事信息", "other", "县人力资源和社会保障局", "fresh"),
    ("重点领域信息公开", "政府信息公开", "other", "县人民政府办公室", "fresh"),
    ("教育", "重点领域信息公开", "other", "县教育局", "fresh"),
    ("医疗卫生", "重点领域信息公开", "other", "县卫生健康局", "fresh"),
    ("社会救助", "重点领域信息公开", "quarterly", "县民政局", "stale"),
    ("食品药品安全", "重点领域信息公开", "other", "县市场监督管理局", "fresh"),
    ("环境保护", "重点领域信息公开", "other", "县自然资源和规划局", "fresh"),
    ("安全生产", "重点领域信息公开", "other", "县应急管理局", "fresh"),
    ("乡村振兴", "重点领域信息公开", "other", "县农业农村局", "blank"),
    ("建议提案办理", "政府信息公开", "annual", "县人民政府办公室", "fresh"),
    ("审计信息", "政府信息公开", "annual", "县审计局", "fresh"),
    ("政府信息公开年报", "政府信息公开", "annual", "县人民政府办公室", "fresh"),
    ("政府网站工作年度报表", "政府信息公开", "annual", "县人民政府办公室", "fresh"),
    ("政务服务", None, "other", "县人民政府办公室", "fresh"),
    ("办事指南", "政务服务", "other", "县人民政府办公室", "fresh"),
    ("便民服务", "政务服务", "other", "县人民政府办公室", "fresh"),
    ("公共资源交易", "政务服务", "news", "县财政局", "fresh"),
    ("政府采购", "公共资源交易", "notice", "县财政局", "fresh"),
    ("工程建设", "公共资源交易", "notice", "县住房和城乡建设局", "fresh"),
    ("互动交流", None, "other", "县人民政府办公室", "fresh"),
    ("县长信箱", "互动交流", "other", "县人民政府办公室", "fresh"),
    ("在线访谈", "互动交流", "quarterly", "县融媒体中心", "stale"),
    ("征集调查", "互动交流", "other", "县人民政府办公室", "blank"),
    ("意见征集", "征集调查", "notice", "县人民政府办公室", "fresh"),
    ("专题专栏", None, "other", "县人民政府办公室", "fresh"),
    ("优化营商环境", "专题专栏", "other", "县商务局", "fresh"),
    ("疫情防控", "专题专栏", "other", "县卫生健康局", "blank"),
    ("文明城市创建", "专题专栏", "other", "县文化广播电视和旅游局", "fresh"),
]

EDU_COLUMNS = [
    ("教育动态", None, "news", "stale"),
    ("通知公告", None, "notice", "fresh"),
    ("政策文件", None, "policy", "blank"),
    ("招生考试", None, "annual", "blank"),
    ("学校风采", None, "other", "blank"),
    ("资助政策", None, "other", "blank"),
    ("财政预决算", None, "annual", "blank"),
]

# Days between updates and how far back the newest one lies, per category: fresh within, stale beyond the
# period of SPEC's `column_stale` rule.
PERIOD_DAYS = {"news": 14, "notice": 182, "policy": 182, "monthly": 30, "quarterly": 91, "annual": 365, "other": 365}

TITLES = {
    "news": ["县委常委会召开会议研究部署重点工作", "县政府召开常务会议", "全县安全生产工作会议召开", "我县开展防汛应急演练",
             "县领导调研重点项目建设", "清源县召开优化营商环境推进会"],
    "notice": ["关于做好节假日值班工作的通知", "关于公开征求意见的公告", "关于开展专项检查的通知"],
    "policy": ["清源县人民政府关于印发实施方案的通知", "关于进一步加强管理的若干措施", "《实施方案》政策解读"],
    "monthly": ["月度主要经济指标"], "quarterly": ["季度工作情况"], "annual": ["年度报告", "年度预算公开"],
    "other": ["信息更新", "内容维护"],
}


def _history(column, kind, today, rng, count):
    period = PERIOD_DAYS[column.category]
    if kind == "blank":
        return 0
    newest_age = rng.randint(0, max(1, period // 3)) if kind == "fresh" else period + rng.randint(5, 60)
    titles = TITLES[column.category]
    made = 0
    for i in range(count):
        age = newest_age + i * max(1, period // 2)
        moment = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=age), dt.time(9 + i % 8, 30)))
        column_add_update(
            column=column, published_at=moment, title=f"{titles[i % len(titles)]}（{moment:%m月%d日}）",
            url=f"{column.site.url.rstrip('/')}/c{column.pk}/{moment:%Y%m%d}_{i}.html", source=UpdateSource.IMPORT,
            external_id=f"demo-{column.pk}-{i}",
        )
        made += 1
    return made


def _probes(site, now, failures_per_day):
    rows = []
    start = now - dt.timedelta(days=7)
    for slot in range(7 * 48):
        moment = start + dt.timedelta(minutes=30 * slot)
        failed = slot % 48 < failures_per_day
        rows.append(Probe(
            site=site, checked_at=moment, ok=not failed, status_code=None if failed else 200,
            response_ms=15000 if failed else 180 + (slot * 37) % 400, error="超时（超过 15 秒）" if failed else "",
        ))
    Probe.objects.bulk_create(rows)


def seed_area(region, stdout=None):
    units = region["units"]
    today = timezone.localdate()
    now = timezone.now()
    rng = random.Random(20241008)  # the same demo every time
    portal = site_create(
        name=PORTAL, url="https://www.qingyuan.example.gov.cn/", owner=units["清源县人民政府"],
        operator=units["清源融媒科技有限公司"], supervisor=units["县人民政府办公室"], icp_number="清ICP备05012345号",
        police_number="清公网安备 11000002000001号", site_code="1100000001", launched_on=dt.date(2012, 6, 1),
        has_consultation_channel=True,
    )
    edu = site_create(
        name=EDU_SITE, url="https://jyj.qingyuan.example.gov.cn/", owner=units["县教育局"],
        supervisor=units["县人民政府办公室"], site_code="1100000002", launched_on=dt.date(2016, 9, 1),
        has_consultation_channel=False,
    )
    Site.objects.filter(pk=portal.pk).update(homepage_updated_on=today - dt.timedelta(days=1))
    Site.objects.filter(pk=edu.pk).update(homepage_updated_on=today - dt.timedelta(days=23))
    columns, updates = {}, 0
    for name, parent, category, unit, history in PORTAL_COLUMNS:
        column = column_create(
            site=portal, name=name, parent=columns.get(parent), category=category, responsible=units[unit],
            opened_on=dt.date(2012, 6, 1),
        )
        columns[name] = column
        updates += _history(column, history, today, rng, count=4)
    edu_columns = {}
    for name, parent, category, history in EDU_COLUMNS:
        column = column_create(site=edu, name=name, parent=None, category=category, responsible=units["县教育局"],
                               opened_on=dt.date(2016, 9, 1))
        edu_columns[name] = column
        updates += _history(column, history, today, rng, count=3)
    # The portal answers nearly always; the bureau's old server times out 5 times a day (≈ 10 %: a veto).
    _probes(portal, now, failures_per_day=1)
    _probes(edu, now, failures_per_day=5)
    seen = now - dt.timedelta(days=3)
    for page, link, kind, code in [
        ("https://www.qingyuan.example.gov.cn/xwzx/zwdt/", "https://www.qingyuan.example.gov.cn/xwzx/zwdt/2023/old.html", "link", 404),
        ("https://www.qingyuan.example.gov.cn/zwgk/", "http://www.retired-partner.example.cn/", "link", None),
        ("https://www.qingyuan.example.gov.cn/", "https://www.qingyuan.example.gov.cn/images/banner2022.jpg", "image", 404),
    ]:
        BrokenLink.objects.create(
            site=portal, page_url=page, link_url=link, fingerprint=BrokenLink.make_fingerprint(page, link), kind=kind,
            status_code=code, error=f"HTTP {code}" if code else "无法连接：域名无法解析",
            first_seen_at=seen, last_seen_at=now - dt.timedelta(hours=20),
        )
    page, link = "https://www.qingyuan.example.gov.cn/hdjl/", "https://www.qingyuan.example.gov.cn/hdjl/zxft/2021.html"
    BrokenLink.objects.create(
        site=portal, page_url=page, link_url=link, fingerprint=BrokenLink.make_fingerprint(page, link), kind="link",
        status_code=404, error="HTTP 404", first_seen_at=seen - dt.timedelta(days=10), last_seen_at=seen - dt.timedelta(days=2),
        fixed_at=seen,
    )
    LinkCheck.objects.create(
        site=portal, status=LinkCheckStatus.FINISHED, started_at=now - dt.timedelta(hours=20, minutes=5),
        finished_at=now - dt.timedelta(hours=20), pages_checked=200, links_checked=1846, broken_count=3,
        skipped_by_robots=12, hit_page_limit=True,
    )
    region["sites"] = {PORTAL: portal, EDU_SITE: edu}
    region["columns"] = columns
    region["edu_columns"] = edu_columns
    if stdout is not None:
        stdout.write(f"网站：{Site.objects.count()} 个，栏目：{Column.objects.count()} 个，栏目更新记录：{updates} 条。")
