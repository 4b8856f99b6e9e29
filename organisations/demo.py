"""The demo region's organisations and people (`manage.py seed_demo`)."""
from django_otp.plugins.otp_totp.models import TOTPDevice

from organisations import access
from organisations.models import AdminRole, OrganisationKind, Role, User
from organisations.services import membership_grant, organisation_create, user_create

DEMO_PASSWORD = "Demo@2026!"
# The demo's second factor (README): every demo administrator and supervisor has a TOTP device with this secret,
# so that a newcomer signs in after `make run` by adding it to any authenticator app (or reading the current code
# with `manage.py demo_otp`). A real installation enrols each person on their first sign-in instead.
DEMO_TOTP_SECRET = "GOVMEDIADEMOTOTPGOVMEDIADEMOTOTP"  # base32, 20 bytes
DEMO_TOTP_NAME = "演示动态口令"

# 三员分立: one person per duty, none with a business role.
ADMINISTRATORS = [
    ("sys_admin", "林志远", AdminRole.SYSTEM),
    ("sec_admin", "何静怡", AdminRole.SECURITY),
    ("audit_admin", "唐明哲", AdminRole.AUDIT),
]

DEPARTMENTS = [
    "县发展和改革局", "县教育局", "县科学技术和经济信息化局", "县公安局", "县民政局", "县司法局", "县财政局",
    "县人力资源和社会保障局", "县自然资源和规划局", "县住房和城乡建设局", "县交通运输局", "县水务局",
    "县农业农村局", "县商务局", "县文化广播电视和旅游局", "县卫生健康局", "县退役军人事务局", "县应急管理局",
    "县审计局", "县市场监督管理局", "县医疗保障局",
]
TOWNSHIPS = ["城关镇", "龙泉镇", "石桥镇", "白塔镇", "清溪镇", "南坝镇", "东山乡", "西河乡", "北川乡", "新华街道"]

# (username, name, home unit, [(unit, role)])
PEOPLE = [
    ("office_zhang", "张建国", "县人民政府办公室", [("清源县人民政府", Role.SUPERVISOR)]),
    ("office_li", "李秀英", "县人民政府办公室", [("清源县人民政府", Role.SUPERVISOR), ("县人民政府办公室", Role.EDITOR)]),
    ("office_wang", "王立群", "县人民政府办公室", [("县人民政府办公室", Role.PRINCIPAL)]),
    ("edu_editor", "赵晓燕", "县教育局", [("县教育局", Role.EDITOR)]),
    ("edu_editor2", "钱明", "县教育局", [("县教育局", Role.EDITOR)]),
    ("edu_section", "孙丽", "县教育局", [("县教育局", Role.SECTION_HEAD)]),
    ("edu_deputy", "周伟", "县教育局", [("县教育局", Role.DEPUTY_HEAD)]),
    ("edu_deputy2", "吴芳", "县教育局", [("县教育局", Role.DEPUTY_HEAD)]),
    ("edu_principal", "郑国强", "县教育局", [("县教育局", Role.PRINCIPAL)]),
    ("health_editor", "冯静", "县卫生健康局", [("县卫生健康局", Role.EDITOR)]),
    # 二审 and 三审 by two people: under 三审三校 one person may not decide both (review/services.py).
    ("health_principal", "陈志军", "县卫生健康局", [("县卫生健康局", Role.PRINCIPAL)]),
    ("health_deputy", "何晓东", "县卫生健康局", [("县卫生健康局", Role.DEPUTY_HEAD)]),
    ("town_editor", "褚红梅", "城关镇", [("城关镇", Role.EDITOR)]),
    ("town_principal", "卫东", "城关镇", [("城关镇", Role.PRINCIPAL)]),
    ("transport_principal", "韩立", "县交通运输局", [("县交通运输局", Role.PRINCIPAL)]),
    ("vendor_ops", "蒋涛", "清源融媒科技有限公司", [("清源融媒科技有限公司", Role.OPERATOR)]),
    ("cac_audit", "沈雪", "中共清源县委网络安全和信息化委员会办公室", [("清源县人民政府", Role.AUDITOR)]),
]


def seed(stdout=None) -> dict:
    root = organisation_create(name="清源县人民政府", short_name="县政府", kind=OrganisationKind.GOVERNMENT, parent=None)
    units = {root.name: root}
    units["县人民政府办公室"] = organisation_create(
        name="县人民政府办公室", short_name="县政府办", kind=OrganisationKind.DEPARTMENT, parent=root
    )
    for name in DEPARTMENTS:
        units[name] = organisation_create(name=name, short_name=name.removeprefix("县"), kind=OrganisationKind.DEPARTMENT, parent=root)
    for name in TOWNSHIPS:
        kind = OrganisationKind.TOWNSHIP
        units[name] = organisation_create(name=name, kind=kind, parent=root)
    units["县教育局办公室"] = organisation_create(name="县教育局办公室", kind=OrganisationKind.INTERNAL, parent=units["县教育局"])
    units["县融媒体中心"] = organisation_create(name="县融媒体中心", kind=OrganisationKind.INSTITUTION, parent=root)
    units["清源融媒科技有限公司"] = organisation_create(
        name="清源融媒科技有限公司", kind=OrganisationKind.CONTRACTOR, parent=root
    )
    units["中共清源县委网络安全和信息化委员会办公室"] = organisation_create(
        name="中共清源县委网络安全和信息化委员会办公室", short_name="县委网信办", kind=OrganisationKind.INSTITUTION, parent=root
    )
    people = {}
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        admin = User.objects.create_superuser("admin", "admin@example.gov.cn", DEMO_PASSWORD, display_name="系统管理员")
    for username, display, home, roles in PEOPLE:
        person = user_create(
            username=username, password=DEMO_PASSWORD, display_name=display, home_organisation=units[home],
            email=f"{username}@example.gov.cn",
        )
        for unit, role in roles:
            membership_grant(user=person, organisation=units[unit], role=role, actor=admin)
        people[username] = person
    for username, display, admin_role in ADMINISTRATORS:
        person = user_create(
            username=username, password=DEMO_PASSWORD, display_name=display,
            home_organisation=units["县人民政府办公室"], email=f"{username}@example.gov.cn",
        )
        # Set directly, as `createsuperuser` does: the demo has no security administrator yet to appoint them.
        User.objects.filter(pk=person.pk).update(admin_role=admin_role)
        person.admin_role = admin_role
        people[username] = person
    for person in [admin, *people.values()]:
        if access.needs_second_factor(person):
            enrol_demo_totp(person)
    return {"root": root, "units": units, "people": people, "admin": admin}


def enrol_demo_totp(person: User) -> TOTPDevice:
    """A confirmed TOTP device with the documented demo secret (demo data only)."""
    import base64

    key = base64.b32decode(DEMO_TOTP_SECRET).hex()
    device, _created = TOTPDevice.objects.update_or_create(
        user=person, name=DEMO_TOTP_NAME, defaults={"key": key, "confirmed": True}
    )
    return device

