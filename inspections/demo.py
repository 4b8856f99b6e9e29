"""The demo county's error reports and messages (some answered late, some not yet), a unit's message reply
limit, and two inspections: one a week and a day ago and one as of the seed day, so that the demo shows new,
rectified and overdue findings of every kind its data contains."""
import datetime as dt

from django.utils import timezone

from govmedia.core.workdays import add_workdays

from . import services
from .models import ErrorReport, Finding, Message, MessagePolicy


def _moment(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def seed_area(region, stdout=None):
    units, people = region["units"], region["people"]
    today = timezone.localdate()
    sites = region.get("sites", {})
    portal = sites.get("清源县人民政府门户网站")
    edu_site = sites.get("清源县教育局网站")
    office, edu = people["office_li"], people["edu_editor"]
    MessagePolicy.objects.create(organisation=units["县教育局"], reply_workdays=3)

    if portal is not None:
        on_time = services.error_report_create(site=portal, received_at=_moment(today - dt.timedelta(days=12)),
                                               content="“政务公开”栏目中“财政预决算”链接错误。", reporter="王先生",
                                               url="https://www.qingyuan.example.gov.cn/zwgk/czyjs/", external_id="ZC2024-0001")
        services.error_report_reply(report=on_time, user=office, reply="感谢指正，链接已改正。",
                                    replied_at=_moment(add_workdays(_received(on_time), 1), 9))
        late = services.error_report_create(site=portal, received_at=_moment(today - dt.timedelta(days=11)),
                                            content="领导信息页照片与姓名不符。", reporter="匿名", external_id="ZC2024-0002")
        services.error_report_reply(report=late, user=office, reply="已核实并更换照片。",
                                    replied_at=_moment(add_workdays(_received(late), 3), 16))
        services.error_report_create(site=portal, received_at=_moment(today - dt.timedelta(days=6), 15),
                                     content="“办事指南”中的咨询电话已停用。", reporter="李女士", external_id="ZC2024-0003")
        services.error_report_create(site=portal, received_at=timezone.now() - dt.timedelta(hours=2),
                                     content="首页“通知公告”有错别字“公示其”。", external_id="ZC2024-0004")
        services.message_create(site=portal, received_at=_moment(today - dt.timedelta(days=120)), author="赵先生",
                                title="关于城关镇老旧小区改造的咨询", content="请问城关镇老旧小区改造何时开工？")
        answered = services.message_create(site=portal, received_at=_moment(today - dt.timedelta(days=20)), author="孙女士",
                                           title="社保卡补办", content="社保卡丢失在哪里补办？")
        services.message_reply(message=answered, user=office, reply="可到县政务服务中心社保窗口补办。",
                               replied_at=_moment(add_workdays(_received(answered), 2), 11))
        services.message_create(site=portal, received_at=_moment(today - dt.timedelta(days=150)), author="广告",
                                content="代开发票……", valid=False)
    if edu_site is not None:
        services.message_create(site=edu_site, received_at=_moment(today - dt.timedelta(days=9)), author="家长",
                                title="秋季学期招生", content="外地户籍子女入学需要哪些材料？")
    accounts = region.get("accounts", {})
    running = [a for a in accounts.values() if a.status == "running"]
    if running:
        services.message_create(account=running[0], received_at=_moment(today - dt.timedelta(days=15)), author="网友",
                                content="公众号里的办事预约入口打不开。")
        services.message_create(account=running[0], received_at=timezone.now() - dt.timedelta(hours=5), author="网友",
                                content="请问周末能办理户籍业务吗？")

    # A run a week and a day ago, then one today: the first run's unanswered findings are now overdue.
    earlier = services.inspect(as_of=today - dt.timedelta(days=8))
    answer_one = Finding.objects.filter(inspection=earlier, organisation=units["县教育局"], status="open").first()
    if answer_one is not None:
        services.finding_rectify(finding=answer_one, user=edu, comment="已安排专人负责，本周内完成更新。")
    run = services.inspect(as_of=today)
    if stdout is not None:
        stdout.write(
            f"找错：{ErrorReport.objects.count()} 条，留言：{Message.objects.count()} 条；"
            f"检查（基准日 {run.as_of}）：问题 {Finding.objects.count()} 个，待整改 {run.counts.get('open')}，逾期 {run.counts.get('overdue')}。"
        )


def _received(obj) -> dt.date:
    return timezone.localtime(obj.received_at).date()
