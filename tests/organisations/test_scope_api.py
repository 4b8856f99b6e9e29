"""Who sees and changes which organisations, people and roles: owner, member, outsider, supervisor."""
import pytest

from organisations.models import Membership, Organisation, Role, User


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.django_db
class TestOrganisations:
    def test_supervisor_sees_the_county_and_everything_below(self, api, region):
        seen = ids(api.as_user(region.supervisor).get("/api/v1/organisations/"))
        assert seen == {region.county.pk, region.bureau.pk, region.other_bureau.pk, region.section.pk}

    def test_member_sees_only_their_own_unit(self, api, region):
        assert ids(api.as_user(region.member).get("/api/v1/organisations/")) == {region.bureau.pk}

    def test_outsider_gets_404_for_an_organisation_of_another_county(self, api, region):
        client = api.as_user(region.outsider)
        assert client.get(f"/api/v1/organisations/{region.bureau.pk}/").status_code == 404
        assert client.patch(f"/api/v1/organisations/{region.bureau.pk}/", {"name": "x"}, format="json").status_code == 404
        assert client.delete(f"/api/v1/organisations/{region.bureau.pk}/").status_code == 404
        assert Organisation.objects.filter(pk=region.bureau.pk, name="甲县教育局").exists()

    def test_member_may_read_but_not_change_their_unit(self, api, region):
        client = api.as_user(region.member)
        assert client.get(f"/api/v1/organisations/{region.bureau.pk}/").status_code == 200
        assert client.patch(f"/api/v1/organisations/{region.bureau.pk}/", {"name": "x"}, format="json").status_code == 403

    def test_supervisor_creates_a_unit_under_their_county(self, api, region):
        client = api.as_user(region.supervisor)
        response = client.post("/api/v1/organisations/", {"name": "甲县统计局", "kind": "department", "parent": region.county.pk}, format="json")
        assert response.status_code == 201, response.content
        assert response.json()["path"] == f"{region.county.path}{response.json()['id']}/"

    def test_creating_under_another_county_is_a_400_as_if_it_did_not_exist(self, api, region):
        client = api.as_user(region.supervisor)
        response = client.post("/api/v1/organisations/", {"name": "x", "kind": "department", "parent": region.other_county.pk}, format="json")
        assert response.status_code == 400
        assert "parent" in response.json()

    def test_internal_section_needs_a_parent_and_bad_kind_is_400(self, api, region):
        client = api.as_user(region.supervisor)
        response = client.post("/api/v1/organisations/", {"name": "x", "kind": "nonsense", "parent": region.county.pk}, format="json")
        assert response.status_code == 400 and "kind" in response.json()
        response = client.post("/api/v1/organisations/", {"name": "甲县教育局", "kind": "department", "parent": region.county.pk}, format="json")
        assert response.status_code == 400  # the same name twice under one parent

    def test_moving_a_unit_moves_its_subtree(self, api, region):
        client = api.as_user(region.supervisor)
        response = client.patch(f"/api/v1/organisations/{region.bureau.pk}/", {"parent": region.other_bureau.pk}, format="json")
        assert response.status_code == 200, response.content
        region.section.refresh_from_db()
        assert region.section.path == f"{region.other_bureau.path}{region.bureau.pk}/{region.section.pk}/"
        response = client.patch(f"/api/v1/organisations/{region.other_bureau.pk}/", {"parent": region.section.pk}, format="json")
        assert response.status_code == 400  # a unit cannot move under its own descendant

    def test_deleting_a_unit_with_people_is_a_409(self, api, region):
        response = api.as_user(region.supervisor).delete(f"/api/v1/organisations/{region.bureau.pk}/")
        assert response.status_code == 409

    def test_unauthenticated_is_401(self, api, region):
        assert api.get("/api/v1/organisations/").status_code == 401


@pytest.mark.django_db
class TestPeopleAndRoles:
    def test_member_sees_colleagues_not_neighbours(self, api, region):
        seen = ids(api.as_user(region.member).get("/api/v1/users/"))
        assert {region.member.pk, region.owner.pk} <= seen
        assert region.neighbour.pk not in seen and region.outsider.pk not in seen

    def test_outsider_gets_404_for_a_person_of_another_county(self, api, region):
        assert api.as_user(region.outsider).get(f"/api/v1/users/{region.member.pk}/").status_code == 404

    def test_supervisor_adds_a_person_and_grants_and_withdraws_a_role(self, api, region):
        client = api.as_user(region.supervisor)
        response = client.post("/api/v1/users/", {
            "username": "newcomer", "password": "Xinren#2026", "display_name": "新人", "home_organisation": region.bureau.pk,
        }, format="json")
        assert response.status_code == 201, response.content
        user_id = response.json()["id"]
        assert "password" not in response.json()
        response = client.post("/api/v1/memberships/", {"user": user_id, "organisation": region.bureau.pk, "role": "section_head"}, format="json")
        assert response.status_code == 201
        membership_id = response.json()["id"]
        again = client.post("/api/v1/memberships/", {"user": user_id, "organisation": region.bureau.pk, "role": "section_head"}, format="json")
        assert again.status_code == 400 and "role" in again.json()
        assert client.delete(f"/api/v1/memberships/{membership_id}/").status_code == 204
        assert not Membership.objects.filter(user_id=user_id).exists()

    def test_editor_cannot_grant_roles(self, api, region):
        response = api.as_user(region.member).post(
            "/api/v1/memberships/", {"user": region.member.pk, "organisation": region.bureau.pk, "role": "principal"}, format="json"
        )
        assert response.status_code == 403
        assert not region.member.memberships.filter(role=Role.PRINCIPAL).exists()

    def test_outsider_cannot_grant_a_role_in_another_county(self, api, region):
        response = api.as_user(region.outsider).post(
            "/api/v1/memberships/", {"user": region.member.pk, "organisation": region.bureau.pk, "role": "principal"}, format="json"
        )
        assert response.status_code == 400  # neither the person nor the unit exists for them
        assert set(response.json()) == {"user", "organisation"}

    @pytest.mark.parametrize("password, reason", [
        ("Ab1!", "password_too_short"),
        ("alllowercase", "classes"),
        ("Newcomer#2026", "username"),
    ])
    def test_password_rules_are_a_400_on_the_password_field(self, api, region, password, reason):
        response = api.as_user(region.supervisor).post("/api/v1/users/", {
            "username": "newcomer", "password": password, "home_organisation": region.bureau.pk,
        }, format="json")
        assert response.status_code == 400
        assert "password" in response.json()
        assert not User.objects.filter(username="newcomer").exists()

    def test_deleting_a_person_deactivates_them(self, api, region):
        response = api.as_user(region.supervisor).delete(f"/api/v1/users/{region.member.pk}/")
        assert response.status_code == 204
        region.member.refresh_from_db()
        assert region.member.is_active is False

    def test_internal_section_staff_cannot_be_supervisors(self, api, region):
        response = api.as_user(region.supervisor).post(
            "/api/v1/memberships/", {"user": region.member.pk, "organisation": region.section.pk, "role": "supervisor"}, format="json"
        )
        assert response.status_code == 400


@pytest.mark.django_db
def test_scope_query_count_does_not_grow_with_units(api, region, django_assert_max_num_queries):
    from tests.factories import OrganisationFactory

    for i in range(30):
        OrganisationFactory(name=f"乡镇{i}", parent=region.county, kind="township")
    client = api.as_user(region.supervisor)
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/organisations/", {"page_size": 100})
    assert response.json()["count"] == 34
