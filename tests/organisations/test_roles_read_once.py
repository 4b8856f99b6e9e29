"""The scope questions of organisations.access read the caller's roles once per user object (one request's), and a
change of roles or of a unit's place in the tree is seen at once by the same object (issue 14: the dashboard asked
the same roles eight times)."""
import pickle

from django.db import connection
from django.test.utils import CaptureQueriesContext

from organisations import access, services
from organisations.models import Organisation, Role


def test_a_pages_worth_of_scope_questions_reads_the_roles_once(region):
    supervisor = region.supervisor
    with CaptureQueriesContext(connection) as queries:
        answers = (
            access.role_paths(supervisor, [Role.SUPERVISOR]),
            access.regional_paths(supervisor),
            access.needs_second_factor(supervisor),
            access.covers_region(supervisor, region.bureau),
            supervisor.supervises(region.section),
            supervisor.is_supervisor,
            access.can_read_audit(supervisor),
            access.can_keep_word_lists(supervisor),
            access.can_set_review_policies(supervisor),
            access.can_act_for_unit(supervisor, region.bureau),
            access.can_edit_calendar(supervisor),
            access.can_manage_service_accounts(supervisor),
            access.can_write(supervisor, region.bureau),
        )
    assert answers == (
        [region.county.path], [region.county.path], True, True, True, True, True, True, True, True, True, True, False
    )
    assert len(queries) == 1
    assert not region.supervisor.supervises(region.other_county)
    assert not access.covers_region(supervisor, region.other_county_bureau)


def test_a_role_granted_or_withdrawn_is_seen_by_the_same_user_object_at_once(region):
    member = region.member
    assert not access.covers_region(member, region.bureau)
    assert not member.supervises(region.bureau)
    membership = services.membership_grant(
        user=member, organisation=region.county, role=Role.AUDITOR, actor=region.supervisor
    )
    assert access.covers_region(member, region.bureau)
    assert access.regional_paths(member) == [region.county.path]
    services.membership_withdraw(membership=membership, actor=region.supervisor)
    assert not access.covers_region(member, region.bureau)
    assert access.regional_paths(member) == []
    # Any object of the same person, however it was loaded, hears of the change.
    services.membership_grant(user=type(member).objects.get(pk=member.pk), organisation=region.county,
                              role=Role.SUPERVISOR, actor=region.supervisor)
    assert member.supervises(region.other_bureau)
    assert access.can_keep_word_lists(member)


def test_a_unit_moved_under_another_is_seen_with_its_new_path(region):
    supervisor = region.supervisor
    assert "乙县教育局" not in set(access.visible_organisations(supervisor).values_list("name", flat=True))
    assert access.regional_paths(supervisor) == [region.county.path]
    # The county moves under a new province office: the supervisor's remembered path must follow it.
    province = Organisation.objects.create(name="某省人民政府", kind=region.county.kind)
    services.organisation_update(organisation=region.county, parent=province)
    region.county.refresh_from_db()
    assert access.regional_paths(supervisor) == [region.county.path]
    assert region.county.path.startswith(province.path)
    assert supervisor.supervises(Organisation.objects.get(pk=region.section.pk))
    assert "甲县教育局办公室" in set(access.visible_organisations(supervisor).values_list("name", flat=True))


def test_each_request_reads_the_supervisors_roles_once(region, client):
    client.force_login(region.supervisor)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    # The page's own table of "my roles" reads the units' names for display (one query of its own); every
    # scope question (menu, 工作台, dashboard panels) asks the roles read once.
    role_reads = [q for q in queries if 'FROM "organisations_membership"' in q["sql"]
                  and '"organisations_membership"."user_id" = ' in q["sql"]
                  and '"organisations_organisation"."name"' not in q["sql"]]
    assert len(role_reads) == 1, "\n".join(q["sql"] for q in role_reads)


def test_a_pickled_user_reads_its_roles_afresh(region):
    # Another process's counter of role changes means nothing here: its remembered roles are not carried over.
    supervisor = region.supervisor
    assert supervisor.is_supervisor
    copy = pickle.loads(pickle.dumps(supervisor))
    assert "_govmedia_roles" not in copy.__dict__
    assert copy.supervises(region.bureau)
