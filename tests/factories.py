"""Factories for every model the tests create: people and units first, then the other rooms bottom to top.
Defaults are fixed dates, never today, so that a test reads the same whatever day it runs; a test that
depends on a field passes it."""
import datetime as dt
from zoneinfo import ZoneInfo

import factory
from django.utils import timezone

from accounts.models import Account, AccountStatus, AccountTeamMember, Filing, FilingKind, Platform
from govmedia.core.models import CalendarDay, CalendarYear
from inspections.models import Finding, Inspection, InspectionStatus, MessagePolicy, Severity
from notifications.models import Notification
from organisations.models import ApiToken, Membership, Organisation, OrganisationKind, Role, User
from publishing.models import Post, WordList, WordListKind
from rules.models import ChecklistItem, ChecklistVersion, ItemKind
from sites.models import BrokenLink, Column, ColumnCategory, Probe, Site

SH = ZoneInfo("Asia/Shanghai")
# A working day (Tuesday after National Day 2024): the default date of whatever a factory dates.
DAY = dt.date(2024, 10, 8)
MOMENT = dt.datetime(2024, 10, 8, 10, 0, tzinfo=SH)

PASSWORD = "Test@2026!pw"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = OrganisationKind.DEPARTMENT


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.EDITOR


def person(username, organisation, *roles):
    user = UserFactory(username=username, home_organisation=organisation)
    for role in roles:
        MembershipFactory(user=user, organisation=organisation, role=role)
    return user


def token_for(user, name="测试") -> str:
    """A working API token of `user` (a person's or a service account's), just used (so that requests within the
    minute do not write `last_used_at`, as in steady use); returns the key to send."""
    key = ApiToken.generate_key()
    ApiToken.objects.create(user=user, name=name, key_hash=ApiToken.hash_key(key), prefix=key[:ApiToken.PREFIX_LENGTH],
                            last_used_at=timezone.now())
    return key


def bulk(factory_class, rows):
    """Rows of one model saved in one statement, each a factory build (defaults filled in): for the hundreds
    of probes a monitoring window needs."""
    model = factory_class._meta.model
    return model.objects.bulk_create([factory_class.build(**row) for row in rows])


# core: the office's entries in the working-day calendar.


class CalendarDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarDay

    date = dt.date(2027, 1, 1)  # a year no calendar package covers
    is_workday = False
    note = ""


class CalendarYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarYear

    year = 2027


# notifications


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    user = factory.SubFactory(UserFactory)
    kind = "x"
    text = factory.Sequence(lambda n: f"通知{n}")


# rules: a local checklist version (a national one has no organisation and comes from the data migration).


class ChecklistVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChecklistVersion

    year = 2024
    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.LazyAttribute(lambda version: f"{version.organisation.name}补充指标")


class ChecklistItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChecklistItem

    version = factory.SubFactory(ChecklistVersionFactory)
    code = "account_stale"
    name = factory.LazyAttribute(lambda item: item.code)
    kind = ItemKind.VETO


# accounts: a running account, opened on a fixed day.


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"测试账号{n}")
    platform = Platform.WECHAT
    owner = factory.SubFactory(OrganisationFactory)
    status = AccountStatus.RUNNING
    opened_on = dt.date(2024, 1, 2)


class AccountTeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountTeamMember

    account = factory.SubFactory(AccountFactory)
    name = factory.Sequence(lambda n: f"管理员{n}")
    mobile = factory.Sequence(lambda n: f"1380000{n:04d}")


class FilingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Filing

    account = factory.SubFactory(AccountFactory)
    kind = FilingKind.OPEN
    event_date = DAY
    created_by = factory.SubFactory(UserFactory)


# sites


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    name = factory.Sequence(lambda n: f"测试网站{n}")
    url = factory.Sequence(lambda n: f"http://site{n}.example.gov.cn/")
    owner = factory.SubFactory(OrganisationFactory)


class ColumnFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Column

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"栏目{n}")
    category = ColumnCategory.NEWS


class ProbeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Probe

    site = factory.SubFactory(SiteFactory)
    checked_at = MOMENT
    ok = True
    response_ms = factory.LazyAttribute(lambda probe: 300 if probe.ok else None)


class BrokenLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BrokenLink

    site = factory.SubFactory(SiteFactory)
    page_url = factory.LazyAttribute(lambda link: link.site.url)
    link_url = factory.Sequence(lambda n: f"http://gone{n}.example.gov.cn/")
    fingerprint = factory.LazyAttribute(lambda link: BrokenLink.make_fingerprint(link.page_url, link.link_url))
    first_seen_at = MOMENT
    last_seen_at = factory.SelfAttribute("first_seen_at")


# publishing


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    organisation = factory.SubFactory(OrganisationFactory)
    author = factory.SubFactory(UserFactory, home_organisation=factory.SelfAttribute("..organisation"))
    title = factory.Sequence(lambda n: f"稿件{n}")


class WordListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WordList

    organisation = factory.SubFactory(OrganisationFactory)
    kind = WordListKind.SENSITIVE


# inspections: a finished run and an open finding of it.


class MessagePolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MessagePolicy

    organisation = factory.SubFactory(OrganisationFactory)
    reply_workdays = 5


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inspection

    as_of = DAY
    status = InspectionStatus.FINISHED


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding

    class Params:
        subject = factory.SubFactory(AccountFactory)

    inspection = factory.SubFactory(InspectionFactory)
    rule = "account_stale"
    severity = Severity.VETO
    subject_type = "account"
    subject_id = factory.SelfAttribute("subject.pk")
    subject_name = factory.SelfAttribute("subject.name")
    organisation = factory.SelfAttribute("subject.owner")
    found_on = DAY
    due_on = dt.date(2024, 10, 15)
    period_key = factory.LazyAttribute(lambda finding: finding.found_on.isoformat())

