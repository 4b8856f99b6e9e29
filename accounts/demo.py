"""The demo county's account register (run by `seed_demo` after the units and people of `organisations.demo`)."""
import datetime as dt

from django.utils import timezone

from govmedia.core.workdays import add_workdays

from accounts import filings as form_rules
from accounts import filing_services, services
from accounts.models import Account, AccountMenu, AccountStatus, AccountTeamMember, FilingKind
from accounts.services import account_add_update


# (owner unit, platform, account type, account name, status, days since last update or None, originals?)
DEMO_ACCOUNTS = [
    ("县人民政府办公室", "wechat", "subscription", "清源发布", "running", 1, True),
    ("县人民政府办公室", "weibo", "", "清源发布微博", "running", 2, True),
    ("县人民政府办公室", "douyin", "", "清源发布抖音", "running", 5, True),
    ("县人民政府办公室", "toutiao", "", "清源发布头条号", "running", 9, False),
    ("县人民政府办公室", "app", "app", "爱清源", "running", 3, True),
    ("县教育局", "wechat", "subscription", "清源教育", "running", 2, True),
    ("县教育局", "douyin", "", "清源教育抖音", "running", 21, True),
    ("县公安局", "wechat", "service", "清源公安", "running", 1, True),
    ("县公安局", "weibo", "", "平安清源", "running", 4, True),
    ("县公安局", "douyin", "", "清源警方", "running", 2, True),
    ("县公安局", "kuaishou", "", "清源警方快手", "running", 16, False),
    ("县卫生健康局", "wechat", "subscription", "健康清源", "running", 6, True),
    ("县卫生健康局", "weibo", "", "健康清源微博", "closing", 40, False),
    ("县人力资源和社会保障局", "wechat", "service", "清源人社", "running", 3, True),
    ("县人力资源和社会保障局", "toutiao", "", "清源人社头条", "running", 60, False),
    ("县市场监督管理局", "wechat", "subscription", "清源市场监管", "running", 12, False),
    ("县市场监督管理局", "douyin", "", "清源市场监管抖音", "deregistered", 200, False),
    ("县文化广播电视和旅游局", "wechat", "subscription", "清源文旅", "running", 1, True),
    ("县文化广播电视和旅游局", "douyin", "", "游清源", "running", 2, True),
    ("县文化广播电视和旅游局", "kuaishou", "", "游清源快手", "running", 35, False),
    ("县文化广播电视和旅游局", "weibo", "", "清源文旅微博", "closing", 8, True),
    ("县应急管理局", "wechat", "subscription", "清源应急", "running", 4, True),
    ("县应急管理局", "weibo", "", "清源应急微博", "deregistered", 400, False),
    ("县交通运输局", "wechat", "subscription", "清源交通", "running", 15, True),
    ("县农业农村局", "wechat", "subscription", "清源农业农村", "running", 7, False),
    ("县自然资源和规划局", "wechat", "subscription", "清源自然资源", "running", 30, False),
    ("县住房和城乡建设局", "wechat", "subscription", "清源住建", "running", 10, True),
    ("县医疗保障局", "wechat", "service", "清源医保", "running", 5, True),
    ("县民政局", "wechat", "subscription", "清源民政", "running", None, False),
    ("县司法局", "wechat", "subscription", "清源司法", "running", 13, True),
    ("县退役军人事务局", "wechat", "subscription", "清源退役军人", "deregistered", 300, False),
    ("县融媒体中心", "wechat", "subscription", "清源融媒", "running", 1, True),
    ("县融媒体中心", "douyin", "", "清源融媒抖音", "running", 1, True),
    ("县融媒体中心", "kuaishou", "", "清源融媒快手", "running", 3, True),
    ("城关镇", "wechat", "subscription", "城关发布", "running", 18, False),
    ("城关镇", "douyin", "", "城关镇抖音", "closing", 25, False),
    ("龙泉镇", "wechat", "subscription", "龙泉镇", "running", 4, True),
    ("石桥镇", "wechat", "subscription", "石桥镇", "running", 45, False),
    ("新华街道", "wechat", "subscription", "新华街道", "running", 2, True),
]


def seed_area(region, stdout=None) -> None:
    """About forty accounts across platforms and statuses with teams, menus and update histories; filings in
    every state (draft, pending at each stage, rejected, approved) and stock accounts owing a backfill."""
    units, people, admin, root = region["units"], region["people"], region["admin"], region["root"]
    today = timezone.localdate()
    accounts = {}
    for index, (unit, platform, account_type, name, status, days, originals) in enumerate(DEMO_ACCOUNTS, start=1):
        owner = units[unit]
        opened = today - dt.timedelta(days=400 + index * 7)
        account = Account.objects.create(
            name=name, platform=platform, account_type=account_type, platform_id=f"qy{index:03d}", owner=owner,
            supervisor=root, operator=units["清源融媒科技有限公司"] if index % 5 == 0 else owner, status=status,
            opened_on=opened, registered_on=opened, operation_started_on=opened + dt.timedelta(days=3),
            verified=index % 4 != 0, news_licence=unit == "县融媒体中心",
            owner_leader="分管副职", owner_leader_title=f"{owner.short_name or owner.name}副局长（副镇长）",
            owner_contact=f"0838-66{index:05d}", supervisor_leader="张建国", supervisor_leader_title="县政府办副主任",
            supervisor_contact="0838-6600001", functions="信息发布、政务服务、互动交流",
            introduction=f"{owner.name}官方政务新媒体账号。", url=f"https://{platform}.example.cn/{index:03d}",
            followers=500 + index * 731, password_changed_on=today - dt.timedelta(days=30 + index * 5),
            has_interaction=index % 9 != 0,
            closure_notice_on=today - dt.timedelta(days=5 + index) if status == AccountStatus.CLOSING else None,
        )
        for position, (member, title) in enumerate([("王明", "信息员"), ("刘洋", "股室负责人")], start=1):
            AccountTeamMember.objects.create(account=account, name=member, unit_title=f"{owner.name} {title}",
                                             mobile=f"139{index:04d}{position:04d}", position=position, joined_on=opened)
        if platform in ("wechat", "app"):
            news = AccountMenu.objects.create(account=account, name="政务公开", position=1)
            AccountMenu.objects.create(account=account, parent=news, name="通知公告", position=2)
            AccountMenu.objects.create(account=account, parent=news, name="政策解读", position=3)
            AccountMenu.objects.create(account=account, name="办事服务", position=4)
        if days is not None:
            # A history of about two months ending `days` ago; "reprints only" accounts never post originals.
            for step in range(0, 60, 4):
                moment = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=days + step), dt.time(9, 30)))
                account_add_update(
                    account=account, published_at=moment, title=f"{name} 第{60 - step}期", original=originals and step % 8 == 0,
                    url=f"{account.url}/p/{step}", source="import", external_id=f"demo-{index}-{step}",
                )
        accounts[name] = account
    # One departure not yet followed by a password change.
    Account.objects.filter(name="清源公安").update(credential_change_due_since=today - dt.timedelta(days=3))
    accounts["清源公安"].team.filter(name="刘洋").update(left_on=today - dt.timedelta(days=3))
    # A legacy record: opened by a person in the township's name, kept so that inspections report it.
    legacy = Account.objects.create(
        name="龙泉镇便民服务", platform="kuaishou", owner=units["龙泉镇"], supervisor=root, operator=units["龙泉镇"],
        status=AccountStatus.RUNNING, opened_on=today - dt.timedelta(days=700), opened_by_individual=True,
        introduction="由个人以镇政府名义开设的存量账号，待整改关停。",
    )
    accounts[legacy.name] = legacy

    def form_for(**fields):
        data = form_rules.empty_form()
        data.update(
            verified=True, supervisor=root, supervisor_leader="张建国", supervisor_leader_title="县政府办副主任",
            supervisor_contact="0838-6600001", owner_leader="分管副职", owner_leader_title="副局长",
            owner_contact="0838-6601234", functions="信息发布、互动交流", introduction="新开设的政务新媒体账号。",
            menus=[{"name": "政务公开", "note": "", "children": [{"name": "通知公告", "note": "", "children": []}]}],
            team=[{"name": "赵晓燕", "unit_title": "信息员", "office_phone": "0838-6601111", "mobile": "13900001111"},
                  {"name": "钱明", "unit_title": "信息员", "office_phone": "", "mobile": "13900002222"}],
        )
        data.update(fields)
        return data

    def opening(name, unit, platform, filer, days_ago, **fields):
        return filing_services.filing_open_draft(
            user=filer, event_date=today - dt.timedelta(days=days_ago), reason=f"{units[unit].name}开设{name}，发布本部门政务信息。",
            form=form_for(name=name, platform=platform, owner=units[unit], platform_id=f"new-{platform}-{days_ago}",
                          registered_on=today - dt.timedelta(days=days_ago), **fields),
        )

    edu_editor, edu_principal = people["edu_editor"], people["edu_principal"]
    supervisor = people["office_zhang"]
    # Approved opening: 清源教育微博 (editor → principal → supervisor), with references of approvals above.
    filing = opening("清源教育微博", "县教育局", "weibo", edu_editor, 20)
    filing_services.filing_submit(filing=filing, user=edu_editor)
    filing_services.filing_approve(filing=filing, user=edu_principal, comment="同意开设。")
    filing_services.filing_record_references(filing=filing, user=supervisor, city_reference="市政办备〔2026〕8号",
                                      province_reference="", national_reference="")
    filing_services.filing_approve(filing=filing, user=supervisor, comment="准予备案。")
    filing_services.filing_record_references(filing=filing, user=supervisor, national_reference="GWXMT-510000-0421")
    accounts["清源教育微博"] = filing.account
    # Pending at the principal's stage, pending at the supervisor's, rejected, and a draft.
    filing = opening("清源教育快手", "县教育局", "kuaishou", edu_editor, 3)
    filing_services.filing_submit(filing=filing, user=edu_editor)
    accounts["清源教育快手"] = filing.account
    health_editor, health_principal = people["health_editor"], people["health_principal"]
    filing = opening("健康清源抖音", "县卫生健康局", "douyin", health_editor, 6)
    filing_services.filing_submit(filing=filing, user=health_editor)
    filing_services.filing_approve(filing=filing, user=health_principal, comment="同意。")
    accounts["健康清源抖音"] = filing.account
    town_editor, town_principal = people["town_editor"], people["town_principal"]
    filing = opening("城关镇微博", "城关镇", "weibo", town_editor, 12)
    filing_services.filing_submit(filing=filing, user=town_editor)
    filing_services.filing_reject(filing=filing, user=town_principal, comment="账号名称应与单位名称一致，请改为“清源县城关镇”。")
    accounts["城关镇微博"] = filing.account
    filing = opening("清源教育头条", "县教育局", "toutiao", edu_editor, 1, introduction="")
    accounts["清源教育头条"] = filing.account
    # A change filed (team member replaced) waiting for the supervisor, and a draft change.
    change = filing_services.filing_start(user=edu_editor, account=accounts["清源教育"], kind=FilingKind.CHANGE,
                                   event_date=today - dt.timedelta(days=2), reason="管理员调整：刘洋调离，由孙丽接替。")
    data = form_rules.from_json(change.form)
    data["team"] = [data["team"][0], {"name": "孙丽", "unit_title": "县教育局 股室负责人", "office_phone": "", "mobile": "13900003333"}]
    filing_services.filing_update(filing=change, user=edu_editor, form=data)
    filing_services.filing_submit(filing=change, user=edu_editor)
    filing_services.filing_approve(filing=change, user=edu_principal)
    filing_services.filing_start(user=health_editor, account=accounts["健康清源"], kind=FilingKind.CHANGE,
                          event_date=today - dt.timedelta(days=1), reason="更新功能介绍。")
    # A closure approved earlier (the notice stands) and a deregistration whose notice period has passed.
    close = filing_services.filing_start(user=supervisor, account=accounts["清源交通"], kind=FilingKind.CLOSE,
                                  event_date=today - dt.timedelta(days=1), reason="与清源发布整合，关停本账号。")
    filing_services.filing_submit(filing=close, user=supervisor)
    # 三员分立: the superuser decides no filing; the bureau's own principal does.
    filing_services.filing_approve(filing=close, user=people["transport_principal"])
    filing_services.filing_approve(filing=close, user=supervisor, comment="同意关停，请在账号发布关停公告。")
    accounts["清源交通"].refresh_from_db()
    notice = today - dt.timedelta(days=40)
    Account.objects.filter(name="城关镇抖音").update(closure_notice_on=notice)
    town_douyin = Account.objects.get(name="城关镇抖音")
    if town_douyin.first_deregister_on <= today:
        filing_services.filing_start(user=town_editor, account=town_douyin, kind=FilingKind.DEREGISTER,
                              event_date=today, reason="关停公告期满，申请注销。")
    # Stock accounts brought into the register directly: each owes a backfill filing; one has filed it.
    for name, unit, platform in [("清源统计", "县审计局", "wechat"), ("清源水务", "县水务局", "wechat"),
                                 ("白塔镇", "白塔镇", "wechat")]:
        accounts[name] = services.account_register_existing(
            user=supervisor, form=form_for(name=name, platform=platform, account_type="subscription", owner=units[unit],
                                      platform_id=f"stock-{unit}", registered_on=today - dt.timedelta(days=900)),
        )
    backfill = filing_services.filing_start(user=supervisor, account=accounts["白塔镇"], kind=FilingKind.BACKFILL,
                                     event_date=today, reason="")
    filing_services.filing_submit(filing=backfill, user=supervisor)
    Account.objects.filter(pk=accounts["清源统计"].pk).update(
        backfill_start_on=today - dt.timedelta(days=60), backfill_due_on=add_workdays(today - dt.timedelta(days=60), 20))
    region["accounts"] = accounts
    if stdout:
        stdout.write(f"政务新媒体：{Account.objects.count()} 个账号，备案 {sum(a.filings.count() for a in accounts.values())} 件。")
